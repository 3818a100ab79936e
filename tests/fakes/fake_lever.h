// A fake Lever Data API on a local port, for tests, the demo and benchmarks.
//
// FakeLever serves requisitions and requisition fields over plain HTTP the
// way Lever does (Basic auth with the API key as user name, Lever's paging
// token, filters and error bodies), from a recorded list page, from a JSON
// file of the project's own, or generated. It counts what it receives so
// tests can check what a client did, and lets a test hold any request in
// flight through a hook.
//
//   FakeLeverOptions options;
//   options.generate = 250;
//   options.api_keys["test-key"] = {"requisitions:read"};
//   absl::StatusOr<std::unique_ptr<FakeLever>> lever =
//       FakeLever::Start(options);
//   ... point a client at (*lever)->base_url() ...
//
// Thread safety: every method may be called from any thread while the
// server runs, except that the destructor must not race with other calls.
#ifndef LEVERCONNECT_TESTS_FAKES_FAKE_LEVER_H_
#define LEVERCONNECT_TESTS_FAKES_FAKE_LEVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace leverconnect::testing {

class HttpServer;
class LeverEndpoints;
struct LeverReply;

struct FakeLeverOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port
  // A Lever list page, {"data": [...], ...}, served as GET /v1/requisitions.
  std::string requisitions_file;
  // A Lever GET /v1/requisition_fields answer, {"data": [...]}.
  std::string requisition_fields_file;
  // When > 0, serve this many generated requisitions and the generated
  // field definitions instead of both files (see requisition_generator.h).
  int generate = 0;
  std::uint64_t seed = 1;
  // Each valid API key and the permissions it grants: "requisitions:read"
  // and/or "requisition_fields:read". No keys: every request gets 401.
  std::map<std::string, std::set<std::string>> api_keys;
};

class FakeLever {
 public:
  using RequestHook =
      std::function<void(int request_number, const std::string& path)>;

  // Loads or generates the data, binds and serves on background threads
  // (enough for about 32 concurrent clients). Returns NotFound or
  // InvalidArgument for a bad file, Unavailable when it cannot bind.
  static absl::StatusOr<std::unique_ptr<FakeLever>> Start(
      const FakeLeverOptions& options);

  FakeLever(const FakeLever&) = delete;
  FakeLever& operator=(const FakeLever&) = delete;

  // Stops serving; see Stop().
  ~FakeLever();

  // Stops accepting, lets requests in flight finish and joins the threads.
  // Connections a client keeps alive are closed after at most a second of
  // idleness. A request hook that is blocked must be released for Stop to
  // return. Calling it again does nothing.
  void Stop();

  int port() const { return port_; }

  // "http://<host>:<port>/v1"; a wildcard host is written as 127.0.0.1.
  std::string base_url() const;

  // The number of requests received whose path starts with `path_prefix`
  // (for example "/v1/requisitions"), counted on arrival, before the hook.
  std::int64_t RequestCount(std::string_view path_prefix) const;

  // The answered requests as JSON text:
  //   {"requests": {"GET /v1/requisitions 200": 3,
  //                 "GET /v1/requisitions/{id} 404": 1}, "total": 4}
  std::string StatsJson() const;

  // Called on the handler thread for every request before it is answered,
  // with its 1-based number among all requests and its path. It may block
  // (to hold a page in flight) and must be thread-safe, since requests run
  // concurrently. Replaces the previous hook; an empty function removes it.
  void SetRequestHook(RequestHook hook);

 private:
  FakeLever(const FakeLeverOptions& options,
            std::unique_ptr<LeverEndpoints> endpoints);

  // Binds and starts serving on a background thread.
  absl::Status Listen();
  void ConfigureServer();
  absl::Status Bind();

  // Every request goes through here: count, hook, answer, deliver.
  void Serve(const httplib::Request& request, httplib::Response& response);

  // Turns a reply into the HTTP response; the place for injected faults.
  void Deliver(LeverReply& reply, httplib::Response& response);

  // Counts a request on arrival and returns its 1-based number.
  int RecordArrival(const std::string& path);
  void RecordAnswer(const std::string& method, const std::string& route,
                    int status);

  const FakeLeverOptions options_;
  const std::unique_ptr<LeverEndpoints> endpoints_;
  std::unique_ptr<HttpServer> server_;
  std::thread listener_;
  std::atomic<bool> listener_finished_{false};
  int port_ = 0;
  std::mutex stop_mutex_;

  mutable std::mutex mutex_;  // guards everything below
  int requests_received_ = 0;
  std::map<std::string, std::int64_t, std::less<>> arrivals_by_path_;
  std::map<std::string, std::int64_t> answers_;
  std::int64_t answered_ = 0;
  std::shared_ptr<const RequestHook> hook_;
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_FAKE_LEVER_H_

// A fake Lever Data API on a local port, for tests, the demo and benchmarks.
//
// FakeLever serves requisitions, requisition fields and users over plain
// HTTP the way Lever does, and creates, replaces and deletes requisitions
// (Basic auth with the API key as user name, Lever's paging token, filters and
// error bodies), from a recorded list page, from a JSON file of the project's
// own, or generated. It counts what it receives so tests can check what a
// client did, and lets a test hold any request in flight through a hook.
//
// On demand it also misbehaves like Lever and the proxies in front of it:
// it limits each API key's rate, adds latency, and injects faults (error
// statuses, HTML pages, empty or truncated bodies, reset connections,
// rejected page tokens), at random from a seed or at scripted request
// numbers. Only requests under /v1/ misbehave. GET /_stats, which needs no
// key, answers StatsJson() and is itself neither counted nor disturbed.
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

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/fakes/fault_plan.h"
#include "tests/fakes/request_rates.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace leverconnect::testing {

class LocalHttpServer;
class LeverEndpoints;

struct FakeLeverOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port
  // A Lever list page, {"data": [...], ...}, served as GET /v1/requisitions.
  std::string requisitions_file;
  // A Lever GET /v1/requisition_fields answer, {"data": [...]}.
  std::string requisition_fields_file;
  // A Lever list page of users, {"data": [...], ...}, served as
  // GET /v1/users. None: an account without users.
  std::string users_file;
  // When > 0, serve this many generated requisitions, the generated field
  // definitions and the users they name instead of the files (see
  // requisition_generator.h).
  int generate = 0;
  std::uint64_t seed = 1;
  // Each valid API key and the permissions it grants: "requisitions:read",
  // "requisition_fields:read", "users:read" and "requisitions:write". No
  // keys: every request gets 401.
  std::map<std::string, std::set<std::string>> api_keys;
  // Requisitions created through the API arrive as drafts (status
  // "draft"), as in Lever's default "hybrid" mode.
  bool drafts = false;

  // Token bucket per API key, like Lever's: `rate` tokens per second, up to
  // `burst`. A request finding no token gets 429. rate <= 0 disables
  // limiting. Requests with a missing or unknown key are not limited (they
  // get 401). The limit applies before any fault.
  double rate = 0;
  double burst = 0;  // burst <= 0 means max(1, rate); else at least 1
  // Send Retry-After (whole seconds until a token, at least 1) with 429s.
  bool retry_after = true;
  // Added before answering each request.
  int latency_ms = 0;
  // Random faults: kind -> probability per request, drawn from fault_seed
  // in arrival order (see FaultPlan). Probabilities 0..1, sum at most 1.
  std::vector<std::pair<FaultKind, double>> faults;
  std::uint64_t fault_seed = 1;
  // Exact faults: request number (1-based, among all requests to /v1/*) ->
  // kind. Wins over random faults.
  std::map<int, FaultKind> fault_script;
};

class FakeLever {
 public:
  using RequestHook =
      std::function<void(int request_number, const std::string& path)>;

  // Loads or generates the data, binds and serves on background threads
  // (enough for about 32 concurrent clients). Returns NotFound or
  // InvalidArgument for a bad file, InvalidArgument for a bad rate, burst,
  // latency or fault, Unavailable when it cannot bind.
  //
  // A request under /v1/ that the rate limit lets through and that draws
  // a fault gets, instead of its answer (see fault_responses.h):
  //   429       429 {"code":"TooManyRequests",...}, Retry-After: 1 unless
  //             retry_after is off (as the rate limit's own 429s)
  //   500       500 with Lever's JSON error
  //   502..504  that status with a load balancer's HTML page
  //   reset     a TCP reset and no answer at all
  //   html      200 with a text/html page
  //   truncate  its status and headers, then half its body and a dropped
  //             connection
  //   empty     200 with an empty body
  //   badtoken  400 "Invalid offset token", only for GET /v1/requisitions
  //             with an offset; other requests are answered normally
  //   lost      the request is done (a write is made), then the
  //             connection is reset: the client never sees the answer
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

  int port() const;

  // "http://<host>:<port>/v1"; a wildcard host is written as 127.0.0.1.
  std::string base_url() const;

  // The number of requests received whose path starts with `path_prefix`
  // (for example "/v1/requisitions"), counted on arrival, before the hook.
  std::int64_t RequestCount(std::string_view path_prefix) const;

  // The answered requests and the misbehaviour as JSON text:
  //   {"requests": {"GET /v1/requisitions 200": 3,
  //                 "GET /v1/requisitions 429": 1,
  //                 "GET /v1/requisitions reset": 1,
  //                 "GET /v1/requisitions/{id} 404": 1},
  //    "total": 6,
  //    "rate_limited": 1,
  //    "faults": {"429": 0, "500": 0, ..., "reset": 1, ...},
  //    "max_requests_per_second": 6,
  //    "max_requests_per_second_by_key": {"demo…": 6}}
  // "requests" counts answers by method, route and status ("reset" when
  // the connection was reset instead); "rate_limited" the 429s of the rate
  // limit; "faults" the injected faults, every kind listed; the maxima
  // count requests under /v1/ that arrived less than a second apart, in
  // all and for each valid key. A key is shown by at most its first four
  // characters (and at most half of it) and "…", with "#2", "#3"... when
  // keys share that; never whole.
  std::string StatsJson() const;

  // The 429s the rate limit sent (not those injected as faults).
  std::int64_t RateLimitedCount() const;

  // The most requests under /v1/ that arrived within one second.
  std::int64_t MaxRequestsPerSecond() const;

  // How many times fault `kind` was injected.
  std::int64_t FaultCount(FaultKind kind) const;

  // For tests, an edit made in Lever itself (see
  // LeverEndpoints::EditRequisition): sets the members of `patch_json` on
  // requisition `id` and moves its updatedAt.
  absl::Status EditRequisition(std::string_view id,
                               std::string_view patch_json);

  // The JSON text of the requisition with requisitionCode `code`, if any.
  std::optional<std::string> RequisitionByCode(std::string_view code) const;

  // How many requisitions the fake holds.
  std::size_t RequisitionCount() const;

  // Called on the handler thread for every request before it is answered,
  // with its 1-based number among all requests (GET /_stats aside; the
  // numbers of fault_script count only those under /v1/) and its path. It
  // may block (to hold a page in flight) and must be thread-safe, since
  // requests run concurrently. Replaces the previous hook; an empty
  // function removes it.
  void SetRequestHook(RequestHook hook);

 private:
  FakeLever(const FakeLeverOptions& options,
            std::unique_ptr<LeverEndpoints> endpoints);

  // What happens to one request, decided on arrival.
  struct Arrival {
    int number = 0;          // 1-based, among all requests, for the hook
    bool disturbed = false;  // under /v1/: latency, limit and faults apply
    bool rate_limited = false;
    int retry_after_seconds = 0;  // of a rate-limited one; 0: no header
    std::optional<FaultKind> fault;
  };

  // Every request goes through here: count, hook, wait, deliver.
  void Serve(const httplib::Request& request, httplib::Response& response);

  // Counts a request on arrival, takes its token and draws its fault.
  Arrival RecordArrival(const httplib::Request& request);
  // Takes a token of `key` at `now`. REQUIRES: mutex_ held.
  void LimitRate(const std::string& key, RateClock::time_point now,
                 Arrival& arrival);
  void CallHook(int request_number, const std::string& path);

  // Makes the HTTP response: the rate limit's 429, an injected fault or
  // the endpoints' answer. Returns the status for the statistics.
  std::string Deliver(const httplib::Request& request, const Arrival& arrival,
                      httplib::Response& response);
  void DeliverFault(FaultKind kind, const httplib::Request& request,
                    httplib::Response& response);

  void RecordAnswer(const std::string& method, const std::string& route,
                    const std::string& status);
  void CountFault(FaultKind kind);

  const FakeLeverOptions options_;
  const FaultPlan fault_plan_;
  const std::unique_ptr<LeverEndpoints> endpoints_;
  std::unique_ptr<LocalHttpServer> server_;

  mutable std::mutex mutex_;  // guards everything below
  int requests_received_ = 0;
  std::map<std::string, std::int64_t, std::less<>> arrivals_by_path_;
  std::map<std::string, std::int64_t> answers_;
  std::int64_t answered_ = 0;
  std::shared_ptr<const RequestHook> hook_;
  int api_requests_ = 0;  // under /v1/, numbering the faults
  std::map<std::string, TokenBucket> buckets_;  // by API key
  SlidingWindowCounter api_window_;
  std::map<std::string, SlidingWindowCounter> windows_by_key_;
  std::int64_t rate_limited_ = 0;
  std::map<FaultKind, std::int64_t> faults_;
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_FAKE_LEVER_H_

// A fake of Pigment's import API on a local port, for tests and the demo.
//
// FakePigment serves what the connector uses of Pigment, as Pigment
// documents it (see ../shared/pigment/PIGMENT_API.md):
//   POST /api/v1/import/push/csv?configurationId=ID   a whole CSV file
//   GET  /api/v1/import/{importId}/status[?includedDetailedReport=true]
// Both need "Authorization: Bearer <import API key>". A push is checked
// against its import configuration (ImportConfiguration): headers in
// order, separator, byte order mark, then each row against the column
// types; bad rows are skipped and reported as Pigment does. The import
// then stays InProgress for a number of status polls and a delay before
// it is Completed (or Failed, when the configuration says so).
//
// Every file received is kept for tests (files()), and GET /_stats, which
// needs no key, answers StatsJson(). Faults can be scripted: the next N
// pushes or status polls answered with a given status, or reset.
//
//   FakePigmentOptions options;
//   options.api_keys = {"import-key"};
//   options.configurations.push_back(*ParseImportConfiguration(
//       "cfg-1=Id,Name,Headcount:integer;unique=Id"));
//   absl::StatusOr<std::unique_ptr<FakePigment>> pigment =
//       FakePigment::Start(options);
//   ... point a client at (*pigment)->base_url() ...
//
// Answers, in the order they are decided:
//   a scripted fault          its status (JSON or HTML body), or a reset
//   missing or unknown key    401 {"code":"Unauthorized","message":...}
//   unknown configuration     404 {"code":"NotFound","message":...}
//   more than push_limit pushes to one configuration within an hour
//                             429 {"code":"TooManyRequests",...}, no
//                             Retry-After (Pigment documents none)
//   a file refused whole      400 {"code":"BadRequest","message":...}
//                             saying which header differs, or where the
//                             CSV breaks
//   otherwise                 200 {"importId":"<uuid>"}
//   unknown import id         404 (status)
//
// Thread safety: every method may be called from any thread while the
// server runs, except that the destructor must not race with other calls.
#ifndef LEVERCONNECT_TESTS_FAKES_FAKE_PIGMENT_H_
#define LEVERCONNECT_TESTS_FAKES_FAKE_PIGMENT_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/fakes/pigment_configuration.h"
#include "tests/fakes/pigment_import_check.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace leverconnect::testing {

class LocalHttpServer;

// The HTTP status of a scripted fault that resets the connection instead
// of answering.
inline constexpr int kResetConnection = 0;

// The next `count` requests of one kind fail with `status` (400 to 599,
// or kResetConnection).
struct ScriptedFailures {
  int count = 0;
  int status = 503;
};

struct FakePigmentOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port
  // Valid import API keys. None: every request gets 401.
  std::set<std::string> api_keys;
  std::vector<ImportConfiguration> configurations;

  // Pushes one configuration accepts within an hour; more get 429.
  int push_limit = 300;
  // Status polls of an import answered InProgress before it may finish.
  int status_polls_before_done = 1;
  // Time after its push before an import may finish.
  absl::Duration delay = absl::ZeroDuration();
  // The time for `delay` and the push limit; empty means absl::Now.
  std::function<absl::Time()> now;

  // When not empty, each accepted file is also written to
  // <keep_dir>/<importId>.csv (the folder is created).
  std::string keep_dir;

  ScriptedFailures push_failures;
  ScriptedFailures status_poll_failures;
};

// One push the fake received with a known key and configuration.
struct ReceivedFile {
  std::string configuration_id;
  std::string import_id;  // empty when the push was refused
  int http_status = 0;    // what the push was answered
  std::string bytes;      // the body, as received
  std::int64_t rows = 0;  // CSV records after the header row
};

class FakePigment {
 public:
  // Binds and serves on background threads. InvalidArgument for a bad
  // configuration, option or keep_dir, Unavailable when it cannot bind.
  static absl::StatusOr<std::unique_ptr<FakePigment>> Start(
      FakePigmentOptions options);

  FakePigment(const FakePigment&) = delete;
  FakePigment& operator=(const FakePigment&) = delete;

  ~FakePigment();

  // Stops accepting, lets requests in flight finish and joins the threads.
  // Calling it again does nothing.
  void Stop();

  int port() const;

  // "http://<host>:<port>", the base URL of the API (no trailing /).
  std::string base_url() const;

  // Every push received with a valid key for a known configuration, in
  // arrival order, refused ones included.
  std::vector<ReceivedFile> files() const;

  // Push requests and status poll requests received, whatever they were
  // answered.
  std::int64_t push_count() const;
  std::int64_t status_poll_count() const;

  // The next `count` pushes (status polls) are answered `status`, or
  // reset when it is kResetConnection; replaces what was left of an
  // earlier script of the same kind.
  void FailNextPushes(int count, int status);
  void FailNextStatusPolls(int count, int status);

  // What was received, as JSON text:
  //   {"pushes": 3, "status_polls": 5, "rate_limited": 0, "faults": 1,
  //    "files": [{"configuration_id": "cfg-1", "import_id": "…",
  //               "status": 200, "bytes": 1234, "rows": 10}, ...]}
  std::string StatsJson() const;

 private:
  // One accepted push and what its status polls see.
  struct Import {
    std::string configuration_id;
    absl::Time pushed_at;
    int polls_answered = 0;
    ImportOutcome outcome;
    std::string failure;  // the configuration's fail_with
  };

  explicit FakePigment(FakePigmentOptions options);

  absl::Time Now() const;
  void Serve(const httplib::Request& request, httplib::Response& response);

  // Answer the endpoints once Admit() lets a request through.
  void Push(const httplib::Request& request, httplib::Response& response);
  void AnswerStatus(const std::string& import_id,
                    const httplib::Request& request,
                    httplib::Response& response);

  // Counts a request in `counter`, then answers it with the next fault of
  // `failures` or a refusal of its key; returns false when it did.
  // `counter` and `failures` are guarded by mutex_, which must not be held.
  bool Admit(std::int64_t& counter, ScriptedFailures& failures,
             const httplib::Request& request, httplib::Response& response);
  void DeliverFault(int status, const httplib::Request& request,
                    httplib::Response& response);

  bool Authorized(const httplib::Request& request) const;
  const ImportConfiguration* FindConfiguration(const std::string& id) const;

  // Whether another push to `configuration_id` fits within the hour's
  // limit; records it if so. REQUIRES: mutex_ held.
  bool TakePushSlot(const std::string& configuration_id, absl::Time now);

  // Checks and records an accepted or refused file; fills `response`.
  void Receive(const ImportConfiguration& configuration,
               const httplib::Request& request, httplib::Response& response);
  std::string NewImportId();
  void Keep(const std::string& import_id, const std::string& body) const;

  const FakePigmentOptions options_;
  std::unique_ptr<LocalHttpServer> server_;

  mutable std::mutex mutex_;  // guards everything below
  std::mt19937_64 random_;
  std::int64_t pushes_ = 0;
  std::int64_t status_polls_ = 0;
  std::int64_t rate_limited_ = 0;
  std::int64_t faults_ = 0;
  ScriptedFailures push_failures_;
  ScriptedFailures status_poll_failures_;
  std::vector<ReceivedFile> files_;
  std::map<std::string, Import> imports_;  // by import id
  // Pushes within the last hour, oldest first, by configuration id.
  std::map<std::string, std::deque<absl::Time>> recent_pushes_;
  // Unique ids imported so far, by configuration id.
  std::map<std::string, std::set<std::string>> seen_ids_;
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_FAKE_PIGMENT_H_

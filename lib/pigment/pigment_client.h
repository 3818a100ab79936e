// Pigment's import API, as the connector uses it: push a CSV file to an
// import configuration, read the import's status and report, and wait for
// it to finish.
//
// Authentication is "Authorization: Bearer <import API key>"; the key
// appears in no log line, status or message. Requests are retried per
// retry::RetryPolicy (Pigment sends 429s without Retry-After, so backoff
// alone paces them) and Pigment's answers become statuses:
//   401, 403        FAILED_PRECONDITION: the key is rejected or lacks rights
//   404             NOT_FOUND: no such import configuration, or import
//   400, 413        INVALID_ARGUMENT with Pigment's message (for example
//                   the header that differs from the configuration's)
//   429             retried, then RESOURCE_EXHAUSTED
//   5xx, network    retried, then UNAVAILABLE
//   malformed JSON  retried (status reads), then UNAVAILABLE
// Messages name the endpoint and the configuration or import id.
//
// A push is not idempotent: Pigment imports every file it receives, so a
// push repeated after its answer was lost imports the rows twice. A push
// is therefore retried only when Pigment surely did not take it: 429 and
// 503 (refused), or a connection that never opened. After a failure that
// leaves it unknown (a reset or timeout once the request was sent, 500,
// 502, 504, a 2xx whose answer cannot be read) PushCsvFile returns at once
// with UNAVAILABLE (DEADLINE_EXCEEDED if the caller's deadline passed, or
// INTERNAL for an unreadable 2xx) saying the push may or may not have been
// received, and PushMayHaveArrived recognises it; so does the CANCELLED
// of a push the caller cancelled while it was under way. Status reads are
// idempotent and retried on every transient failure.
//
// A PigmentClient may be used from several threads at once when `random`
// is thread-safe (retry::SystemRandom is).
#ifndef LEVERCONNECT_LIB_PIGMENT_PIGMENT_CLIENT_H_
#define LEVERCONNECT_LIB_PIGMENT_PIGMENT_CLIENT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/http/http_client.h"
#include "lib/retry/call_context.h"
#include "lib/retry/clock.h"
#include "lib/retry/retry_policy.h"

namespace leverconnect::pigment {

// Until when, and whether the caller still wants the answer; the same type
// as lever::CallContext.
using CallContext = retry::CallContext;

// Rows Pigment skipped for one reason in one source column of one block.
struct SkippedData {
  std::int64_t count = 0;
  std::string reason;  // "ParsingError", "MissingModalitySkippedDataRow"...
  std::string source_column;         // the CSV header; may be empty
  std::vector<std::string> samples;  // a few of the values refused
  std::string block;                 // the impacted block's name
};

// An import as GET .../status?includedDetailedReport=true describes it.
// An import may be Completed with skipped rows: read skipped_data.
struct ImportReport {
  enum class State { kInProgress, kCompleted, kFailed };
  State state = State::kInProgress;
  std::int64_t inserted = 0;
  std::int64_t updated = 0;
  std::int64_t deleted = 0;
  std::int64_t skipped = 0;
  std::vector<SkippedData> skipped_data;  // flattened over impacted blocks
  std::vector<std::string> errors;        // "name: description"
};

// "InProgress", "Completed" or "Failed", as Pigment writes them.
absl::string_view ImportStateName(ImportReport::State state);

struct PigmentClientOptions {
  // "https://pigment.app", no trailing /; plain http only to loopback
  // (ValidatePigmentBaseUrl). Calls refuse any other URL.
  std::string base_url;
  std::string import_key;  // secret
  retry::RetryPolicyOptions retry;
  // The longest one request may take; pushes can be large.
  absl::Duration attempt_timeout = absl::Minutes(5);
};

// How WaitForImport polls: after `initial_poll`, then twice as long each
// time up to `max_poll`, for at most `max_wait` in all.
struct WaitOptions {
  absl::Duration initial_poll = absl::Seconds(1);
  absl::Duration max_poll = absl::Seconds(15);
  absl::Duration max_wait = absl::Minutes(30);
};

class PigmentClient {
 public:
  // `http` and `clock` must outlive the client.
  PigmentClient(http::HttpClient& http, retry::Clock& clock,
                std::function<double()> random, PigmentClientOptions options);

  // POST /api/v1/import/push/csv?configurationId=<configuration_id> with
  // the content of the file at `path` as the body (text/csv), streamed
  // from disk. Returns Pigment's importId. FAILED_PRECONDITION when the
  // file cannot be read; see the header comment for when a push is
  // retried and what a failure says.
  absl::StatusOr<std::string> PushCsvFile(absl::string_view configuration_id,
                                          const std::string& path,
                                          const CallContext& context);

  // GET /api/v1/import/<import_id>/status?includedDetailedReport=true.
  absl::StatusOr<ImportReport> GetImportStatus(absl::string_view import_id,
                                               const CallContext& context);

  // Reads the status at once, then after each poll interval (clock.Sleep)
  // until the import is Completed or Failed, and returns that report (a
  // Failed import is an OK result whose `errors` say why). DEADLINE_EXCEEDED
  // naming the import when `wait.max_wait` or the caller's deadline would
  // pass first; CANCELLED when the caller cancels; INVALID_ARGUMENT for
  // intervals that are not positive or a max_poll below initial_poll.
  absl::StatusOr<ImportReport> WaitForImport(absl::string_view import_id,
                                             const WaitOptions& wait,
                                             const CallContext& context);

 private:
  struct Call;

  // Sends `call` until its reader accepts Pigment's answer or the retry
  // rules above say to stop; OK once the reader accepted one.
  absl::Status Perform(const Call& call, const CallContext& context);

  // One attempt of `call`: its request with the key, the caller's
  // cancellation and `timeout`.
  http::Request MakeRequest(const Call& call, const CallContext& context,
                            absl::Duration timeout) const;

  // The time the next attempt may take, or why there is none.
  absl::StatusOr<absl::Duration> AttemptTimeout(absl::string_view what,
                                                const CallContext& context);

  // Replaces the import key wherever it appears in `status`'s message.
  absl::Status Redacted(const absl::Status& status) const;

  http::HttpClient& http_;
  retry::Clock& clock_;
  retry::RetryPolicy policy_;
  PigmentClientOptions options_;
};

// Whether a failed PushCsvFile may nonetheless have reached Pigment (its
// answer was lost or unreadable): pushing the same file again could
// import its rows twice. Check the import list in Pigment first.
bool PushMayHaveArrived(const absl::Status& status);

// Whether `url` may serve as Pigment's base URL: https, or plain http only
// toward a loopback host such as fake-pigment (see http::ValidateBaseUrl).
absl::Status ValidatePigmentBaseUrl(absl::string_view url);

}  // namespace leverconnect::pigment

#endif  // LEVERCONNECT_LIB_PIGMENT_PIGMENT_CLIENT_H_

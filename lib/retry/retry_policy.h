// When to try a request to Lever or Pigment again, and how long to wait.
//
// Retried: HTTP 429, 500, 502, 503, 504, transport failures that are
// UNAVAILABLE (refused, reset, cut short) or DEADLINE_EXCEEDED (a timeout
// of one attempt), and (judged by the caller, who parses the body) a 2xx
// answer whose body is not what it claims. Never other 4xx. The wait is
// max(Retry-After, jitter) where jitter is uniform in [0, min(max_backoff,
// initial_backoff * 2^(attempt-1))] ("full jitter") and Retry-After is clamped
// to max_retry_after. Attempts are bounded by count and by elapsed time; the
// caller's deadline is applied by the loop that uses the policy.
#ifndef LEVERCONNECT_LIB_RETRY_RETRY_POLICY_H_
#define LEVERCONNECT_LIB_RETRY_RETRY_POLICY_H_

#include <functional>
#include <optional>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/http/http_client.h"

namespace leverconnect::retry {

struct RetryPolicyOptions {
  int max_attempts = 5;
  absl::Duration initial_backoff = absl::Milliseconds(250);
  absl::Duration max_backoff = absl::Seconds(8);
  absl::Duration max_retry_after = absl::Seconds(30);
  absl::Duration max_elapsed = absl::Minutes(2);
};

// Why an attempt is worth repeating.
enum class RetryCause {
  kNone,         // success, or a failure that retrying cannot fix
  kRateLimited,  // HTTP 429
  kServerError,  // HTTP 500, 502, 503, 504
  kNetwork,      // refused, reset or cut-short connection
  kTimeout,      // one attempt timed out
  kMalformed,    // a success status whose body is not what it claims
};

absl::string_view RetryCauseName(RetryCause cause);

class RetryPolicy {
 public:
  // `random` returns numbers uniform in [0, 1); it is called from one thread
  // at a time per policy.
  RetryPolicy(RetryPolicyOptions options, std::function<double()> random);

  static RetryCause Classify(const absl::StatusOr<http::Response>& outcome);

  // Whether another attempt may follow attempt number `attempt` (1-based)
  // when `elapsed` has passed since the first one started.
  bool MayRetry(int attempt, absl::Duration elapsed) const;

  // The wait after attempt number `attempt` (1-based).
  absl::Duration Backoff(int attempt,
                         std::optional<absl::Duration> retry_after) const;

  // Backoff after attempt `attempt`, honouring the Retry-After header of
  // `outcome` when it is an answer with one that parses at `now`.
  absl::Duration BackoffAfter(int attempt,
                              const absl::StatusOr<http::Response>& outcome,
                              absl::Time now) const;

 private:
  RetryPolicyOptions options_;
  std::function<double()> random_;
};

// Whether a failed request that must not take effect twice (a create, a
// push of data) surely did not take effect, so that sending it again is
// safe: it never left (http::IsNotSent), or the server refused it whole
// (a 4xx, or 503, which proxies and servers send before doing anything).
// Otherwise (a reset or timeout after sending, a cut-short answer, another
// 5xx, a 2xx that did not parse) it may have taken effect.
bool SurelyNotApplied(const absl::StatusOr<http::Response>& outcome);

// Reads a Retry-After value: delay-seconds ("3") or an HTTP date
// ("Wed, 21 Oct 2026 07:28:00 GMT", relative to `now`; a date in the past
// means no wait). nullopt when it is neither.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value,
                                              absl::Time now);

// Uniform numbers in [0, 1) from a process-wide, thread-safe generator.
double SystemRandom();

}  // namespace leverconnect::retry

#endif  // LEVERCONNECT_LIB_RETRY_RETRY_POLICY_H_

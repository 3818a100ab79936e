// The pause between two attempts of a request, shared by the Lever and
// Pigment adapters' retry loops.
#ifndef LEVERCONNECT_LIB_RETRY_RETRY_WAIT_H_
#define LEVERCONNECT_LIB_RETRY_RETRY_WAIT_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "lib/retry/call_context.h"
#include "lib/retry/clock.h"
#include "lib/retry/retry_policy.h"

namespace leverconnect::retry {

// The attempt that failed, for the warning and the messages.
struct FailedAttempt {
  absl::string_view service;  // "Lever", "Pigment"
  absl::string_view what;     // "GET /requisitions"
  int attempt = 0;            // 1-based
  RetryCause cause = RetryCause::kNone;
  absl::Status failure;  // never holds a secret
};

// Logs a warning naming the attempt, then waits `wait` on `clock`. Fails
// instead with DEADLINE_EXCEEDED (naming the last failure) when the
// caller's deadline would pass first, or CANCELLED ("<what>: cancelled")
// when the caller cancels during the wait.
absl::Status WaitBeforeRetry(Clock& clock, const CallContext& context,
                             absl::Duration wait, const FailedAttempt& failed);

}  // namespace leverconnect::retry

#endif  // LEVERCONNECT_LIB_RETRY_RETRY_WAIT_H_

#include "lib/retry/retry_wait.h"

#include "absl/strings/str_cat.h"
#include "lib/log/log.h"

namespace leverconnect::retry {

absl::Status WaitBeforeRetry(Clock& clock, const CallContext& context,
                             absl::Duration wait, const FailedAttempt& failed) {
  if (clock.Now() + wait >= context.deadline) {
    return absl::DeadlineExceededError(absl::StrCat(
        "the deadline would pass before ", failed.service,
        " could be asked again; last failure: ", failed.failure.message()));
  }
  log::Log(log::Severity::kWarning,
           absl::StrCat("retrying ", failed.service, " request"),
           {{"endpoint", failed.what},
            {"attempt", failed.attempt},
            {"cause", RetryCauseName(failed.cause)},
            {"wait_ms", absl::ToInt64Milliseconds(wait)},
            {"failure", failed.failure.message()}});
  if (!clock.Sleep(wait, context.cancelled)) {
    return absl::CancelledError(absl::StrCat(failed.what, ": cancelled"));
  }
  return absl::OkStatus();
}

}  // namespace leverconnect::retry

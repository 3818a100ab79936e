// What the caller of a remote operation (toward Lever or Pigment) allows:
// until when, and whether it still wants the answer.
#ifndef LEVERCONNECT_LIB_RETRY_CALL_CONTEXT_H_
#define LEVERCONNECT_LIB_RETRY_CALL_CONTEXT_H_

#include <functional>

#include "absl/time/time.h"

namespace leverconnect::retry {

// Checked before each attempt, during each transfer and during each
// backoff or wait between polls.
struct CallContext {
  absl::Time deadline = absl::InfiniteFuture();
  std::function<bool()> cancelled;  // may be empty

  bool IsCancelled() const { return cancelled && cancelled(); }
};

}  // namespace leverconnect::retry

#endif  // LEVERCONNECT_LIB_RETRY_CALL_CONTEXT_H_

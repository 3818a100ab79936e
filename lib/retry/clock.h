// Time as a dependency: real code uses SystemClock(), tests inject a fake
// that advances instantly, so that no test ever sleeps.
#ifndef LEVERCONNECT_LIB_RETRY_CLOCK_H_
#define LEVERCONNECT_LIB_RETRY_CLOCK_H_

#include <functional>

#include "absl/time/time.h"

namespace leverconnect::retry {

class Clock {
 public:
  virtual ~Clock() = default;

  virtual absl::Time Now() = 0;

  // Waits for `duration`, or less when `cancelled` (which may be empty)
  // returns true. Returns false when the wait was cut short by it.
  virtual bool Sleep(absl::Duration duration,
                     const std::function<bool()>& cancelled) = 0;
};

// The real clock; thread-safe. Sleep checks `cancelled` every 20 ms.
Clock& SystemClock();

}  // namespace leverconnect::retry

#endif  // LEVERCONNECT_LIB_RETRY_CLOCK_H_

#include "lib/retry/clock.h"

#include <algorithm>

#include "absl/time/clock.h"

namespace leverconnect::retry {
namespace {

constexpr absl::Duration kCancellationCheck = absl::Milliseconds(20);

class RealClock : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }

  bool Sleep(absl::Duration duration,
             const std::function<bool()>& cancelled) override {
    const absl::Time end = absl::Now() + duration;
    for (absl::Time now = absl::Now(); now < end; now = absl::Now()) {
      if (cancelled && cancelled()) return false;
      absl::SleepFor(std::min(end - now, kCancellationCheck));
    }
    return !(cancelled && cancelled());
  }
};

}  // namespace

Clock& SystemClock() {
  static RealClock* clock = new RealClock;
  return *clock;
}

}  // namespace leverconnect::retry

// A clock for tests: Now() moves only when Sleep or Advance is called, and
// Sleep returns at once, recording what it was asked to wait.
#ifndef LEVERCONNECT_TESTS_UNIT_FAKE_CLOCK_H_
#define LEVERCONNECT_TESTS_UNIT_FAKE_CLOCK_H_

#include <vector>

#include "lib/retry/clock.h"

namespace leverconnect::testing {

class FakeClock : public retry::Clock {
 public:
  absl::Time Now() override { return now_; }

  bool Sleep(absl::Duration duration,
             const std::function<bool()>& cancelled) override {
    sleeps_.push_back(duration);
    now_ += duration;
    return !(cancelled && cancelled());
  }

  void Advance(absl::Duration duration) { now_ += duration; }
  const std::vector<absl::Duration>& sleeps() const { return sleeps_; }

 private:
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  std::vector<absl::Duration> sleeps_;
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_UNIT_FAKE_CLOCK_H_

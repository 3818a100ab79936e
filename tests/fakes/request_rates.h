// Request rates for the fake Lever: a token bucket that limits them, the
// way Lever limits each API key, and a counter of the busiest second.
//
// Both take the time as an argument, so tests can drive them with
// explicit times. Neither is thread-safe; FakeLever guards them.
#ifndef LEVERCONNECT_TESTS_FAKES_REQUEST_RATES_H_
#define LEVERCONNECT_TESTS_FAKES_REQUEST_RATES_H_

#include <chrono>
#include <cstdint>
#include <deque>

namespace leverconnect::testing {

using RateClock = std::chrono::steady_clock;

// Holds up to `burst` tokens and gains `rate` tokens per second; each
// request takes one.
class TokenBucket {
 public:
  // Starts full at the first Take(). REQUIRES: rate > 0, burst >= 1.
  TokenBucket(double rate, double burst);

  // Takes a token at `now` and returns true, or returns false when there
  // is less than one. A time before the latest one seen counts as the
  // latest one, so the bucket never runs backwards.
  bool Take(RateClock::time_point now);

  // Whole seconds from the latest Take() until a token is there, rounded
  // up, and at least 1 (the value of a Retry-After header).
  int SecondsUntilToken() const;

 private:
  void Refill(RateClock::time_point now);

  const double rate_;
  const double burst_;
  double tokens_;
  bool started_ = false;
  RateClock::time_point last_;
};

// The most events that happened within any one `window` (one second unless
// given), for example requests per second at the busiest moment. Two
// events count together when they are less than `window` apart.
class SlidingWindowCounter {
 public:
  explicit SlidingWindowCounter(
      RateClock::duration window = std::chrono::seconds(1));

  // Records an event at `time`. A time before the latest one seen counts
  // as the latest one.
  void Add(RateClock::time_point time);

  // The largest number of events seen within one window; 0 before any.
  std::int64_t Max() const { return max_; }

 private:
  const RateClock::duration window_;
  std::deque<RateClock::time_point> recent_;  // those in the latest window
  std::int64_t max_ = 0;
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_REQUEST_RATES_H_

#include "tests/fakes/request_rates.h"

#include <algorithm>
#include <cmath>

namespace leverconnect::testing {

TokenBucket::TokenBucket(double rate, double burst)
    : rate_(rate), burst_(burst), tokens_(burst) {}

bool TokenBucket::Take(RateClock::time_point now) {
  Refill(now);
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

int TokenBucket::SecondsUntilToken() const {
  const double missing = 1 - tokens_;
  if (missing <= 0) return 1;
  return std::max(1, static_cast<int>(std::ceil(missing / rate_)));
}

void TokenBucket::Refill(RateClock::time_point now) {
  if (!started_) {
    started_ = true;
    last_ = now;
    return;
  }
  if (now <= last_) return;
  const std::chrono::duration<double> elapsed = now - last_;
  tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
  last_ = now;
}

SlidingWindowCounter::SlidingWindowCounter(RateClock::duration window)
    : window_(window) {}

void SlidingWindowCounter::Add(RateClock::time_point time) {
  if (!recent_.empty()) time = std::max(time, recent_.back());
  recent_.push_back(time);
  while (time - recent_.front() >= window_) recent_.pop_front();
  max_ = std::max(max_, static_cast<std::int64_t>(recent_.size()));
}

}  // namespace leverconnect::testing

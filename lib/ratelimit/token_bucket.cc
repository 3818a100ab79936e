#include "lib/ratelimit/token_bucket.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace leverconnect::ratelimit {

TokenBucket::TokenBucket(BucketOptions options, retry::Clock& clock)
    : options_(options),
      clock_(clock),
      tokens_(options.burst),
      refilled_(clock.Now()) {}

absl::StatusOr<absl::Duration> TokenBucket::Acquire(
    absl::Time deadline, const std::function<bool()>& cancelled) {
  absl::Duration wait;
  {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_.Now();
    const double earned =
        absl::ToDoubleSeconds(std::max(absl::ZeroDuration(), now - refilled_)) *
        options_.rate;
    tokens_ = std::min(options_.burst, tokens_ + earned);
    refilled_ = std::max(refilled_, now);
    wait = tokens_ >= 1 ? absl::ZeroDuration()
                        : absl::Seconds((1 - tokens_) / options_.rate);
    if (now + wait > deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "the deadline would pass while waiting ", absl::FormatDuration(wait),
          " for the API key's request budget"));
    }
    tokens_ -= 1;
  }
  if (wait > absl::ZeroDuration() && !clock_.Sleep(wait, cancelled)) {
    return absl::CancelledError(
        "cancelled while waiting for the API key's request budget");
  }
  return wait;
}

BucketRegistry::BucketRegistry(BucketOptions options, retry::Clock& clock)
    : options_(options), clock_(clock) {}

std::shared_ptr<RequestBudget> BucketRegistry::ForKey(
    absl::string_view key_fingerprint) {
  absl::MutexLock lock(&mu_);
  auto found = buckets_.find(key_fingerprint);
  if (found != buckets_.end()) return found->second;
  auto bucket = std::make_shared<TokenBucket>(options_, clock_);
  buckets_.emplace(std::string(key_fingerprint), bucket);
  return bucket;
}

}  // namespace leverconnect::ratelimit

#include "lib/retry/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <string>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"

namespace leverconnect::retry {

absl::string_view RetryCauseName(RetryCause cause) {
  switch (cause) {
    case RetryCause::kNone:
      return "none";
    case RetryCause::kRateLimited:
      return "rate_limited";
    case RetryCause::kServerError:
      return "server_error";
    case RetryCause::kNetwork:
      return "network";
    case RetryCause::kTimeout:
      return "timeout";
    case RetryCause::kMalformed:
      return "malformed";
  }
  return "none";
}

RetryPolicy::RetryPolicy(RetryPolicyOptions options,
                         std::function<double()> random)
    : options_(options), random_(std::move(random)) {}

RetryCause RetryPolicy::Classify(
    const absl::StatusOr<http::Response>& outcome) {
  if (!outcome.ok()) {
    switch (outcome.status().code()) {
      case absl::StatusCode::kUnavailable:
        return RetryCause::kNetwork;
      case absl::StatusCode::kDeadlineExceeded:
        return RetryCause::kTimeout;
      default:
        return RetryCause::kNone;
    }
  }
  switch (outcome->status) {
    case 429:
      return RetryCause::kRateLimited;
    case 500:
    case 502:
    case 503:
    case 504:
      return RetryCause::kServerError;
    default:
      return RetryCause::kNone;
  }
}

bool RetryPolicy::MayRetry(int attempt, absl::Duration elapsed) const {
  return attempt < options_.max_attempts && elapsed < options_.max_elapsed;
}

absl::Duration RetryPolicy::Backoff(
    int attempt, std::optional<absl::Duration> retry_after) const {
  const int exponent = std::clamp(attempt - 1, 0, 30);
  const absl::Duration ceiling = std::min(
      options_.max_backoff, options_.initial_backoff * (1 << exponent));
  const absl::Duration jitter = ceiling * random_();
  if (!retry_after) return jitter;
  const absl::Duration asked =
      std::clamp(*retry_after, absl::ZeroDuration(), options_.max_retry_after);
  return std::max(asked, jitter);
}

absl::Duration RetryPolicy::BackoffAfter(
    int attempt, const absl::StatusOr<http::Response>& outcome,
    absl::Time now) const {
  std::optional<absl::Duration> retry_after;
  if (outcome.ok()) {
    if (auto header = outcome->Header("retry-after")) {
      retry_after = ParseRetryAfter(*header, now);
    }
  }
  return Backoff(attempt, retry_after);
}

bool SurelyNotApplied(const absl::StatusOr<http::Response>& outcome) {
  if (!outcome.ok()) return http::IsNotSent(outcome.status());
  return (outcome->status >= 400 && outcome->status < 500) ||
         outcome->status == 503;
}

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value,
                                              absl::Time now) {
  const std::string text(absl::StripAsciiWhitespace(value));
  int64_t seconds = 0;
  if (absl::SimpleAtoi(text, &seconds)) {
    if (seconds < 0) return std::nullopt;
    return absl::Seconds(seconds);
  }
  absl::Time when;
  std::string error;
  if (!absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", text, absl::UTCTimeZone(),
                       &when, &error)) {
    return std::nullopt;
  }
  return std::max(absl::ZeroDuration(), when - now);
}

double SystemRandom() {
  static std::mutex mu;
  static absl::BitGen* generator = new absl::BitGen;
  std::lock_guard<std::mutex> lock(mu);
  return absl::Uniform<double>(*generator, 0.0, 1.0);
}

}  // namespace leverconnect::retry

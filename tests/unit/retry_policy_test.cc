#include "lib/retry/retry_policy.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/retry/retry_wait.h"
#include "tests/unit/fake_clock.h"

namespace leverconnect::retry {
namespace {

http::Response Answer(int status) {
  http::Response response;
  response.status = status;
  return response;
}

TEST(RetryPolicyTest, ClassifiesWhatIsWorthRepeating) {
  EXPECT_EQ(RetryPolicy::Classify(Answer(429)), RetryCause::kRateLimited);
  for (int status : {500, 502, 503, 504}) {
    EXPECT_EQ(RetryPolicy::Classify(Answer(status)), RetryCause::kServerError)
        << status;
  }
  for (int status : {200, 400, 401, 403, 404, 409, 501}) {
    EXPECT_EQ(RetryPolicy::Classify(Answer(status)), RetryCause::kNone)
        << status;
  }
  EXPECT_EQ(RetryPolicy::Classify(absl::UnavailableError("reset")),
            RetryCause::kNetwork);
  EXPECT_EQ(RetryPolicy::Classify(absl::DeadlineExceededError("slow")),
            RetryCause::kTimeout);
  EXPECT_EQ(RetryPolicy::Classify(absl::CancelledError("gone")),
            RetryCause::kNone);
  EXPECT_EQ(RetryPolicy::Classify(absl::InvalidArgumentError("bad url")),
            RetryCause::kNone);
}

TEST(RetryPolicyTest, FullJitterGrowsExponentiallyUpToTheCap) {
  RetryPolicyOptions options;
  options.initial_backoff = absl::Milliseconds(100);
  options.max_backoff = absl::Milliseconds(1000);
  // The largest value the random source can give.
  RetryPolicy top(options, [] { return 1.0; });
  EXPECT_EQ(top.Backoff(1, std::nullopt), absl::Milliseconds(100));
  EXPECT_EQ(top.Backoff(2, std::nullopt), absl::Milliseconds(200));
  EXPECT_EQ(top.Backoff(4, std::nullopt), absl::Milliseconds(800));
  EXPECT_EQ(top.Backoff(5, std::nullopt), absl::Milliseconds(1000));
  EXPECT_EQ(top.Backoff(40, std::nullopt), absl::Milliseconds(1000));
  RetryPolicy half(options, [] { return 0.5; });
  EXPECT_EQ(half.Backoff(3, std::nullopt), absl::Milliseconds(200));
}

TEST(RetryPolicyTest, RetryAfterWinsOverShorterJitterAndIsClamped) {
  RetryPolicyOptions options;
  options.initial_backoff = absl::Milliseconds(100);
  options.max_retry_after = absl::Seconds(10);
  RetryPolicy policy(options, [] { return 0.5; });
  EXPECT_EQ(policy.Backoff(1, absl::Seconds(3)), absl::Seconds(3));
  EXPECT_EQ(policy.Backoff(1, absl::Seconds(3600)), absl::Seconds(10));
  EXPECT_EQ(policy.Backoff(1, absl::ZeroDuration()), absl::Milliseconds(50));
}

TEST(RetryPolicyTest, BoundedByAttemptsAndElapsedTime) {
  RetryPolicyOptions options;
  options.max_attempts = 3;
  options.max_elapsed = absl::Seconds(30);
  RetryPolicy policy(options, [] { return 0.0; });
  EXPECT_TRUE(policy.MayRetry(1, absl::ZeroDuration()));
  EXPECT_TRUE(policy.MayRetry(2, absl::Seconds(29)));
  EXPECT_FALSE(policy.MayRetry(3, absl::ZeroDuration()));
  EXPECT_FALSE(policy.MayRetry(1, absl::Seconds(30)));
}

TEST(RetryPolicyTest, ParsesBothFormsOfRetryAfter) {
  // 2026-10-21T00:00:00Z
  const absl::Time now = absl::FromUnixSeconds(1792540800);
  EXPECT_EQ(ParseRetryAfter("3", now), absl::Seconds(3));
  EXPECT_EQ(ParseRetryAfter(" 120 ", now), absl::Seconds(120));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2026 00:00:30 GMT", now),
            absl::Seconds(30));
  EXPECT_EQ(ParseRetryAfter("Tue, 20 Oct 2026 00:00:00 GMT", now),
            absl::ZeroDuration());
  EXPECT_EQ(ParseRetryAfter("-1", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
}

TEST(RetryPolicyTest, BackoffAfterHonoursTheAnswersRetryAfter) {
  RetryPolicyOptions options;
  options.initial_backoff = absl::Milliseconds(100);
  RetryPolicy policy(options, [] { return 1.0; });
  const absl::Time now = absl::FromUnixSeconds(1792540800);
  http::Response limited = Answer(429);
  limited.headers = {{"retry-after", "3"}};
  EXPECT_EQ(policy.BackoffAfter(1, limited, now), absl::Seconds(3));
  EXPECT_EQ(policy.BackoffAfter(2, Answer(503), now), absl::Milliseconds(200));
  EXPECT_EQ(policy.BackoffAfter(1, absl::UnavailableError("reset"), now),
            absl::Milliseconds(100));
}

TEST(WaitBeforeRetryTest, SleepsUnlessTheDeadlineOrTheCallerSaysNo) {
  testing::FakeClock clock;
  const FailedAttempt failed{"Pigment", "GET /x", 2, RetryCause::kServerError,
                             absl::UnavailableError("HTTP 503")};
  CallContext context;
  context.deadline = clock.Now() + absl::Seconds(5);
  EXPECT_TRUE(WaitBeforeRetry(clock, context, absl::Seconds(1), failed).ok());
  EXPECT_EQ(clock.sleeps(), std::vector<absl::Duration>{absl::Seconds(1)});

  const absl::Status late =
      WaitBeforeRetry(clock, context, absl::Seconds(4), failed);
  EXPECT_EQ(late.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(late.message()),
              ::testing::HasSubstr("before Pigment could be asked again; last "
                                   "failure: HTTP 503"));
  EXPECT_EQ(clock.sleeps().size(), 1u);

  context.cancelled = [] { return true; };
  const absl::Status cancelled =
      WaitBeforeRetry(clock, context, absl::Seconds(1), failed);
  EXPECT_EQ(cancelled.code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(cancelled.message(), "GET /x: cancelled");
}

}  // namespace
}  // namespace leverconnect::retry

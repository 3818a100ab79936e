#include "lib/ratelimit/token_bucket.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/fake_clock.h"

namespace leverconnect::ratelimit {
namespace {

using ::testing::HasSubstr;

// A clock whose Sleep records the wait but does not move time, so that
// several reservations can be made "at once".
class FrozenClock : public retry::Clock {
 public:
  absl::Time Now() override { return now_; }
  bool Sleep(absl::Duration duration,
             const std::function<bool()>& cancelled) override {
    return !(cancelled && cancelled());
  }
  absl::Time now_ = absl::FromUnixSeconds(1000);
};

TEST(TokenBucketTest, SpendsTheBurstThenPacesAtTheRate) {
  testing::FakeClock clock;
  TokenBucket bucket({/*rate=*/2, /*burst=*/3}, clock);
  std::vector<absl::Duration> waits;
  for (int i = 0; i < 5; ++i) {
    auto waited = bucket.Acquire(absl::InfiniteFuture(), nullptr);
    ASSERT_TRUE(waited.ok());
    waits.push_back(*waited);
  }
  EXPECT_EQ(waits, (std::vector<absl::Duration>{
                       absl::ZeroDuration(), absl::ZeroDuration(),
                       absl::ZeroDuration(), absl::Milliseconds(500),
                       absl::Milliseconds(500)}));
}

TEST(TokenBucketTest, WaitersQueueBehindEachOther) {
  FrozenClock clock;
  TokenBucket bucket({/*rate=*/4, /*burst=*/1}, clock);
  std::vector<absl::Duration> waits;
  for (int i = 0; i < 4; ++i) {
    waits.push_back(*bucket.Acquire(absl::InfiniteFuture(), nullptr));
  }
  EXPECT_EQ(waits, (std::vector<absl::Duration>{
                       absl::ZeroDuration(), absl::Milliseconds(250),
                       absl::Milliseconds(500), absl::Milliseconds(750)}));
}

TEST(TokenBucketTest, IdleTimeRefillsNoMoreThanTheBurst) {
  testing::FakeClock clock;
  TokenBucket bucket({/*rate=*/10, /*burst=*/2}, clock);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(bucket.Acquire(absl::InfiniteFuture(), nullptr).ok());
  }
  clock.Advance(absl::Seconds(100));
  EXPECT_EQ(*bucket.Acquire(absl::InfiniteFuture(), nullptr),
            absl::ZeroDuration());
  EXPECT_EQ(*bucket.Acquire(absl::InfiniteFuture(), nullptr),
            absl::ZeroDuration());
  EXPECT_EQ(*bucket.Acquire(absl::InfiniteFuture(), nullptr),
            absl::Milliseconds(100));
}

TEST(TokenBucketTest, ADeadlineBeforeTheTokenTakesNothing) {
  FrozenClock clock;
  TokenBucket bucket({/*rate=*/1, /*burst=*/1}, clock);
  ASSERT_TRUE(bucket.Acquire(absl::InfiniteFuture(), nullptr).ok());
  auto late = bucket.Acquire(clock.now_ + absl::Milliseconds(100), nullptr);
  EXPECT_EQ(late.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(late.status().message(), HasSubstr("request budget"));
  // Nothing was reserved: the next waiter still waits one second, not two.
  EXPECT_EQ(*bucket.Acquire(absl::InfiniteFuture(), nullptr), absl::Seconds(1));
}

TEST(TokenBucketTest, CancellationEndsTheWait) {
  FrozenClock clock;
  TokenBucket bucket({/*rate=*/1, /*burst=*/1}, clock);
  ASSERT_TRUE(bucket.Acquire(absl::InfiniteFuture(), nullptr).ok());
  auto cancelled = bucket.Acquire(absl::InfiniteFuture(), [] { return true; });
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled);
}

TEST(BucketRegistryTest, OneBucketPerKey) {
  FrozenClock clock;
  BucketRegistry registry({/*rate=*/1, /*burst=*/1}, clock);
  auto first = registry.ForKey("a");
  EXPECT_EQ(registry.ForKey("a"), first);
  auto other = registry.ForKey("b");
  EXPECT_NE(other, first);
  ASSERT_TRUE(first->Acquire(absl::InfiniteFuture(), nullptr).ok());
  EXPECT_EQ(*other->Acquire(absl::InfiniteFuture(), nullptr),
            absl::ZeroDuration());
}

}  // namespace
}  // namespace leverconnect::ratelimit

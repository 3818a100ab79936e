// The request budget shared through PostgreSQL: two "replicas" (two store
// sets, each with its own connections) on one key draw from one bucket.
// Waits are measured on an injected clock that never sleeps; the bucket
// refills on the database's clock, so real time passing during a test only
// makes waits shorter, never longer.
#include "lib/storage/postgres_request_budget.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/storage/stores.h"
#include "tests/unit/fake_clock.h"
#include "tests/unit/store_backends.h"

namespace leverconnect::storage {
namespace {

using testing::Backend;

class PostgresRequestBudgetTest : public testing::StoreBackendTest {
 protected:
  void SetUp() override {
    StoreBackendTest::SetUp();
    if (IsSkipped()) return;
    options_.budget = {/*rate=*/10, /*burst=*/4};
    options_.clock = &clock_;
    started_ = absl::Now();
    for (auto* replica : {&first_, &second_}) {
      absl::StatusOr<Stores> stores = OpenStores(options_);
      ASSERT_TRUE(stores.ok()) << stores.status();
      ASSERT_NE(stores->budgets, nullptr);
      *replica = std::move(stores->budgets);
    }
  }

  // Takes a token without a deadline and returns the wait.
  static absl::Duration Take(ratelimit::RequestBudget& budget) {
    absl::StatusOr<absl::Duration> waited =
        budget.Acquire(absl::InfiniteFuture(), nullptr);
    EXPECT_TRUE(waited.ok()) << waited.status();
    return waited.value_or(absl::InfiniteDuration());
  }

  // Expects `wait` to be `debt` tokens at 10 a second, less what real time
  // has refilled since the test started.
  void ExpectWaitFor(absl::Duration wait, double debt) {
    const absl::Duration full = absl::Seconds(debt / 10);
    EXPECT_LE(wait, full);
    EXPECT_GE(wait, full - (absl::Now() - started_) - absl::Milliseconds(1));
  }

  testing::FakeClock clock_;
  absl::Time started_;
  std::unique_ptr<ratelimit::BudgetSource> first_;
  std::unique_ptr<ratelimit::BudgetSource> second_;
};

INSTANTIATE_TEST_SUITE_P(Backends, PostgresRequestBudgetTest,
                         ::testing::Values(Backend::kPostgres),
                         testing::BackendName);

TEST_P(PostgresRequestBudgetTest, ReplicasShareOneBucketPerKey) {
  auto a = first_->ForKey("digest-of-key");
  auto b = second_->ForKey("digest-of-key");
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Take(*a), absl::ZeroDuration());
    EXPECT_EQ(Take(*b), absl::ZeroDuration());
  }

  // The burst of 4 is spent; each further token is due 100 ms after the
  // previous one, whichever replica asks.
  for (int debt = 1; debt <= 6; ++debt) {
    ExpectWaitFor(Take(debt % 2 == 0 ? *a : *b), debt);
  }
}

TEST_P(PostgresRequestBudgetTest, ReplicasUsingANewKeyAtOnceBothGetTokens) {
  for (int key = 0; key < 10; ++key) {
    const std::string digest = "new-key-" + std::to_string(key);
    absl::StatusOr<absl::Duration> first_wait;
    std::thread other([&] {
      first_wait =
          first_->ForKey(digest)->Acquire(absl::InfiniteFuture(), nullptr);
    });
    absl::StatusOr<absl::Duration> second_wait =
        second_->ForKey(digest)->Acquire(absl::InfiniteFuture(), nullptr);
    other.join();
    EXPECT_TRUE(first_wait.ok()) << first_wait.status();
    EXPECT_TRUE(second_wait.ok()) << second_wait.status();
  }
}

TEST_P(PostgresRequestBudgetTest, KeysHaveSeparateBuckets) {
  auto a = first_->ForKey("digest-one");
  for (int i = 0; i < 4; ++i) Take(*a);
  ExpectWaitFor(Take(*a), 1);

  EXPECT_EQ(Take(*second_->ForKey("digest-two")), absl::ZeroDuration());
}

TEST_P(PostgresRequestBudgetTest, ADeadlineBeforeTheTokenTakesNothing) {
  auto budget = first_->ForKey("digest-of-key");
  for (int i = 0; i < 4; ++i) Take(*budget);

  absl::StatusOr<absl::Duration> refused =
      second_->ForKey("digest-of-key")
          ->Acquire(clock_.Now() + absl::Milliseconds(10), nullptr);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kDeadlineExceeded);
  ExpectWaitFor(Take(*budget), 1);
}

TEST_P(PostgresRequestBudgetTest, CancellationEndsTheWait) {
  auto budget = first_->ForKey("digest-of-key");
  for (int i = 0; i < 4; ++i) Take(*budget);

  absl::StatusOr<absl::Duration> cancelled =
      budget->Acquire(absl::InfiniteFuture(), [] { return true; });
  EXPECT_EQ(cancelled.status().code(), absl::StatusCode::kCancelled);
}

}  // namespace
}  // namespace leverconnect::storage

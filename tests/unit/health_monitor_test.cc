#include "server/health_monitor.h"

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/fake_clock.h"
#include "tests/unit/temp_directory_test.h"

namespace leverconnect::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A clock whose Sleep returns only when the test calls Tick (or when the
// sleeper is cancelled), so that a background loop advances one step per
// tick.
class TickClock : public retry::Clock {
 public:
  absl::Time Now() override { return absl::UnixEpoch(); }

  bool Sleep(absl::Duration duration,
             const std::function<bool()>& cancelled) override {
    absl::MutexLock lock(&mu_);
    while (ticks_ == 0) {
      if (cancelled && cancelled()) return false;
      mu_.AwaitWithTimeout(absl::Condition(
                               +[](int* ticks) { return *ticks > 0; }, &ticks_),
                           absl::Milliseconds(5));
    }
    --ticks_;
    return true;
  }

  void Tick() {
    absl::MutexLock lock(&mu_);
    ++ticks_;
  }

 private:
  absl::Mutex mu_;
  int ticks_ ABSL_GUARDED_BY(mu_) = 0;
};

// What a monitor publishes, and a store whose answer the test decides.
class HealthMonitorTest : public testing::TempDirectoryTest {
 protected:
  HealthMonitor::Publish Recorder() {
    return [this](bool ready) {
      absl::MutexLock lock(&mu_);
      published_.push_back(ready);
    };
  }

  ReadinessCheck StoreCheck() {
    return {"store", [this] {
              absl::MutexLock lock(&mu_);
              ++store_checks_;
              return store_status_;
            }};
  }

  void SetStoreStatus(absl::Status status) {
    absl::MutexLock lock(&mu_);
    store_status_ = std::move(status);
  }

  std::vector<bool> Published() {
    absl::MutexLock lock(&mu_);
    return published_;
  }

  // Waits until the store was checked `count` times.
  void AwaitStoreChecks(int count) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, count]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return store_checks_ >= count;
    };
    mu_.Await(absl::Condition(&reached));
  }

  absl::Mutex mu_;
  std::vector<bool> published_ ABSL_GUARDED_BY(mu_);
  absl::Status store_status_ ABSL_GUARDED_BY(mu_);
  int store_checks_ ABSL_GUARDED_BY(mu_) = 0;
  testing::FakeClock clock_;
};

TEST_F(HealthMonitorTest, ReadyWhenEveryCheckPassesAndPublishesOnlyChanges) {
  HealthMonitor monitor({StoreCheck()}, Recorder(), clock_, absl::Seconds(2));

  EXPECT_TRUE(monitor.CheckNow().ok());
  EXPECT_TRUE(monitor.CheckNow().ok());

  EXPECT_TRUE(monitor.ready());
  EXPECT_THAT(Published(), ElementsAre(true));
}

TEST_F(HealthMonitorTest, NotReadyWhileTheStoreDoesNotAnswer) {
  HealthMonitor monitor({StoreCheck()}, Recorder(), clock_, absl::Seconds(2));
  ASSERT_TRUE(monitor.CheckNow().ok());

  SetStoreStatus(absl::UnavailableError("database unreachable"));
  absl::Status status = monitor.CheckNow();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(monitor.ready());

  SetStoreStatus(absl::OkStatus());
  EXPECT_TRUE(monitor.CheckNow().ok());
  EXPECT_THAT(Published(), ElementsAre(true, false, true));
}

TEST_F(HealthMonitorTest, NotReadyWhileTheMasterKeyringCannotBeRead) {
  const std::string keyring = WriteFile("keyring", "1:00\n");
  HealthMonitor monitor(
      {StoreCheck(),
       {"master_keyring", [keyring] { return CheckFileReadable(keyring); }}},
      Recorder(), clock_, absl::Seconds(2));
  ASSERT_TRUE(monitor.CheckNow().ok());

  std::filesystem::remove(keyring);
  absl::Status status = monitor.CheckNow();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(status.message()), HasSubstr(keyring));
  EXPECT_THAT(Published(), ElementsAre(true, false));
}

TEST_F(HealthMonitorTest, DrainTurnsReadinessOffForGood) {
  HealthMonitor monitor({StoreCheck()}, Recorder(), clock_, absl::Seconds(2));
  ASSERT_TRUE(monitor.CheckNow().ok());

  monitor.Drain();
  EXPECT_EQ(monitor.CheckNow().code(), absl::StatusCode::kUnavailable);
  monitor.Drain();

  EXPECT_FALSE(monitor.ready());
  EXPECT_THAT(Published(), ElementsAre(true, false));
}

TEST_F(HealthMonitorTest, BackgroundThreadChecksAtEveryTick) {
  TickClock ticks;
  HealthMonitor monitor({StoreCheck()}, Recorder(), ticks, absl::Seconds(2));
  ASSERT_TRUE(monitor.CheckNow().ok());
  monitor.Start();

  SetStoreStatus(absl::UnavailableError("database unreachable"));
  ticks.Tick();
  AwaitStoreChecks(2);
  SetStoreStatus(absl::OkStatus());
  ticks.Tick();
  AwaitStoreChecks(3);
  monitor.Drain();

  EXPECT_THAT(Published(), ElementsAre(true, false, true, false));
}

}  // namespace
}  // namespace leverconnect::server

// The server's shutdown and readiness, end to end: a stream cut short by
// Shutdown ends with a status the caller can act on, within the grace;
// readiness follows the store, the master key file and the shutdown.
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "tests/integration/test_environment.h"

namespace leverconnect::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

constexpr int kServing = 1;
constexpr int kNotServing = 2;

// Holds fake Lever's answer to the second requisitions page until
// released, so that a stream is mid-import for as long as a test needs.
class SecondPageGate {
 public:
  void Install(FakeLever& lever) {
    lever.SetRequestHook([this](int, const std::string& path) {
      if (path != "/v1/requisitions") return;
      std::unique_lock<std::mutex> lock(mu_);
      if (++pages_ != 2) return;
      changed_.notify_all();
      changed_.wait(lock, [this] { return released_; });
    });
  }

  void AwaitSecondPage() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [this] { return pages_ >= 2; });
  }

  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int pages_ = 0;
  bool released_ = false;
};

v1::StreamRequisitionsRequest PagedImport() {
  v1::StreamRequisitionsRequest request;
  request.set_connection("connections/c");
  request.set_application("app");
  request.set_read_mode(v1::READ_MODE_ONE_CURSOR);
  request.set_page_size(50);
  return request;
}

TEST(ShutdownTest, StreamEndsUnavailableAtAPageBoundaryWithinTheGrace) {
  FakeLeverOptions lever;
  lever.generate = 200;
  auto environment = TestEnvironment::Start(lever);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());
  SecondPageGate gate;
  gate.Install((*environment)->lever());

  std::vector<v1::Row> rows;
  absl::StatusOr<v1::ImportSummary> summary;
  std::thread caller(
      [&] { summary = (*environment)->Import(PagedImport(), &rows); });
  gate.AwaitSecondPage();

  const absl::Duration grace = absl::Seconds(10);
  const absl::Time start = absl::Now();
  (*environment)->server().Shutdown(grace);
  const absl::Duration took = absl::Now() - start;
  caller.join();
  gate.Release();

  EXPECT_EQ(summary.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(summary.status().message(), "server shutting down; retry");
  EXPECT_EQ(rows.size(), 50u) << "exactly the first page";
  EXPECT_LT(took, grace);
  const std::vector<std::string> lines = (*environment)->LogLines();
  EXPECT_THAT(lines, Contains(HasSubstr("\"message\":\"server stopped\"")));
  EXPECT_THAT(lines, Contains(HasSubstr("server shutting down; retry")));
}

TEST(ReadinessTest, FollowsTheStoreTheMasterKeyFileAndTheShutdown) {
  auto store_status = std::make_shared<absl::Mutex>();
  auto store_answer = std::make_shared<absl::Status>();
  std::string key_file;
  auto environment = TestEnvironment::Start(
      FakeLeverOptions(), FastLeverSettings(), {},
      [&](server::ServerOptions& options) {
        options.store_check = [store_status, store_answer] {
          absl::MutexLock lock(store_status.get());
          return *store_answer;
        };
        key_file = options.state_dir + "/master.keyring";
        WriteFile(key_file, "1:unused\n");
        options.master_key_file = key_file;
      });
  ASSERT_TRUE(environment.ok()) << environment.status();
  auto channel = grpc::CreateChannel((*environment)->address(),
                                     grpc::InsecureChannelCredentials());
  EXPECT_EQ(*HealthStatus(channel, "readiness"), kServing);
  EXPECT_EQ(*HealthStatus(channel, ""), kServing);

  {
    absl::MutexLock lock(store_status.get());
    *store_answer = absl::UnavailableError("database unreachable");
  }
  EXPECT_EQ((*environment)->server().CheckReadiness().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(*HealthStatus(channel, "readiness"), kNotServing);
  EXPECT_EQ(*HealthStatus(channel, ""), kNotServing);
  EXPECT_EQ(*HealthStatus(channel, "liveness"), kServing);

  {
    absl::MutexLock lock(store_status.get());
    *store_answer = absl::OkStatus();
  }
  std::remove(key_file.c_str());
  EXPECT_EQ((*environment)->server().CheckReadiness().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(*HealthStatus(channel, "readiness"), kNotServing);

  WriteFile(key_file, "1:unused\n");
  EXPECT_TRUE((*environment)->server().CheckReadiness().ok());
  EXPECT_EQ(*HealthStatus(channel, "readiness"), kServing);
}

}  // namespace
}  // namespace leverconnect::testing

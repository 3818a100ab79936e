// Readiness against a real PostgreSQL outage: a server on PostgreSQL turns
// readiness NOT_SERVING when the database is stopped, or stops answering
// while its connections stay open (liveness stays SERVING); calls fail
// UNAVAILABLE meanwhile instead of hanging; readiness turns SERVING again,
// with calls working, when the database is back.
//
// Needs a cluster of its own that it may stop: LEVERCONNECT_TEST_POSTGRES_URL
// and LEVERCONNECT_TEST_POSTGRES_CTL from scripts/with-postgres.sh, which
// ctest runs around this test alone. Skipped when they are unset.
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "tests/integration/test_environment.h"

namespace leverconnect::testing {
namespace {

constexpr int kServing = 1;
constexpr int kNotServing = 2;

// How long a change of the database may take to show in readiness: a few
// readiness intervals plus connection attempts, with room for a slow
// machine.
constexpr absl::Duration kDeadline = absl::Seconds(30);

// Polls `service`'s health status until it is `expected` or kDeadline
// after `start` passes; true when it got there, with the time since
// `start` in `took`.
bool AwaitHealth(const std::shared_ptr<grpc::Channel>& channel,
                 const std::string& service, int expected, absl::Time start,
                 absl::Duration* took) {
  while (absl::Now() - start < kDeadline) {
    absl::StatusOr<int> status = HealthStatus(channel, service);
    if (status.ok() && *status == expected) {
      *took = absl::Now() - start;
      return true;
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

// Runs the cluster's control script with `command` ("stop", "start",
// "freeze", "thaw").
int Control(const std::string& script, const std::string& command) {
  return std::system(("'" + script + "' " + command).c_str());
}

// Thaws the cluster when the test ends, however it ends, so that the
// cluster can be stopped.
class ThawAtEnd {
 public:
  explicit ThawAtEnd(std::string script) : script_(std::move(script)) {}
  ~ThawAtEnd() { Control(script_, "thaw"); }

 private:
  std::string script_;
};

// The cluster's URL and control script, from scripts/with-postgres.sh;
// each test is skipped without them.
class ReadinessPostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("LEVERCONNECT_TEST_POSTGRES_URL");
    const char* ctl = std::getenv("LEVERCONNECT_TEST_POSTGRES_CTL");
    if (url == nullptr || *url == '\0' || ctl == nullptr || *ctl == '\0') {
      GTEST_SKIP() << "LEVERCONNECT_TEST_POSTGRES_URL or "
                      "LEVERCONNECT_TEST_POSTGRES_CTL is not set; run under "
                      "scripts/with-postgres.sh";
    }
    url_ = url;
    ctl_ = ctl;
  }

  std::string url_;
  std::string ctl_;
};

TEST_F(ReadinessPostgresTest, FollowsPostgresqlStoppedAndStartedAgain) {
  auto environment = TestEnvironment::Start(
      FakeLeverOptions(), FastLeverSettings(), {},
      [&](server::ServerOptions& options) {
        options.database_url = url_;
        options.readiness_interval = absl::Milliseconds(50);
      });
  ASSERT_TRUE(environment.ok()) << environment.status();
  auto channel = grpc::CreateChannel((*environment)->address(),
                                     grpc::InsecureChannelCredentials());
  absl::Duration took;
  ASSERT_TRUE(AwaitHealth(channel, "readiness", kServing, absl::Now(), &took));
  ASSERT_TRUE(
      (*environment)->CreateConnection("before-outage", kFullKey, "app").ok());

  const absl::Time stopping = absl::Now();
  ASSERT_EQ(Control(ctl_, "stop"), 0);
  std::cerr << "PostgreSQL stopped in " << absl::Now() - stopping << "\n";
  ASSERT_TRUE(AwaitHealth(channel, "readiness", kNotServing, stopping, &took))
      << "readiness stayed SERVING with PostgreSQL stopped";
  std::cerr << "readiness NOT_SERVING " << took << " after the stop began\n";
  EXPECT_EQ(*HealthStatus(channel, ""), kNotServing);
  EXPECT_EQ(*HealthStatus(channel, "liveness"), kServing);
  bool logged = false;
  for (const std::string& line : (*environment)->LogLines()) {
    logged |= line.find("\"not ready\"") != std::string::npos &&
              line.find("\"check\":\"store\"") != std::string::npos;
  }
  EXPECT_TRUE(logged) << "no \"not ready\" log line naming the store";
  // A call meanwhile fails as the database does, without hanging.
  EXPECT_FALSE((*environment)->client().ListConnections({}).ok());

  const absl::Time starting = absl::Now();
  ASSERT_EQ(Control(ctl_, "start"), 0);
  std::cerr << "PostgreSQL started in " << absl::Now() - starting << "\n";
  ASSERT_TRUE(AwaitHealth(channel, "readiness", kServing, starting, &took))
      << "readiness stayed NOT_SERVING with PostgreSQL back";
  std::cerr << "readiness SERVING " << took << " after the start began\n";
  EXPECT_EQ(*HealthStatus(channel, ""), kServing);
  EXPECT_EQ(*HealthStatus(channel, "liveness"), kServing);

  // Calls work again on the reconnected pool: what was stored before the
  // outage is there, and new connections can be stored.
  ASSERT_TRUE(
      (*environment)->CreateConnection("after-outage", kFullKey, "app").ok());
  absl::StatusOr<v1::ListConnectionsResponse> listed =
      (*environment)->client().ListConnections({});
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->connections_size(), 2);
}

TEST_F(ReadinessPostgresTest, FollowsPostgresqlThatStopsAnswering) {
  constexpr absl::Duration kWait = absl::Seconds(1);
  auto environment = TestEnvironment::Start(
      FakeLeverOptions(), FastLeverSettings(), {},
      [&](server::ServerOptions& options) {
        options.database_url = url_;
        options.readiness_interval = absl::Milliseconds(50);
        options.database_wait = kWait;
      });
  ASSERT_TRUE(environment.ok()) << environment.status();
  auto channel = grpc::CreateChannel((*environment)->address(),
                                     grpc::InsecureChannelCredentials());
  absl::Duration took;
  ASSERT_TRUE(AwaitHealth(channel, "readiness", kServing, absl::Now(), &took));
  absl::StatusOr<v1::ListConnectionsResponse> before =
      (*environment)->client().ListConnections({});
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_TRUE(
      (*environment)->CreateConnection("before-freeze", kFullKey, "app").ok());

  ThawAtEnd thaw(ctl_);
  const absl::Time freezing = absl::Now();
  ASSERT_EQ(Control(ctl_, "freeze"), 0);
  // More calls at once than the pool has connections: each fails, and
  // readiness does not wait behind them.
  std::vector<std::thread> callers;
  std::vector<absl::Status> outcomes(6);
  std::vector<absl::Duration> durations(outcomes.size());
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    callers.emplace_back([&, i] {
      const absl::Time start = absl::Now();
      outcomes[i] = (*environment)
                        ->client()
                        .ListConnections({}, {absl::Seconds(60)})
                        .status();
      durations[i] = absl::Now() - start;
    });
  }
  ASSERT_TRUE(AwaitHealth(channel, "readiness", kNotServing, freezing, &took))
      << "readiness stayed SERVING with PostgreSQL not answering";
  std::cerr << "readiness NOT_SERVING " << took << " after the freeze\n";
  EXPECT_EQ(*HealthStatus(channel, "liveness"), kServing);
  for (std::thread& caller : callers) caller.join();
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    std::cerr << "concurrent call " << i << " ended after " << durations[i]
              << ": " << outcomes[i] << "\n";
    EXPECT_EQ(outcomes[i].code(), absl::StatusCode::kUnavailable)
        << outcomes[i];
    EXPECT_LT(durations[i], absl::Seconds(15));
  }

  // A call fails as the database does, within the wait to connect or to
  // be answered (libpq waits at least 2 s to connect), not hanging.
  const absl::Time calling = absl::Now();
  absl::StatusOr<v1::ListConnectionsResponse> during =
      (*environment)->client().ListConnections({}, {absl::Seconds(20)});
  const absl::Duration call_took = absl::Now() - calling;
  std::cerr << "a call failed after " << call_took << ": " << during.status()
            << "\n";
  ASSERT_FALSE(during.ok());
  EXPECT_EQ(during.status().code(), absl::StatusCode::kUnavailable)
      << during.status();
  EXPECT_LT(call_took, absl::Seconds(10));

  const absl::Time thawing = absl::Now();
  ASSERT_EQ(Control(ctl_, "thaw"), 0);
  ASSERT_TRUE(AwaitHealth(channel, "readiness", kServing, thawing, &took))
      << "readiness stayed NOT_SERVING with PostgreSQL answering again";
  std::cerr << "readiness SERVING " << took << " after the thaw\n";
  ASSERT_TRUE(
      (*environment)->CreateConnection("after-freeze", kFullKey, "app").ok());
  absl::StatusOr<v1::ListConnectionsResponse> after =
      (*environment)->client().ListConnections({});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->connections_size(), before->connections_size() + 2);
}

}  // namespace
}  // namespace leverconnect::testing

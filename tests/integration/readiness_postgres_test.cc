// Readiness against a real PostgreSQL outage: a server on PostgreSQL turns
// readiness NOT_SERVING when the database is stopped (liveness stays
// SERVING), and SERVING again, with calls working, when it is back.
//
// Needs a cluster of its own that it may stop: LEVERCONNECT_TEST_POSTGRES_URL
// and LEVERCONNECT_TEST_POSTGRES_CTL from scripts/with-postgres.sh, which
// ctest runs around this test alone. Skipped when they are unset.
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
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

// Runs the cluster's control script with `command` ("stop", "start").
int Control(const std::string& script, const std::string& command) {
  return std::system(("'" + script + "' " + command).c_str());
}

TEST(ReadinessPostgresTest, FollowsPostgresqlStoppedAndStartedAgain) {
  const char* url = std::getenv("LEVERCONNECT_TEST_POSTGRES_URL");
  const char* ctl = std::getenv("LEVERCONNECT_TEST_POSTGRES_CTL");
  if (url == nullptr || *url == '\0' || ctl == nullptr || *ctl == '\0') {
    GTEST_SKIP() << "LEVERCONNECT_TEST_POSTGRES_URL or "
                    "LEVERCONNECT_TEST_POSTGRES_CTL is not set; run under "
                    "scripts/with-postgres.sh";
  }
  auto environment = TestEnvironment::Start(
      FakeLeverOptions(), FastLeverSettings(), {},
      [&](server::ServerOptions& options) {
        options.database_url = url;
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
  ASSERT_EQ(Control(ctl, "stop"), 0);
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
  ASSERT_EQ(Control(ctl, "start"), 0);
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

}  // namespace
}  // namespace leverconnect::testing

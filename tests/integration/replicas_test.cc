// Two real servers on one PostgreSQL database, as two replicas: what one
// stores the other sees, and imports through both on one connection share
// one request budget, so a fake Lever that limits like Lever (10 a second,
// bursts of 20) never has to refuse them.
#include <httplib.h>

#include <memory>
#include <string>
#include <thread>

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "client/leverconnect_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/integration/child_process.h"
#include "tests/unit/store_backends.h"

namespace leverconnect::testing {
namespace {

constexpr char kApiKey[] = "lvr_replicas_test_key_0001";
constexpr int kRequisitions = 1000;
constexpr int kPageSize = 25;

class ReplicasTest : public StoreBackendTest {
 protected:
  void SetUp() override {
    StoreBackendTest::SetUp();
    if (IsSkipped()) return;
    const std::string port_file = (directory_ / "lever.port").string();
    absl::StatusOr<std::unique_ptr<ChildProcess>> lever = ChildProcess::Start(
        {LEVERCONNECT_FAKE_LEVER_BINARY, "--listen", "127.0.0.1:0",
         "--port-file", port_file, "--generate", std::to_string(kRequisitions),
         "--seed", "7", "--api-key",
         absl::StrCat(kApiKey,
                      "=requisitions:read,requisition_fields:read,users:read"),
         "--rate", "10", "--burst", "20"},
        (directory_ / "fake-lever.log").string());
    ASSERT_TRUE(lever.ok()) << lever.status();
    lever_ = std::move(*lever);
    absl::StatusOr<int> port = WaitForPortFile(port_file, *lever_);
    ASSERT_TRUE(port.ok()) << port.status();
    lever_port_ = *port;
  }

  // A server of its own state folder `name` on the shared database.
  ServerProcess StartReplica(const std::string& name) {
    const std::string state_dir = (directory_ / name).string();
    mkdir(state_dir.c_str(), 0700);
    absl::StatusOr<ServerProcess> server = ServerProcess::Start(
        state_dir, options_.database_url,
        absl::StrCat("http://127.0.0.1:", lever_port_, "/v1"));
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? std::move(*server) : ServerProcess();
  }

  rapidjson::Document LeverStats() {
    httplib::Client http("127.0.0.1", lever_port_);
    rapidjson::Document stats;
    httplib::Result answer = http.Get("/_stats");
    EXPECT_TRUE(answer && answer->status == 200);
    if (answer) stats.Parse(answer->body.c_str());
    return stats;
  }

  std::unique_ptr<ChildProcess> lever_;
  int lever_port_ = 0;
};

INSTANTIATE_TEST_SUITE_P(Backends, ReplicasTest,
                         ::testing::Values(Backend::kPostgres), BackendName);

absl::StatusOr<v1::ImportSummary> ImportAll(client::Client& client) {
  v1::StreamRequisitionsRequest request;
  request.set_connection("connections/shared");
  request.set_application("app");
  request.set_page_size(kPageSize);
  return client.StreamRequisitions(request, {}, {absl::Seconds(120)});
}

TEST_P(ReplicasTest, ShareConnectionsAndOneRequestBudget) {
  ServerProcess first = StartReplica("first");
  ServerProcess second = StartReplica("second");
  ASSERT_NE(first.process, nullptr);
  ASSERT_NE(second.process, nullptr);
  auto first_client = client::Client::Connect(first.address());
  auto second_client = client::Client::Connect(second.address());

  v1::CreateConnectionRequest create;
  create.set_connection_id("shared");
  create.set_skip_key_check(true);
  create.mutable_connection()->set_api_key(kApiKey);
  create.mutable_connection()->set_environment(v1::ENVIRONMENT_PRODUCTION);
  create.mutable_connection()->add_allowed_applications("app");
  ASSERT_TRUE(first_client->CreateConnection(create).ok());
  v1::GetConnectionRequest get;
  get.set_name("connections/shared");
  absl::StatusOr<v1::Connection> seen = second_client->GetConnection(get);
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_EQ(seen->name(), "connections/shared");

  absl::StatusOr<v1::ImportSummary> through_first;
  std::thread other([&] { through_first = ImportAll(*first_client); });
  absl::StatusOr<v1::ImportSummary> through_second = ImportAll(*second_client);
  other.join();
  ASSERT_TRUE(through_first.ok()) << through_first.status();
  ASSERT_TRUE(through_second.ok()) << through_second.status();
  EXPECT_EQ(through_first->rows(), kRequisitions);
  EXPECT_EQ(through_second->rows(), kRequisitions);

  // Each server alone may send 9 a second with bursts of 18 (the defaults):
  // two separate budgets would reach 36 in the first second and meet 429s.
  rapidjson::Document stats = LeverStats();
  ASSERT_TRUE(stats.IsObject());
  EXPECT_GT(stats["total"].GetInt64(), 2 * kRequisitions / kPageSize);
  EXPECT_EQ(stats["rate_limited"].GetInt64(), 0);
  EXPECT_LE(stats["max_requests_per_second"].GetInt64(), 18 + 9);
}

}  // namespace
}  // namespace leverconnect::testing

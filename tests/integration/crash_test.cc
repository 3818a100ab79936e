// Durability across crashes: the real server is killed with SIGKILL while a
// client creates connections through it, restarted on the same store, and
// in the end every create it had acknowledged is still there. Runs on
// SQLite and on PostgreSQL. The kill points come from a seeded generator:
// LEVERCONNECT_TEST_SEED replays a run.
#include <signal.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "client/leverconnect_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/child_process.h"
#include "tests/unit/store_backends.h"

namespace leverconnect::testing {
namespace {

constexpr int kKills = 5;

std::uint32_t Seed() {
  std::uint32_t seed = 20240501;
  const char* text = std::getenv("LEVERCONNECT_TEST_SEED");
  if (text != nullptr && !absl::SimpleAtoi(text, &seed)) {
    ADD_FAILURE() << "LEVERCONNECT_TEST_SEED is not a number";
  }
  return seed;
}

v1::CreateConnectionRequest CreateRequest(int number) {
  v1::CreateConnectionRequest request;
  request.set_connection_id(absl::StrFormat("crash-%05d", number));
  request.set_request_id(absl::StrFormat("request-%05d", number));
  request.set_skip_key_check(true);
  v1::Connection* connection = request.mutable_connection();
  connection->set_api_key("lvr_crash_test_key_0001");
  connection->set_environment(v1::ENVIRONMENT_PRODUCTION);
  connection->add_allowed_applications("app");
  return request;
}

// Creates connection after connection through one server until stopped,
// remembering which creates the server acknowledged and which ended
// without an answer.
class Creator {
 public:
  Creator(const std::string& address, int first_number)
      : client_(client::Client::Connect(address)),
        next_(first_number),
        thread_([this] { Loop(); }) {}

  ~Creator() { Stop(); }

  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

  int acknowledged_count() const { return acknowledged_count_; }
  int next() const { return next_; }
  std::set<std::string> acknowledged() {
    std::lock_guard<std::mutex> lock(mu_);
    return acknowledged_;
  }
  std::vector<int> unanswered() {
    std::lock_guard<std::mutex> lock(mu_);
    return unanswered_;
  }

 private:
  void Loop() {
    while (!stop_) {
      const int number = next_++;
      v1::CreateConnectionRequest request = CreateRequest(number);
      absl::StatusOr<v1::Connection> created =
          client_->CreateConnection(request, {absl::Seconds(10)});
      std::lock_guard<std::mutex> lock(mu_);
      if (created.ok()) {
        acknowledged_.insert(request.connection_id());
        ++acknowledged_count_;
      } else {
        unanswered_.push_back(number);
      }
    }
  }

  std::unique_ptr<client::Client> client_;
  std::atomic<bool> stop_{false};
  std::atomic<int> next_;
  std::atomic<int> acknowledged_count_{0};
  std::mutex mu_;
  std::set<std::string> acknowledged_;
  std::vector<int> unanswered_;
  std::thread thread_;  // last: starts once the rest is ready
};

class CrashTest : public StoreBackendTest {
 protected:
  ServerProcess StartServer() {
    absl::StatusOr<ServerProcess> server = ServerProcess::Start(
        directory_.string(), options_.database_url, "http://127.0.0.1:1/v1");
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? std::move(*server) : ServerProcess();
  }

  // Every connection id the server lists.
  static std::set<std::string> ListedIds(client::Client& client) {
    std::set<std::string> ids;
    v1::ListConnectionsRequest request;
    request.set_page_size(1000);
    do {
      absl::StatusOr<v1::ListConnectionsResponse> page =
          client.ListConnections(request, {absl::Seconds(30)});
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const v1::Connection& connection : page->connections()) {
        ids.insert(connection.name().substr(sizeof("connections/") - 1));
      }
      request.set_page_token(page->next_page_token());
    } while (!request.page_token().empty());
    return ids;
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, CrashTest,
                         ::testing::Values(Backend::kSqlite,
                                           Backend::kPostgres),
                         BackendName);

TEST_P(CrashTest, EveryAcknowledgedCreateSurvivesSigkill) {
  const std::uint32_t seed = Seed();
  RecordProperty("seed", static_cast<int>(seed));
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> creates_before_kill(1, 25);

  std::set<std::string> acknowledged;
  std::vector<int> unanswered;
  int next = 0;
  for (int kill = 0; kill < kKills; ++kill) {
    ServerProcess server = StartServer();
    ASSERT_NE(server.process, nullptr);

    // A create that got no answer may or may not have landed; repeating
    // its request id must settle it either way.
    std::unique_ptr<client::Client> client =
        client::Client::Connect(server.address());
    for (int number : unanswered) {
      absl::StatusOr<v1::Connection> retried =
          client->CreateConnection(CreateRequest(number), {absl::Seconds(10)});
      ASSERT_TRUE(retried.ok()) << retried.status();
      acknowledged.insert(CreateRequest(number).connection_id());
    }

    Creator creator(server.address(), next);
    const int target =
        creator.acknowledged_count() + creates_before_kill(random);
    ASSERT_TRUE(
        WaitUntil([&] { return creator.acknowledged_count() >= target; },
                  *server.process, absl::Seconds(60), "acknowledged creates")
            .ok());
    server.process->Stop(SIGKILL);
    creator.Stop();

    const std::set<std::string> round = creator.acknowledged();
    acknowledged.insert(round.begin(), round.end());
    unanswered = creator.unanswered();
    next = creator.next();
  }

  ServerProcess server = StartServer();
  ASSERT_NE(server.process, nullptr);
  std::unique_ptr<client::Client> client =
      client::Client::Connect(server.address());
  const std::set<std::string> listed = ListedIds(*client);
  for (const std::string& id : acknowledged) {
    EXPECT_TRUE(listed.count(id) == 1) << id << " was acknowledged, then lost";
  }
  EXPECT_GE(acknowledged.size(), static_cast<std::size_t>(kKills));
  EXPECT_LE(listed.size(), static_cast<std::size_t>(next));
}

}  // namespace
}  // namespace leverconnect::testing

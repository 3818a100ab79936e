// Everything an end-to-end test needs in one process: a fake Lever on a
// free port, a leverconnect server on a free port pointed at it for both
// environments, a client, and every log line the run writes.
#ifndef LEVERCONNECT_TESTS_INTEGRATION_TEST_ENVIRONMENT_H_
#define LEVERCONNECT_TESTS_INTEGRATION_TEST_ENVIRONMENT_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/leverconnect_client.h"
#include "server/server.h"
#include "tests/fakes/fake_lever.h"

namespace leverconnect::testing {

// Keys the fake Lever knows, and what each may do.
inline constexpr char kFullKey[] = "lvr_full_access_key_0001";
inline constexpr char kNoFieldsKey[] = "lvr_requisitions_only_0002";

// Server settings for tests: no client-side budget to speak of, retries
// that wait a millisecond, and every environment's Lever URL empty, which
// Start fills with the fake's.
server::LeverSettings FastLeverSettings();

class TestEnvironment {
 public:
  // Starts both servers. `lever` gets the two keys above unless it names
  // keys of its own. Empty base URLs of `settings` become the fake's.
  static absl::StatusOr<std::unique_ptr<TestEnvironment>> Start(
      FakeLeverOptions lever,
      server::LeverSettings settings = FastLeverSettings());

  ~TestEnvironment();

  FakeLever& lever() { return *lever_; }
  server::Server& server() { return *server_; }
  client::Client& client() { return *client_; }
  const std::string& state_dir() const { return state_dir_; }

  // Every log line written since Start.
  std::vector<std::string> LogLines();

  // Creates connection `id` with `api_key` in the production environment,
  // allowing `application`, without asking Lever about the key.
  absl::StatusOr<v1::Connection> CreateConnection(
      const std::string& id, const std::string& api_key,
      const std::string& application);

  // Streams every requisition of `request` into `rows`.
  absl::StatusOr<v1::ImportSummary> Import(
      const v1::StreamRequisitionsRequest& request, std::vector<v1::Row>* rows,
      v1::RequisitionSchema* schema = nullptr);

 private:
  TestEnvironment() = default;

  std::string state_dir_;
  std::unique_ptr<FakeLever> lever_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<client::Client> client_;
  std::mutex mu_;
  std::vector<std::string> log_lines_;
};

// Reads a whole file; empty when it cannot.
std::string ReadFile(const std::string& path);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_INTEGRATION_TEST_ENVIRONMENT_H_

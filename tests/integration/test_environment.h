// Everything an end-to-end test needs in one process: a fake Lever on a
// free port, a leverconnect server on a free port pointed at it for both
// environments, a principals file written at start, a client acting as
// the admin, and every log line the run writes.
#ifndef LEVERCONNECT_TESTS_INTEGRATION_TEST_ENVIRONMENT_H_
#define LEVERCONNECT_TESTS_INTEGRATION_TEST_ENVIRONMENT_H_

#include <functional>
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
// Reads requisitions and fields, but not users.
inline constexpr char kNoUsersKey[] = "lvr_requisitions_fields_0003";
// Reads requisitions, fields and users, and writes requisitions (the other
// keys may not write).
inline constexpr char kWriteKey[] = "lvr_write_access_key_0004";

// The principals of every test server, and their tokens. The planning
// member acts for "app" and "planning", and may also present a client
// certificate with kPlanningMemberCommonName; the reporting member acts
// for "reporting" only.
inline constexpr char kAdminId[] = "test-admin";
inline constexpr char kAdminToken[] = "tok_admin_5b1f0c3e9d2a4786";
inline constexpr char kPlanningMemberId[] = "planning-sync";
inline constexpr char kPlanningMemberToken[] = "tok_planning_8e24d7a9c3f1";
inline constexpr char kPlanningMemberCommonName[] = "planning-sync.test";
inline constexpr char kReportingMemberId[] = "reporting-sync";
inline constexpr char kReportingMemberToken[] = "tok_reporting_41c6b0e2f9d8";

// Transport security of the test server: files of PEM text. Plaintext on
// loopback when empty.
struct TransportSecurity {
  std::string certificate_file;
  std::string key_file;
  std::string client_ca_file;  // mutual TLS when set
  // Also serve health checking on a plaintext port of its own.
  bool health_port = false;
  // How the environment's own client connects; its token is the admin's.
  client::ClientOptions client;
};

// Server settings for tests: no client-side budget to speak of, retries
// that wait a millisecond, and every environment's Lever URL empty, which
// Start fills with the fake's.
server::LeverSettings FastLeverSettings();

// The read mode of imports whose test does not depend on one:
// READ_MODE_ONE_CURSOR, or READ_MODE_PARALLEL_WINDOWS when the environment
// variable LEVERCONNECT_TEST_READ_MODE is "parallel_windows" (ctest runs
// the import suites once in each mode).
v1::ReadMode DefaultReadMode();

class TestEnvironment {
 public:
  // Starts both servers. `lever` gets the two keys above unless it names
  // keys of its own. Empty base URLs of `settings` become the fake's.
  // `adjust`, when set, changes the server's options last.
  static absl::StatusOr<std::unique_ptr<TestEnvironment>> Start(
      FakeLeverOptions lever,
      server::LeverSettings settings = FastLeverSettings(),
      const TransportSecurity& security = {},
      const std::function<void(server::ServerOptions&)>& adjust = nullptr);

  ~TestEnvironment();

  FakeLever& lever() { return *lever_; }
  server::Server& server() { return *server_; }
  // The admin's client.
  client::Client& client() { return *client_; }
  const std::string& state_dir() const { return state_dir_; }
  // "127.0.0.1:<port>" of the server.
  std::string address() const;

  // A new client of the server with `options`.
  std::unique_ptr<client::Client> Connect(
      const client::ClientOptions& options) const;
  // A new plaintext client sending `token` (none when empty).
  std::unique_ptr<client::Client> ClientWithToken(
      const std::string& token) const;

  // Stops the leverconnect server and starts another on the same state
  // folder and settings but with the master keys of `secret_box`, on a new
  // port, and connects client() to it (client references go stale). For
  // master key rotation tests.
  absl::Status RestartServer(crypto::SecretBox secret_box);

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

  // Connects client_ to server_.
  void ConnectClient();

  std::string state_dir_;
  std::unique_ptr<FakeLever> lever_;
  server::ServerOptions server_options_;  // for RestartServer
  client::ClientOptions client_options_;  // the admin's, for ConnectClient
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<client::Client> client_;
  std::mutex mu_;
  std::vector<std::string> log_lines_;
};

// Reads a whole file; empty when it cannot.
std::string ReadFile(const std::string& path);

// Writes `content` to `path`; false when it cannot.
bool WriteFile(const std::string& path, const std::string& content);

// Sends `request_bytes` to `method` ("/package.Service/Method") as one
// message, whatever it holds, with `token` as a bearer token unless empty
// and a 10 second deadline; the response's bytes go to `response` when
// not null.
grpc::Status RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& method,
                          const std::string& request_bytes,
                          const std::string& token = "",
                          std::string* response = nullptr);

// Asks grpc.health.v1.Health/Check of the server behind `channel` about
// `service`, without credentials; the answer's status number (1 is
// SERVING), or the call's error.
absl::StatusOr<int> HealthStatus(const std::shared_ptr<grpc::Channel>& channel,
                                 const std::string& service);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_INTEGRATION_TEST_ENVIRONMENT_H_

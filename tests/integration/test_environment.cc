#include "tests/integration/test_environment.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "lib/crypto/digest.h"
#include "lib/log/log.h"

namespace leverconnect::testing {
namespace {

// A fixed master key: tests need no secrecy, only a valid key.
constexpr char kMasterKeyHex[] =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

// The principals file of every test server.
std::string PrincipalsFile() {
  return absl::StrCat(
      R"({"principals": [)", R"({"id": ")", kAdminId,
      R"(", "role": "admin", "token_sha256": ")",
      crypto::Sha256Hex(kAdminToken), R"("}, )", R"({"id": ")",
      kPlanningMemberId,
      R"(", "role": "member", "applications": ["app", "planning"], )",
      R"("token_sha256": ")", crypto::Sha256Hex(kPlanningMemberToken),
      R"(", "certificate_common_names": [")", kPlanningMemberCommonName,
      R"("]}, )", R"({"id": ")", kReportingMemberId,
      R"(", "role": "member", "applications": ["reporting"], )",
      R"("token_sha256": ")", crypto::Sha256Hex(kReportingMemberToken),
      R"("}]})");
}

}  // namespace

v1::ReadMode DefaultReadMode() {
  const char* mode = std::getenv("LEVERCONNECT_TEST_READ_MODE");
  return mode != nullptr && std::string(mode) == "parallel_windows"
             ? v1::READ_MODE_PARALLEL_WINDOWS
             : v1::READ_MODE_ONE_CURSOR;
}

server::LeverSettings FastLeverSettings() {
  server::LeverSettings settings;
  settings.retry.initial_backoff = absl::Milliseconds(1);
  settings.budget = {/*rate=*/1000, /*burst=*/1000};
  for (auto& [environment, url] : settings.base_urls) url.clear();
  return settings;
}

absl::StatusOr<std::unique_ptr<TestEnvironment>> TestEnvironment::Start(
    FakeLeverOptions lever, server::LeverSettings settings,
    const TransportSecurity& security,
    const std::function<void(server::ServerOptions&)>& adjust) {
  std::unique_ptr<TestEnvironment> environment(new TestEnvironment);
  log::SetSink([raw = environment.get()](std::string_view line) {
    std::lock_guard<std::mutex> lock(raw->mu_);
    raw->log_lines_.emplace_back(line);
  });

  if (lever.api_keys.empty()) {
    lever.api_keys[kFullKey] = {"requisitions:read", "requisition_fields:read",
                                "users:read"};
    lever.api_keys[kNoFieldsKey] = {"requisitions:read"};
    lever.api_keys[kNoUsersKey] = {"requisitions:read",
                                   "requisition_fields:read"};
    lever.api_keys[kWriteKey] = {"requisitions:read", "requisition_fields:read",
                                 "users:read", "requisitions:write"};
  }
  auto fake = FakeLever::Start(lever);
  if (!fake.ok()) return fake.status();
  environment->lever_ = std::move(*fake);

  std::string pattern = ::testing::TempDir() + "leverconnect-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError("cannot make a temporary directory");
  }
  environment->state_dir_ = pattern;

  server::ServerOptions options;
  options.listen_address = "127.0.0.1:0";
  options.state_dir = environment->state_dir_;
  options.principals_file = environment->state_dir_ + "/principals.json";
  if (!WriteFile(options.principals_file, PrincipalsFile())) {
    return absl::InternalError("cannot write the principals file");
  }
  options.tls_certificate_file = security.certificate_file;
  options.tls_key_file = security.key_file;
  options.client_ca_file = security.client_ca_file;
  if (security.health_port) options.health_listen_address = "127.0.0.1:0";
  options.lever = std::move(settings);
  for (auto& [name, url] : options.lever.base_urls) {
    if (url.empty()) url = environment->lever_->base_url();
  }
  auto secret_box = crypto::SecretBox::FromEncodedKey(kMasterKeyHex);
  if (!secret_box.ok()) return secret_box.status();
  if (adjust) adjust(options);
  environment->server_options_ = options;
  auto server = server::Server::Start(options, std::move(*secret_box));
  if (!server.ok()) return server.status();
  environment->server_ = std::move(*server);
  environment->client_options_ = security.client;
  environment->client_options_.token = kAdminToken;
  environment->ConnectClient();
  return environment;
}

void TestEnvironment::ConnectClient() { client_ = Connect(client_options_); }

std::string TestEnvironment::address() const {
  return absl::StrCat("127.0.0.1:", server_->port());
}

std::unique_ptr<client::Client> TestEnvironment::Connect(
    const client::ClientOptions& options) const {
  return client::Client::Connect(address(), options);
}

std::unique_ptr<client::Client> TestEnvironment::ClientWithToken(
    const std::string& token) const {
  client::ClientOptions options;
  options.token = token;
  return Connect(options);
}

absl::Status TestEnvironment::RestartServer(crypto::SecretBox secret_box) {
  client_.reset();
  if (server_) server_->Shutdown(absl::Seconds(5));
  server_.reset();
  auto server = server::Server::Start(server_options_, std::move(secret_box));
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  ConnectClient();
  return absl::OkStatus();
}

TestEnvironment::~TestEnvironment() {
  client_.reset();
  if (server_) server_->Shutdown(absl::Seconds(5));
  server_.reset();
  if (lever_) lever_->SetRequestHook(nullptr);
  lever_.reset();
  log::SetSink(nullptr);
  std::error_code ignored;
  if (!state_dir_.empty()) std::filesystem::remove_all(state_dir_, ignored);
}

std::vector<std::string> TestEnvironment::LogLines() {
  std::lock_guard<std::mutex> lock(mu_);
  return log_lines_;
}

absl::StatusOr<v1::Connection> TestEnvironment::CreateConnection(
    const std::string& id, const std::string& api_key,
    const std::string& application) {
  v1::CreateConnectionRequest request;
  request.set_connection_id(id);
  request.set_skip_key_check(true);
  v1::Connection* connection = request.mutable_connection();
  connection->set_api_key(api_key);
  connection->set_environment(v1::ENVIRONMENT_PRODUCTION);
  connection->add_allowed_applications(application);
  return client_->CreateConnection(request);
}

absl::StatusOr<v1::ImportSummary> TestEnvironment::Import(
    const v1::StreamRequisitionsRequest& request, std::vector<v1::Row>* rows,
    v1::RequisitionSchema* schema) {
  client::StreamHandlers handlers;
  handlers.on_schema = [schema](const v1::RequisitionSchema& received) {
    if (schema != nullptr) *schema = received;
  };
  handlers.on_batch = [rows](const v1::RowBatch& batch) {
    for (const v1::Row& row : batch.rows()) rows->push_back(row);
    return true;
  };
  return client_->StreamRequisitions(request, handlers);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

grpc::Status RawUnaryCall(const std::shared_ptr<grpc::Channel>& channel,
                          const std::string& method,
                          const std::string& request_bytes,
                          const std::string& token, std::string* response) {
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer answer;
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  if (!token.empty()) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &answer,
                 [&done](grpc::Status status) { done.set_value(status); });
  const grpc::Status status = done.get_future().get();
  if (status.ok() && response != nullptr) {
    std::vector<grpc::Slice> slices;
    if (!answer.Dump(&slices).ok()) {
      return grpc::Status(grpc::StatusCode::DATA_LOSS, "unreadable answer");
    }
    response->clear();
    for (const grpc::Slice& part : slices) {
      response->append(reinterpret_cast<const char*>(part.begin()),
                       part.size());
    }
  }
  return status;
}

absl::StatusOr<int> HealthStatus(const std::shared_ptr<grpc::Channel>& channel,
                                 const std::string& service) {
  // HealthCheckRequest {string service = 1;}, encoded by hand: the
  // generated health stubs are not installed.
  std::string request_bytes;
  if (!service.empty()) {
    request_bytes =
        absl::StrCat("\x0a", std::string(1, service.size()), service);
  }
  std::string bytes;
  const grpc::Status status = RawUnaryCall(
      channel, "/grpc.health.v1.Health/Check", request_bytes, "", &bytes);
  if (!status.ok()) return client::FromGrpcStatus(status);

  // HealthCheckResponse {ServingStatus status = 1;}: 0x08 then the number.
  if (bytes.empty()) return 0;  // UNKNOWN, the default, is not sent
  if (bytes.size() != 2 || bytes[0] != 0x08) {
    return absl::DataLossError("unexpected health answer");
  }
  return static_cast<int>(bytes[1]);
}

bool WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return static_cast<bool>(out.flush());
}

}  // namespace leverconnect::testing

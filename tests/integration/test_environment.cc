#include "tests/integration/test_environment.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/log/log.h"

namespace leverconnect::testing {
namespace {

// A fixed master key: tests need no secrecy, only a valid key.
constexpr char kMasterKeyHex[] =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

}  // namespace

server::LeverSettings FastLeverSettings() {
  server::LeverSettings settings;
  settings.retry.initial_backoff = absl::Milliseconds(1);
  settings.budget = {/*rate=*/1000, /*burst=*/1000};
  for (auto& [environment, url] : settings.base_urls) url.clear();
  return settings;
}

absl::StatusOr<std::unique_ptr<TestEnvironment>> TestEnvironment::Start(
    FakeLeverOptions lever, server::LeverSettings settings) {
  std::unique_ptr<TestEnvironment> environment(new TestEnvironment);
  log::SetSink([raw = environment.get()](std::string_view line) {
    std::lock_guard<std::mutex> lock(raw->mu_);
    raw->log_lines_.emplace_back(line);
  });

  if (lever.api_keys.empty()) {
    lever.api_keys[kFullKey] = {"requisitions:read", "requisition_fields:read"};
    lever.api_keys[kNoFieldsKey] = {"requisitions:read"};
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
  options.lever = std::move(settings);
  for (auto& [name, url] : options.lever.base_urls) {
    if (url.empty()) url = environment->lever_->base_url();
  }
  auto secret_box = crypto::SecretBox::FromEncodedKey(kMasterKeyHex);
  if (!secret_box.ok()) return secret_box.status();
  auto server = server::Server::Start(options, std::move(*secret_box));
  if (!server.ok()) return server.status();
  environment->server_ = std::move(*server);
  environment->client_ = client::Client::Connect(
      absl::StrCat("127.0.0.1:", environment->server_->port()));
  return environment;
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

}  // namespace leverconnect::testing

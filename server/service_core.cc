#include "server/service_core.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "lib/crypto/digest.h"

namespace leverconnect::server {
namespace {

constexpr absl::string_view kCollection = "connections/";

// Why the stored key of `connection` did not open (`opened`), as the status
// of that connection's calls: FAILED_PRECONDITION when the key was tampered
// with or its master key version is missing. Never holds key material.
absl::Status UndecryptableKey(const storage::StoredConnection& connection,
                              const absl::Status& opened) {
  const std::string prefix =
      absl::StrCat("the stored API key of connection \"", connection.id,
                   "\" cannot be decrypted (");
  const std::uint32_t version =
      crypto::SecretBox::SealedVersion(connection.sealed_api_key);
  if (absl::IsFailedPrecondition(opened)) {
    return absl::FailedPreconditionError(absl::StrCat(
        prefix, "sealed with master key version ", version,
        ", which this server's keyring lacks); add that version to the "
        "keyring or rotate the connection's API key"));
  }
  if (absl::IsDataLoss(opened)) {
    return absl::FailedPreconditionError(
        absl::StrCat(prefix,
                     "tampered with: it fails authentication under master key "
                     "version ",
                     version, "); rotate the connection's API key"));
  }
  return absl::Status(opened.code(),
                      absl::StrCat(prefix, opened.message(), ")"));
}

}  // namespace

std::string Echo(absl::string_view text) {
  constexpr std::size_t kEchoLength = 100;
  std::string echo = absl::CHexEscape(text.substr(0, kEchoLength));
  if (text.size() > kEchoLength) echo += "...";
  return echo;
}

bool IsConnectionId(absl::string_view id) {
  if (id.empty() || id.size() > 63 || !absl::ascii_islower(id[0]) ||
      id.back() == '-') {
    return false;
  }
  for (char c : id) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '-') {
      return false;
    }
  }
  return true;
}

ServiceCore::ServiceCore(std::unique_ptr<storage::ConnectionStore> store,
                         crypto::SecretBox secret_box,
                         std::unique_ptr<http::HttpClient> http,
                         retry::Clock& clock, LeverSettings lever_settings,
                         std::unique_ptr<ratelimit::BudgetSource> budgets)
    : store_(std::move(store)),
      secret_box_(std::move(secret_box)),
      http_(std::move(http)),
      clock_(clock),
      lever_settings_(std::move(lever_settings)),
      budgets_(std::move(budgets)) {
  if (budgets_ == nullptr) {
    budgets_ = std::make_unique<ratelimit::BucketRegistry>(
        lever_settings_.budget, clock_);
  }
}

absl::StatusOr<std::string> ServiceCore::ParseConnectionName(
    absl::string_view name, absl::string_view field) {
  if (name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  if (!absl::StartsWith(name, kCollection) ||
      !IsConnectionId(name.substr(kCollection.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", Echo(name),
                     "\" is not of the form connections/{connection_id}"));
  }
  return std::string(name.substr(kCollection.size()));
}

bool ServiceCore::KnowsEnvironment(int environment) const {
  return lever_settings_.base_urls.count(
             static_cast<v1::Environment>(environment)) > 0;
}

std::unique_ptr<lever::LeverClient> ServiceCore::LeverWithKey(
    int environment, std::string api_key) {
  lever::LeverClient::Options options;
  options.base_url =
      lever_settings_.base_urls.at(static_cast<v1::Environment>(environment));
  // One budget per key and Lever host; the table holds a digest of the
  // key, never the key.
  options.budget = budgets_->ForKey(
      crypto::Sha256Hex(absl::StrCat(options.base_url, "\n", api_key)));
  options.api_key = std::move(api_key);
  options.retry = lever_settings_.retry;
  return std::make_unique<lever::LeverClient>(*http_, clock_,
                                              &retry::SystemRandom, options);
}

absl::StatusOr<std::unique_ptr<lever::LeverClient>> ServiceCore::LeverFor(
    const storage::StoredConnection& connection) {
  if (!KnowsEnvironment(connection.environment)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "connection \"", connection.id, "\" uses environment ",
        connection.environment, ", which this server has no Lever URL for"));
  }
  absl::StatusOr<std::string> api_key = secret_box_.Open(
      connection.sealed_api_key, ConnectionName(connection.id));
  if (!api_key.ok()) return UndecryptableKey(connection, api_key.status());
  return LeverWithKey(connection.environment, std::move(*api_key));
}

absl::StatusOr<std::string> ServiceCore::SealApiKey(
    absl::string_view id, absl::string_view api_key) const {
  return secret_box_.Seal(std::string_view(api_key.data(), api_key.size()),
                          ConnectionName(id));
}

bool ServiceCore::HoldsApiKey(const storage::StoredConnection& connection,
                              absl::string_view api_key) const {
  absl::StatusOr<std::string> stored = secret_box_.Open(
      connection.sealed_api_key, ConnectionName(connection.id));
  return stored.ok() &&
         crypto::Sha256Hex(*stored) == crypto::Sha256Hex(std::string_view(
                                           api_key.data(), api_key.size()));
}

absl::Status RequestIdReusedError(absl::string_view request_id,
                                  absl::string_view resource,
                                  const std::vector<std::string>& fields) {
  return absl::InvalidArgumentError(
      absl::StrCat("request_id \"", Echo(request_id), "\" was first sent for ",
                   resource, " with another ", absl::StrJoin(fields, ", "),
                   "; use a new request_id for a different request"));
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

std::string ConnectionName(absl::string_view id) {
  return absl::StrCat(kCollection, id);
}

lever::CallContext CallContextFor(const grpc::ServerContextBase& context,
                                  std::function<bool()> cancelled) {
  lever::CallContext call;
  const auto deadline = context.deadline();
  if (deadline != std::chrono::system_clock::time_point::max()) {
    call.deadline = absl::FromChrono(deadline);
  }
  call.cancelled = std::move(cancelled);
  return call;
}

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
      absl::ToUnixMicros(time));
}

}  // namespace leverconnect::server

// What the services share: the connection store, the master keys, the HTTP
// client toward Lever and the Lever settings. Thread-safe; outlives every
// RPC.
#ifndef LEVERCONNECT_SERVER_SERVICE_CORE_H_
#define LEVERCONNECT_SERVER_SERVICE_CORE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "leverconnect/v1/connection.pb.h"
#include "lib/crypto/secret_box.h"
#include "lib/http/http_client.h"
#include "lib/lever/lever_client.h"
#include "lib/ratelimit/token_bucket.h"
#include "lib/retry/clock.h"
#include "lib/storage/connection_store.h"

namespace leverconnect::server {

struct LeverSettings {
  // Base URL of the Lever API per environment, without a trailing slash.
  std::map<v1::Environment, std::string> base_urls = {
      {v1::ENVIRONMENT_PRODUCTION, "https://api.lever.co/v1"},
      {v1::ENVIRONMENT_SANDBOX, "https://api.sandbox.lever.co/v1"}};
  retry::RetryPolicyOptions retry;
  // The request budget of each API key, shared by every use of the key.
  ratelimit::BucketOptions budget;
};

class ServiceCore {
 public:
  // `budgets` hands out each API key's request budget; when null, a
  // ratelimit::BucketRegistry keeps them in this process, with
  // `lever_settings.budget`.
  ServiceCore(std::unique_ptr<storage::ConnectionStore> store,
              crypto::SecretBox secret_box,
              std::unique_ptr<http::HttpClient> http, retry::Clock& clock,
              LeverSettings lever_settings,
              std::unique_ptr<ratelimit::BudgetSource> budgets = nullptr);

  storage::ConnectionStore& store() { return *store_; }
  retry::Clock& clock() { return clock_; }
  http::HttpClient& http() { return *http_; }

  // The id in "connections/{id}"; INVALID_ARGUMENT naming `field` when
  // `name` is not of that form.
  static absl::StatusOr<std::string> ParseConnectionName(
      absl::string_view name, absl::string_view field);

  // Whether the server knows a base URL for `environment`.
  bool KnowsEnvironment(int environment) const;

  // A Lever client using `api_key` in `environment`.
  std::unique_ptr<lever::LeverClient> LeverWithKey(int environment,
                                                   std::string api_key);

  // A Lever client using the stored, sealed key of `connection`.
  absl::StatusOr<std::unique_ptr<lever::LeverClient>> LeverFor(
      const storage::StoredConnection& connection);

  // Seals `api_key` bound to the resource name of connection `id`.
  absl::StatusOr<std::string> SealApiKey(absl::string_view id,
                                         absl::string_view api_key) const;

  // Whether the sealed key of `connection` is `api_key`; false when it
  // does not open. Compares digests, so the time taken tells nothing.
  bool HoldsApiKey(const storage::StoredConnection& connection,
                   absl::string_view api_key) const;

 private:
  std::unique_ptr<storage::ConnectionStore> store_;
  crypto::SecretBox secret_box_;
  std::unique_ptr<http::HttpClient> http_;
  retry::Clock& clock_;
  LeverSettings lever_settings_;
  std::unique_ptr<ratelimit::BudgetSource> budgets_;
};

// `time` as a protobuf Timestamp, to the microsecond.
google::protobuf::Timestamp ToTimestamp(absl::Time time);

// The same code and message as a gRPC status.
grpc::Status ToGrpcStatus(const absl::Status& status);

// INVALID_ARGUMENT for a request_id sent again with a request that differs
// from the first, which made `resource`, in `fields`.
absl::Status RequestIdReusedError(absl::string_view request_id,
                                  absl::string_view resource,
                                  const std::vector<std::string>& fields);

// `text` as it may appear inside a quoted error message: at most 100
// characters, with control and non-ASCII bytes escaped, so that a caller's
// input cannot forge lines or terminal sequences in what it is shown.
std::string Echo(absl::string_view text);

// Whether `id` is a valid connection id: 1 to 63 lowercase letters, digits
// or '-', starting with a letter.
bool IsConnectionId(absl::string_view id);

// "connections/" + id.
std::string ConnectionName(absl::string_view id);

// The call's deadline and cancellation, for the Lever requests it makes.
lever::CallContext CallContextFor(const grpc::ServerContextBase& context,
                                  std::function<bool()> cancelled);

}  // namespace leverconnect::server

#endif  // LEVERCONNECT_SERVER_SERVICE_CORE_H_

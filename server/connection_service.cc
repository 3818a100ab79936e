#include "server/connection_service.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/time_util.h"
#include "lib/auth/authorizer.h"
#include "lib/crypto/random_id.h"
#include "lib/log/log.h"
#include "server/rpc_log.h"

namespace leverconnect::server {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
constexpr std::size_t kMaxApplications = 100;
constexpr std::size_t kMaxDisplayName = 200;
constexpr std::size_t kMaxApiKey = 1024;
constexpr std::size_t kMaxRequestId = 128;
constexpr std::size_t kHintLength = 4;
// Keys shorter than this get no hint, so that the hint never reveals most
// of a key.
constexpr std::size_t kMinKeyLengthForHint = 12;

absl::Status ValidateApplications(
    const google::protobuf::RepeatedPtrField<std::string>& applications,
    absl::string_view field) {
  if (applications.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must name at least one application"));
  }
  if (applications.size() > static_cast<int>(kMaxApplications)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " may name at most ", kMaxApplications, " applications"));
  }
  std::set<std::string> seen;
  for (const std::string& application : applications) {
    if (!auth::IsApplicationId(application)) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, " has \"", Echo(application),
          "\", which is not an application id ([a-z0-9][a-z0-9._-]{0,62})"));
    }
    if (!seen.insert(application).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " names \"", application, "\" twice"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateApiKey(absl::string_view key, absl::string_view field) {
  if (key.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  if (key.size() > kMaxApiKey) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " is longer than ", kMaxApiKey, " characters"));
  }
  for (char c : key) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " contains whitespace or control characters"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateEnvironment(const ServiceCore& core, int environment,
                                 absl::string_view field) {
  if (environment == v1::ENVIRONMENT_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " is required (ENVIRONMENT_PRODUCTION or ENVIRONMENT_SANDBOX)"));
  }
  if (!v1::Environment_IsValid(environment) ||
      !core.KnowsEnvironment(environment)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " ", environment, " is not a known environment"));
  }
  return absl::OkStatus();
}

absl::Status ValidateDisplayName(absl::string_view name) {
  if (name.size() > kMaxDisplayName) {
    return absl::InvalidArgumentError(
        absl::StrCat("connection.display_name is longer than ", kMaxDisplayName,
                     " characters"));
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          "connection.display_name contains control characters");
    }
  }
  if (!name.empty() && absl::StripAsciiWhitespace(name).empty()) {
    return absl::InvalidArgumentError(
        "connection.display_name is blank; leave it empty to use the "
        "connection id");
  }
  return absl::OkStatus();
}

std::string ApiKeyHint(absl::string_view key) {
  if (key.size() < kMinKeyLengthForHint) return "";
  return std::string(key.substr(key.size() - kHintLength));
}

void ToProto(const storage::StoredConnection& stored, v1::Connection* out) {
  out->set_name(ConnectionName(stored.id));
  out->set_display_name(stored.display_name);
  out->set_environment(static_cast<v1::Environment>(stored.environment));
  for (const std::string& application : stored.allowed_applications) {
    out->add_allowed_applications(application);
  }
  out->set_state(v1::Connection::STATE_ACTIVE);
  out->set_api_key_hint(stored.api_key_hint);
  *out->mutable_create_time() = ToTimestamp(stored.create_time);
  *out->mutable_update_time() = ToTimestamp(stored.update_time);
  out->set_etag(stored.etag);
  out->set_write_back_enabled(stored.write_back_enabled);
}

// What `viewer` is shown of `stored`: all of it to an admin; to a member,
// of the allowed applications only those it acts for, so that members
// sharing a connection do not learn about each other.
void ToProto(const storage::StoredConnection& stored,
             const auth::Principal& viewer, v1::Connection* out) {
  ToProto(stored, out);
  if (viewer.role == auth::Role::kAdmin) return;
  out->clear_allowed_applications();
  for (const std::string& application : stored.allowed_applications) {
    if (auth::ActsFor(viewer, application)) {
      out->add_allowed_applications(application);
    }
  }
}

// The settings, by field name, in which `created` differs from `asked`.
std::vector<std::string> DifferingSettings(
    const storage::StoredConnection& created,
    const storage::StoredConnection& asked) {
  std::vector<std::string> fields;
  if (created.display_name != asked.display_name) {
    fields.push_back("display_name");
  }
  if (created.environment != asked.environment) fields.push_back("environment");
  if (created.allowed_applications != asked.allowed_applications) {
    fields.push_back("allowed_applications");
  }
  if (created.write_back_enabled != asked.write_back_enabled) {
    fields.push_back("write_back_enabled");
  }
  return fields;
}

absl::Status CheckEtag(const storage::StoredConnection& stored,
                       absl::string_view etag) {
  if (etag.empty() || etag == stored.etag) return absl::OkStatus();
  return absl::AbortedError(
      absl::StrCat("connection \"", stored.id, "\" has changed since etag \"",
                   Echo(etag), "\" was read; read it again"));
}

// Asks Lever, through `lever`, whether its key may do what imports need:
// list requisitions and list requisition fields. FAILED_PRECONDITION names
// a rejected key or a missing permission; UNAVAILABLE means Lever could
// not be asked.
absl::Status CheckKey(lever::LeverClient& lever,
                      const grpc::ServerContext& context) {
  const lever::CallContext call =
      CallContextFor(context, [&context] { return context.IsCancelled(); });
  lever::RequisitionQuery query;
  query.limit = 1;
  absl::Status status = lever.ListRequisitions(query, call).status();
  if (status.ok()) status = lever.ListRequisitionFields(call).status();
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat("checking the API key with Lever failed: ",
                                   status.message()));
}

// Copies the fields named by `mask` from `input` into `stored`, checking
// each; INVALID_ARGUMENT naming the first bad path or value.
absl::Status ApplyUpdateMask(const ServiceCore& core,
                             const v1::Connection& input,
                             const google::protobuf::FieldMask& mask,
                             storage::StoredConnection* stored) {
  if (mask.paths().empty()) {
    return absl::InvalidArgumentError(
        "update_mask must name at least one field");
  }
  for (const std::string& path : mask.paths()) {
    const bool all = path == "*";
    if (!all && path != "display_name" && path != "environment" &&
        path != "allowed_applications" && path != "write_back_enabled") {
      return absl::InvalidArgumentError(
          absl::StrCat("update_mask path \"", Echo(path),
                       "\" cannot be updated; use display_name, environment, "
                       "allowed_applications, write_back_enabled or *"));
    }
    if (all || path == "write_back_enabled") {
      stored->write_back_enabled = input.write_back_enabled();
    }
    if (all || path == "display_name") {
      absl::Status valid = ValidateDisplayName(input.display_name());
      if (!valid.ok()) return valid;
      stored->display_name =
          input.display_name().empty() ? stored->id : input.display_name();
    }
    if (all || path == "environment") {
      absl::Status valid = ValidateEnvironment(core, input.environment(),
                                               "connection.environment");
      if (!valid.ok()) return valid;
      stored->environment = input.environment();
    }
    if (all || path == "allowed_applications") {
      absl::Status valid = ValidateApplications(
          input.allowed_applications(), "connection.allowed_applications");
      if (!valid.ok()) return valid;
      stored->allowed_applications.assign(input.allowed_applications().begin(),
                                          input.allowed_applications().end());
    }
  }
  return absl::OkStatus();
}

// The Lever endpoint TestConnection asks about `permission`.
absl::string_view ProbedEndpoint(absl::string_view permission) {
  if (permission == lever::kWriteRequisitions) {
    return "PUT /requisitions/{id}";
  }
  if (permission == lever::kListRequisitionFields) {
    return "GET /requisition_fields";
  }
  return "GET /requisitions";
}

// `probe` of `permission` as a check of TestConnection.
void AddCheck(absl::string_view permission, const lever::ProbeResult& probe,
              v1::PermissionCheck* check) {
  check->set_permission(std::string(permission));
  check->set_endpoint(std::string(ProbedEndpoint(permission)));
  check->set_http_status(probe.http_status);
  check->set_detail(std::string(probe.status.message()));
  *check->mutable_latency() =
      TimeUtil::NanosecondsToDuration(absl::ToInt64Nanoseconds(probe.latency));
  if (probe.status.ok()) {
    check->set_result(v1::PermissionCheck::RESULT_GRANTED);
  } else if (probe.http_status == 401 || probe.http_status == 403) {
    check->set_result(v1::PermissionCheck::RESULT_DENIED);
  } else {
    check->set_result(v1::PermissionCheck::RESULT_UNREACHABLE);
  }
}

struct ListToken {
  std::string application;
  std::string after_id;
};

std::string EncodeListToken(const ListToken& token) {
  return absl::WebSafeBase64Escape(
      absl::StrCat("v1\n", token.application, "\n", token.after_id));
}

absl::StatusOr<ListToken> DecodeListToken(absl::string_view text,
                                          absl::string_view application) {
  std::string decoded;
  std::vector<std::string> parts;
  if (absl::WebSafeBase64Unescape(text, &decoded)) {
    parts = absl::StrSplit(decoded, '\n');
  }
  if (parts.size() != 3 || parts[0] != "v1") {
    return absl::InvalidArgumentError("page_token is not a valid page token");
  }
  if (parts[1] != application) {
    return absl::InvalidArgumentError(
        "page_token belongs to a listing with another application filter");
  }
  return ListToken{parts[1], parts[2]};
}

// Adds to `response` up to `page_size` connections after `token.after_id`
// (allowing `token.application` when set) that `principal` may see, and
// the token of the next page when more of them follow.
absl::Status ListVisible(storage::ConnectionStore& store,
                         const auth::Principal& principal, int page_size,
                         ListToken token,
                         v1::ListConnectionsResponse* response) {
  std::string after_id = token.after_id;
  while (true) {
    // One more than the page, to learn whether a next page exists.
    absl::StatusOr<storage::ConnectionPage> page =
        store.List(page_size + 1, after_id, token.application);
    if (!page.ok()) return page.status();
    for (const storage::StoredConnection& stored : page->connections) {
      if (!auth::MaySee(principal, stored.allowed_applications)) continue;
      if (response->connections_size() == page_size) {
        response->set_next_page_token(EncodeListToken(token));
        return absl::OkStatus();
      }
      ToProto(stored, principal, response->add_connections());
      token.after_id = stored.id;
    }
    if (!page->has_more || page->connections.empty()) return absl::OkStatus();
    after_id = page->connections.back().id;
  }
}

}  // namespace

grpc::Status ConnectionService::CreateConnection(
    grpc::ServerContext* context, const v1::CreateConnectionRequest* request,
    v1::Connection* response) {
  const absl::StatusOr<auth::Principal> principal =
      authenticator_.Authenticate(*context);
  RpcLog rpc("CreateConnection", LoggedCaller(principal));
  absl::Status admitted = AdmitCall(principal, auth::Method::kCreateConnection);
  if (!admitted.ok()) return rpc.Finish(admitted);

  const v1::Connection& input = request->connection();
  const std::string& id = request->connection_id();
  if (id.empty()) {
    return rpc.Finish(absl::InvalidArgumentError("connection_id is required"));
  }
  if (!IsConnectionId(id)) {
    return rpc.Finish(absl::InvalidArgumentError(absl::StrCat(
        "connection_id \"", Echo(id),
        "\" must be 1 to 63 lowercase letters, digits or '-', starting with "
        "a letter and not ending with '-'")));
  }
  rpc.set_connection(ConnectionName(id));

  absl::Status valid = ValidateApiKey(input.api_key(), "connection.api_key");
  if (valid.ok()) {
    valid = ValidateEnvironment(core_, input.environment(),
                                "connection.environment");
  }
  if (valid.ok()) {
    valid = ValidateApplications(input.allowed_applications(),
                                 "connection.allowed_applications");
  }
  if (valid.ok()) valid = ValidateDisplayName(input.display_name());
  if (valid.ok() && request->request_id().size() > kMaxRequestId) {
    valid = absl::InvalidArgumentError(absl::StrCat(
        "request_id is longer than ", kMaxRequestId, " characters"));
  }
  if (!valid.ok()) return rpc.Finish(valid);

  storage::StoredConnection stored;
  stored.id = id;
  stored.display_name =
      input.display_name().empty() ? id : input.display_name();
  stored.environment = input.environment();
  stored.allowed_applications.assign(input.allowed_applications().begin(),
                                     input.allowed_applications().end());
  stored.write_back_enabled = input.write_back_enabled();

  // A repeat is answered from the store, even while Lever is unreachable.
  if (!request->request_id().empty()) {
    absl::StatusOr<std::optional<std::string>> earlier =
        core_.store().FindRequest(request->request_id());
    if (!earlier.ok()) return rpc.Finish(earlier.status());
    if (earlier->has_value()) {
      absl::StatusOr<storage::StoredConnection> first =
          RepeatedCreate(*request, stored, **earlier);
      if (!first.ok()) return rpc.Finish(first.status());
      ToProto(*first, response);
      return rpc.Finish(absl::OkStatus());
    }
  }

  if (!request->skip_key_check()) {
    absl::Status checked = CheckKey(
        *core_.LeverWithKey(input.environment(), input.api_key()), *context);
    if (!checked.ok()) return rpc.Finish(checked);
  }
  absl::StatusOr<std::string> sealed = core_.SealApiKey(id, input.api_key());
  if (!sealed.ok()) return rpc.Finish(sealed.status());
  stored.sealed_api_key = std::move(*sealed);
  stored.api_key_hint = ApiKeyHint(input.api_key());
  stored.create_time = stored.update_time = core_.clock().Now();
  stored.etag = crypto::RandomHexId();
  absl::StatusOr<storage::CreateResult> created =
      core_.store().Create(stored, request->request_id());
  if (!created.ok()) return rpc.Finish(created.status());
  if (!created->created) {
    // Another create with the same request_id got there first.
    absl::StatusOr<storage::StoredConnection> first =
        RepeatedCreate(*request, stored, created->connection_id);
    if (!first.ok()) return rpc.Finish(first.status());
    stored = *std::move(first);
  }
  ToProto(stored, response);
  return rpc.Finish(absl::OkStatus());
}

absl::StatusOr<storage::StoredConnection> ConnectionService::RepeatedCreate(
    const v1::CreateConnectionRequest& request,
    const storage::StoredConnection& asked, const std::string& first_id) {
  const std::string& request_id = request.request_id();
  if (first_id != asked.id) {
    return absl::InvalidArgumentError(
        absl::StrCat("request_id \"", Echo(request_id), "\" already created ",
                     ConnectionName(first_id),
                     "; use a new request_id for another connection"));
  }
  absl::StatusOr<storage::StoredConnection> first = core_.store().Get(first_id);
  if (absl::IsNotFound(first.status())) {
    return absl::FailedPreconditionError(
        absl::StrCat("request_id \"", Echo(request_id), "\" created ",
                     ConnectionName(first_id),
                     ", which has since been deleted; use a new request_id"));
  }
  if (!first.ok()) return first.status();
  std::vector<std::string> differing = DifferingSettings(*first, asked);
  if (!core_.HoldsApiKey(*first, request.connection().api_key())) {
    differing.push_back("api_key");
  }
  // Once updated, the connection says nothing about the first request.
  if (first->update_time == first->create_time && !differing.empty()) {
    return RequestIdReusedError(request_id, ConnectionName(first->id),
                                differing);
  }
  return first;
}

absl::StatusOr<storage::StoredConnection>
ConnectionService::BeginConnectionCall(grpc::ServerContext& context,
                                       auth::Method method,
                                       absl::string_view name,
                                       absl::string_view field, RpcLog& rpc,
                                       auth::Principal* caller) {
  const absl::StatusOr<auth::Principal> principal =
      authenticator_.Authenticate(context);
  rpc.set_caller(LoggedCaller(principal));
  rpc.set_connection(name);
  absl::Status admitted = AdmitCall(principal, method);
  if (!admitted.ok()) return admitted;
  if (caller != nullptr) *caller = *principal;
  return LoadAuthorizedConnection(core_, *principal, method, name, field);
}

grpc::Status ConnectionService::GetConnection(
    grpc::ServerContext* context, const v1::GetConnectionRequest* request,
    v1::Connection* response) {
  RpcLog rpc("GetConnection");
  auth::Principal caller;
  absl::StatusOr<storage::StoredConnection> stored =
      BeginConnectionCall(*context, auth::Method::kGetConnection,
                          request->name(), "name", rpc, &caller);
  if (!stored.ok()) return rpc.Finish(stored.status());
  ToProto(*stored, caller, response);
  return rpc.Finish(absl::OkStatus());
}

grpc::Status ConnectionService::ListConnections(
    grpc::ServerContext* context, const v1::ListConnectionsRequest* request,
    v1::ListConnectionsResponse* response) {
  const absl::StatusOr<auth::Principal> principal =
      authenticator_.Authenticate(*context);
  RpcLog rpc("ListConnections", LoggedCaller(principal));
  absl::Status admitted = AdmitCall(principal, auth::Method::kListConnections);
  if (!admitted.ok()) return rpc.Finish(admitted);

  if (request->page_size() < 0) {
    return rpc.Finish(absl::InvalidArgumentError(absl::StrCat(
        "page_size must not be negative, not ", request->page_size())));
  }
  if (!request->application().empty() &&
      !auth::IsApplicationId(request->application())) {
    return rpc.Finish(absl::InvalidArgumentError(
        "application is not an application id ([a-z0-9][a-z0-9._-]{0,62})"));
  }
  absl::Status filter =
      auth::AuthorizeApplicationFilter(*principal, request->application());
  if (!filter.ok()) return rpc.Finish(filter);
  const int page_size = request->page_size() == 0
                            ? kDefaultPageSize
                            : std::min(request->page_size(), kMaxPageSize);
  ListToken token{request->application(), ""};
  if (!request->page_token().empty()) {
    absl::StatusOr<ListToken> decoded =
        DecodeListToken(request->page_token(), request->application());
    if (!decoded.ok()) return rpc.Finish(decoded.status());
    token = std::move(*decoded);
  }

  absl::Status listed =
      ListVisible(core_.store(), *principal, page_size, token, response);
  if (!listed.ok()) return rpc.Finish(listed);
  rpc.set_rows(response->connections_size());
  return rpc.Finish(absl::OkStatus());
}

grpc::Status ConnectionService::UpdateConnection(
    grpc::ServerContext* context, const v1::UpdateConnectionRequest* request,
    v1::Connection* response) {
  RpcLog rpc("UpdateConnection");
  const v1::Connection& input = request->connection();
  absl::StatusOr<storage::StoredConnection> stored =
      BeginConnectionCall(*context, auth::Method::kUpdateConnection,
                          input.name(), "connection.name", rpc);
  if (!stored.ok()) return rpc.Finish(stored.status());

  const int old_environment = stored->environment;
  absl::Status applied =
      ApplyUpdateMask(core_, input, request->update_mask(), &*stored);
  if (!applied.ok()) return rpc.Finish(applied);
  if (stored->environment != old_environment) {
    // A key works in one Lever environment only: check it in the new one.
    absl::StatusOr<std::unique_ptr<lever::LeverClient>> lever =
        core_.LeverFor(*stored);
    absl::Status checked =
        lever.ok() ? CheckKey(**lever, *context) : lever.status();
    if (!checked.ok()) return rpc.Finish(checked);
  }

  absl::Status fresh = CheckEtag(*stored, request->etag());
  if (!fresh.ok()) return rpc.Finish(fresh);
  const std::string read_etag = stored->etag;
  stored->etag = crypto::RandomHexId();
  stored->update_time = core_.clock().Now();
  absl::Status updated = core_.store().Update(*stored, read_etag);
  if (!updated.ok()) return rpc.Finish(updated);
  ToProto(*stored, response);
  return rpc.Finish(absl::OkStatus());
}

grpc::Status ConnectionService::DeleteConnection(
    grpc::ServerContext* context, const v1::DeleteConnectionRequest* request,
    google::protobuf::Empty* response) {
  RpcLog rpc("DeleteConnection");
  absl::StatusOr<storage::StoredConnection> stored = BeginConnectionCall(
      *context, auth::Method::kDeleteConnection, request->name(), "name", rpc);
  if (!stored.ok()) return rpc.Finish(stored.status());
  absl::Status fresh = CheckEtag(*stored, request->etag());
  if (!fresh.ok()) return rpc.Finish(fresh);
  absl::Status idle = runs_.CheckNoneUnfinished(stored->id);
  if (!idle.ok()) return rpc.Finish(idle);
  absl::Status deleted = core_.store().Delete(stored->id, stored->etag);
  if (!deleted.ok()) return rpc.Finish(deleted);
  // The connection is gone whatever happens here; runs left behind would
  // reappear under a connection created later with the same id.
  absl::Status forgotten = runs_.ForgetConnection(stored->id);
  if (!forgotten.ok()) {
    log::Log(log::Severity::kWarning, "runs of a deleted connection kept",
             {{"connection", ConnectionName(stored->id)},
              {"detail", forgotten.message()}});
  }
  return rpc.Finish(absl::OkStatus());
}

grpc::Status ConnectionService::TestConnection(
    grpc::ServerContext* context, const v1::TestConnectionRequest* request,
    v1::TestConnectionResponse* response) {
  RpcLog rpc("TestConnection");
  absl::StatusOr<storage::StoredConnection> stored = BeginConnectionCall(
      *context, auth::Method::kTestConnection, request->name(), "name", rpc);
  if (!stored.ok()) return rpc.Finish(stored.status());
  absl::StatusOr<std::unique_ptr<lever::LeverClient>> lever =
      core_.LeverFor(*stored);
  if (!lever.ok()) return rpc.Finish(lever.status());

  const lever::CallContext call =
      CallContextFor(*context, [context] { return context->IsCancelled(); });
  bool key_accepted = true;
  bool ready = true;
  for (absl::string_view permission :
       {lever::kListRequisitions, lever::kListRequisitionFields,
        lever::kWriteRequisitions}) {
    const lever::ProbeResult probe = (*lever)->Probe(permission, call);
    AddCheck(permission, probe, response->add_checks());
    if (probe.http_status == 401) key_accepted = false;
    if (permission == lever::kWriteRequisitions) {
      response->set_may_write(probe.status.ok());
    } else if (!probe.status.ok()) {
      ready = false;
    }
  }
  response->set_api_key_accepted(key_accepted);
  response->set_ready(ready);
  return rpc.Finish(absl::OkStatus());
}

grpc::Status ConnectionService::RotateApiKey(
    grpc::ServerContext* context, const v1::RotateApiKeyRequest* request,
    v1::Connection* response) {
  RpcLog rpc("RotateApiKey");
  absl::StatusOr<storage::StoredConnection> stored = BeginConnectionCall(
      *context, auth::Method::kRotateApiKey, request->name(), "name", rpc);
  if (!stored.ok()) return rpc.Finish(stored.status());
  absl::Status valid = ValidateApiKey(request->api_key(), "api_key");
  if (valid.ok()) valid = CheckEtag(*stored, request->etag());
  if (!valid.ok()) return rpc.Finish(valid);

  absl::Status checked = CheckKey(
      *core_.LeverWithKey(stored->environment, request->api_key()), *context);
  if (!checked.ok()) return rpc.Finish(checked);
  absl::StatusOr<std::string> sealed =
      core_.SealApiKey(stored->id, request->api_key());
  if (!sealed.ok()) return rpc.Finish(sealed.status());

  const std::string read_etag = stored->etag;
  stored->sealed_api_key = std::move(*sealed);
  stored->api_key_hint = ApiKeyHint(request->api_key());
  stored->etag = crypto::RandomHexId();
  stored->update_time = core_.clock().Now();
  absl::Status updated = core_.store().Update(*stored, read_etag);
  if (!updated.ok()) return rpc.Finish(updated);
  ToProto(*stored, response);
  return rpc.Finish(absl::OkStatus());
}

}  // namespace leverconnect::server

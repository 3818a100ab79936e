#include "server/import_run_service.h"

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "lib/auth/authorizer.h"
#include "lib/auth/principal.h"

namespace leverconnect::server {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 100;

// Page tokens carry the listing's filter, so that a token is only used
// with the filter it was made for.
std::string EncodePageToken(const v1::ListImportsRequest& request,
                            std::int64_t before_sequence) {
  return absl::WebSafeBase64Escape(absl::StrCat("v1\n", request.state(), "\n",
                                                request.application(), "\n",
                                                before_sequence));
}

absl::StatusOr<std::int64_t> DecodePageToken(
    const v1::ListImportsRequest& request) {
  std::string decoded;
  std::vector<std::string> parts;
  if (absl::WebSafeBase64Unescape(request.page_token(), &decoded)) {
    parts = absl::StrSplit(decoded, '\n');
  }
  std::int64_t before = 0;
  if (parts.size() != 4 || parts[0] != "v1" ||
      !absl::SimpleAtoi(parts[3], &before) || before <= 0) {
    return absl::InvalidArgumentError("page_token is not a valid page token");
  }
  if (parts[1] != absl::StrCat(request.state()) ||
      parts[2] != request.application()) {
    return absl::InvalidArgumentError(
        "page_token belongs to a listing with other filters");
  }
  return before;
}

// One WatchImport call. Owns itself: deleted in OnDone.
class RunWatch : public grpc::ServerWriteReactor<v1::ImportRun> {
 public:
  RunWatch(ImportRunService& service, grpc::CallbackServerContext* context,
           const v1::WatchImportRequest& request)
      : runner_(service.runner()), rpc_("WatchImport") {
    absl::StatusOr<ImportRunService::RunCall> call = service.BeginRunCall(
        *context, auth::Method::kWatchImport, request.name(), "name", rpc_);
    if (!call.ok()) {
      Stop(call.status());
      return;
    }
    // BeginRunCall settled who may see the run before anything is sent.
    auto watched =
        runner_.Watch(call->connection_id, call->run_id,
                      [this](const v1::ImportRun& run) { Offer(run); });
    if (!watched.ok()) {
      Stop(watched.status());
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      handle_ = watched->first;
    }
    Offer(watched->second);
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) cancelled_ = true;
    if (IsFinished(in_flight_.state())) final_written_ = true;
    Advance(lock);
  }

  void OnCancel() override {
    std::unique_lock<std::mutex> lock(mu_);
    cancelled_ = true;
    Advance(lock);
  }

  void OnDone() override {
    std::uint64_t handle;
    {
      std::lock_guard<std::mutex> lock(mu_);
      handle = handle_;
    }
    runner_.Unwatch(handle);
    delete this;
  }

 private:
  // Ends the call with `status` before anything was sent.
  void Stop(const absl::Status& status) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      finished_ = true;
    }
    Finish(rpc_.Finish(status));
  }

  // Makes `run` the next message to send; it replaces one not yet sent.
  void Offer(const v1::ImportRun& run) {
    std::unique_lock<std::mutex> lock(mu_);
    if (finished_ || final_written_) return;
    pending_ = run;
    has_pending_ = true;
    Advance(lock);
  }

  // Starts the next write, or finishes the call once the final state is
  // written or the call is cancelled. Called with `lock` held; releases it
  // before calling gRPC.
  void Advance(std::unique_lock<std::mutex>& lock) {
    if (writing_ || finished_) return;
    if (cancelled_ || final_written_) {
      finished_ = true;
      const grpc::Status status =
          rpc_.Finish(cancelled_ && !final_written_
                          ? absl::CancelledError("the watch was cancelled")
                          : absl::OkStatus());
      lock.unlock();
      Finish(status);
      return;
    }
    if (!has_pending_) return;
    in_flight_ = std::move(pending_);
    has_pending_ = false;
    writing_ = true;
    lock.unlock();
    StartWrite(&in_flight_);
  }

  ImportRunner& runner_;
  RpcLog rpc_;

  std::mutex mu_;
  std::uint64_t handle_ = 0;
  v1::ImportRun pending_;
  v1::ImportRun in_flight_;
  bool has_pending_ = false;
  bool writing_ = false;
  bool cancelled_ = false;
  bool final_written_ = false;
  bool finished_ = false;
};

}  // namespace

absl::Status AuthorizeRun(const auth::Principal& principal,
                          const v1::ImportRun& run) {
  if (auth::ActsFor(principal, run.application())) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "principal \"", principal.id, "\" does not act for application \"",
      run.application(), "\" of import ", run.name()));
}

absl::StatusOr<ImportRunService::RunCall> ImportRunService::BeginRunCall(
    const grpc::ServerContextBase& context, auth::Method method,
    absl::string_view name, absl::string_view field, RpcLog& rpc) {
  const absl::StatusOr<auth::Principal> principal =
      authenticator_.Authenticate(context);
  rpc.set_caller(LoggedCaller(principal));
  absl::Status admitted = AdmitCall(principal, method);
  if (!admitted.ok()) return admitted;
  absl::StatusOr<std::pair<std::string, std::string>> ids =
      ParseImportRunName(name, field);
  if (!ids.ok()) return ids.status();
  rpc.set_connection(name);
  absl::StatusOr<storage::StoredConnection> connection =
      LoadAuthorizedConnection(core_, *principal, method,
                               absl::StrCat("connections/", ids->first), field);
  if (!connection.ok()) return connection.status();
  absl::StatusOr<v1::ImportRun> run = runner_.Get(ids->first, ids->second);
  if (!run.ok()) return run.status();
  absl::Status allowed = AuthorizeRun(*principal, *run);
  if (!allowed.ok()) return allowed;
  return RunCall{*principal, ids->first, ids->second, *std::move(run)};
}

absl::StatusOr<ImportRunService::ParentCall> ImportRunService::BeginParentCall(
    const grpc::ServerContextBase& context, auth::Method method,
    absl::string_view parent, RpcLog& rpc) {
  const absl::StatusOr<auth::Principal> principal =
      authenticator_.Authenticate(context);
  rpc.set_caller(LoggedCaller(principal));
  rpc.set_connection(parent);
  absl::Status admitted = AdmitCall(principal, method);
  if (!admitted.ok()) return admitted;
  absl::StatusOr<std::string> id =
      ServiceCore::ParseConnectionName(parent, "parent");
  if (!id.ok()) return id.status();
  return ParentCall{*principal, *id};
}

grpc::Status ImportRunService::StartImport(
    grpc::ServerContext* context, const v1::StartImportRequest* request,
    v1::ImportRun* response) {
  RpcLog rpc("StartImport");
  absl::StatusOr<ParentCall> call = BeginParentCall(
      *context, auth::Method::kStartImport, request->parent(), rpc);
  if (!call.ok()) return rpc.Finish(call.status());
  const auth::Principal* principal = &call->principal;
  const std::string* id = &call->connection_id;
  if (request->application().empty()) {
    return rpc.Finish(absl::InvalidArgumentError("application is required"));
  }
  if (!auth::IsApplicationId(request->application())) {
    return rpc.Finish(absl::InvalidArgumentError(
        "application is not an application id ([a-z0-9][a-z0-9._-]{0,62})"));
  }
  absl::Status valid = ValidateStartImport(*request);
  if (!valid.ok()) return rpc.Finish(valid);
  absl::StatusOr<storage::StoredConnection> connection =
      LoadAuthorizedConnection(core_, *principal, auth::Method::kStartImport,
                               request->parent(), "parent",
                               request->application());
  if (!connection.ok()) return rpc.Finish(connection.status());
  if (!runner_.accepts_runs()) {
    return rpc.Finish(absl::FailedPreconditionError(
        "the server has no Pigment import API key; start it with "
        "--pigment-key-file or LEVERCONNECT_PIGMENT_KEY"));
  }
  absl::StatusOr<v1::ImportRun> run =
      runner_.Submit(*id, *request, principal->id);
  if (!run.ok()) return rpc.Finish(run.status());
  rpc.set_connection(run->name());  // the audit line names the run
  *response = std::move(*run);
  return rpc.Finish(absl::OkStatus());
}

grpc::Status ImportRunService::GetImport(grpc::ServerContext* context,
                                         const v1::GetImportRequest* request,
                                         v1::ImportRun* response) {
  RpcLog rpc("GetImport");
  absl::StatusOr<RunCall> call = BeginRunCall(
      *context, auth::Method::kGetImport, request->name(), "name", rpc);
  if (!call.ok()) return rpc.Finish(call.status());
  *response = std::move(call->run);
  return rpc.Finish(absl::OkStatus());
}

grpc::Status ImportRunService::ListImports(
    grpc::ServerContext* context, const v1::ListImportsRequest* request,
    v1::ListImportsResponse* response) {
  RpcLog rpc("ListImports");
  absl::StatusOr<ParentCall> call = BeginParentCall(
      *context, auth::Method::kListImports, request->parent(), rpc);
  if (!call.ok()) return rpc.Finish(call.status());
  const auth::Principal* principal = &call->principal;
  const std::string* id = &call->connection_id;
  if (request->page_size() < 0) {
    return rpc.Finish(absl::InvalidArgumentError(absl::StrCat(
        "page_size must not be negative, not ", request->page_size())));
  }
  if (!v1::ImportRunState_IsValid(request->state())) {
    return rpc.Finish(absl::InvalidArgumentError(
        absl::StrCat("state ", request->state(), " is not a run state")));
  }
  if (!request->application().empty() &&
      !auth::IsApplicationId(request->application())) {
    return rpc.Finish(absl::InvalidArgumentError(
        "application is not an application id ([a-z0-9][a-z0-9._-]{0,62})"));
  }
  std::int64_t before = 0;
  if (!request->page_token().empty()) {
    absl::StatusOr<std::int64_t> decoded = DecodePageToken(*request);
    if (!decoded.ok()) return rpc.Finish(decoded.status());
    before = *decoded;
  }
  absl::Status filter_allowed =
      auth::AuthorizeApplicationFilter(*principal, request->application());
  if (!filter_allowed.ok()) return rpc.Finish(filter_allowed);
  absl::StatusOr<storage::StoredConnection> connection =
      LoadAuthorizedConnection(core_, *principal, auth::Method::kListImports,
                               request->parent(), "parent");
  if (!connection.ok()) return rpc.Finish(connection.status());

  storage::ImportRunFilter filter;
  filter.state = request->state();
  filter.application = request->application();
  if (principal->role == auth::Role::kMember) {
    filter.applications = principal->applications;
  }
  const int page_size = request->page_size() == 0
                            ? kDefaultPageSize
                            : std::min(request->page_size(), kMaxPageSize);
  absl::StatusOr<ImportRunList> list =
      runner_.List(*id, filter, page_size, before);
  if (!list.ok()) return rpc.Finish(list.status());
  for (v1::ImportRun& run : list->runs) {
    *response->add_imports() = std::move(run);
  }
  if (list->next_before_sequence != 0) {
    response->set_next_page_token(
        EncodePageToken(*request, list->next_before_sequence));
  }
  rpc.set_rows(response->imports_size());
  return rpc.Finish(absl::OkStatus());
}

grpc::Status ImportRunService::CancelImport(
    grpc::ServerContext* context, const v1::CancelImportRequest* request,
    v1::ImportRun* response) {
  RpcLog rpc("CancelImport");
  absl::StatusOr<RunCall> call = BeginRunCall(
      *context, auth::Method::kCancelImport, request->name(), "name", rpc);
  if (!call.ok()) return rpc.Finish(call.status());
  absl::StatusOr<v1::ImportRun> run =
      runner_.Cancel(call->connection_id, call->run_id);
  if (!run.ok()) return rpc.Finish(run.status());
  *response = std::move(*run);
  return rpc.Finish(absl::OkStatus());
}

grpc::ServerWriteReactor<v1::ImportRun>* ImportRunService::WatchImport(
    grpc::CallbackServerContext* context,
    const v1::WatchImportRequest* request) {
  return new RunWatch(*this, context, *request);
}

}  // namespace leverconnect::server

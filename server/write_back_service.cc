#include "server/write_back_service.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace leverconnect::server {
namespace {

using Outcome = v1::RequisitionWriteResult;

// "created 2, updated 1, unchanged 0, conflict 1, ..." for the audit line.
std::string Tally(const v1::ApplyRequisitionChangesResponse& response) {
  int counts[Outcome::Outcome_ARRAYSIZE] = {};
  for (const Outcome& result : response.results()) ++counts[result.outcome()];
  std::string tally;
  for (int outcome = 1; outcome < Outcome::Outcome_ARRAYSIZE; ++outcome) {
    std::string name = Outcome::Outcome_Name(outcome).substr(8);  // OUTCOME_
    for (char& c : name) c = c == '_' ? ' ' : absl::ascii_tolower(c);
    absl::StrAppend(&tally, tally.empty() ? "" : ", ", name, " ",
                    counts[outcome]);
  }
  return tally;
}

}  // namespace

absl::StatusOr<WriteBackService::WriteCall> WriteBackService::BeginCall(
    grpc::ServerContext& context, auth::Method method,
    absl::string_view connection, absl::string_view application, int rows,
    RpcLog& rpc) {
  const absl::StatusOr<auth::Principal> principal =
      authenticator_.Authenticate(context);
  rpc.set_caller(LoggedCaller(principal));
  rpc.set_connection(connection);
  absl::Status admitted = AdmitCall(principal, method);
  if (!admitted.ok()) return admitted;

  absl::StatusOr<std::string> id =
      ServiceCore::ParseConnectionName(connection, "connection");
  if (!id.ok()) return id.status();
  if (application.empty()) {
    return absl::InvalidArgumentError("application is required");
  }
  if (rows == 0) {
    return absl::InvalidArgumentError("rows must hold at least one row");
  }
  if (rows > writeback::kMaxRows) {
    return absl::InvalidArgumentError(
        absl::StrCat("rows holds ", rows, " rows; at most ",
                     writeback::kMaxRows, " fit in one call"));
  }

  absl::StatusOr<storage::StoredConnection> stored = LoadAuthorizedConnection(
      core_, *principal, method, connection, "connection", application);
  if (!stored.ok()) return stored.status();
  if (!stored->write_back_enabled) {
    return absl::FailedPreconditionError(absl::StrCat(
        "write-back is not enabled on connection \"", connection,
        "\"; an admin can enable it (UpdateConnection with the update_mask "
        "path write_back_enabled)"));
  }
  absl::StatusOr<std::unique_ptr<lever::LeverClient>> lever =
      core_.LeverFor(*stored);
  if (!lever.ok()) return lever.status();
  WriteCall call{*std::move(lever), nullptr};
  call.writer = std::make_unique<writeback::RequisitionWriter>(
      *call.lever,
      CallContextFor(context, [&context] { return context.IsCancelled(); }));
  absl::Status prepared = call.writer->Prepare();
  if (!prepared.ok()) return prepared;
  return call;
}

grpc::Status WriteBackService::PlanRequisitionChanges(
    grpc::ServerContext* context,
    const v1::PlanRequisitionChangesRequest* request,
    v1::PlanRequisitionChangesResponse* response) {
  RpcLog rpc("PlanRequisitionChanges");
  absl::StatusOr<WriteCall> call = BeginCall(
      *context, auth::Method::kPlanRequisitionChanges, request->connection(),
      request->application(), request->rows_size(), rpc);
  if (!call.ok()) return rpc.Finish(call.status());
  writeback::RequisitionWriter& writer = *call->writer;
  for (int index = 0; index < request->rows_size(); ++index) {
    absl::StatusOr<v1::RequisitionChange> change =
        writer.Plan(request->rows(), index);
    if (!change.ok()) return rpc.Finish(change.status());
    *response->add_changes() = *std::move(change);
  }
  rpc.set_rows(response->changes_size());
  return rpc.Finish(absl::OkStatus());
}

grpc::Status WriteBackService::ApplyRequisitionChanges(
    grpc::ServerContext* context,
    const v1::ApplyRequisitionChangesRequest* request,
    v1::ApplyRequisitionChangesResponse* response) {
  RpcLog rpc("ApplyRequisitionChanges");
  absl::StatusOr<WriteCall> call = BeginCall(
      *context, auth::Method::kApplyRequisitionChanges, request->connection(),
      request->application(), request->rows_size(), rpc);
  if (!call.ok()) return rpc.Finish(call.status());
  writeback::RequisitionWriter& writer = *call->writer;
  for (int index = 0; index < request->rows_size(); ++index) {
    absl::StatusOr<Outcome> result = writer.Apply(request->rows(), index);
    if (!result.ok()) {
      rpc.Audit(absl::StrCat("refused: ", result.status().message()));
      return rpc.Finish(result.status());
    }
    const Outcome::Outcome outcome = result->outcome();
    if (outcome == Outcome::OUTCOME_CREATED ||
        outcome == Outcome::OUTCOME_UPDATED) {
      rpc.Audit(absl::StrCat(
          outcome == Outcome::OUTCOME_CREATED ? "created" : "updated",
          " requisition ", result->lever_id()));
    }
    *response->add_results() = *std::move(result);
  }
  rpc.set_rows(response->results_size());
  rpc.Audit(absl::StrCat("applied ", response->results_size(),
                         " rows: ", Tally(*response)));
  return rpc.Finish(absl::OkStatus());
}

}  // namespace leverconnect::server

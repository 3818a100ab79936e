#include "server/rpc_log.h"

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "lib/log/log.h"
#include "lib/metrics/metrics.h"
#include "server/service_core.h"

namespace leverconnect::server {
namespace {

// The methods whose every outcome is audited.
bool IsAudited(absl::string_view method) {
  return method == "CreateConnection" || method == "UpdateConnection" ||
         method == "DeleteConnection" || method == "RotateApiKey" ||
         method == "StreamRequisitions" || method == "StartImport" ||
         method == "CancelImport";
}

}  // namespace

RpcLog::RpcLog(absl::string_view method, const Caller& caller)
    : method_(method), caller_(caller.id), start_(absl::Now()) {}

RpcLog::RpcLog(absl::string_view method)
    : method_(method), caller_("(unauthenticated)"), start_(absl::Now()) {}

grpc::Status RpcLog::Finish(const absl::Status& status) {
  const absl::Duration elapsed = absl::Now() - start_;
  metrics::CountRpc(method_, status.code(), elapsed);
  log::Severity severity = log::Severity::kInfo;
  if (status.code() == absl::StatusCode::kInternal ||
      status.code() == absl::StatusCode::kUnknown ||
      status.code() == absl::StatusCode::kDataLoss) {
    severity = log::Severity::kError;
  } else if (!status.ok()) {
    severity = log::Severity::kWarning;
  }
  log::Log(severity, "rpc finished",
           {{"method", method_},
            {"caller", caller_},
            {"connection", connection_},
            {"rows", rows_},
            {"code", absl::StatusCodeToString(status.code())},
            {"detail", status.message()},
            {"elapsed_ms", absl::ToInt64Milliseconds(elapsed)}});
  if (IsAudited(method_)) Audit(absl::StatusCodeToString(status.code()));
  return ToGrpcStatus(status);
}

void RpcLog::Audit(absl::string_view outcome) const {
  log::Log(log::Severity::kInfo, "audit",
           {{"audit", true},
            {"principal", caller_},
            {"action", method_},
            {"resource", connection_},
            {"outcome", outcome}});
}

}  // namespace leverconnect::server

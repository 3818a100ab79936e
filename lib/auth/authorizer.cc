#include "lib/auth/authorizer.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace leverconnect::auth {
namespace {

bool ChangesConnections(Method method) {
  return method == Method::kCreateConnection ||
         method == Method::kUpdateConnection ||
         method == Method::kDeleteConnection || method == Method::kRotateApiKey;
}

bool IsImport(Method method) {
  return method == Method::kGetRequisitionSchema ||
         method == Method::kStreamRequisitions ||
         method == Method::kStartImport ||
         method == Method::kPlanRequisitionChanges ||
         method == Method::kApplyRequisitionChanges;
}

bool Contains(const std::vector<std::string>& names, absl::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

absl::Status NotActingFor(const Principal& principal,
                          absl::string_view application) {
  return absl::PermissionDeniedError(absl::StrCat(
      "principal \"", principal.id, "\" does not act for application \"",
      application.substr(0, 100), "\""));
}

}  // namespace

absl::string_view MethodName(Method method) {
  switch (method) {
    case Method::kCreateConnection:
      return "CreateConnection";
    case Method::kGetConnection:
      return "GetConnection";
    case Method::kListConnections:
      return "ListConnections";
    case Method::kUpdateConnection:
      return "UpdateConnection";
    case Method::kDeleteConnection:
      return "DeleteConnection";
    case Method::kTestConnection:
      return "TestConnection";
    case Method::kRotateApiKey:
      return "RotateApiKey";
    case Method::kGetRequisitionSchema:
      return "GetRequisitionSchema";
    case Method::kStreamRequisitions:
      return "StreamRequisitions";
    case Method::kStartImport:
      return "StartImport";
    case Method::kGetImport:
      return "GetImport";
    case Method::kListImports:
      return "ListImports";
    case Method::kCancelImport:
      return "CancelImport";
    case Method::kWatchImport:
      return "WatchImport";
    case Method::kPlanRequisitionChanges:
      return "PlanRequisitionChanges";
    case Method::kApplyRequisitionChanges:
      return "ApplyRequisitionChanges";
  }
  return "unknown";
}

absl::Status AuthorizeMethod(const Principal& principal, Method method) {
  if (principal.role == Role::kAdmin || !ChangesConnections(method)) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("principal \"", principal.id, "\" may not call ",
                   MethodName(method), ": only admins change connections"));
}

absl::Status AuthorizeConnection(const Principal& principal, Method method,
                                 const ConnectionFacts& connection,
                                 absl::string_view application) {
  absl::Status allowed = AuthorizeMethod(principal, method);
  if (!allowed.ok()) return allowed;
  if (IsImport(method) && !ActsFor(principal, application)) {
    return NotActingFor(principal, application);
  }
  // Whether the connection exists is told only to those who may use it.
  if (principal.role == Role::kMember &&
      !(connection.exists &&
        MaySee(principal, connection.allowed_applications))) {
    return absl::PermissionDeniedError(
        absl::StrCat("principal \"", principal.id,
                     "\" may not use connection \"", connection.name, "\""));
  }
  if (!connection.exists) {
    return absl::NotFoundError(
        absl::StrCat("connection \"", connection.name, "\" not found"));
  }
  if (IsImport(method) &&
      !Contains(connection.allowed_applications, application)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "connection \"", connection.name, "\" does not allow application \"",
        application.substr(0, 100),
        "\"; an admin can add it to the connection's allowed applications"));
  }
  return absl::OkStatus();
}

bool MaySee(const Principal& principal,
            const std::vector<std::string>& allowed_applications) {
  if (principal.role == Role::kAdmin) return true;
  return std::any_of(principal.applications.begin(),
                     principal.applications.end(),
                     [&](const std::string& application) {
                       return Contains(allowed_applications, application);
                     });
}

absl::Status AuthorizeApplicationFilter(const Principal& principal,
                                        absl::string_view application) {
  if (application.empty() || ActsFor(principal, application)) {
    return absl::OkStatus();
  }
  return NotActingFor(principal, application);
}

}  // namespace leverconnect::auth

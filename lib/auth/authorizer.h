// What each principal may do, as pure functions of the principal, the RPC
// and what the server knows about the connection named.
//
//   admin   every RPC on every connection; NOT_FOUND for a connection that
//           does not exist.
//   member  CreateConnection, UpdateConnection, DeleteConnection and
//           RotateApiKey: PERMISSION_DENIED. GetConnection, TestConnection,
//           GetRequisitionSchema and StreamRequisitions: only on a
//           connection granted to one of the member's applications; the
//           imports also only for one of the member's own applications,
//           which the connection must allow. StartImport: as
//           StreamRequisitions. GetImport, ListImports, CancelImport and
//           WatchImport: on a connection granted to one of the member's
//           applications (the service then shows only the runs of the
//           member's own applications). ListConnections: only the
//           connections granted to one of the member's applications.
//           PlanRequisitionChanges and ApplyRequisitionChanges: as
//           StartImport (a member writes back for its own applications,
//           through connections that allow them).
//
// Permission comes before existence: a member naming a connection that
// does not exist gets the same PERMISSION_DENIED, word for word, as for
// one that exists but is not granted to it, so errors never reveal which
// connections exist. Messages name the principal, the RPC, the
// connection or the application; never a credential.
#ifndef LEVERCONNECT_LIB_AUTH_AUTHORIZER_H_
#define LEVERCONNECT_LIB_AUTH_AUTHORIZER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "lib/auth/principal.h"

namespace leverconnect::auth {

// The RPCs of ConnectionService, ImportService, ImportRunService and
// WriteBackService.
enum class Method {
  kCreateConnection,
  kGetConnection,
  kListConnections,
  kUpdateConnection,
  kDeleteConnection,
  kTestConnection,
  kRotateApiKey,
  kGetRequisitionSchema,
  kStreamRequisitions,
  kStartImport,
  kGetImport,
  kListImports,
  kCancelImport,
  kWatchImport,
  kPlanRequisitionChanges,
  kApplyRequisitionChanges,
};

// The RPC's name, e.g. "CreateConnection".
absl::string_view MethodName(Method method);

// What the server found when it looked up the connection a request names.
struct ConnectionFacts {
  std::string name;  // the resource name, "connections/{id}"
  bool exists = false;
  std::vector<std::string> allowed_applications;  // empty when absent
};

// Step one, before the request is read: OK when `principal` may call
// `method` at all; PERMISSION_DENIED for a member calling an RPC that
// changes connections.
absl::Status AuthorizeMethod(const Principal& principal, Method method);

// Step two, once the connection has been looked up: OK only when the
// connection exists and `principal` may use it through `method`.
// `application` is the one an import request acts for (ignored for the
// other RPCs). PERMISSION_DENIED or NOT_FOUND as described above.
absl::Status AuthorizeConnection(const Principal& principal, Method method,
                                 const ConnectionFacts& connection,
                                 absl::string_view application = "");

// ListConnections: whether `principal` sees a connection that allows
// `allowed_applications`.
bool MaySee(const Principal& principal,
            const std::vector<std::string>& allowed_applications);

// ListConnections: OK when `principal` may filter by `application` (empty
// means no filter); PERMISSION_DENIED for a member filtering by an
// application it does not act for.
absl::Status AuthorizeApplicationFilter(const Principal& principal,
                                        absl::string_view application);

}  // namespace leverconnect::auth

#endif  // LEVERCONNECT_LIB_AUTH_AUTHORIZER_H_

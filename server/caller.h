// Who is calling, and whether they may touch the connection they name.
//
// Every RPC of ConnectionService, ImportService, ImportRunService and
// WriteBackService takes these steps, in this order, before it reads Lever
// or changes anything:
//   1. Authenticator::Authenticate: UNAUTHENTICATED without credentials the
//      server knows;
//   2. AdmitCall: PERMISSION_DENIED when the principal's role may not call
//      the RPC at all (members never change connections);
//   3. the RPC's own checks of its request (INVALID_ARGUMENT);
//   4. LoadAuthorizedConnection: the connection, once the principal is
//      known to be allowed to use it; for members PERMISSION_DENIED comes
//      before NOT_FOUND (see lib/auth/authorizer.h).
// gRPC health checking and reflection are separate services: they never
// come here and answer without credentials.
#ifndef LEVERCONNECT_SERVER_CALLER_H_
#define LEVERCONNECT_SERVER_CALLER_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "lib/auth/authorizer.h"
#include "lib/auth/principal.h"
#include "lib/auth/principal_directory.h"
#include "lib/storage/connection_store.h"
#include "server/service_core.h"

namespace leverconnect::server {

// What the RPC log line records of a caller: its id.
using Caller = auth::Principal;

// Decides which principal a call acts as. Immutable, so thread-safe.
class Authenticator {
 public:
  // Callers send "authorization: Bearer <token>" metadata (the scheme in
  // any case) with a token `directory` knows. Without a token, and when
  // `trust_client_certificates` (the server requires mutual TLS), the
  // verified client certificate's common name is looked up instead.
  Authenticator(auth::PrincipalDirectory directory,
                bool trust_client_certificates);

  // Every caller, with or without credentials, is an admin named
  // "anonymous". For local experiments only.
  static Authenticator TrustEveryone();

  // The principal the call acts as, or UNAUTHENTICATED: "no credentials:
  // ..." when the call carries none, "the token is not known" or "the
  // client certificate is not known" when the directory has no match.
  // Never echoes a credential.
  absl::StatusOr<auth::Principal> Authenticate(
      const grpc::ServerContextBase& context) const;

 private:
  Authenticator() = default;

  absl::StatusOr<auth::Principal> ByCertificate(
      const grpc::ServerContextBase& context) const;

  std::optional<auth::PrincipalDirectory> directory_;  // none: trust all
  bool trust_client_certificates_ = false;
};

// The caller for the RPC log line: the principal, or one named
// "(unauthenticated)" when authentication failed.
Caller LoggedCaller(const absl::StatusOr<auth::Principal>& principal);

// Steps 1 and 2 above: the authentication error, or whether the
// principal may call `method` at all.
absl::Status AdmitCall(const absl::StatusOr<auth::Principal>& principal,
                       auth::Method method);

// Step 4 above: the connection named `name` (checked as `field`), when
// `principal` may use it through `method`; `application` is the one an
// import acts for. INVALID_ARGUMENT for a malformed name, then
// PERMISSION_DENIED or NOT_FOUND as auth::AuthorizeConnection decides, or
// the store's own error.
absl::StatusOr<storage::StoredConnection> LoadAuthorizedConnection(
    ServiceCore& core, const auth::Principal& principal, auth::Method method,
    absl::string_view name, absl::string_view field,
    absl::string_view application = "");

}  // namespace leverconnect::server

#endif  // LEVERCONNECT_SERVER_CALLER_H_

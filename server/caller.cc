#include "server/caller.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/auth_context.h"

namespace leverconnect::server {
namespace {

constexpr absl::string_view kBearer = "bearer ";

absl::Status NoCredentials() {
  return absl::UnauthenticatedError(
      "no credentials: send 'authorization: Bearer <token>' or a client "
      "certificate");
}

absl::string_view ToView(const grpc::string_ref& text) {
  return absl::string_view(text.data(), text.size());
}

// The token of the call's "authorization" metadata: empty when there is
// none, UNAUTHENTICATED when it is not one "Bearer <token>" entry.
absl::StatusOr<std::string> BearerToken(
    const grpc::ServerContextBase& context) {
  auto [first, last] = context.client_metadata().equal_range("authorization");
  if (first == last) return std::string();
  if (std::next(first) != last) {
    return absl::UnauthenticatedError(
        "send one 'authorization' metadata entry, not several");
  }
  const absl::string_view value = ToView(first->second);
  const absl::string_view token =
      absl::StartsWithIgnoreCase(value, kBearer)
          ? absl::StripAsciiWhitespace(value.substr(kBearer.size()))
          : absl::string_view();
  if (token.empty()) {
    return absl::UnauthenticatedError(
        "the 'authorization' metadata must be 'Bearer <token>'");
  }
  return std::string(token);
}

}  // namespace

Authenticator::Authenticator(auth::PrincipalDirectory directory,
                             bool trust_client_certificates)
    : directory_(std::move(directory)),
      trust_client_certificates_(trust_client_certificates) {}

Authenticator Authenticator::TrustEveryone() { return Authenticator(); }

absl::StatusOr<auth::Principal> Authenticator::Authenticate(
    const grpc::ServerContextBase& context) const {
  if (!directory_.has_value()) {
    return auth::Principal{"anonymous", auth::Role::kAdmin, {}};
  }
  absl::StatusOr<std::string> token = BearerToken(context);
  if (!token.ok()) return token.status();
  if (token->empty()) return ByCertificate(context);
  const auth::Principal* principal = directory_->FindByToken(*token);
  if (principal == nullptr) {
    return absl::UnauthenticatedError("the token is not known");
  }
  return *principal;
}

absl::StatusOr<auth::Principal> Authenticator::ByCertificate(
    const grpc::ServerContextBase& context) const {
  if (!trust_client_certificates_) return NoCredentials();
  const std::shared_ptr<const grpc::AuthContext> peer = context.auth_context();
  if (peer == nullptr || !peer->IsPeerAuthenticated()) return NoCredentials();
  const std::vector<grpc::string_ref> names =
      peer->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME);
  if (names.empty()) return NoCredentials();
  const auth::Principal* principal =
      directory_->FindByCertificateName(ToView(names.front()));
  if (principal == nullptr) {
    return absl::UnauthenticatedError("the client certificate is not known");
  }
  return *principal;
}

Caller LoggedCaller(const absl::StatusOr<auth::Principal>& principal) {
  if (principal.ok()) return *principal;
  return Caller{"(unauthenticated)", auth::Role::kMember, {}};
}

absl::Status AdmitCall(const absl::StatusOr<auth::Principal>& principal,
                       auth::Method method) {
  if (!principal.ok()) return principal.status();
  return auth::AuthorizeMethod(*principal, method);
}

absl::StatusOr<storage::StoredConnection> LoadAuthorizedConnection(
    ServiceCore& core, const auth::Principal& principal, auth::Method method,
    absl::string_view name, absl::string_view field,
    absl::string_view application) {
  absl::StatusOr<std::string> id =
      ServiceCore::ParseConnectionName(name, field);
  if (!id.ok()) return id.status();
  absl::StatusOr<storage::StoredConnection> stored = core.store().Get(*id);
  if (!stored.ok() && !absl::IsNotFound(stored.status())) return stored;

  auth::ConnectionFacts facts;
  facts.name = ConnectionName(*id);
  facts.exists = stored.ok();
  if (stored.ok()) facts.allowed_applications = stored->allowed_applications;
  absl::Status allowed =
      auth::AuthorizeConnection(principal, method, facts, application);
  if (!allowed.ok()) return allowed;
  return stored;
}

}  // namespace leverconnect::server

// The principals a server knows, read from a JSON file:
//
//   {"principals": [
//     {"id": "ops", "role": "admin", "token_sha256": "<64 hex digits>"},
//     {"id": "pigment-sync", "role": "member",
//      "applications": ["pigment-planning"],
//      "token_sha256": "<64 hex digits>",
//      "certificate_common_names": ["pigment-sync.internal"]}]}
//
// A token is never stored, only the SHA-256 of its bytes (as printed by
// `printf %s "$TOKEN" | sha256sum`). Each principal needs a token hash, a
// certificate common name, or both. Load refuses a file where an id, a
// token hash or a common name occurs twice, a role is not "admin" or
// "member", a member acts for no application, an application id is not
// [a-z0-9][a-z0-9._-]{0,62}, a hash is not 64 hex digits, or a field is
// unknown. Errors name the file and the entry, never a hash.
//
// Immutable once loaded, so lookups may run on several threads at once.
#ifndef LEVERCONNECT_LIB_AUTH_PRINCIPAL_DIRECTORY_H_
#define LEVERCONNECT_LIB_AUTH_PRINCIPAL_DIRECTORY_H_

#include <cstddef>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/auth/principal.h"

namespace leverconnect::auth {

class PrincipalDirectory {
 public:
  // Reads and checks the file at `path`. FAILED_PRECONDITION when it cannot
  // be read, INVALID_ARGUMENT when its content is wrong.
  static absl::StatusOr<PrincipalDirectory> Load(const std::string& path);

  // Checks `json`; `source` names it in errors (Load passes the path).
  static absl::StatusOr<PrincipalDirectory> Parse(absl::string_view json,
                                                  absl::string_view source);

  // The principal whose token hash is the SHA-256 of `token`; nullptr when
  // none. The pointer lives as long as the directory.
  const Principal* FindByToken(absl::string_view token) const;

  // The principal listing `common_name` among its certificate common
  // names (compared exactly); nullptr when none.
  const Principal* FindByCertificateName(absl::string_view common_name) const;

  std::size_t size() const { return principals_.size(); }

 private:
  PrincipalDirectory() = default;

  // Adds `principal` reached by `token_hash` (lowercase; may be empty) and
  // `common_names`; INVALID_ARGUMENT saying what is already taken.
  absl::Status Add(Principal principal, std::string token_hash,
                   std::vector<std::string> common_names);

  std::vector<Principal> principals_;
  // Indexes into principals_.
  std::unordered_map<std::string, std::size_t> by_token_hash_;
  std::unordered_map<std::string, std::size_t> by_common_name_;
};

}  // namespace leverconnect::auth

#endif  // LEVERCONNECT_LIB_AUTH_PRINCIPAL_DIRECTORY_H_

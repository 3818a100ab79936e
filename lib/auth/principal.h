// A principal: who a call acts as once its credentials have been checked.
//
// Admins manage connections and use every one of them. Members act for a
// set of applications and use only the connections granted to one of
// those applications (see authorizer.h).
#ifndef LEVERCONNECT_LIB_AUTH_PRINCIPAL_H_
#define LEVERCONNECT_LIB_AUTH_PRINCIPAL_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace leverconnect::auth {

enum class Role { kAdmin, kMember };

struct Principal {
  // Stable id, for logs and audit lines; never a secret.
  std::string id;
  Role role = Role::kMember;
  // The applications a member acts for; admins need none.
  std::vector<std::string> applications;
};

// "admin" or "member".
absl::string_view RoleName(Role role);

// Whether `principal` acts for `application` (admins act for every one).
bool ActsFor(const Principal& principal, absl::string_view application);

// Whether `id` is an application id: [a-z0-9][a-z0-9._-]{0,62}.
bool IsApplicationId(absl::string_view id);

}  // namespace leverconnect::auth

#endif  // LEVERCONNECT_LIB_AUTH_PRINCIPAL_H_

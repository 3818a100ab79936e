#include "lib/auth/principal.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace leverconnect::auth {

absl::string_view RoleName(Role role) {
  return role == Role::kAdmin ? "admin" : "member";
}

bool ActsFor(const Principal& principal, absl::string_view application) {
  if (principal.role == Role::kAdmin) return true;
  return std::find(principal.applications.begin(), principal.applications.end(),
                   application) != principal.applications.end();
}

bool IsApplicationId(absl::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  if (!absl::ascii_islower(id[0]) && !absl::ascii_isdigit(id[0])) return false;
  for (char c : id) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '.' &&
        c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace leverconnect::auth

// Who the user ids in a requisition (creator, owner, hiringManager) are:
// the Lever account's users, as GET /users lists them.
//
// Header only, so that the row mapper reads a directory without depending
// on the Lever client that fills it.
#ifndef LEVERCONNECT_LIB_LEVER_USER_DIRECTORY_H_
#define LEVERCONNECT_LIB_LEVER_USER_DIRECTORY_H_

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"

namespace leverconnect::lever {

// One Lever user: its "name" and "email", each nullopt when Lever sent
// anything but a string.
struct LeverUser {
  std::optional<std::string> name;
  std::optional<std::string> email;
};

// Users by Lever user id. find() takes an absl::string_view, so a lookup
// copies nothing.
using UserDirectory = absl::flat_hash_map<std::string, LeverUser>;

}  // namespace leverconnect::lever

#endif  // LEVERCONNECT_LIB_LEVER_USER_DIRECTORY_H_

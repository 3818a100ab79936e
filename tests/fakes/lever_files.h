// Reads the JSON files a fake Lever serves, in Lever's own wire shapes.
//
// Both functions read the whole file, keep member order and integer types,
// and return errors as absl::Status (NotFound when the file cannot be read,
// InvalidArgument when its content is not the expected shape).
#ifndef LEVERCONNECT_TESTS_FAKES_LEVER_FILES_H_
#define LEVERCONNECT_TESTS_FAKES_LEVER_FILES_H_

#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "absl/status/statusor.h"
#include "tests/fakes/requisition_store.h"
#include "tests/fakes/user_store.h"

namespace leverconnect::testing {

// A list page as GET /v1/requisitions returns it: {"data": [...], ...}.
// Every element must be an object; members the filters use may be null or
// absent (then createdAt counts as 0 and the id as "").
absl::StatusOr<std::vector<StoredRequisition>> LoadRequisitionsFile(
    const std::string& path);

// One requisition object, ready to serve: the members the filters use (as
// for LoadRequisitionsFile) and its compact JSON text.
StoredRequisition ToStoredRequisition(const rapidjson::Value& object);

// A list page as GET /v1/users returns it: {"data": [...], ...}. Every
// element must be an object; a user is deactivated when its
// "deactivatedAt" is present and not null, and other members read as for
// requisitions.
absl::StatusOr<std::vector<StoredUser>> LoadUsersFile(const std::string& path);

// A GET /v1/requisition_fields answer: {"data": [...]}. Returns the compact
// JSON text of the "data" array.
absl::StatusOr<std::string> LoadRequisitionFieldsFile(const std::string& path);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_LEVER_FILES_H_

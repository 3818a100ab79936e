// How one column reads its cell from a requisition, resolved once from the
// column's definition so that mapping a row parses no paths and looks up no
// names. Internal to lc_mapping; RowMapper is the public face.
#ifndef LEVERCONNECT_LIB_MAPPING_COLUMN_READER_H_
#define LEVERCONNECT_LIB_MAPPING_COLUMN_READER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "leverconnect/v1/values.pb.h"
#include "lib/lever/user_directory.h"
#include "lib/mapping/cell_conversion.h"
#include "lib/mapping/member_index.h"
#include "rapidjson/document.h"

namespace leverconnect::mapping {

struct ColumnReader {
  enum class Kind {
    kField,          // the value at `path`
    kStepCount,      // the number of approval steps
    kApproverIds,    // one user id per approver across all steps
    kApproverRoles,  // one role per approver ("" for a static approver)
    kUserName,       // the name of the user whose id is the member
    kUserEmail,      // the e-mail of that user
  };

  Kind kind = Kind::kField;
  std::string column_name;
  leverconnect::v1::ColumnType type = leverconnect::v1::COLUMN_TYPE_STRING;
  bool list = false;
  // True for headcount_total, where "unlimited" is a null cell, not an
  // error (headcount_infinite says so).
  bool unlimited_is_null = false;
  // The slot, in the RowMapper's MemberIndex, of the requisition member the
  // value lies in ("compensationBand"; "approval" for the approval kinds).
  int member_slot = 0;
  // Member names below that member down to the value: {"min"}; {"steps"}
  // for the approval kinds; empty for a top-level value and the user
  // kinds.
  std::vector<std::string> path;
};

// Resolves `column`, registering the requisition member it reads in
// `members`. Standard columns are recognised by name, and a standard column
// whose lever_path reads "<member> -> users.name" (or ".email") looks the
// user id in <member> up in the user directory; any other column reads the
// value at its lever_path, split at each ".". Returns INVALID_ARGUMENT when
// the column has no type or no lever_path, when an approver column is not a
// list, or when a user lookup is not a single string or names another user
// member.
absl::StatusOr<ColumnReader> MakeColumnReader(
    const leverconnect::v1::Column& column, MemberIndex* members);

// Whether `reader` reads the user directory.
bool ReadsUsers(const ColumnReader& reader);

// Writes `cell` (cells.h) from the requisition whose members `members` found,
// appending a warning for each lenient or failed conversion. The user kinds
// read `users`: a null cell, without a warning, when `users` is nullptr,
// the member holds no string id, the id is not in `users` or the user has
// no such string.
template <typename Cell>
void ReadCell(const ColumnReader& reader, const FoundMembers& members,
              const lever::UserDirectory* users, Cell cell, Warnings* warnings);

extern template void ReadCell(const ColumnReader&, const FoundMembers&,
                              const lever::UserDirectory*, ValueCell,
                              Warnings*);
extern template void ReadCell(const ColumnReader&, const FoundMembers&,
                              const lever::UserDirectory*, WireCell, Warnings*);

}  // namespace leverconnect::mapping

#endif  // LEVERCONNECT_LIB_MAPPING_COLUMN_READER_H_

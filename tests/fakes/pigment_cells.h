// The column types of a fake Pigment import configuration, and which cell
// texts each accepts.
#ifndef LEVERCONNECT_TESTS_FAKES_PIGMENT_CELLS_H_
#define LEVERCONNECT_TESTS_FAKES_PIGMENT_CELLS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace leverconnect::testing {

// Each type's name (in flags) follows it.
enum class ColumnType {
  kText,      // "text": anything
  kNumber,    // "number": [+-]DIGITS[.DIGITS]
  kInteger,   // "integer": [+-]DIGITS
  kDate,      // "date": YYYY-MM-DD, or a whole "datetime"
  kDateTime,  // "datetime": YYYY-MM-DDTHH:MM:SS[.F...] then Z or +HH:MM/-HH:MM
  kBoolean,   // "boolean": true or false, in any case
};

absl::string_view ColumnTypeName(ColumnType type);

// The type named `name`; InvalidArgument for any other text.
absl::StatusOr<ColumnType> ParseColumnType(absl::string_view name);

// Whether a cell holding `text` can be read as `type`. An empty cell is an
// empty value and fits every type. Dates must exist in the calendar.
bool CellFits(ColumnType type, absl::string_view text);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_PIGMENT_CELLS_H_

// Lenient conversion of one Lever JSON value into one typed cell. Internal
// to lc_mapping; RowMapper is the public face.
//
// Rules, by column type (JSON null or an absent value always gives a null
// cell without a warning):
//   STRING     a string as is; a number, boolean, object or array as its
//              compact JSON text, with a warning.
//   INTEGER    an integer; an integral double; a numeric string (warning).
//   DOUBLE     any number; a numeric string (warning).
//   BOOL       a boolean; "true"/"false" in any case, or the numbers 0 and 1
//              (warning).
//   TIMESTAMP  epoch milliseconds as an integer or double (rounded); a
//              string of digits, "YYYY-MM-DD" or RFC 3339 (warning).
// Anything else, and instants outside google.protobuf.Timestamp's range,
// give a null cell and a warning. Warnings read
//   "<column>: expected <what>, got <json kind> <excerpt>; converted"
// (or "; left empty"), with an excerpt of at most 40 characters of the
// value's compact JSON and nothing from any other field.
#ifndef LEVERCONNECT_LIB_MAPPING_CELL_CONVERSION_H_
#define LEVERCONNECT_LIB_MAPPING_CELL_CONVERSION_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "leverconnect/v1/values.pb.h"
#include "lib/mapping/cells.h"
#include "rapidjson/document.h"

namespace leverconnect::mapping {

using Warnings = google::protobuf::RepeatedPtrField<std::string>;

// How a conversion went.
enum class Conversion {
  kExact,      // the value had the declared type, or was null
  kConverted,  // the value was converted leniently
  kLeftEmpty,  // the value could not be converted; the cell is null
};

// The converters write `cell` (a ValueCell or a WireCell, cells.h) once,
// whatever it held.

// Converts `value` (nullptr when absent) into `cell` by the rules of `type`,
// appending a warning naming `column` unless the conversion was exact.
template <typename Cell>
void ConvertScalar(const rapidjson::Value* value, absl::string_view column,
                   leverconnect::v1::ColumnType type, Cell cell,
                   Warnings* warnings);

// Converts a JSON array into a list cell, each element by ConvertScalar
// (a null element stays a null element). A non-array gives a null cell and
// a warning; an empty array gives an empty list.
template <typename Cell>
void ConvertList(const rapidjson::Value* value, absl::string_view column,
                 leverconnect::v1::ColumnType type, Cell cell,
                 Warnings* warnings);

extern template void ConvertScalar(const rapidjson::Value*, absl::string_view,
                                   leverconnect::v1::ColumnType, ValueCell,
                                   Warnings*);
extern template void ConvertScalar(const rapidjson::Value*, absl::string_view,
                                   leverconnect::v1::ColumnType, WireCell,
                                   Warnings*);
extern template void ConvertList(const rapidjson::Value*, absl::string_view,
                                 leverconnect::v1::ColumnType, ValueCell,
                                 Warnings*);
extern template void ConvertList(const rapidjson::Value*, absl::string_view,
                                 leverconnect::v1::ColumnType, WireCell,
                                 Warnings*);

// The word a warning uses for what a column of `type` expects: "text",
// "integer", "number", "boolean" or "date".
absl::string_view ExpectedWord(leverconnect::v1::ColumnType type);

// Appends "<column>: expected <expected>, got <kind> <excerpt>; <outcome>"
// where the outcome is "converted" or "left empty".
void AddWarning(absl::string_view column, absl::string_view expected,
                const rapidjson::Value& value, Conversion conversion,
                Warnings* warnings);

// The compact JSON text of `value`.
std::string CompactJson(const rapidjson::Value& value);

// Sets `instant` to `milliseconds` after the Unix epoch (floored toward
// the past for negative values). False, leaving `instant` untouched, when
// the instant is outside 0001-01-01 to 9999-12-31 UTC.
bool MillisecondsToInstant(std::int64_t milliseconds, Instant* instant);

}  // namespace leverconnect::mapping

#endif  // LEVERCONNECT_LIB_MAPPING_CELL_CONVERSION_H_

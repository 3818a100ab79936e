// RFC 4180 CSV read back: the files of lib/csv and those Pigment exports
// (planned requisitions for write-back), and what fake-pigment receives.
//
//   absl::StatusOr<std::vector<CsvFieldRecord>> records =
//       ReadCsvFields(WithoutByteOrderMark(text), ';');
//
// Records end with CRLF or LF; a line break at the very end starts no
// record, and an empty text has none. A field may be quoted: "..." holds
// separators, line breaks and "" for one quote. A field keeps whether it
// was quoted, so that an empty field (a null cell, in the files of
// lib/csv) and `""` (an empty text) stay apart.
#ifndef LEVERCONNECT_LIB_CSV_CSV_READER_H_
#define LEVERCONNECT_LIB_CSV_CSV_READER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace leverconnect::csv {

struct CsvField {
  std::string text;
  bool quoted = false;  // written as "..."
};

using CsvFieldRecord = std::vector<CsvField>;
using CsvRecord = std::vector<std::string>;

// Splits `text` into records of fields separated by `separator`.
// InvalidArgument, naming the record (1 for the header row), for a quote
// inside an unquoted field, text between a closing quote and the next
// separator, or a quoted field left open.
absl::StatusOr<std::vector<CsvFieldRecord>> ReadCsvFields(
    absl::string_view text, char separator);

// ReadCsvFields, keeping only the text of each field.
absl::StatusOr<std::vector<CsvRecord>> ParseCsvRecords(absl::string_view text,
                                                       char separator);

// `text` without a leading UTF-8 byte order mark (EF BB BF), if any.
absl::string_view WithoutByteOrderMark(absl::string_view text);

}  // namespace leverconnect::csv

#endif  // LEVERCONNECT_LIB_CSV_CSV_READER_H_

// RFC 4180 CSV as the fake Pigment reads pushed files.
#ifndef LEVERCONNECT_TESTS_FAKES_CSV_RECORDS_H_
#define LEVERCONNECT_TESTS_FAKES_CSV_RECORDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace leverconnect::testing {

using CsvRecord = std::vector<std::string>;

// Splits `text` into records of fields separated by `separator`. Records
// end with CRLF or LF; a line break at the very end starts no record, and
// an empty text has none. A field may be quoted: "..." holds separators,
// line breaks and "" for one quote. InvalidArgument, naming the record (1
// for the header row), for a quote inside an unquoted field, text between
// a closing quote and the next separator, or a quoted field left open.
absl::StatusOr<std::vector<CsvRecord>> ParseCsvRecords(absl::string_view text,
                                                       char separator);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_CSV_RECORDS_H_

// What the fake Pigment makes of one pushed file: refused whole (a 400),
// or rows inserted, updated and skipped, with the reasons Pigment reports.
#ifndef LEVERCONNECT_TESTS_FAKES_PIGMENT_IMPORT_CHECK_H_
#define LEVERCONNECT_TESTS_FAKES_PIGMENT_IMPORT_CHECK_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tests/fakes/pigment_configuration.h"

namespace leverconnect::testing {

// Pigment's reasons for skipping a row that the fake gives.
inline constexpr char kParsingError[] = "ParsingError";
inline constexpr char kInvalidRowLength[] = "InvalidRowLength";

// Skipped rows of one reason and source column, as in Pigment's report.
struct SkippedRows {
  std::string reason;         // kParsingError or kInvalidRowLength
  std::string source_column;  // the header; empty for kInvalidRowLength
  std::int64_t count = 0;
  // The first three cells that did not parse; for a row of the wrong
  // length, its first cell.
  std::vector<std::string> samples;
};

struct ImportOutcome {
  std::int64_t rows = 0;  // records after the header row
  std::int64_t inserted = 0;
  std::int64_t updated = 0;
  std::int64_t skipped = 0;
  // In order of first occurrence. A row with several bad cells counts once,
  // under its first bad column, so the counts add up to `skipped`.
  std::vector<SkippedRows> skipped_rows;
};

// Reads `body` as a push for `configuration` (RFC 4180, its separator,
// an optional byte order mark when it allows one). InvalidArgument, with
// the message of Pigment's 400, when the file is refused whole: empty,
// not CSV, or with a header row other than the configuration's (the
// message says which header differs). Otherwise each row is kept or
// skipped; with a unique column, kept rows whose id is in `seen_ids`
// count as updated, and their ids are added to it.
absl::StatusOr<ImportOutcome> CheckImportFile(
    const ImportConfiguration& configuration, absl::string_view body,
    std::set<std::string>& seen_ids);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_PIGMENT_IMPORT_CHECK_H_

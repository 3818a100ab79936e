// A fake Pigment import configuration: what a pushed file must look like,
// and how the fake treats it. In Pigment a user saves one per target block
// from a sample file; here tests and flags declare them.
#ifndef LEVERCONNECT_TESTS_FAKES_PIGMENT_CONFIGURATION_H_
#define LEVERCONNECT_TESTS_FAKES_PIGMENT_CONFIGURATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tests/fakes/pigment_cells.h"

namespace leverconnect::testing {

struct PigmentColumn {
  std::string name;  // the header, matched exactly
  ColumnType type = ColumnType::kText;
};

struct ImportConfiguration {
  std::string id;  // the configurationId of pushes
  // The header row, in order.
  std::vector<PigmentColumn> columns;
  char separator = ',';  // ',' or ';'
  // Whether the file may start with a UTF-8 byte order mark. Without it, a
  // mark is part of the first header, which then does not match.
  bool bom = false;
  // When not empty, the column holding each row's unique id: a row whose
  // id an earlier row already imported (in this file or an earlier
  // import) counts as updated rather than inserted.
  std::string unique_column;
  // When not empty, every import ends Failed with this error description.
  std::string fail_with;
  // The block the report names as impacted.
  std::string block = "Requisitions";
};

// OK when the id is set, the columns are named, none twice, the separator
// is ',' or ';' and the unique column is one of the columns;
// InvalidArgument naming the configuration and the problem otherwise.
absl::Status ValidateImportConfiguration(
    const ImportConfiguration& configuration);

// Reads a configuration written as on fake-pigment's command line:
//   ID=COLUMN[:TYPE][,COLUMN[:TYPE]...][;SETTING...]
// with TYPE a ColumnTypeName (text when left out) and SETTING one of
//   separator=comma|semicolon   bom   unique=COLUMN   fail=DESCRIPTION
//   block=NAME
// A backslash makes the next character plain text, so that names may hold
// ',', ';', ':' or '\'. For example
//   req-config=Id:text,Headcount:integer,Opened:date;unique=Id
// InvalidArgument for anything else, or what ValidateImportConfiguration
// refuses.
absl::StatusOr<ImportConfiguration> ParseImportConfiguration(
    absl::string_view text);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_PIGMENT_CONFIGURATION_H_

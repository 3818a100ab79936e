#include "tests/fakes/pigment_import_check.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/csv/csv_reader.h"

namespace leverconnect::testing {
namespace {

using csv::CsvRecord;
using csv::ParseCsvRecords;

constexpr absl::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr std::size_t kSamplesPerGroup = 3;

std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", text, "\"");
}

std::string ExpectedHeaders(const ImportConfiguration& configuration) {
  std::vector<std::string> names;
  for (const PigmentColumn& column : configuration.columns) {
    names.push_back(Quoted(column.name));
  }
  return absl::StrJoin(names, configuration.separator == ',' ? "," : ";");
}

// A hint for the usual causes of a first header that does not match.
std::string FirstHeaderHint(const ImportConfiguration& configuration,
                            absl::string_view header) {
  if (header.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
    return "; it starts with a UTF-8 byte order mark, which this import "
           "configuration does not allow";
  }
  const char other = configuration.separator == ',' ? ';' : ',';
  if (header.find(other) != absl::string_view::npos) {
    return absl::StrCat("; the configuration separates columns with '",
                        std::string(1, configuration.separator), "', not '",
                        std::string(1, other), "'");
  }
  return "";
}

absl::Status CheckHeaders(const ImportConfiguration& configuration,
                          const CsvRecord& headers) {
  const std::vector<PigmentColumn>& columns = configuration.columns;
  for (std::size_t index = 0; index < headers.size(); ++index) {
    if (index >= columns.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "header ", index + 1, " ", Quoted(headers[index]),
          " is not in the import configuration, which expects ", columns.size(),
          " headers: ", ExpectedHeaders(configuration)));
    }
    if (headers[index] != columns[index].name) {
      return absl::InvalidArgumentError(absl::StrCat(
          "header ", index + 1, " is ", Quoted(headers[index]),
          " where the import configuration expects ",
          Quoted(columns[index].name),
          index == 0 ? FirstHeaderHint(configuration, headers[0]) : ""));
    }
  }
  if (headers.size() < columns.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "header ", headers.size() + 1, " ",
        Quoted(columns[headers.size()].name),
        " is missing; the import configuration expects ", columns.size(),
        " headers: ", ExpectedHeaders(configuration)));
  }
  return absl::OkStatus();
}

// Counts one skipped row under (`reason`, `column`) with `sample`.
void Skip(absl::string_view reason, absl::string_view column,
          const std::string& sample, ImportOutcome& outcome) {
  ++outcome.skipped;
  for (SkippedRows& group : outcome.skipped_rows) {
    if (group.reason == reason && group.source_column == column) {
      ++group.count;
      if (group.samples.size() < kSamplesPerGroup) {
        group.samples.push_back(sample);
      }
      return;
    }
  }
  outcome.skipped_rows.push_back(
      {std::string(reason), std::string(column), 1, {sample}});
}

// The index of the first cell of `row` its column's type refuses, or -1.
int FirstBadCell(const ImportConfiguration& configuration,
                 const CsvRecord& row) {
  for (std::size_t index = 0; index < row.size(); ++index) {
    if (!CellFits(configuration.columns[index].type, row[index])) {
      return static_cast<int>(index);
    }
  }
  return -1;
}

int ColumnIndex(const ImportConfiguration& configuration,
                absl::string_view name) {
  for (std::size_t index = 0; index < configuration.columns.size(); ++index) {
    if (configuration.columns[index].name == name) {
      return static_cast<int>(index);
    }
  }
  return -1;
}

}  // namespace

absl::StatusOr<ImportOutcome> CheckImportFile(
    const ImportConfiguration& configuration, absl::string_view body,
    std::set<std::string>& seen_ids) {
  if (configuration.bom && body.substr(0, 3) == kByteOrderMark) {
    body.remove_prefix(kByteOrderMark.size());
  }
  absl::StatusOr<std::vector<CsvRecord>> records =
      ParseCsvRecords(body, configuration.separator);
  if (!records.ok()) return records.status();
  if (records->empty()) {
    return absl::InvalidArgumentError(
        "the file is empty; Pigment needs at least the header row");
  }
  absl::Status headers = CheckHeaders(configuration, records->front());
  if (!headers.ok()) return headers;

  ImportOutcome outcome;
  const int id_column = ColumnIndex(configuration, configuration.unique_column);
  for (std::size_t index = 1; index < records->size(); ++index) {
    const CsvRecord& row = (*records)[index];
    ++outcome.rows;
    if (row.size() != configuration.columns.size()) {
      Skip(kInvalidRowLength, "", row.front(), outcome);
      continue;
    }
    const int bad = FirstBadCell(configuration, row);
    if (bad >= 0) {
      Skip(kParsingError, configuration.columns[bad].name, row[bad], outcome);
      continue;
    }
    if (id_column >= 0 && !seen_ids.insert(row[id_column]).second) {
      ++outcome.updated;
    } else {
      ++outcome.inserted;
    }
  }
  return outcome;
}

}  // namespace leverconnect::testing

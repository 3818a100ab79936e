// How leverctl shows rows and resources: as an aligned table, as CSV, or as
// JSON.
//
// Rows of an import:
//   table  aligned columns under a header line of column names; cells cut
//          to 40 columns with "…"; lists joined with "|".
//   csv    the CSV files of lib/csv (README, "CSV files"): a header row of
//          column names, ",", CRLF, no byte order mark; a null cell is an
//          empty field and an empty text `""`; timestamps in whole
//          seconds; list elements joined with "|".
//   json   JSON Lines: one object per row, keyed by column name, with
//          native JSON types (timestamps as RFC 3339 strings, lists as
//          arrays, NaN and infinities as the strings "NaN", "Infinity" and
//          "-Infinity").
// Resources (connections, test results, schemas): json is the protobuf JSON
// mapping with proto field names, on one line; table and csv show chosen
// fields, csv quoted as above.
#ifndef LEVERCONNECT_CLIENT_OUTPUT_H_
#define LEVERCONNECT_CLIENT_OUTPUT_H_

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "leverconnect/v1/connection.pb.h"
#include "leverconnect/v1/import.pb.h"
#include "leverconnect/v1/import_run.pb.h"
#include "leverconnect/v1/values.pb.h"
#include "leverconnect/v1/write_back.pb.h"

namespace leverconnect::client {

enum class OutputFormat { kTable, kCsv, kJson };

// Parses "table", "csv" or "json".
std::optional<OutputFormat> ParseOutputFormat(absl::string_view text);

// A cell as the table shows it: empty for null (or no member set), text
// as is, integers in decimal, doubles as DoubleText, booleans as "true" or
// "false", timestamps as TimestampText, list elements joined with "|".
std::string CellText(const v1::Value& value);

// The shortest text that reads back as the same double, without an
// exponent from 1e-6 up to 1e21 ("50000", "0.5", "1234.56"), with one
// outside ("1e+21"); "NaN", "Infinity" or "-Infinity" for the rest.
std::string DoubleText(double value);

// RFC 3339 in UTC: "2019-07-30T19:10:32Z", with a fraction only when it is
// not zero: milliseconds ("2019-07-30T19:10:32.308Z"), or micro- or
// nanoseconds when the timestamp is that precise.
std::string TimestampText(const google::protobuf::Timestamp& timestamp);

// One row as a JSON object (no line end), keyed by the names of `schema`'s
// columns in order. Missing cells are null; cells beyond the schema are
// dropped.
std::string RowJson(const v1::RequisitionSchema& schema, const v1::Row& row);

// Writes the rows of one import as they arrive.
//
// Thread safety: none; one import, one thread.
class RowWriter {
 public:
  virtual ~RowWriter() = default;

  // Called once, before any row: CSV writes its header row here. Fails
  // (INVALID_ARGUMENT) when the format cannot show the schema's columns,
  // such as CSV beyond csv::kMaximumColumns; nothing else may be called then.
  virtual absl::Status Begin(const v1::RequisitionSchema& schema) = 0;

  // CSV and JSON write the row at once; the table keeps it until End.
  virtual void Write(const v1::Row& row) = 0;

  // Called once, after the last row, also when the import failed midway.
  virtual void End() = 0;
};

std::unique_ptr<RowWriter> MakeRowWriter(OutputFormat format,
                                         std::ostream& out);

// One message in the protobuf JSON mapping, proto field names, one line
// without its line end. Fails (INVALID_ARGUMENT) only for values JSON
// cannot hold, such as a timestamp after year 9999.
absl::Status WriteMessageJson(const google::protobuf::Message& message,
                              std::ostream& out);

// A connection: table shows one "Key: value" line per field; csv shows a
// header line and one record.
absl::Status PrintConnection(const v1::Connection& connection,
                             OutputFormat format, std::ostream& out);

// Connections: table has the columns NAME, DISPLAY NAME, ENVIRONMENT,
// APPLICATIONS, KEY HINT, UPDATED; json is one ListConnectionsResponse
// holding them all. Tables join the allowed applications with ", ", CSV
// with "|" in one field.
absl::Status PrintConnections(const std::vector<v1::Connection>& connections,
                              OutputFormat format, std::ostream& out);

// Checks of a connection test: PERMISSION, ENDPOINT, RESULT, HTTP, LATENCY,
// DETAIL. The table never cuts DETAIL, the last column.
absl::Status PrintTestResult(const v1::TestConnectionResponse& result,
                             OutputFormat format, std::ostream& out);

// An answer without fields, such as that of a delete: json is "{}" on a
// line; table and csv print nothing.
absl::Status PrintEmpty(OutputFormat format, std::ostream& out);

// Columns of a schema: NAME, LABEL, TYPE, SOURCE.
absl::Status PrintSchema(const v1::RequisitionSchema& schema,
                         OutputFormat format, std::ostream& out);

// An import run: table shows one "Key: value" line per field that has a
// value (state, progress, Pigment's counts, the error, warnings), then a
// table of the skipped rows (COUNT, REASON, COLUMN, SAMPLES) when Pigment
// skipped any; csv shows a header line and one record.
absl::Status PrintImportRun(const v1::ImportRun& run, OutputFormat format,
                            std::ostream& out);

// Import runs: table has the columns ID, APPLICATION, STATE, ROWS, SKIPPED,
// CREATED, ERROR (the reason); json is one ListImportsResponse.
absl::Status PrintImportRuns(const std::vector<v1::ImportRun>& runs,
                             OutputFormat format, std::ostream& out);

// A write-back plan: table and csv have one line per changed field
// (CODE, ACTION, FIELD, OLD, NEW / REASON), one line for a row without
// fields, its reason last; json is the response.
absl::Status PrintRequisitionChanges(
    const v1::PlanRequisitionChangesResponse& plan, OutputFormat format,
    std::ostream& out);

// Write-back results: CODE, OUTCOME, LEVER ID, DETAIL, where DETAIL also
// says which planned values Lever holds otherwise; json is the response.
absl::Status PrintWriteResults(
    const v1::ApplyRequisitionChangesResponse& results, OutputFormat format,
    std::ostream& out);

// "not attempted": the outcome's name, lower case, in words.
std::string OutcomeText(v1::RequisitionWriteResult::Outcome outcome);

// "succeeded with skipped rows", "waiting for Pigment": the state's name in
// words.
std::string ImportRunStateText(v1::ImportRunState state);

// Whether the run is in a state it ends in.
bool IsFinishedRun(const v1::ImportRun& run);

// One line about a run in progress: "<id> extracting: 300 rows, 3 pages,
// 0 retries, 1.2s waiting on Lever".
std::string ImportRunProgressLine(const v1::ImportRun& run);

// A duration as whole milliseconds, e.g. "85ms".
std::string MillisecondsText(const google::protobuf::Duration& duration);

// "production", "sandbox", "active", "granted", "string", ...: the enum
// value's name without its type prefix, in lower case; the number when the
// value is unknown to this client.
std::string EnvironmentText(v1::Environment environment);
std::string ColumnTypeText(const v1::Column& column);  // "string[]" for lists

}  // namespace leverconnect::client

#endif  // LEVERCONNECT_CLIENT_OUTPUT_H_

// Connections, connection tests, schemas, import runs and write-back
// plans and results. Rows are in output.cc.
#include <algorithm>
#include <cstdint>
#include <utility>

#include <google/protobuf/empty.pb.h>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "client/output.h"
#include "client/text_table.h"
#include "lib/csv/csv_writer.h"

namespace leverconnect::client {
namespace {

// "ENVIRONMENT_PRODUCTION" -> "production"; the number when `name` is empty
// (a value newer than this client).
std::string EnumText(const std::string& name, int number,
                     absl::string_view prefix) {
  if (name.empty()) return std::to_string(number);
  absl::string_view text = name;
  if (text.substr(0, prefix.size()) == prefix)
    text.remove_prefix(prefix.size());
  return absl::AsciiStrToLower(std::string(text));
}

std::string StateText(v1::Connection::State state) {
  return EnumText(v1::Connection::State_Name(state), state, "STATE_");
}

std::string ResultText(v1::PermissionCheck::Result result) {
  return EnumText(v1::PermissionCheck::Result_Name(result), result, "RESULT_");
}

std::string SourceText(v1::ColumnSource source) {
  return EnumText(v1::ColumnSource_Name(source), source, "COLUMN_SOURCE_");
}

// Rounded to the nearest millisecond.
int64_t Milliseconds(const google::protobuf::Duration& duration) {
  return duration.seconds() * 1000 + (duration.nanos() + 500000) / 1000000;
}

std::string OptionalTimestampText(bool present,
                                  const google::protobuf::Timestamp& time) {
  return present ? TimestampText(time) : "";
}

absl::Status WriteJsonLine(const google::protobuf::Message& message,
                           std::ostream& out) {
  absl::Status status = WriteMessageJson(message, out);
  if (status.ok()) out << '\n';
  return status;
}

// A header row and the records, quoted like rows (see lib/csv).
void WriteCsv(const std::vector<std::string>& names,
              const std::vector<std::vector<std::string>>& records,
              std::ostream& out) {
  std::string csv;
  csv::AppendRecord(names, ',', &csv);
  for (const std::vector<std::string>& record : records) {
    csv::AppendRecord(record, ',', &csv);
  }
  out << csv;
}

const std::vector<std::string>& ConnectionCsvNames() {
  static const auto* const names = new std::vector<std::string>{
      "name",  "display_name",      "environment", "allowed_applications",
      "state", "api_key_hint",      "create_time", "update_time",
      "etag",  "write_back_enabled"};
  return *names;
}

// Allowed applications as a table shows them.
std::string ApplicationsText(const v1::Connection& connection) {
  return absl::StrJoin(connection.allowed_applications(), ", ");
}

std::vector<std::string> ConnectionCsvRecord(const v1::Connection& connection) {
  return {connection.name(),
          connection.display_name(),
          EnvironmentText(connection.environment()),
          absl::StrJoin(connection.allowed_applications(), "|"),
          StateText(connection.state()),
          connection.api_key_hint(),
          OptionalTimestampText(connection.has_create_time(),
                                connection.create_time()),
          OptionalTimestampText(connection.has_update_time(),
                                connection.update_time()),
          connection.etag(),
          connection.write_back_enabled() ? "true" : "false"};
}

using Fields = std::vector<std::pair<std::string, std::string>>;

// "Name:          connections/acme-prod", one line per field; fields
// without a value are left out when `skip_empty`.
void PrintDetails(const Fields& fields, bool skip_empty, std::ostream& out) {
  size_t label_width = 0;
  for (const auto& [label, value] : fields) {
    label_width = std::max(label_width, label.size() + 1);
  }
  for (const auto& [label, value] : fields) {
    if (skip_empty && value.empty()) continue;
    std::string line = label + ":";
    line.resize(label_width + 2, ' ');
    line += value;
    out << line.substr(0, line.find_last_not_of(' ') + 1) << '\n';
  }
}

void PrintConnectionDetails(const v1::Connection& connection,
                            std::ostream& out) {
  PrintDetails({{"Name", connection.name()},
                {"Display name", connection.display_name()},
                {"Environment", EnvironmentText(connection.environment())},
                {"Applications", ApplicationsText(connection)},
                {"State", StateText(connection.state())},
                {"Key hint", connection.api_key_hint()},
                {"Created", OptionalTimestampText(connection.has_create_time(),
                                                  connection.create_time())},
                {"Updated", OptionalTimestampText(connection.has_update_time(),
                                                  connection.update_time())},
                {"Etag", connection.etag()},
                {"Write-back",
                 connection.write_back_enabled() ? "enabled" : "disabled"}},
               /*skip_empty=*/false, out);
}

std::string RunIdText(const v1::ImportRun& run) {
  const std::size_t slash = run.name().rfind('/');
  return slash == std::string::npos ? run.name() : run.name().substr(slash + 1);
}

std::string CountText(int64_t count, absl::string_view one,
                      absl::string_view many) {
  return absl::StrCat(count, " ", count == 1 ? one : many);
}

std::string SecondsText(const google::protobuf::Duration& duration) {
  return absl::StrFormat("%.1fs", Milliseconds(duration) / 1000.0);
}

std::string ProgressText(const v1::ImportRunProgress& progress) {
  std::string text =
      absl::StrCat(CountText(progress.rows(), "row", "rows"), ", ",
                   CountText(progress.pages(), "page", "pages"), ", ",
                   CountText(progress.retries(), "retry", "retries"));
  if (progress.rate_limited() > 0) {
    absl::StrAppend(&text, ", ", progress.rate_limited(), " answered 429");
  }
  absl::StrAppend(&text, ", ", SecondsText(progress.lever_wait()),
                  " waiting on Lever");
  return text;
}

std::string PigmentText(const v1::ImportRun& run) {
  const v1::PigmentImport& pigment = run.pigment();
  if (pigment.import_id().empty()) return "";
  std::string text = absl::StrCat("import ", pigment.import_id());
  const bool reported =
      run.state() == v1::IMPORT_RUN_STATE_SUCCEEDED ||
      run.state() == v1::IMPORT_RUN_STATE_SUCCEEDED_WITH_SKIPPED_ROWS ||
      run.error().reason() == "pigment_import";
  if (reported) {
    absl::StrAppend(&text, ": ", pigment.inserted(), " inserted, ",
                    pigment.updated(), " updated, ", pigment.deleted(),
                    " deleted, ", pigment.skipped(), " skipped");
  }
  return text;
}

std::string ErrorText(const v1::ImportRun& run) {
  if (run.error().reason().empty() && run.error().message().empty()) return "";
  return absl::StrCat(run.error().reason(), " (",
                      absl::StatusCodeToString(
                          static_cast<absl::StatusCode>(run.error().code())),
                      "): ", run.error().message());
}

const std::vector<std::string>& ImportRunCsvNames() {
  static const auto* const names = new std::vector<std::string>{
      "name",         "application",   "state",         "rows",
      "pages",        "retries",       "configuration", "pigment_import_id",
      "inserted",     "updated",       "deleted",       "skipped",
      "error_reason", "error_message", "create_time",   "end_time"};
  return *names;
}

std::vector<std::string> ImportRunCsvRecord(const v1::ImportRun& run) {
  const v1::PigmentImport& pigment = run.pigment();
  return {run.name(),
          run.application(),
          ImportRunStateText(run.state()),
          std::to_string(run.progress().rows()),
          std::to_string(run.progress().pages()),
          std::to_string(run.progress().retries()),
          run.destination().configuration_id(),
          pigment.import_id(),
          std::to_string(pigment.inserted()),
          std::to_string(pigment.updated()),
          std::to_string(pigment.deleted()),
          std::to_string(pigment.skipped()),
          run.error().reason(),
          run.error().message(),
          OptionalTimestampText(run.has_create_time(), run.create_time()),
          OptionalTimestampText(run.has_end_time(), run.end_time())};
}

void PrintImportRunDetails(const v1::ImportRun& run, std::ostream& out) {
  Fields fields = {
      {"Name", run.name()},
      {"Application", run.application()},
      {"State", ImportRunStateText(run.state())},
      {"Configuration", run.destination().configuration_id()},
      {"Created by", run.creator()},
      {"Created",
       OptionalTimestampText(run.has_create_time(), run.create_time())},
      {"Started",
       OptionalTimestampText(run.has_start_time(), run.start_time())},
      {"Ended", OptionalTimestampText(run.has_end_time(), run.end_time())},
      {"Progress", ProgressText(run.progress())},
      {"Pigment", PigmentText(run)},
      {"Error", ErrorText(run)},
      {"Request id", run.request_id()}};
  for (const std::string& warning : run.warnings()) {
    fields.emplace_back("Warning", warning);
  }
  for (const std::string& error : run.pigment().errors()) {
    fields.emplace_back("Pigment error", error);
  }
  PrintDetails(fields, /*skip_empty=*/true, out);
  if (run.pigment().skipped_rows().empty()) return;
  out << "\nSkipped rows:\n";
  TextTable table({"COUNT", "REASON", "COLUMN", "SAMPLES"});
  table.AlignRight(0);
  table.KeepWhole(3);
  for (const v1::SkippedRows& skipped : run.pigment().skipped_rows()) {
    table.AddRow({std::to_string(skipped.count()), skipped.reason(),
                  skipped.column(), absl::StrJoin(skipped.samples(), " | ")});
  }
  table.Print(out);
}

std::vector<std::string> TestCheckCsvRecord(const v1::PermissionCheck& check) {
  return {
      check.permission(),
      check.endpoint(),
      ResultText(check.result()),
      check.http_status() == 0 ? "" : std::to_string(check.http_status()),
      check.has_latency() ? std::to_string(Milliseconds(check.latency())) : "",
      check.detail()};
}

std::string ActionText(v1::RequisitionChange::Action action) {
  return EnumText(v1::RequisitionChange::Action_Name(action), action,
                  "ACTION_");
}

// One line per field of a change ("" for a change without fields):
// CODE, ACTION, FIELD, OLD, NEW / REASON.
std::vector<std::vector<std::string>> ChangeLines(
    const v1::RequisitionChange& change) {
  const std::string action = ActionText(change.action());
  if (change.changes().empty()) {
    return {{change.requisition_code(), action, "", "", change.reason()}};
  }
  std::vector<std::vector<std::string>> lines;
  for (const v1::FieldChange& field : change.changes()) {
    lines.push_back({change.requisition_code(), action, field.field(),
                     CellText(field.old_value()), CellText(field.new_value())});
  }
  return lines;
}

// The detail of a result, with what Lever holds instead of the plan.
std::string ResultDetail(const v1::RequisitionWriteResult& result) {
  std::vector<std::string> parts;
  if (!result.detail().empty()) parts.push_back(result.detail());
  for (const v1::FieldChange& mismatch : result.mismatches()) {
    parts.push_back(absl::StrCat(
        "Lever holds ", mismatch.field(), " \"", CellText(mismatch.new_value()),
        "\", not the planned \"", CellText(mismatch.old_value()), "\""));
  }
  return absl::StrJoin(parts, "; ");
}

}  // namespace

std::string OutcomeText(v1::RequisitionWriteResult::Outcome outcome) {
  std::string text = EnumText(v1::RequisitionWriteResult::Outcome_Name(outcome),
                              outcome, "OUTCOME_");
  std::replace(text.begin(), text.end(), '_', ' ');
  return text;
}

namespace {

// Lines under `table_headers` (the last column never cut), or as CSV under
// `csv_names`.
void PrintLines(const std::vector<std::string>& csv_names,
                std::vector<std::string> table_headers,
                std::vector<std::vector<std::string>> lines,
                OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kCsv) {
    WriteCsv(csv_names, lines, out);
    return;
  }
  const int last = static_cast<int>(table_headers.size()) - 1;
  TextTable table(std::move(table_headers));
  table.KeepWhole(last);
  for (std::vector<std::string>& line : lines) table.AddRow(std::move(line));
  table.Print(out);
}

}  // namespace

absl::Status PrintRequisitionChanges(
    const v1::PlanRequisitionChangesResponse& plan, OutputFormat format,
    std::ostream& out) {
  if (format == OutputFormat::kJson) return WriteJsonLine(plan, out);
  std::vector<std::vector<std::string>> lines;
  for (const v1::RequisitionChange& change : plan.changes()) {
    for (std::vector<std::string>& line : ChangeLines(change)) {
      lines.push_back(std::move(line));
    }
  }
  PrintLines({"requisition_code", "action", "field", "old", "new_or_reason"},
             {"CODE", "ACTION", "FIELD", "OLD", "NEW / REASON"},
             std::move(lines), format, out);
  return absl::OkStatus();
}

absl::Status PrintWriteResults(
    const v1::ApplyRequisitionChangesResponse& results, OutputFormat format,
    std::ostream& out) {
  if (format == OutputFormat::kJson) return WriteJsonLine(results, out);
  std::vector<std::vector<std::string>> lines;
  for (const v1::RequisitionWriteResult& result : results.results()) {
    lines.push_back({result.requisition_code(), OutcomeText(result.outcome()),
                     result.lever_id(), ResultDetail(result)});
  }
  PrintLines({"requisition_code", "outcome", "lever_id", "detail"},
             {"CODE", "OUTCOME", "LEVER ID", "DETAIL"}, std::move(lines),
             format, out);
  return absl::OkStatus();
}

std::string EnvironmentText(v1::Environment environment) {
  return EnumText(v1::Environment_Name(environment), environment,
                  "ENVIRONMENT_");
}

std::string ColumnTypeText(const v1::Column& column) {
  std::string text = EnumText(v1::ColumnType_Name(column.type()), column.type(),
                              "COLUMN_TYPE_");
  return column.list() ? text + "[]" : text;
}

std::string MillisecondsText(const google::protobuf::Duration& duration) {
  return absl::StrCat(Milliseconds(duration), "ms");
}

absl::Status PrintConnection(const v1::Connection& connection,
                             OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::kJson:
      return WriteJsonLine(connection, out);
    case OutputFormat::kCsv:
      WriteCsv(ConnectionCsvNames(), {ConnectionCsvRecord(connection)}, out);
      return absl::OkStatus();
    case OutputFormat::kTable:
      PrintConnectionDetails(connection, out);
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status PrintConnections(const std::vector<v1::Connection>& connections,
                              OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) {
    v1::ListConnectionsResponse all;
    all.mutable_connections()->Add(connections.begin(), connections.end());
    return WriteJsonLine(all, out);
  }
  if (format == OutputFormat::kCsv) {
    std::vector<std::vector<std::string>> records;
    for (const v1::Connection& connection : connections) {
      records.push_back(ConnectionCsvRecord(connection));
    }
    WriteCsv(ConnectionCsvNames(), records, out);
    return absl::OkStatus();
  }

  TextTable table({"NAME", "DISPLAY NAME", "ENVIRONMENT", "APPLICATIONS",
                   "KEY HINT", "UPDATED"});
  for (const v1::Connection& connection : connections) {
    table.AddRow({connection.name(), connection.display_name(),
                  EnvironmentText(connection.environment()),
                  ApplicationsText(connection), connection.api_key_hint(),
                  OptionalTimestampText(connection.has_update_time(),
                                        connection.update_time())});
  }
  table.Print(out);
  return absl::OkStatus();
}

absl::Status PrintTestResult(const v1::TestConnectionResponse& result,
                             OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) return WriteJsonLine(result, out);
  if (format == OutputFormat::kCsv) {
    std::vector<std::vector<std::string>> records;
    for (const v1::PermissionCheck& check : result.checks()) {
      records.push_back(TestCheckCsvRecord(check));
    }
    WriteCsv({"permission", "endpoint", "result", "http_status", "latency_ms",
              "detail"},
             records, out);
    return absl::OkStatus();
  }

  TextTable table(
      {"PERMISSION", "ENDPOINT", "RESULT", "HTTP", "LATENCY", "DETAIL"});
  table.AlignRight(3);
  table.AlignRight(4);
  table.KeepWhole(5);  // the detail names what is missing; nothing follows it
  for (const v1::PermissionCheck& check : result.checks()) {
    table.AddRow(
        {check.permission(), check.endpoint(), ResultText(check.result()),
         check.http_status() == 0 ? "-" : std::to_string(check.http_status()),
         check.has_latency() ? MillisecondsText(check.latency()) : "-",
         check.detail()});
  }
  table.Print(out);
  return absl::OkStatus();
}

absl::Status PrintEmpty(OutputFormat format, std::ostream& out) {
  if (format != OutputFormat::kJson) return absl::OkStatus();
  return WriteJsonLine(google::protobuf::Empty(), out);
}

absl::Status PrintSchema(const v1::RequisitionSchema& schema,
                         OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) return WriteJsonLine(schema, out);

  std::vector<std::vector<std::string>> records;
  for (const v1::Column& column : schema.columns()) {
    records.push_back({column.name(), column.label(), ColumnTypeText(column),
                       SourceText(column.source())});
  }
  if (format == OutputFormat::kCsv) {
    WriteCsv({"name", "label", "type", "source"}, records, out);
    return absl::OkStatus();
  }

  TextTable table({"NAME", "LABEL", "TYPE", "SOURCE"});
  for (std::vector<std::string>& record : records) {
    table.AddRow(std::move(record));
  }
  table.Print(out);
  return absl::OkStatus();
}

bool IsFinishedRun(const v1::ImportRun& run) {
  switch (run.state()) {
    case v1::IMPORT_RUN_STATE_SUCCEEDED:
    case v1::IMPORT_RUN_STATE_SUCCEEDED_WITH_SKIPPED_ROWS:
    case v1::IMPORT_RUN_STATE_FAILED:
    case v1::IMPORT_RUN_STATE_CANCELLED:
      return true;
    default:
      return false;
  }
}

std::string ImportRunStateText(v1::ImportRunState state) {
  std::string text =
      EnumText(v1::ImportRunState_Name(state), state, "IMPORT_RUN_STATE_");
  std::replace(text.begin(), text.end(), '_', ' ');
  return absl::StrReplaceAll(text, {{"pigment", "Pigment"}});
}

std::string ImportRunProgressLine(const v1::ImportRun& run) {
  return absl::StrCat(RunIdText(run), " ", ImportRunStateText(run.state()),
                      ": ", ProgressText(run.progress()));
}

absl::Status PrintImportRun(const v1::ImportRun& run, OutputFormat format,
                            std::ostream& out) {
  switch (format) {
    case OutputFormat::kJson:
      return WriteJsonLine(run, out);
    case OutputFormat::kCsv:
      WriteCsv(ImportRunCsvNames(), {ImportRunCsvRecord(run)}, out);
      return absl::OkStatus();
    case OutputFormat::kTable:
      PrintImportRunDetails(run, out);
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::Status PrintImportRuns(const std::vector<v1::ImportRun>& runs,
                             OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kJson) {
    v1::ListImportsResponse all;
    all.mutable_imports()->Add(runs.begin(), runs.end());
    return WriteJsonLine(all, out);
  }
  if (format == OutputFormat::kCsv) {
    std::vector<std::vector<std::string>> records;
    for (const v1::ImportRun& run : runs) {
      records.push_back(ImportRunCsvRecord(run));
    }
    WriteCsv(ImportRunCsvNames(), records, out);
    return absl::OkStatus();
  }
  TextTable table(
      {"ID", "APPLICATION", "STATE", "ROWS", "SKIPPED", "CREATED", "ERROR"});
  table.AlignRight(3);
  table.AlignRight(4);
  for (const v1::ImportRun& run : runs) {
    table.AddRow(
        {RunIdText(run), run.application(), ImportRunStateText(run.state()),
         std::to_string(run.progress().rows()),
         std::to_string(run.pigment().skipped()),
         OptionalTimestampText(run.has_create_time(), run.create_time()),
         run.error().reason()});
  }
  table.Print(out);
  return absl::OkStatus();
}

}  // namespace leverconnect::client

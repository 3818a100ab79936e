// Connections, connection tests and schemas. Rows are in output.cc.
#include <algorithm>
#include <cstdint>
#include <utility>

#include <google/protobuf/empty.pb.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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
      "name",  "display_name", "environment", "allowed_applications",
      "state", "api_key_hint", "create_time", "update_time",
      "etag"};
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
          connection.etag()};
}

// "Name:          connections/acme-prod", one line per field.
void PrintConnectionDetails(const v1::Connection& connection,
                            std::ostream& out) {
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"Name", connection.name()},
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
  };
  size_t label_width = 0;
  for (const auto& [label, value] : fields) {
    label_width = std::max(label_width, label.size() + 1);
  }
  for (const auto& [label, value] : fields) {
    std::string line = label + ":";
    line.resize(label_width + 2, ' ');
    line += value;
    out << line.substr(0, line.find_last_not_of(' ') + 1) << '\n';
  }
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

}  // namespace

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

}  // namespace leverconnect::client

// Cells and rows of an import. Resources are in output_resources.cc.
#include "client/output.h"

#include <charconv>
#include <cmath>
#include <system_error>
#include <utility>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "client/text_table.h"
#include "lib/csv/csv_writer.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace leverconnect::client {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

const v1::Value& NullValue() {
  static const v1::Value* const null_value = new v1::Value();
  return *null_value;
}

// The cell of `column`, or null when the row is short.
const v1::Value& CellAt(const v1::Row& row, int column) {
  return column < row.cells_size() ? row.cells(column) : NullValue();
}

bool IsNumeric(const v1::Column& column) {
  return !column.list() && (column.type() == v1::COLUMN_TYPE_INTEGER ||
                            column.type() == v1::COLUMN_TYPE_DOUBLE);
}

void WriteJsonString(absl::string_view text, JsonWriter& writer) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void WriteJsonDouble(double value, JsonWriter& writer) {
  const std::string text = DoubleText(value);
  if (!std::isfinite(value)) return WriteJsonString(text, writer);
  writer.RawValue(text.data(), text.size(), rapidjson::kNumberType);
}

void WriteJsonValue(const v1::Value& value, JsonWriter& writer) {
  switch (value.kind_case()) {
    case v1::Value::kStringValue:
      return WriteJsonString(value.string_value(), writer);
    case v1::Value::kIntegerValue:
      writer.Int64(value.integer_value());
      return;
    case v1::Value::kDoubleValue:
      return WriteJsonDouble(value.double_value(), writer);
    case v1::Value::kBoolValue:
      writer.Bool(value.bool_value());
      return;
    case v1::Value::kTimestampValue:
      return WriteJsonString(TimestampText(value.timestamp_value()), writer);
    case v1::Value::kListValue:
      writer.StartArray();
      for (const v1::Value& element : value.list_value().values()) {
        WriteJsonValue(element, writer);
      }
      writer.EndArray();
      return;
    case v1::Value::kNullValue:
    case v1::Value::KIND_NOT_SET:
      writer.Null();
      return;
  }
}

// Rows as lib/csv writes them: every column of the schema under its name.
class CsvRowWriter : public RowWriter {
 public:
  explicit CsvRowWriter(std::ostream& out) : out_(out) {}

  absl::Status Begin(const v1::RequisitionSchema& schema) override {
    absl::StatusOr<csv::CsvWriter> writer =
        csv::CsvWriter::Create(schema, {}, csv::CsvFormat());
    if (!writer.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot write the rows as CSV: ", writer.status().message()));
    }
    writer_.emplace(*std::move(writer));
    out_ << writer_->HeaderRow();
    return absl::OkStatus();
  }

  void Write(const v1::Row& row) override {
    record_.clear();
    writer_->AppendRow(row, &record_);
    out_ << record_;
  }

  void End() override {}

 private:
  std::ostream& out_;
  std::optional<csv::CsvWriter> writer_;
  std::string record_;  // one record; reused to keep its storage
};

class JsonRowWriter : public RowWriter {
 public:
  explicit JsonRowWriter(std::ostream& out) : out_(out) {}

  absl::Status Begin(const v1::RequisitionSchema& schema) override {
    schema_ = schema;
    return absl::OkStatus();
  }
  void Write(const v1::Row& row) override {
    out_ << RowJson(schema_, row) << '\n';
  }
  void End() override {}

 private:
  std::ostream& out_;
  v1::RequisitionSchema schema_;
};

// Keeps every row until End, to size the columns.
class TableRowWriter : public RowWriter {
 public:
  explicit TableRowWriter(std::ostream& out) : out_(out) {}

  absl::Status Begin(const v1::RequisitionSchema& schema) override {
    std::vector<std::string> names;
    for (const v1::Column& column : schema.columns()) {
      names.push_back(column.name());
    }
    table_.emplace(std::move(names));
    for (int column = 0; column < schema.columns_size(); ++column) {
      if (IsNumeric(schema.columns(column))) table_->AlignRight(column);
    }
    return absl::OkStatus();
  }

  void Write(const v1::Row& row) override {
    std::vector<std::string> cells;
    for (const v1::Value& cell : row.cells()) cells.push_back(CellText(cell));
    table_->AddRow(std::move(cells));
  }

  void End() override {
    if (table_.has_value()) table_->Print(out_);
  }

 private:
  std::ostream& out_;
  std::optional<TextTable> table_;
};

}  // namespace

std::optional<OutputFormat> ParseOutputFormat(absl::string_view text) {
  if (text == "table") return OutputFormat::kTable;
  if (text == "csv") return OutputFormat::kCsv;
  if (text == "json") return OutputFormat::kJson;
  return std::nullopt;
}

std::string CellText(const v1::Value& value) {
  switch (value.kind_case()) {
    case v1::Value::kStringValue:
      return value.string_value();
    case v1::Value::kIntegerValue:
      return std::to_string(value.integer_value());
    case v1::Value::kDoubleValue:
      return DoubleText(value.double_value());
    case v1::Value::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case v1::Value::kTimestampValue:
      return TimestampText(value.timestamp_value());
    case v1::Value::kListValue:
      return absl::StrJoin(value.list_value().values(), "|",
                           [](std::string* out, const v1::Value& element) {
                             out->append(CellText(element));
                           });
    case v1::Value::kNullValue:
    case v1::Value::KIND_NOT_SET:
      return "";
  }
  return "";
}

std::string DoubleText(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";

  // Fixed notation needs at most 21 integer digits and, from 1e-6 on, 6
  // leading zeros plus 17 significant digits; scientific far less.
  char buffer[64];
  const double magnitude = std::fabs(value);
  const bool plain = magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e21);
  std::to_chars_result result = {buffer, std::errc::value_too_large};
  if (plain) {
    result = std::to_chars(buffer, std::end(buffer), value,
                           std::chars_format::fixed);
  }
  if (result.ec != std::errc()) {
    result = std::to_chars(buffer, std::end(buffer), value);
  }
  return std::string(buffer, result.ptr);
}

std::string TimestampText(const google::protobuf::Timestamp& timestamp) {
  const int nanos = timestamp.nanos();
  const char* format = "%Y-%m-%dT%H:%M:%E9SZ";
  if (nanos == 0) {
    format = "%Y-%m-%dT%H:%M:%SZ";
  } else if (nanos % 1000000 == 0) {
    format = "%Y-%m-%dT%H:%M:%E3SZ";
  } else if (nanos % 1000 == 0) {
    format = "%Y-%m-%dT%H:%M:%E6SZ";
  }
  const absl::Time time =
      absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(nanos);
  return absl::FormatTime(format, time, absl::UTCTimeZone());
}

std::string RowJson(const v1::RequisitionSchema& schema, const v1::Row& row) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  for (int column = 0; column < schema.columns_size(); ++column) {
    WriteJsonString(schema.columns(column).name(), writer);
    WriteJsonValue(CellAt(row, column), writer);
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::unique_ptr<RowWriter> MakeRowWriter(OutputFormat format,
                                         std::ostream& out) {
  switch (format) {
    case OutputFormat::kCsv:
      return std::make_unique<CsvRowWriter>(out);
    case OutputFormat::kJson:
      return std::make_unique<JsonRowWriter>(out);
    case OutputFormat::kTable:
      break;
  }
  return std::make_unique<TableRowWriter>(out);
}

absl::Status WriteMessageJson(const google::protobuf::Message& message,
                              std::ostream& out) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError("cannot show the answer as JSON: " +
                                      std::string(status.message()));
  }
  out << json;
  return absl::OkStatus();
}

}  // namespace leverconnect::client

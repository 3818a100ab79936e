#include "lib/csv/csv_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace leverconnect::csv {
namespace {

constexpr absl::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr absl::string_view kRecordEnd = "\r\n";
constexpr absl::string_view kEmptyText = "\"\"";

bool IsBlank(char character) { return character == ' ' || character == '\t'; }

// Whether `text` must be enclosed in quotes to be read back as itself.
bool NeedsQuotes(absl::string_view text, char separator) {
  if (text.empty()) return false;
  if (IsBlank(text.front()) || IsBlank(text.back())) return true;
  for (const char character : text) {
    if (character == separator || character == '"' || character == '\r' ||
        character == '\n') {
      return true;
    }
  }
  return false;
}

// Quotes the field that starts at `start` and runs to the end of `out`, in
// place, when it needs quotes.
void QuoteField(std::size_t start, char separator, std::string* out) {
  const std::size_t end = out->size();
  if (!NeedsQuotes(absl::string_view(*out).substr(start), separator)) return;

  const auto quotes = std::count(out->begin() + start, out->end(), '"');
  out->resize(end + quotes + 2);
  // From the back, so that every character moves once.
  std::size_t to = out->size();
  (*out)[--to] = '"';
  for (std::size_t from = end; from > start;) {
    const char character = (*out)[--from];
    (*out)[--to] = character;
    if (character == '"') (*out)[--to] = '"';
  }
  (*out)[--to] = '"';
}

void AppendInteger(std::int64_t value, std::string* out) {
  char digits[24];
  const std::to_chars_result result =
      std::to_chars(digits, std::end(digits), value);
  out->append(digits, result.ptr);
}

// NaN and the infinities append nothing.
void AppendDouble(double value, std::string* out) {
  if (!std::isfinite(value)) return;
  // At most a sign and 309 integer digits, or "0." and 324 fraction digits.
  char digits[400];
  const std::to_chars_result result =
      std::to_chars(digits, std::end(digits), value, std::chars_format::fixed);
  out->append(digits, result.ptr);
}

// In UTC, to the second: the nanoseconds are dropped.
void AppendTimestamp(const google::protobuf::Timestamp& timestamp,
                     DateFormat date_format, std::string* out) {
  const absl::CivilSecond time = absl::ToCivilSecond(
      absl::FromUnixSeconds(timestamp.seconds()), absl::UTCTimeZone());
  if (date_format == DateFormat::kDate) {
    absl::StrAppendFormat(out, "%04d-%02d-%02d", time.year(), time.month(),
                          time.day());
    return;
  }
  absl::StrAppendFormat(out, "%04d-%02d-%02dT%02d:%02d:%02dZ", time.year(),
                        time.month(), time.day(), time.hour(), time.minute(),
                        time.second());
}

absl::Status FormatError(absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("format.", problem));
}

absl::Status ColumnError(std::size_t index, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("columns[", index, "]: ", problem));
}

// `text` in double quotes, with line breaks and quotes escaped, for errors.
std::string Quoted(absl::string_view text) {
  return absl::StrCat("\"", absl::CHexEscape(text), "\"");
}

absl::Status CheckFormat(const CsvFormat& format) {
  if (format.separator != ',' && format.separator != ';') {
    return FormatError(
        absl::StrCat("separator: must be ',' or ';', not ",
                     Quoted(absl::string_view(&format.separator, 1))));
  }
  const std::string& list_separator = format.list_separator;
  if (list_separator.empty()) {
    return FormatError("list_separator: must not be empty");
  }
  if (list_separator.find_first_of("\r\n\"") != std::string::npos) {
    return FormatError(absl::StrCat("list_separator: ", Quoted(list_separator),
                                    " holds CR, LF or a double quote"));
  }
  return absl::OkStatus();
}

absl::Status CheckColumnCount(std::size_t count) {
  if (count == 0) {
    return absl::InvalidArgumentError("columns: none, and the schema has none");
  }
  if (count > kMaximumColumns) {
    return absl::InvalidArgumentError(absl::StrCat(
        "columns: ", count, " given, at most ", kMaximumColumns, " allowed"));
  }
  return absl::OkStatus();
}

// Headers already taken, and by which entry of the columns.
using TakenHeaders = absl::flat_hash_map<std::string, std::size_t>;

absl::Status CheckHeader(std::size_t index, const std::string& header,
                         TakenHeaders* taken) {
  if (header.empty()) return ColumnError(index, "empty header");
  if (header.find_first_of("\r\n") != std::string::npos) {
    return ColumnError(
        index, absl::StrCat("header ", Quoted(header), " holds CR or LF"));
  }
  const auto [entry, added] = taken->emplace(header, index);
  if (!added) {
    return ColumnError(
        index, absl::StrCat("header ", Quoted(header), " repeats columns[",
                            entry->second, "]"));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<CsvColumn> DefaultCsvColumns(const v1::RequisitionSchema& schema) {
  std::vector<CsvColumn> columns;
  columns.reserve(schema.columns_size());
  for (const v1::Column& column : schema.columns()) {
    columns.push_back({column.name(), column.name(), DateFormat::kDateTime});
  }
  return columns;
}

void AppendRecord(absl::Span<const std::string> fields, char separator,
                  std::string* out) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->push_back(separator);
    const std::size_t start = out->size();
    out->append(fields[i]);
    QuoteField(start, separator, out);
  }
  out->append(kRecordEnd.data(), kRecordEnd.size());
}

absl::StatusOr<CsvWriter> CsvWriter::Create(const v1::RequisitionSchema& schema,
                                            std::vector<CsvColumn> columns,
                                            CsvFormat format) {
  absl::Status checked = CheckFormat(format);
  if (!checked.ok()) return checked;
  if (columns.empty()) columns = DefaultCsvColumns(schema);
  checked = CheckColumnCount(columns.size());
  if (!checked.ok()) return checked;

  absl::flat_hash_map<absl::string_view, int> positions;
  for (int i = 0; i < schema.columns_size(); ++i) {
    positions.emplace(schema.columns(i).name(), i);  // the first of a name
  }
  CsvWriter writer;
  writer.format_ = std::move(format);
  TakenHeaders taken;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    CsvColumn& column = columns[i];
    const auto position = positions.find(column.column);
    if (position == positions.end()) {
      return ColumnError(i, "unknown column " + Quoted(column.column));
    }
    if (column.date_format == DateFormat::kDate &&
        schema.columns(position->second).type() != v1::COLUMN_TYPE_TIMESTAMP) {
      return ColumnError(i, Quoted(column.column) +
                                " is not a timestamp column: it has no date "
                                "format");
    }
    if (column.header.empty()) column.header = column.column;
    checked = CheckHeader(i, column.header, &taken);
    if (!checked.ok()) return checked;
    writer.headers_.push_back(std::move(column.header));
    writer.sources_.push_back({position->second, column.date_format});
  }
  return writer;
}

std::string CsvWriter::HeaderRow() const {
  std::string row;
  if (format_.byte_order_mark) {
    row.append(kByteOrderMark.data(), kByteOrderMark.size());
  }
  AppendRecord(headers_, format_.separator, &row);
  return row;
}

void CsvWriter::AppendRow(const v1::Row& row, std::string* out) const {
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    if (i > 0) out->push_back(format_.separator);
    const Source& source = sources_[i];
    if (source.cell < row.cells_size()) {
      AppendCell(row.cells(source.cell), source.date_format, out);
    }
  }
  out->append(kRecordEnd.data(), kRecordEnd.size());
}

void CsvWriter::AppendCell(const v1::Value& cell, DateFormat date_format,
                           std::string* out) const {
  if (cell.kind_case() == v1::Value::kStringValue &&
      cell.string_value().empty()) {
    out->append(kEmptyText.data(), kEmptyText.size());
    return;
  }
  const std::size_t start = out->size();
  AppendValue(cell, date_format, out);
  QuoteField(start, format_.separator, out);
}

void CsvWriter::AppendValue(const v1::Value& value, DateFormat date_format,
                            std::string* out) const {
  switch (value.kind_case()) {
    case v1::Value::kStringValue:
      out->append(value.string_value());
      return;
    case v1::Value::kIntegerValue:
      return AppendInteger(value.integer_value(), out);
    case v1::Value::kDoubleValue:
      return AppendDouble(value.double_value(), out);
    case v1::Value::kBoolValue:
      out->append(value.bool_value() ? "true" : "false");
      return;
    case v1::Value::kTimestampValue:
      return AppendTimestamp(value.timestamp_value(), date_format, out);
    case v1::Value::kListValue: {
      bool first = true;
      for (const v1::Value& element : value.list_value().values()) {
        if (!first) out->append(format_.list_separator);
        first = false;
        AppendValue(element, date_format, out);
      }
      return;
    }
    case v1::Value::kNullValue:
    case v1::Value::KIND_NOT_SET:
      return;
  }
}

}  // namespace leverconnect::csv

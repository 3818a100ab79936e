#include "lib/mapping/cell_conversion.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "rapidjson/writer.h"

namespace leverconnect::mapping {
namespace {

using ::leverconnect::v1::ColumnType;

// google.protobuf.Timestamp covers 0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999999999Z.
constexpr std::int64_t kMinimumSeconds = -62135596800;
constexpr std::int64_t kMaximumSeconds = 253402300799;
constexpr double kMinimumMilliseconds = kMinimumSeconds * 1000.0;
constexpr double kMaximumMilliseconds = kMaximumSeconds * 1000.0 + 999.0;

constexpr std::size_t kExcerptLimit = 40;

// A rapidjson output stream that keeps the first kExcerptLimit bytes in a
// fixed buffer and counts the rest, so an excerpt of any value costs no
// allocation.
class ExcerptStream {
 public:
  using Ch = char;
  void Put(char c) {
    if (length_ < kExcerptLimit) text_[length_] = c;
    ++length_;
  }
  void Flush() {}
  absl::string_view text() const {
    return absl::string_view(text_, std::min(length_, kExcerptLimit));
  }
  std::size_t length() const { return length_; }

 private:
  char text_[kExcerptLimit];
  std::size_t length_ = 0;
};

// Appends to `out` at most kExcerptLimit bytes of the compact JSON of
// `value`, ending in "..." when cut, never in the middle of a UTF-8
// sequence.
void AppendExcerpt(const rapidjson::Value& value, std::string* out) {
  ExcerptStream stream;
  rapidjson::Writer<ExcerptStream> writer(stream);
  value.Accept(writer);
  if (stream.length() <= kExcerptLimit) {
    out->append(stream.text().data(), stream.text().size());
    return;
  }
  std::size_t cut = kExcerptLimit - 3;
  while (cut > 0 && (stream.text()[cut] & 0xC0) == 0x80) --cut;
  absl::StrAppend(out, stream.text().substr(0, cut), "...");
}

absl::string_view KindWord(const rapidjson::Value& value) {
  if (value.IsString()) return "string";
  if (value.IsNumber()) return "number";
  if (value.IsBool()) return "boolean";
  if (value.IsObject()) return "object";
  if (value.IsArray()) return "array";
  return "null";
}

absl::string_view Text(const rapidjson::Value& value) {
  return absl::string_view(value.GetString(), value.GetStringLength());
}

bool IsIntegral(double number) {
  return std::isfinite(number) && std::trunc(number) == number;
}

// True when `number` is integral and fits in int64.
bool DoubleToInteger(double number, std::int64_t* integer) {
  // 2^63 is exactly representable; every double below it converts safely.
  constexpr double kLimit = 9223372036854775808.0;
  if (!IsIntegral(number) || number < -kLimit || number >= kLimit) {
    return false;
  }
  *integer = static_cast<std::int64_t>(number);
  return true;
}

// Reads a whole or fractional number from text such as " 12 " or "9.5".
bool ParseNumber(absl::string_view text, double* number) {
  return absl::SimpleAtod(text, number) && std::isfinite(*number);
}

// Reads an integer from text such as " 12 " or "12.0".
bool ParseInteger(absl::string_view text, std::int64_t* integer) {
  if (absl::SimpleAtoi(text, integer)) return true;
  double number = 0;
  return ParseNumber(text, &number) && DoubleToInteger(number, integer);
}

template <typename Cell>
Conversion ToString(const rapidjson::Value& value, Cell cell) {
  if (value.IsString()) {
    cell.SetString(Text(value));
    return Conversion::kExact;
  }
  cell.SetString(CompactJson(value));
  return Conversion::kConverted;
}

template <typename Cell>
Conversion ToInteger(const rapidjson::Value& value, Cell cell) {
  std::int64_t integer = 0;
  if (value.IsInt64()) {
    cell.SetInteger(value.GetInt64());
    return Conversion::kExact;
  }
  if (value.IsDouble() && DoubleToInteger(value.GetDouble(), &integer)) {
    cell.SetInteger(integer);
    return Conversion::kExact;
  }
  if (value.IsString() && ParseInteger(Text(value), &integer)) {
    cell.SetInteger(integer);
    return Conversion::kConverted;
  }
  cell.SetNull();
  return Conversion::kLeftEmpty;
}

template <typename Cell>
Conversion ToDouble(const rapidjson::Value& value, Cell cell) {
  double number = 0;
  if (value.IsNumber()) {
    cell.SetDouble(value.GetDouble());
    return Conversion::kExact;
  }
  if (value.IsString() && ParseNumber(Text(value), &number)) {
    cell.SetDouble(number);
    return Conversion::kConverted;
  }
  cell.SetNull();
  return Conversion::kLeftEmpty;
}

// Reads "true" or "false" in any case, ignoring surrounding spaces.
bool ParseBool(absl::string_view text, bool* result) {
  const absl::string_view word = absl::StripAsciiWhitespace(text);
  if (absl::EqualsIgnoreCase(word, "true")) {
    *result = true;
    return true;
  }
  if (absl::EqualsIgnoreCase(word, "false")) {
    *result = false;
    return true;
  }
  return false;
}

template <typename Cell>
Conversion ToBool(const rapidjson::Value& value, Cell cell) {
  bool result = false;
  if (value.IsBool()) {
    cell.SetBool(value.GetBool());
    return Conversion::kExact;
  }
  if (value.IsNumber() &&
      (value.GetDouble() == 0.0 || value.GetDouble() == 1.0)) {
    cell.SetBool(value.GetDouble() == 1.0);
    return Conversion::kConverted;
  }
  if (value.IsString() && ParseBool(Text(value), &result)) {
    cell.SetBool(result);
    return Conversion::kConverted;
  }
  cell.SetNull();
  return Conversion::kLeftEmpty;
}

bool TimeToInstant(absl::Time time, Instant* instant) {
  const std::int64_t seconds = absl::ToUnixSeconds(time);  // floors
  if (seconds < kMinimumSeconds || seconds > kMaximumSeconds) return false;
  const absl::Duration fraction = time - absl::FromUnixSeconds(seconds);
  instant->seconds = seconds;
  instant->nanos =
      static_cast<std::int32_t>(absl::ToInt64Nanoseconds(fraction));
  return true;
}

// Reads epoch milliseconds as digits, a "YYYY-MM-DD" date (midnight UTC) or
// an RFC 3339 instant.
bool ParseInstant(absl::string_view text, Instant* instant) {
  std::int64_t milliseconds = 0;
  if (absl::SimpleAtoi(text, &milliseconds)) {
    return MillisecondsToInstant(milliseconds, instant);
  }
  const std::string trimmed(absl::StripAsciiWhitespace(text));
  absl::Time time;
  std::string error;
  if (absl::ParseTime("%Y-%m-%d", trimmed, absl::UTCTimeZone(), &time,
                      &error) ||
      absl::ParseTime(absl::RFC3339_full, trimmed, absl::UTCTimeZone(), &time,
                      &error)) {
    return TimeToInstant(time, instant);
  }
  return false;
}

// Epoch milliseconds from a JSON number: integers as is, doubles rounded.
bool NumberToInstant(const rapidjson::Value& value, Instant* instant) {
  if (value.IsInt64()) {
    return MillisecondsToInstant(value.GetInt64(), instant);
  }
  if (!value.IsDouble()) return false;  // an integer beyond int64
  const double milliseconds = value.GetDouble();
  if (!(milliseconds >= kMinimumMilliseconds &&
        milliseconds <= kMaximumMilliseconds)) {
    return false;
  }
  return MillisecondsToInstant(std::llround(milliseconds), instant);
}

template <typename Cell>
Conversion ToTimestamp(const rapidjson::Value& value, Cell cell) {
  Instant instant;
  if (value.IsNumber() && NumberToInstant(value, &instant)) {
    cell.SetTimestamp(instant);
    return Conversion::kExact;
  }
  if (value.IsString() && ParseInstant(Text(value), &instant)) {
    cell.SetTimestamp(instant);
    return Conversion::kConverted;
  }
  cell.SetNull();
  return Conversion::kLeftEmpty;
}

template <typename Cell>
Conversion Convert(const rapidjson::Value& value, ColumnType type, Cell cell) {
  switch (type) {
    case leverconnect::v1::COLUMN_TYPE_STRING:
      return ToString(value, cell);
    case leverconnect::v1::COLUMN_TYPE_INTEGER:
      return ToInteger(value, cell);
    case leverconnect::v1::COLUMN_TYPE_DOUBLE:
      return ToDouble(value, cell);
    case leverconnect::v1::COLUMN_TYPE_BOOL:
      return ToBool(value, cell);
    case leverconnect::v1::COLUMN_TYPE_TIMESTAMP:
      return ToTimestamp(value, cell);
    default:
      cell.SetNull();
      return Conversion::kLeftEmpty;
  }
}

}  // namespace

template <typename Cell>
void ConvertScalar(const rapidjson::Value* value, absl::string_view column,
                   ColumnType type, Cell cell, Warnings* warnings) {
  if (value == nullptr || value->IsNull()) {
    cell.SetNull();
    return;
  }
  const Conversion conversion = Convert(*value, type, cell);
  if (conversion != Conversion::kExact) {
    AddWarning(column, ExpectedWord(type), *value, conversion, warnings);
  }
}

template <typename Cell>
void ConvertList(const rapidjson::Value* value, absl::string_view column,
                 ColumnType type, Cell cell, Warnings* warnings) {
  if (value == nullptr || value->IsNull()) {
    cell.SetNull();
    return;
  }
  if (!value->IsArray()) {
    cell.SetNull();
    AddWarning(column, "list", *value, Conversion::kLeftEmpty, warnings);
    return;
  }
  typename Cell::List elements(cell);
  for (const rapidjson::Value& element : value->GetArray()) {
    ConvertScalar(&element, column, type, elements.Next(), warnings);
  }
}

template void ConvertScalar(const rapidjson::Value*, absl::string_view,
                            ColumnType, ValueCell, Warnings*);
template void ConvertScalar(const rapidjson::Value*, absl::string_view,
                            ColumnType, WireCell, Warnings*);
template void ConvertList(const rapidjson::Value*, absl::string_view,
                          ColumnType, ValueCell, Warnings*);
template void ConvertList(const rapidjson::Value*, absl::string_view,
                          ColumnType, WireCell, Warnings*);

absl::string_view ExpectedWord(ColumnType type) {
  switch (type) {
    case leverconnect::v1::COLUMN_TYPE_INTEGER:
      return "integer";
    case leverconnect::v1::COLUMN_TYPE_DOUBLE:
      return "number";
    case leverconnect::v1::COLUMN_TYPE_BOOL:
      return "boolean";
    case leverconnect::v1::COLUMN_TYPE_TIMESTAMP:
      return "date";
    default:
      return "text";
  }
}

void AddWarning(absl::string_view column, absl::string_view expected,
                const rapidjson::Value& value, Conversion conversion,
                Warnings* warnings) {
  const absl::string_view outcome =
      conversion == Conversion::kConverted ? "converted" : "left empty";
  // Add() hands back a cleared string of an earlier row when there is one,
  // so a reused row builds its warnings without allocating.
  std::string* warning = warnings->Add();
  absl::StrAppend(warning, column, ": expected ", expected, ", got ",
                  KindWord(value), " ");
  AppendExcerpt(value, warning);
  absl::StrAppend(warning, "; ", outcome);
}

std::string CompactJson(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

bool MillisecondsToInstant(std::int64_t milliseconds, Instant* instant) {
  std::int64_t seconds = milliseconds / 1000;
  std::int64_t remainder = milliseconds % 1000;
  if (remainder < 0) {
    remainder += 1000;
    --seconds;
  }
  if (seconds < kMinimumSeconds || seconds > kMaximumSeconds) return false;
  instant->seconds = seconds;
  instant->nanos = static_cast<std::int32_t>(remainder * 1000000);
  return true;
}

}  // namespace leverconnect::mapping

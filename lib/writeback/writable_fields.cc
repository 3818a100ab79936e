#include "lib/writeback/writable_fields.h"

#include <cmath>
#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace leverconnect::writeback {
namespace {

using google::protobuf::util::TimeUtil;
using leverconnect::v1::ColumnType;
using leverconnect::v1::Value;

// The standard columns write-back sets (LEVER_API.md, "Writing
// requisitions"), and whether a plan may clear them. Posting ids are
// carried over by PUT but not planned; requisition_code is the row's key.
struct StandardField {
  const char* name;
  bool clearable;
};
constexpr StandardField kStandardFields[] = {
    {"name", false},
    {"status", false},
    {"backfill", true},
    {"headcount_total", true},
    {"time_to_fill_start_at", true},
    {"time_to_fill_end_at", true},
    {"owner", true},
    {"hiring_manager", true},
    {"employment_status", true},
    {"location", true},
    {"team", true},
    {"department", true},
    {"internal_notes", true},
    {"compensation_band_min", true},
    {"compensation_band_max", true},
    {"compensation_band_currency", true},
    {"compensation_band_interval", true},
};

// The requisition members PUT sends back, and their names on write.
constexpr std::pair<const char*, const char*> kRecordMembers[] = {
    {"requisitionCode", "requisitionCode"},
    {"name", "name"},
    {"status", "status"},
    {"headcountTotal", "headcountTotal"},
    {"backfill", "backfill"},
    {"compensationBand", "compensationBand"},
    {"employmentStatus", "employmentStatus"},
    {"location", "location"},
    {"team", "team"},
    {"department", "department"},
    {"internalNotes", "internalNotes"},
    {"owner", "owner"},
    {"hiringManager", "hiringManager"},
    {"customFields", "customFields"},
    {"postings", "postingIds"},
    {"timeToFillStartAt", "timeToFillStartAt"},
    {"timeToFillEndAt", "timeToFillEndAt"},
};

const StandardField* FindStandard(absl::string_view name) {
  for (const StandardField& field : kStandardFields) {
    if (name == field.name) return &field;
  }
  return nullptr;
}

Value Null() {
  Value value;
  value.set_null_value(google::protobuf::NULL_VALUE);
  return value;
}

// What a planned value shows in a message: its text, cut to 40
// characters, or its kind.
std::string Shown(const Value& value) {
  switch (value.kind_case()) {
    case Value::kStringValue: {
      std::string text = value.string_value().substr(0, 40);
      if (value.string_value().size() > 40) text += "...";
      return absl::StrCat("\"", absl::CHexEscape(text), "\"");
    }
    case Value::kIntegerValue:
      return absl::StrCat(value.integer_value());
    case Value::kDoubleValue:
      return absl::StrCat(value.double_value());
    case Value::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case Value::kTimestampValue:
      return "a timestamp";
    case Value::kListValue:
      return "a list";
    default:
      return "null";
  }
}

absl::Status NotA(const WritableField& field, const Value& value,
                  absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(field.name, ": ", Shown(value), " is not ", what));
}

// Milliseconds since the epoch of "YYYY-MM-DD" (midnight UTC) or an RFC
// 3339 date-time; false when the text is neither.
bool ParseInstant(absl::string_view text, std::int64_t* milliseconds) {
  absl::Time time;
  std::string error;
  const std::string trimmed(absl::StripAsciiWhitespace(text));
  if (!absl::ParseTime("%Y-%m-%d", trimmed, absl::UTCTimeZone(), &time,
                       &error) &&
      !absl::ParseTime(absl::RFC3339_full, trimmed, &time, &error)) {
    return false;
  }
  *milliseconds = absl::ToUnixMillis(time);
  return true;
}

Value TimestampValue(std::int64_t milliseconds) {
  Value value;
  *value.mutable_timestamp_value() =
      TimeUtil::MillisecondsToTimestamp(milliseconds);
  return value;
}

std::int64_t Milliseconds(const google::protobuf::Timestamp& timestamp) {
  return TimeUtil::TimestampToMilliseconds(timestamp);
}

absl::StatusOr<Value> ReadInteger(const WritableField& field,
                                  const Value& planned) {
  Value value;
  std::int64_t integer = 0;
  if (planned.has_integer_value()) return planned;
  if (planned.has_double_value() &&
      std::trunc(planned.double_value()) == planned.double_value() &&
      std::fabs(planned.double_value()) < 9e15) {
    value.set_integer_value(static_cast<std::int64_t>(planned.double_value()));
    return value;
  }
  if (planned.has_string_value() &&
      absl::SimpleAtoi(absl::StripAsciiWhitespace(planned.string_value()),
                       &integer)) {
    value.set_integer_value(integer);
    return value;
  }
  return NotA(field, planned, "an integer");
}

absl::StatusOr<Value> ReadDouble(const WritableField& field,
                                 const Value& planned) {
  Value value;
  double number = 0;
  if (planned.has_double_value()) number = planned.double_value();
  if (planned.has_integer_value()) {
    number = static_cast<double>(planned.integer_value());
  }
  if (planned.has_string_value() &&
      !absl::SimpleAtod(absl::StripAsciiWhitespace(planned.string_value()),
                        &number)) {
    return NotA(field, planned, "a number");
  }
  if (!(planned.has_double_value() || planned.has_integer_value() ||
        planned.has_string_value()) ||
      !std::isfinite(number)) {
    return NotA(field, planned, "a number");
  }
  value.set_double_value(number);
  return value;
}

absl::StatusOr<Value> ReadBool(const WritableField& field,
                               const Value& planned) {
  if (planned.has_bool_value()) return planned;
  Value value;
  if (planned.has_string_value()) {
    const std::string text = absl::AsciiStrToLower(
        absl::StripAsciiWhitespace(planned.string_value()));
    if (text == "true" || text == "false") {
      value.set_bool_value(text == "true");
      return value;
    }
  }
  return NotA(field, planned, "true or false");
}

absl::StatusOr<Value> ReadTimestamp(const WritableField& field,
                                    const Value& planned) {
  std::int64_t milliseconds = 0;
  if (planned.has_timestamp_value()) {
    return TimestampValue(Milliseconds(planned.timestamp_value()));
  }
  if (planned.has_string_value() &&
      ParseInstant(planned.string_value(), &milliseconds)) {
    return TimestampValue(milliseconds);
  }
  return NotA(field, planned, "a date (YYYY-MM-DD) or a date-time (RFC 3339)");
}

// The JSON of a typed value as Lever takes it.
rapidjson::Value LeverJson(const Value& value,
                           rapidjson::Document::AllocatorType& allocator) {
  switch (value.kind_case()) {
    case Value::kStringValue:
      return rapidjson::Value(
          value.string_value().data(),
          static_cast<rapidjson::SizeType>(value.string_value().size()),
          allocator);
    case Value::kIntegerValue:
      return rapidjson::Value(static_cast<int64_t>(value.integer_value()));
    case Value::kDoubleValue:
      return rapidjson::Value(value.double_value());
    case Value::kBoolValue:
      return rapidjson::Value(value.bool_value());
    case Value::kTimestampValue:
      return rapidjson::Value(
          static_cast<int64_t>(Milliseconds(value.timestamp_value())));
    default:
      return rapidjson::Value(rapidjson::kNullType);
  }
}

}  // namespace

absl::StatusOr<Value> WritableField::Read(const Value& planned) const {
  if (planned.kind_case() == Value::KIND_NOT_SET || planned.has_null_value()) {
    if (!clearable) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, ": cannot be cleared; give a value"));
    }
    return Null();
  }
  switch (type) {
    case leverconnect::v1::COLUMN_TYPE_INTEGER:
      return ReadInteger(*this, planned);
    case leverconnect::v1::COLUMN_TYPE_DOUBLE:
      return ReadDouble(*this, planned);
    case leverconnect::v1::COLUMN_TYPE_BOOL:
      return ReadBool(*this, planned);
    case leverconnect::v1::COLUMN_TYPE_TIMESTAMP:
      return ReadTimestamp(*this, planned);
    default:
      if (planned.has_string_value()) return planned;
      return NotA(*this, planned, "text");
  }
}

WritableFields WritableFields::ForAccount(
    const std::vector<mapping::CustomFieldDefinition>& custom) {
  const leverconnect::v1::RequisitionSchema schema =
      mapping::BuildRequisitionSchema(custom);
  std::vector<WritableField> fields;
  std::vector<std::string> names;
  for (const leverconnect::v1::Column& column : schema.columns()) {
    const StandardField* standard = FindStandard(column.name());
    const bool custom_column =
        column.source() == leverconnect::v1::COLUMN_SOURCE_CUSTOM;
    if (standard == nullptr && !custom_column) continue;
    WritableField field;
    field.name = column.name();
    field.type = column.type();
    std::vector<std::string> path = absl::StrSplit(column.lever_path(), '.');
    field.lever_path = std::move(path);
    field.clearable = custom_column || standard->clearable;
    names.push_back(field.name);
    fields.push_back(std::move(field));
  }
  // Every column comes from `schema` with a type and a path: Create cannot
  // fail.
  absl::StatusOr<mapping::RowMapper> mapper =
      mapping::RowMapper::Create(schema, names);
  return WritableFields(std::move(fields), *std::move(mapper));
}

const WritableField* WritableFields::Find(absl::string_view name) const {
  const int index = IndexOf(name);
  return index < 0 ? nullptr : &fields_[index];
}

int WritableFields::IndexOf(absl::string_view name) const {
  for (std::size_t index = 0; index < fields_.size(); ++index) {
    if (fields_[index].name == name) return static_cast<int>(index);
  }
  return -1;
}

void WritableFields::ReadCurrent(const rapidjson::Value& requisition,
                                 leverconnect::v1::Row* cells) const {
  mapper_.Map(requisition, cells);
}

bool SameValue(const Value& a, const Value& b) {
  const bool a_null =
      a.kind_case() == Value::KIND_NOT_SET || a.has_null_value();
  const bool b_null =
      b.kind_case() == Value::KIND_NOT_SET || b.has_null_value();
  if (a_null || b_null) return a_null == b_null;
  if (a.kind_case() != b.kind_case()) return false;
  switch (a.kind_case()) {
    case Value::kStringValue:
      return a.string_value() == b.string_value();
    case Value::kIntegerValue:
      return a.integer_value() == b.integer_value();
    case Value::kDoubleValue:
      return a.double_value() == b.double_value();
    case Value::kBoolValue:
      return a.bool_value() == b.bool_value();
    case Value::kTimestampValue:
      return Milliseconds(a.timestamp_value()) ==
             Milliseconds(b.timestamp_value());
    default:
      return false;
  }
}

void SetLeverValue(const WritableField& field, const Value& value,
                   rapidjson::Value& object,
                   rapidjson::Document::AllocatorType& allocator) {
  rapidjson::Value* at = &object;
  for (std::size_t depth = 0; depth < field.lever_path.size(); ++depth) {
    const std::string& key = field.lever_path[depth];
    if (!at->IsObject()) at->SetObject();
    auto member = at->FindMember(key.c_str());
    if (member == at->MemberEnd()) {
      at->AddMember(rapidjson::Value(key.c_str(), allocator),
                    rapidjson::Value(rapidjson::kNullType), allocator);
      member = at->FindMember(key.c_str());
    }
    at = &member->value;
  }
  *at = LeverJson(value, allocator);
}

rapidjson::Document WritableRecord(const rapidjson::Value& requisition) {
  rapidjson::Document record(rapidjson::kObjectType);
  auto& allocator = record.GetAllocator();
  if (!requisition.IsObject()) return record;
  for (const auto& [read_name, write_name] : kRecordMembers) {
    const auto member = requisition.FindMember(read_name);
    if (member == requisition.MemberEnd()) continue;
    record.AddMember(rapidjson::Value(write_name, allocator),
                     rapidjson::Value(member->value, allocator), allocator);
  }
  return record;
}

std::string JsonText(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace leverconnect::writeback

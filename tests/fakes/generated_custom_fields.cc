#include "tests/fakes/generated_custom_fields.h"

#include <string>

#include <rapidjson/document.h>

namespace leverconnect::testing {
namespace {

constexpr std::int64_t kDay = 24LL * 60 * 60 * 1000;

constexpr char kFieldsJson[] = R"json([
  {"id": "cost_center", "text": "Cost Center", "type": "text",
   "isRequired": true},
  {"id": "level", "text": "Level", "type": "number", "isRequired": false},
  {"id": "target_hire_date", "text": "Target Hire Date", "type": "date",
   "isRequired": false},
  {"id": "budget", "text": "Budget", "type": "object", "isRequired": false,
   "subfields": [{"id": "code", "text": "Budget code", "type": "text"},
                 {"id": "amount", "text": "Amount", "type": "number"}]},
  {"id": "priority", "text": "Priority", "type": "dropdown",
   "isRequired": false, "options": [{"text": "High"}, {"text": "Low"}]}
])json";

constexpr const char* kCostCenters[] = {"CC-1010", "CC-1020", "CC-2040",
                                        "CC-3100", "CC-4200", "CC-5150"};

void WriteString(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

// How a custom value is written: as declared, with a wrong JSON type the
// way real Lever data sometimes has it, or not at all.
enum class CustomValue { kAbsent, kWrongType, kDeclaredType };

CustomValue ChooseCustomValue(DeterministicRandom& random) {
  const std::uint64_t roll = random.Below(100);
  if (roll < 8) return CustomValue::kAbsent;
  if (roll < 13) return CustomValue::kWrongType;
  return CustomValue::kDeclaredType;
}

void WriteCostCenter(JsonWriter& writer, DeterministicRandom& random) {
  const CustomValue kind = ChooseCustomValue(random);
  if (kind == CustomValue::kAbsent) return;
  writer.Key("cost_center");
  if (kind == CustomValue::kWrongType) {
    writer.Bool(random.Percent(50));
  } else {
    writer.String(random.Pick(kCostCenters));
  }
}

void WriteLevel(JsonWriter& writer, DeterministicRandom& random) {
  const CustomValue kind = ChooseCustomValue(random);
  if (kind == CustomValue::kAbsent) return;
  const std::int64_t level = random.Between(1, 9);
  writer.Key("level");
  if (kind == CustomValue::kWrongType) {
    WriteString(writer, std::to_string(level));
  } else {
    writer.Int64(level);
  }
}

void WriteTargetHireDate(JsonWriter& writer, DeterministicRandom& random,
                         std::int64_t created_at) {
  const CustomValue kind = ChooseCustomValue(random);
  if (kind == CustomValue::kAbsent) return;
  const std::int64_t day = created_at / kDay + random.Between(30, 120);
  writer.Key("target_hire_date");
  if (kind == CustomValue::kWrongType) {
    WriteString(writer, std::to_string(day * kDay));
  } else {
    writer.Int64(day * kDay);
  }
}

void WriteBudget(JsonWriter& writer, DeterministicRandom& random,
                 std::string_view requisition_code) {
  const CustomValue kind = ChooseCustomValue(random);
  if (kind == CustomValue::kAbsent) return;
  const std::int64_t amount = random.Between(4, 60) * 10000;
  writer.Key("budget");
  writer.StartObject();
  writer.Key("code");
  WriteString(writer, "BUD-" + std::string(requisition_code));
  writer.Key("amount");
  if (kind == CustomValue::kWrongType) {
    WriteString(writer, std::to_string(amount));
  } else {
    writer.Int64(amount);
  }
  writer.EndObject();
}

void WritePriority(JsonWriter& writer, DeterministicRandom& random) {
  const CustomValue kind = ChooseCustomValue(random);
  if (kind == CustomValue::kAbsent) return;
  writer.Key("priority");
  if (kind == CustomValue::kWrongType) {
    writer.Int(1);
  } else {
    writer.String(random.Percent(30) ? "High" : "Low");
  }
}

}  // namespace

std::string GeneratedRequisitionFieldsJson() {
  rapidjson::Document fields;
  fields.Parse(kFieldsJson);
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  fields.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

void WriteGeneratedCustomFields(std::int64_t created_at,
                                std::string_view requisition_code,
                                DeterministicRandom& random,
                                JsonWriter& writer) {
  writer.StartObject();
  WriteCostCenter(writer, random);
  WriteLevel(writer, random);
  WriteTargetHireDate(writer, random, created_at);
  WriteBudget(writer, random, requisition_code);
  WritePriority(writer, random);
  writer.EndObject();
}

}  // namespace leverconnect::testing

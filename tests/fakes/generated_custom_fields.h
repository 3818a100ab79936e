// The custom requisition fields of generated Lever data: their
// definitions, as GET /v1/requisition_fields serves them, and the values
// one generated requisition holds.
//
// Field ids and types: cost_center (text), level (number),
// target_hire_date (date, epoch ms), budget (object with subfields
// code: text and amount: number) and priority (dropdown, options High and
// Low). Values are absent about 8% of the time and of the wrong JSON type
// about 5% of the time, as in real data: a boolean for cost_center, a
// string such as "9" for level, target_hire_date or budget.amount, a number
// for priority.
#ifndef LEVERCONNECT_TESTS_FAKES_GENERATED_CUSTOM_FIELDS_H_
#define LEVERCONNECT_TESTS_FAKES_GENERATED_CUSTOM_FIELDS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "tests/fakes/deterministic_random.h"

namespace leverconnect::testing {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

// The JSON text of the "data" array of GET /v1/requisition_fields.
std::string GeneratedRequisitionFieldsJson();

// Writes the "customFields" object of a requisition created at
// `created_at` with code `requisition_code`, drawing from `random`.
void WriteGeneratedCustomFields(std::int64_t created_at,
                                std::string_view requisition_code,
                                DeterministicRandom& random,
                                JsonWriter& writer);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_GENERATED_CUSTOM_FIELDS_H_

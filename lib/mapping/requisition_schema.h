// The columns of a requisition import: Lever's standard requisition fields,
// flattened, followed by the account's custom requisition fields.
//
//   auto fields = ParseRequisitionFields(document["data"]);
//   if (!fields.ok()) return fields.status();
//   leverconnect::v1::RequisitionSchema schema =
//       BuildRequisitionSchema(*fields);
//
// Standard column names, labels, types and order never change; new columns
// are only ever appended. Nothing here keeps a reference to its arguments.
#ifndef LEVERCONNECT_LIB_MAPPING_REQUISITION_SCHEMA_H_
#define LEVERCONNECT_LIB_MAPPING_REQUISITION_SCHEMA_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "leverconnect/v1/values.pb.h"
#include "rapidjson/document.h"

namespace leverconnect::mapping {

// One custom requisition field as declared by GET /requisition_fields.
struct CustomFieldDefinition {
  std::string id;    // "target_hire_date"; the key in "customFields"
  std::string text;  // "Target Hire Date"
  // "text", "number", "date", "object", or anything else Lever adds.
  std::string type;
  // The parts of an "object" field, keyed by their own id in the value.
  std::vector<CustomFieldDefinition> subfields;
};

// Reads the "data" array of GET /requisition_fields. Keys other than id,
// text, type and subfields (isRequired, options, ...) are ignored; an entry
// that is not an object or has no string "id" is skipped, and so is a
// subfield in the same case. A missing or non-string "text" or "type" reads
// as "". Returns INVALID_ARGUMENT when `data` is not an array.
absl::StatusOr<std::vector<CustomFieldDefinition>> ParseRequisitionFields(
    const rapidjson::Value& data);

// Every standard column, then one column per custom field in the given
// order: "custom.<id>" for a plain field, and "custom.<id>.<subfield id>"
// for each subfield of an "object" field (an object field without
// subfields gets no column). Declared types map as text -> STRING,
// number -> DOUBLE, date -> TIMESTAMP, boolean/checkbox -> BOOL, anything
// else -> STRING. A field whose column name is already taken (a repeated
// id) is left out, so names stay unique.
leverconnect::v1::RequisitionSchema BuildRequisitionSchema(
    const std::vector<CustomFieldDefinition>& fields);

}  // namespace leverconnect::mapping

#endif  // LEVERCONNECT_LIB_MAPPING_REQUISITION_SCHEMA_H_

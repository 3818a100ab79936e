// The requisition fields write-back may set, and their values: a planned
// value read as the field's type, compared with Lever's, and written into
// the JSON bodies of POST and PUT /requisitions.
//
//   WritableFields fields = WritableFields::ForAccount(custom_fields);
//   absl::StatusOr<v1::Value> value =
//       fields.Find("headcount_total")->Read(planned);
//
// Fields are named as the columns of the requisition schema
// (lib/mapping/requisition_schema.h) and have their types: the writable
// standard fields of LEVER_API.md ("Writing requisitions") and every
// custom field. Immutable once built, so it may be shared by threads.
#ifndef LEVERCONNECT_LIB_WRITEBACK_WRITABLE_FIELDS_H_
#define LEVERCONNECT_LIB_WRITEBACK_WRITABLE_FIELDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "leverconnect/v1/values.pb.h"
#include "lib/mapping/requisition_schema.h"
#include "lib/mapping/row_mapper.h"
#include "rapidjson/document.h"

namespace leverconnect::writeback {

struct WritableField {
  std::string name;  // "compensation_band_min", "custom.cost_center"
  leverconnect::v1::ColumnType type = leverconnect::v1::COLUMN_TYPE_STRING;
  // Members from the requisition object down to the value:
  // {"compensationBand", "min"}, {"customFields", "cost_center"}.
  std::vector<std::string> lever_path;
  // Whether a null (clearing the field) may be planned.
  bool clearable = true;

  // `planned` as a value of this field's type, to the millisecond for
  // timestamps: the same kind, a number for a number field, or text that
  // reads as the type (see PlannedRequisition.fields in write_back.proto).
  // A null or unset value is null. INVALID_ARGUMENT naming the field and
  // echoing at most 40 characters of the value otherwise.
  absl::StatusOr<leverconnect::v1::Value> Read(
      const leverconnect::v1::Value& planned) const;
};

class WritableFields {
 public:
  // The writable standard fields, then one per custom field (or subfield)
  // of `custom`, in the order of the requisition schema's columns.
  static WritableFields ForAccount(
      const std::vector<mapping::CustomFieldDefinition>& custom);

  // The field named `name`, or nullptr.
  const WritableField* Find(absl::string_view name) const;

  // Its index in fields(); -1 when there is none.
  int IndexOf(absl::string_view name) const;

  const std::vector<WritableField>& fields() const { return fields_; }

  // Reads every field from a requisition object as Lever sends it (read
  // shape), into one cell per field, in the order of fields(), with the
  // import's conversions (headcount "unlimited" is null).
  void ReadCurrent(const rapidjson::Value& requisition,
                   leverconnect::v1::Row* cells) const;

 private:
  WritableFields(std::vector<WritableField> fields, mapping::RowMapper mapper)
      : fields_(std::move(fields)), mapper_(std::move(mapper)) {}

  std::vector<WritableField> fields_;
  mapping::RowMapper mapper_;
};

// Whether two values of one field are the same: both null, or the same kind
// and value (timestamps to the millisecond).
bool SameValue(const leverconnect::v1::Value& a,
               const leverconnect::v1::Value& b);

// Sets `value` (converted to Lever's JSON: timestamps as epoch
// milliseconds) at the field's lever_path in `object`, making the objects
// on the way when they are missing or not objects.
void SetLeverValue(const WritableField& field,
                   const leverconnect::v1::Value& value,
                   rapidjson::Value& object,
                   rapidjson::Document::AllocatorType& allocator);

// The members of a requisition (read shape) that PUT /requisitions sends
// back whole, each under the name PUT takes ("postings" becomes
// "postingIds"), into a new object.
rapidjson::Document WritableRecord(const rapidjson::Value& requisition);

// Compact JSON text of `value`.
std::string JsonText(const rapidjson::Value& value);

}  // namespace leverconnect::writeback

#endif  // LEVERCONNECT_LIB_WRITEBACK_WRITABLE_FIELDS_H_

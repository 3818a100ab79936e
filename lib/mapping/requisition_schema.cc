#include "lib/mapping/requisition_schema.h"

#include <unordered_set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "lib/text/utf8.h"

namespace leverconnect::mapping {
namespace {

using ::leverconnect::v1::Column;
using ::leverconnect::v1::ColumnType;
using ::leverconnect::v1::RequisitionSchema;

struct StandardColumn {
  const char* name;
  const char* label;
  ColumnType type;
  bool list;
  const char* lever_path;
};

constexpr ColumnType kString = leverconnect::v1::COLUMN_TYPE_STRING;
constexpr ColumnType kInteger = leverconnect::v1::COLUMN_TYPE_INTEGER;
constexpr ColumnType kDouble = leverconnect::v1::COLUMN_TYPE_DOUBLE;
constexpr ColumnType kBool = leverconnect::v1::COLUMN_TYPE_BOOL;
constexpr ColumnType kTimestamp = leverconnect::v1::COLUMN_TYPE_TIMESTAMP;

// The order of this table is the order of the columns; append only.
constexpr StandardColumn kStandardColumns[] = {
    {"id", "Id", kString, false, "id"},
    {"requisition_code", "Requisition code", kString, false, "requisitionCode"},
    {"name", "Name", kString, false, "name"},
    {"status", "Status", kString, false, "status"},
    {"confidentiality", "Confidentiality", kString, false, "confidentiality"},
    {"backfill", "Backfill", kBool, false, "backfill"},
    {"headcount_total", "Headcount total", kInteger, false, "headcountTotal"},
    {"headcount_hired", "Headcount hired", kInteger, false, "headcountHired"},
    {"headcount_infinite", "Unlimited headcount", kBool, false,
     "headcountInfinite"},
    {"created_at", "Created at", kTimestamp, false, "createdAt"},
    {"updated_at", "Updated at", kTimestamp, false, "updatedAt"},
    {"closed_at", "Closed at", kTimestamp, false, "closedAt"},
    {"time_to_fill_start_at", "Time to fill start", kTimestamp, false,
     "timeToFillStartAt"},
    {"time_to_fill_end_at", "Time to fill end", kTimestamp, false,
     "timeToFillEndAt"},
    {"creator", "Creator (user id)", kString, false, "creator"},
    {"owner", "Owner (user id)", kString, false, "owner"},
    {"hiring_manager", "Hiring manager (user id)", kString, false,
     "hiringManager"},
    {"employment_status", "Employment status", kString, false,
     "employmentStatus"},
    {"location", "Location", kString, false, "location"},
    {"team", "Team", kString, false, "team"},
    {"department", "Department", kString, false, "department"},
    {"internal_notes", "Internal notes", kString, false, "internalNotes"},
    {"compensation_band_min", "Compensation band minimum", kDouble, false,
     "compensationBand.min"},
    {"compensation_band_max", "Compensation band maximum", kDouble, false,
     "compensationBand.max"},
    {"compensation_band_currency", "Compensation band currency", kString, false,
     "compensationBand.currency"},
    {"compensation_band_interval", "Compensation band interval", kString, false,
     "compensationBand.interval"},
    {"postings", "Posting ids", kString, true, "postings"},
    {"offer_ids", "Offer ids", kString, true, "offerIds"},
    {"approval_id", "Approval id", kString, false, "approval.id"},
    {"approval_status", "Approval status", kString, false, "approval.status"},
    {"approval_started_at", "Approval started at", kTimestamp, false,
     "approval.startedAt"},
    {"approval_approved_at", "Approval approved at", kTimestamp, false,
     "approval.approvedAt"},
    {"approval_account_id", "Approval account id", kString, false,
     "approval.accountId"},
    {"approval_created_by", "Approval created by (user id)", kString, false,
     "approval.createdBy"},
    {"approval_step_count", "Approval steps", kInteger, false,
     "approval.steps"},
    {"approval_approver_ids", "Approver user ids", kString, true,
     "approval.steps[].approvers[]"},
    {"approval_approver_roles", "Approver roles", kString, true,
     "approval.steps[].approvers[].user"},
    // The user behind an id, from GET /users (see lever::UserDirectory).
    {"creator_name", "Creator name", kString, false, "creator -> users.name"},
    {"creator_email", "Creator e-mail", kString, false,
     "creator -> users.email"},
    {"owner_name", "Owner name", kString, false, "owner -> users.name"},
    {"owner_email", "Owner e-mail", kString, false, "owner -> users.email"},
    {"hiring_manager_name", "Hiring manager name", kString, false,
     "hiringManager -> users.name"},
    {"hiring_manager_email", "Hiring manager e-mail", kString, false,
     "hiringManager -> users.email"},
};

// "" when `object` has no string member `key`.
std::string StringMember(const rapidjson::Value& object, const char* key) {
  const auto member = object.FindMember(key);
  if (member == object.MemberEnd() || !member->value.IsString()) return "";
  return std::string(member->value.GetString(),
                     member->value.GetStringLength());
}

// Fills `definition` from one entry; false when the entry has no string id.
bool ParseDefinition(const rapidjson::Value& entry,
                     CustomFieldDefinition* definition) {
  if (!entry.IsObject()) return false;
  const auto id = entry.FindMember("id");
  if (id == entry.MemberEnd() || !id->value.IsString()) return false;
  definition->id.assign(id->value.GetString(), id->value.GetStringLength());
  definition->text = StringMember(entry, "text");
  definition->type = StringMember(entry, "type");

  const auto subfields = entry.FindMember("subfields");
  if (subfields == entry.MemberEnd() || !subfields->value.IsArray()) {
    return true;
  }
  for (const rapidjson::Value& subfield_entry : subfields->value.GetArray()) {
    CustomFieldDefinition subfield;
    if (ParseDefinition(subfield_entry, &subfield)) {
      definition->subfields.push_back(std::move(subfield));
    }
  }
  return true;
}

ColumnType TypeOfDeclared(absl::string_view lever_type) {
  const std::string lowered = absl::AsciiStrToLower(lever_type);
  if (lowered == "number") return kDouble;
  if (lowered == "date") return kTimestamp;
  if (lowered == "boolean" || lowered == "checkbox") return kBool;
  return kString;
}

void AddStandardColumns(RequisitionSchema* schema) {
  for (const StandardColumn& standard : kStandardColumns) {
    Column* column = schema->add_columns();
    column->set_name(standard.name);
    column->set_label(standard.label);
    column->set_type(standard.type);
    column->set_list(standard.list);
    column->set_source(leverconnect::v1::COLUMN_SOURCE_STANDARD);
    column->set_lever_path(standard.lever_path);
  }
}

// Appends one custom column unless its name is taken already.
void AddCustomColumn(std::string name, std::string label,
                     std::string lever_path, const std::string& lever_type,
                     std::unordered_set<std::string>* names,
                     RequisitionSchema* schema) {
  if (!names->insert(name).second) return;
  Column* column = schema->add_columns();
  column->set_name(std::move(name));
  column->set_label(std::move(label));
  column->set_type(TypeOfDeclared(lever_type));
  column->set_source(leverconnect::v1::COLUMN_SOURCE_CUSTOM);
  column->set_lever_path(std::move(lever_path));
  column->set_lever_type(lever_type);
}

void AddCustomColumns(const CustomFieldDefinition& field,
                      std::unordered_set<std::string>* names,
                      RequisitionSchema* schema) {
  const std::string name = absl::StrCat("custom.", field.id);
  const std::string path = absl::StrCat("customFields.", field.id);
  if (!absl::EqualsIgnoreCase(field.type, "object")) {
    AddCustomColumn(name, field.text, path, field.type, names, schema);
    return;
  }
  for (const CustomFieldDefinition& subfield : field.subfields) {
    AddCustomColumn(absl::StrCat(name, ".", subfield.id),
                    absl::StrCat(field.text, ": ", subfield.text),
                    absl::StrCat(path, ".", subfield.id), subfield.type, names,
                    schema);
  }
}

}  // namespace

absl::StatusOr<std::vector<CustomFieldDefinition>> ParseRequisitionFields(
    const rapidjson::Value& data) {
  if (!data.IsArray()) {
    return absl::InvalidArgumentError(
        "requisition fields: \"data\" is not an array");
  }
  std::vector<CustomFieldDefinition> fields;
  fields.reserve(data.Size());
  for (const rapidjson::Value& entry : data.GetArray()) {
    CustomFieldDefinition field;
    if (ParseDefinition(entry, &field)) fields.push_back(std::move(field));
  }
  return fields;
}

RequisitionSchema BuildRequisitionSchema(
    const std::vector<CustomFieldDefinition>& fields) {
  RequisitionSchema schema;
  AddStandardColumns(&schema);

  std::unordered_set<std::string> names;
  for (const Column& column : schema.columns()) names.insert(column.name());
  for (const CustomFieldDefinition& field : fields) {
    AddCustomColumns(field, &names, &schema);
  }
  // Custom fields are Lever's text; the schema goes to clients as is.
  for (Column& column : *schema.mutable_columns()) {
    for (std::string* text :
         {column.mutable_name(), column.mutable_label(),
          column.mutable_lever_path(), column.mutable_lever_type()}) {
      if (!text::IsUtf8(*text)) *text = text::RepairedUtf8(*text);
    }
  }
  return schema;
}

}  // namespace leverconnect::mapping

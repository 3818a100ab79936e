// The requisition schema, the parsing of custom field definitions, and the
// selection of columns.
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/mapping/requisition_schema.h"
#include "lib/mapping/row_mapper.h"
#include "rapidjson/document.h"

namespace leverconnect::mapping {
namespace {

using ::leverconnect::v1::Column;
using ::leverconnect::v1::ColumnType;
using ::leverconnect::v1::RequisitionSchema;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr ColumnType kString = leverconnect::v1::COLUMN_TYPE_STRING;
constexpr ColumnType kInteger = leverconnect::v1::COLUMN_TYPE_INTEGER;
constexpr ColumnType kDouble = leverconnect::v1::COLUMN_TYPE_DOUBLE;
constexpr ColumnType kBool = leverconnect::v1::COLUMN_TYPE_BOOL;
constexpr ColumnType kTimestamp = leverconnect::v1::COLUMN_TYPE_TIMESTAMP;

struct ExpectedColumn {
  std::string name;
  std::string label;
  ColumnType type;
  bool list;
  std::string lever_path;
};

// The standard columns as the interface promises them.
const std::vector<ExpectedColumn>& StandardColumns() {
  static const auto* const columns = new std::vector<ExpectedColumn>{
      {"id", "Id", kString, false, "id"},
      {"requisition_code", "Requisition code", kString, false,
       "requisitionCode"},
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
      {"compensation_band_currency", "Compensation band currency", kString,
       false, "compensationBand.currency"},
      {"compensation_band_interval", "Compensation band interval", kString,
       false, "compensationBand.interval"},
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
  return *columns;
}

std::vector<CustomFieldDefinition> ParseFields(const std::string& json) {
  rapidjson::Document document;
  document.Parse(json.c_str());
  EXPECT_FALSE(document.HasParseError()) << json;
  auto fields = ParseRequisitionFields(document);
  EXPECT_TRUE(fields.ok()) << fields.status();
  return fields.ok() ? *fields : std::vector<CustomFieldDefinition>();
}

std::vector<std::string> Names(const RequisitionSchema& schema) {
  std::vector<std::string> names;
  for (const Column& column : schema.columns()) names.push_back(column.name());
  return names;
}

TEST(RequisitionSchemaTest, StandardColumnsInPromisedOrder) {
  const RequisitionSchema schema = BuildRequisitionSchema({});
  const auto& expected = StandardColumns();

  ASSERT_EQ(schema.columns_size(), expected.size());
  for (int i = 0; i < schema.columns_size(); ++i) {
    const Column& column = schema.columns(i);
    SCOPED_TRACE(expected[i].name);
    EXPECT_EQ(column.name(), expected[i].name);
    EXPECT_EQ(column.label(), expected[i].label);
    EXPECT_EQ(column.type(), expected[i].type);
    EXPECT_EQ(column.list(), expected[i].list);
    EXPECT_EQ(column.lever_path(), expected[i].lever_path);
    EXPECT_EQ(column.source(), leverconnect::v1::COLUMN_SOURCE_STANDARD);
    EXPECT_EQ(column.lever_type(), "");
  }
}

TEST(RequisitionSchemaTest, DeclaredTypesMapToColumnTypes) {
  const auto fields = ParseFields(R"([
      {"id": "a", "text": "A", "type": "text"},
      {"id": "b", "text": "B", "type": "number"},
      {"id": "c", "text": "C", "type": "date"},
      {"id": "d", "text": "D", "type": "boolean"},
      {"id": "e", "text": "E", "type": "checkbox"},
      {"id": "f", "text": "F", "type": "dropdown",
       "options": [{"text": "High"}]}])");
  const RequisitionSchema schema = BuildRequisitionSchema(fields);

  const int first = static_cast<int>(StandardColumns().size());
  ASSERT_EQ(schema.columns_size(), first + 6);
  const ColumnType expected[] = {kString, kDouble, kTimestamp,
                                 kBool,   kBool,   kString};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(schema.columns(first + i).type(), expected[i]) << i;
  }
  const Column& dropdown = schema.columns(first + 5);
  EXPECT_EQ(dropdown.name(), "custom.f");
  EXPECT_EQ(dropdown.lever_type(), "dropdown");
  EXPECT_EQ(dropdown.source(), leverconnect::v1::COLUMN_SOURCE_CUSTOM);
}

TEST(RequisitionSchemaTest, ObjectFieldGivesOneColumnPerSubfield) {
  const auto fields = ParseFields(R"([
      {"id": "cost_center", "text": "Cost Center", "type": "object",
       "subfields": [{"id": "code", "text": "Code", "type": "text"},
                     {"id": "share", "text": "Share", "type": "number"}]},
      {"id": "empty", "text": "Empty", "type": "object", "subfields": []}])");
  const RequisitionSchema schema = BuildRequisitionSchema(fields);

  const int first = static_cast<int>(StandardColumns().size());
  ASSERT_EQ(schema.columns_size(), first + 2);
  const Column& code = schema.columns(first);
  EXPECT_EQ(code.name(), "custom.cost_center.code");
  EXPECT_EQ(code.label(), "Cost Center: Code");
  EXPECT_EQ(code.lever_path(), "customFields.cost_center.code");
  EXPECT_EQ(code.lever_type(), "text");
  EXPECT_EQ(code.type(), kString);
  const Column& share = schema.columns(first + 1);
  EXPECT_EQ(share.name(), "custom.cost_center.share");
  EXPECT_EQ(share.lever_type(), "number");
  EXPECT_EQ(share.type(), kDouble);
}

TEST(RequisitionSchemaTest, RepeatedFieldIdGivesOneColumn) {
  const auto fields = ParseFields(R"([
      {"id": "level", "text": "Level", "type": "number"},
      {"id": "level", "text": "Level again", "type": "text"}])");
  const RequisitionSchema schema = BuildRequisitionSchema(fields);

  ASSERT_EQ(schema.columns_size(), StandardColumns().size() + 1);
  EXPECT_EQ(schema.columns(schema.columns_size() - 1).label(), "Level");
}

TEST(ParseRequisitionFieldsTest, SkipsEntriesWithoutStringIdAndExtraKeys) {
  const auto fields = ParseFields(R"([
      {"id": "level", "text": "Level", "type": "number", "isRequired": true,
       "options": null, "somethingNew": {"x": 1}},
      {"text": "No id", "type": "text"},
      {"id": 7, "text": "Numeric id", "type": "text"},
      "not an object",
      {"id": "bare"},
      {"id": "team", "text": "Team", "type": "object",
       "subfields": [{"id": "lead", "text": "Lead", "type": "text"},
                     {"text": "no id"}]}])");

  ASSERT_EQ(fields.size(), 3);
  EXPECT_EQ(fields[0].id, "level");
  EXPECT_EQ(fields[0].text, "Level");
  EXPECT_EQ(fields[0].type, "number");
  EXPECT_THAT(fields[0].subfields, IsEmpty());
  EXPECT_EQ(fields[1].id, "bare");
  EXPECT_EQ(fields[1].text, "");
  EXPECT_EQ(fields[1].type, "");
  ASSERT_EQ(fields[2].subfields.size(), 1);
  EXPECT_EQ(fields[2].subfields[0].id, "lead");
  EXPECT_EQ(fields[2].subfields[0].type, "text");
}

TEST(ParseRequisitionFieldsTest, DataThatIsNotAnArrayIsInvalid) {
  rapidjson::Document document;
  document.Parse(R"({"id": "level"})");

  const auto fields = ParseRequisitionFields(document);

  EXPECT_EQ(fields.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RowMapperCreateTest, SelectsColumnsInRequestedOrder) {
  const auto fields =
      ParseFields(R"([{"id": "level", "text": "Level", "type": "number"}])");
  const auto mapper = RowMapper::Create(BuildRequisitionSchema(fields),
                                        {"custom.level", "name", "id"});

  ASSERT_TRUE(mapper.ok()) << mapper.status();
  EXPECT_THAT(Names(mapper->schema()),
              ElementsAre("custom.level", "name", "id"));
  EXPECT_EQ(mapper->schema().columns(0).label(), "Level");

  rapidjson::Document requisition;
  requisition.Parse(R"({"id": "r1", "name": "Engineer",
                        "customFields": {"level": 3}})");
  leverconnect::v1::Row row;
  mapper->Map(requisition, &row);
  ASSERT_EQ(row.cells_size(), 3);
  EXPECT_EQ(row.cells(0).double_value(), 3.0);
  EXPECT_EQ(row.cells(1).string_value(), "Engineer");
  EXPECT_EQ(row.cells(2).string_value(), "r1");
}

TEST(RowMapperCreateTest, NoSelectionMeansEveryColumnInSchemaOrder) {
  const RequisitionSchema schema = BuildRequisitionSchema({});
  const auto mapper = RowMapper::Create(schema, {});

  ASSERT_TRUE(mapper.ok()) << mapper.status();
  EXPECT_EQ(Names(mapper->schema()), Names(schema));
}

TEST(RowMapperCreateTest, UnknownColumnIsNamed) {
  const auto mapper =
      RowMapper::Create(BuildRequisitionSchema({}), {"name", "foo", "bar"});

  EXPECT_EQ(mapper.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(mapper.status().message(), HasSubstr("unknown column 'foo'"));
}

TEST(RowMapperCreateTest, RepeatedColumnIsNamed) {
  const auto mapper =
      RowMapper::Create(BuildRequisitionSchema({}), {"name", "id", "name"});

  EXPECT_EQ(mapper.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(mapper.status().message(), HasSubstr("repeated column 'name'"));
}

TEST(RowMapperCreateTest, SchemaWithRepeatedNameIsRejected) {
  RequisitionSchema schema = BuildRequisitionSchema({});
  *schema.add_columns() = schema.columns(2);

  const auto mapper = RowMapper::Create(schema, {});

  EXPECT_EQ(mapper.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(mapper.status().message(), HasSubstr("repeated column 'name'"));
}

TEST(RowMapperCreateTest, ColumnWithoutTypeIsRejected) {
  RequisitionSchema schema;
  Column* column = schema.add_columns();
  column->set_name("mystery");
  column->set_lever_path("mystery");

  const auto mapper = RowMapper::Create(schema, {});

  EXPECT_EQ(mapper.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(mapper.status().message(), HasSubstr("'mystery'"));
}

}  // namespace
}  // namespace leverconnect::mapping

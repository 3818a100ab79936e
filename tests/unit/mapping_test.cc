// Maps the recorded Lever requisitions and checks every cell against the
// JSON it came from.
#include <cstdint>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/mapping/requisition_schema.h"
#include "lib/mapping/row_mapper.h"
#include "rapidjson/document.h"

namespace leverconnect::mapping {
namespace {

using ::leverconnect::v1::Column;
using ::leverconnect::v1::Row;
using ::leverconnect::v1::Value;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int kStandardColumnCount = 43;
constexpr int kRecordedRequisitionCount = 27;

rapidjson::Document ReadRecorded(const std::string& file) {
  std::ifstream stream(std::string(LEVERCONNECT_RECORDED_DIR) + "/" + file);
  std::stringstream text;
  text << stream.rdbuf();
  rapidjson::Document document;
  document.Parse(text.str().c_str());
  return document;
}

// The JSON at a dotted path, or nullptr when a member on the way is absent
// or null.
const rapidjson::Value* JsonAt(const rapidjson::Value& root,
                               const std::string& path) {
  const rapidjson::Value* current = &root;
  for (const std::string& name :
       std::vector<std::string>(absl::StrSplit(path, '.'))) {
    if (!current->IsObject()) return nullptr;
    const auto member = current->FindMember(name.c_str());
    if (member == current->MemberEnd() || member->value.IsNull()) {
      return nullptr;
    }
    current = &member->value;
  }
  return current;
}

std::vector<std::string> Strings(const Value& cell) {
  std::vector<std::string> strings;
  for (const Value& element : cell.list_value().values()) {
    strings.push_back(element.string_value());
  }
  return strings;
}

std::int64_t Milliseconds(const Value& cell) {
  return cell.timestamp_value().seconds() * 1000 +
         cell.timestamp_value().nanos() / 1000000;
}

// Approver ids and roles read straight from approval.steps[].approvers[].
void ExpectedApprovers(const rapidjson::Value& requisition,
                       std::vector<std::string>* ids,
                       std::vector<std::string>* roles) {
  const rapidjson::Value* steps = JsonAt(requisition, "approval.steps");
  for (const rapidjson::Value& step : steps->GetArray()) {
    for (const rapidjson::Value& approver : step["approvers"].GetArray()) {
      ids->push_back(approver["id"].GetString());
      const rapidjson::Value& user = approver["user"];
      roles->push_back(user.IsString() ? user.GetString() : "");
    }
  }
}

void ExpectApprovalCell(const Column& column,
                        const rapidjson::Value& requisition,
                        const Value& cell) {
  std::vector<std::string> ids;
  std::vector<std::string> roles;
  ExpectedApprovers(requisition, &ids, &roles);
  if (column.name() == "approval_step_count") {
    const rapidjson::Value* steps = JsonAt(requisition, "approval.steps");
    EXPECT_EQ(cell.integer_value(), steps->Size());
  } else if (column.name() == "approval_approver_ids") {
    EXPECT_EQ(Strings(cell), ids);
  } else {
    EXPECT_EQ(Strings(cell), roles);
  }
}

void ExpectScalarCell(const Column& column, const rapidjson::Value& json,
                      const Value& cell) {
  switch (column.type()) {
    case leverconnect::v1::COLUMN_TYPE_STRING:
      EXPECT_EQ(cell.string_value(), json.GetString());
      break;
    case leverconnect::v1::COLUMN_TYPE_INTEGER:
      EXPECT_EQ(cell.integer_value(), json.GetInt64());
      break;
    case leverconnect::v1::COLUMN_TYPE_DOUBLE:
      EXPECT_EQ(cell.double_value(), json.GetDouble());
      break;
    case leverconnect::v1::COLUMN_TYPE_BOOL:
      EXPECT_EQ(cell.bool_value(), json.GetBool());
      break;
    case leverconnect::v1::COLUMN_TYPE_TIMESTAMP:
      EXPECT_EQ(Milliseconds(cell), json.GetInt64());
      break;
    default:
      ADD_FAILURE() << "unexpected column type";
  }
}

// Compares one cell with the JSON at its column's lever_path.
void ExpectCellMatchesJson(const Column& column,
                           const rapidjson::Value& requisition,
                           const Value& cell) {
  SCOPED_TRACE(column.name());
  if (column.lever_path().find(" -> users.") != std::string::npos) {
    // The recording has no users: the mapper has no directory.
    EXPECT_EQ(cell.kind_case(), Value::kNullValue);
    return;
  }
  if (column.name().rfind("approval_approver_", 0) == 0 ||
      column.name() == "approval_step_count") {
    ExpectApprovalCell(column, requisition, cell);
    return;
  }
  const rapidjson::Value* json = JsonAt(requisition, column.lever_path());
  if (json == nullptr ||
      (column.name() == "headcount_total" && json->IsString())) {
    EXPECT_EQ(cell.kind_case(), Value::kNullValue);
    return;
  }
  if (column.list()) {
    ASSERT_EQ(cell.kind_case(), Value::kListValue);
    std::vector<std::string> expected;
    for (const auto& element : json->GetArray()) {
      expected.push_back(element.GetString());
    }
    EXPECT_EQ(Strings(cell), expected);
    return;
  }
  ExpectScalarCell(column, *json, cell);
}

class RecordedRequisitionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fields_document_ = ReadRecorded("list_requisition_fields.json");
    requisitions_document_ = ReadRecorded("list_requisitions.json");
    ASSERT_FALSE(fields_document_.HasParseError());
    ASSERT_FALSE(requisitions_document_.HasParseError());

    auto fields = ParseRequisitionFields(fields_document_["data"]);
    ASSERT_TRUE(fields.ok()) << fields.status();
    auto mapper = RowMapper::Create(BuildRequisitionSchema(*fields), {});
    ASSERT_TRUE(mapper.ok()) << mapper.status();
    mapper_.emplace(*std::move(mapper));
  }

  const rapidjson::Value& Requisitions() const {
    return requisitions_document_["data"];
  }

  // Maps the recorded requisition with `id`.
  Row MapRequisition(const std::string& id) const {
    Row row;
    for (const rapidjson::Value& requisition : Requisitions().GetArray()) {
      if (requisition["id"].GetString() == id) {
        mapper_->Map(requisition, &row);
        return row;
      }
    }
    ADD_FAILURE() << "no recorded requisition " << id;
    return row;
  }

  const Value& Cell(const Row& row, const std::string& name) const {
    const auto& columns = mapper_->schema().columns();
    for (int i = 0; i < columns.size(); ++i) {
      if (columns[i].name() == name) return row.cells(i);
    }
    ADD_FAILURE() << "no column " << name;
    return Value::default_instance();
  }

  rapidjson::Document fields_document_;
  rapidjson::Document requisitions_document_;
  std::optional<RowMapper> mapper_;
};

TEST_F(RecordedRequisitionsTest, SchemaHasStandardThenRecordedCustomColumns) {
  const auto& columns = mapper_->schema().columns();

  ASSERT_EQ(columns.size(), kStandardColumnCount + 2);
  EXPECT_EQ(columns[0].name(), "id");
  EXPECT_EQ(columns[kStandardColumnCount - 7].name(),
            "approval_approver_roles");
  EXPECT_EQ(columns[kStandardColumnCount - 1].name(), "hiring_manager_email");
  const Column& start = columns[kStandardColumnCount];
  EXPECT_EQ(start.name(), "custom.rec_start_date");
  EXPECT_EQ(start.label(), "Recruiting Start Date");
  EXPECT_EQ(start.type(), leverconnect::v1::COLUMN_TYPE_TIMESTAMP);
  EXPECT_EQ(start.source(), leverconnect::v1::COLUMN_SOURCE_CUSTOM);
  EXPECT_EQ(start.lever_path(), "customFields.rec_start_date");
  EXPECT_EQ(start.lever_type(), "date");
  const Column& target = columns[kStandardColumnCount + 1];
  EXPECT_EQ(target.name(), "custom.target_hire_date");
  EXPECT_EQ(target.label(), "Target Hire Date");
  EXPECT_EQ(target.type(), leverconnect::v1::COLUMN_TYPE_TIMESTAMP);
}

TEST_F(RecordedRequisitionsTest, EveryCellEqualsItsJsonWithoutWarnings) {
  ASSERT_EQ(Requisitions().Size(), kRecordedRequisitionCount);
  const auto& columns = mapper_->schema().columns();
  int checked_cells = 0;
  Row row;
  for (const rapidjson::Value& requisition : Requisitions().GetArray()) {
    SCOPED_TRACE(requisition["id"].GetString());
    mapper_->Map(requisition, &row);

    EXPECT_EQ(row.requisition_id(), requisition["id"].GetString());
    EXPECT_THAT(row.warnings(), IsEmpty());
    ASSERT_EQ(row.cells_size(), columns.size());
    for (int i = 0; i < columns.size(); ++i) {
      ExpectCellMatchesJson(columns[i], requisition, row.cells(i));
      ++checked_cells;
    }
  }
  EXPECT_EQ(checked_cells,
            kRecordedRequisitionCount * (kStandardColumnCount + 2));
}

TEST_F(RecordedRequisitionsTest, UnlimitedHeadcountIsNullWithFlagSet) {
  const Row row = MapRequisition("fb563fa7-7a1b-4226-b906-8d2d78491fe5");

  EXPECT_EQ(Cell(row, "headcount_total").kind_case(), Value::kNullValue);
  EXPECT_TRUE(Cell(row, "headcount_infinite").bool_value());
  EXPECT_EQ(Cell(row, "headcount_hired").integer_value(), 2);
  EXPECT_THAT(row.warnings(), IsEmpty());
}

TEST_F(RecordedRequisitionsTest, FirstRequisitionExactValues) {
  const Row row = MapRequisition("fb563fa7-7a1b-4226-b906-8d2d78491fe5");

  const Value& created_at = Cell(row, "created_at");
  EXPECT_EQ(created_at.timestamp_value().seconds(), 1564513832);
  EXPECT_EQ(created_at.timestamp_value().nanos(), 308000000);
  EXPECT_EQ(Cell(row, "compensation_band_min").double_value(), 50000.0);
  EXPECT_EQ(Cell(row, "compensation_band_max").double_value(), 150000.0);
  EXPECT_EQ(Cell(row, "compensation_band_interval").string_value(),
            "per-year-salary");
  EXPECT_EQ(Cell(row, "closed_at").kind_case(), Value::kNullValue);
  EXPECT_THAT(Strings(Cell(row, "postings")),
              ElementsAre("686e4f02-824a-4e35-9865-7fad03e6b31d",
                          "c669d418-d180-48ea-b78a-2047ff98a735"));
  EXPECT_EQ(Cell(row, "offer_ids").kind_case(), Value::kListValue);
  EXPECT_THAT(Cell(row, "offer_ids").list_value().values(), IsEmpty());
  EXPECT_EQ(Cell(row, "approval_step_count").integer_value(), 1);
  EXPECT_THAT(Strings(Cell(row, "approval_approver_ids")),
              ElementsAre("b6816cb5-cf05-433c-b07f-2ca3eea60f54"));
  EXPECT_THAT(Strings(Cell(row, "approval_approver_roles")),
              ElementsAre("Requisition hiring manager"));
}

TEST_F(RecordedRequisitionsTest, TrailingSpaceOfNameIsKept) {
  const Row row = MapRequisition("f12a2f8f-544b-45fe-b8b2-f052b44ee99f");

  EXPECT_EQ(Cell(row, "name").string_value(), "Partnership Manager ");
  EXPECT_EQ(Cell(row, "headcount_total").integer_value(), 10);
  EXPECT_EQ(Cell(row, "approval_approved_at").kind_case(), Value::kNullValue);
}

TEST_F(RecordedRequisitionsTest, StaticApproverGivesUserIdAndEmptyRole) {
  const Row row = MapRequisition("ef26e931-5717-4ca3-8397-e011ccc452f3");

  EXPECT_THAT(Strings(Cell(row, "approval_approver_ids")),
              ElementsAre("b59ae96c-c132-4a91-9c5c-dccd88fc2794"));
  EXPECT_THAT(Strings(Cell(row, "approval_approver_roles")), ElementsAre(""));
  EXPECT_EQ(Cell(row, "approval_id").string_value(),
            "d7d86d16-16c6-4ec7-b893-eb14db02c622");
  EXPECT_EQ(Cell(row, "approval_created_by").string_value(),
            "b59ae96c-c132-4a91-9c5c-dccd88fc2794");
}

TEST_F(RecordedRequisitionsTest, EmptyApprovalAndNullFields) {
  const Row row = MapRequisition("f0b8f177-920d-4c0b-a719-7762ff3febad");

  EXPECT_EQ(Cell(row, "approval_step_count").integer_value(), 0);
  EXPECT_EQ(Cell(row, "approval_approver_ids").kind_case(), Value::kListValue);
  EXPECT_THAT(Cell(row, "approval_approver_ids").list_value().values(),
              IsEmpty());
  EXPECT_EQ(Cell(row, "approval_id").kind_case(), Value::kNullValue);
  EXPECT_EQ(Cell(row, "compensation_band_min").kind_case(), Value::kNullValue);
  EXPECT_EQ(Cell(row, "owner").kind_case(), Value::kNullValue);
  EXPECT_EQ(Cell(row, "internal_notes").string_value(), " ");
  EXPECT_EQ(Cell(row, "custom.target_hire_date").kind_case(),
            Value::kNullValue);
  EXPECT_THAT(row.warnings(), IsEmpty());
}

}  // namespace
}  // namespace leverconnect::mapping

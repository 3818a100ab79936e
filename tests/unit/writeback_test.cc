// Write-back without a server: the writable fields, the reading of planned
// values, and the plan of a row against scripted Lever answers.
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "lib/writeback/requisition_writer.h"
#include "lib/writeback/writable_fields.h"
#include "tests/unit/fake_clock.h"
#include "tests/unit/scripted_http.h"

namespace leverconnect::writeback {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::testing::ElementsAre;
using Action = v1::RequisitionChange;

v1::Value Text(const std::string& text) {
  v1::Value value;
  value.set_string_value(text);
  return value;
}

WritableFields AccountFields() {
  mapping::CustomFieldDefinition cost{"cost_center", "Cost center", "text", {}};
  mapping::CustomFieldDefinition start{"start", "Start", "date", {}};
  mapping::CustomFieldDefinition budget{
      "budget", "Budget", "object", {{"amount", "Amount", "number", {}}}};
  return WritableFields::ForAccount({cost, start, budget});
}

TEST(WritableFieldsTest, StandardWritableFieldsThenCustomOnes) {
  const WritableFields fields = AccountFields();
  std::vector<std::string> names;
  for (const WritableField& field : fields.fields())
    names.push_back(field.name);
  EXPECT_THAT(names, ::testing::IsSupersetOf(
                         {"name", "status", "headcount_total", "backfill",
                          "compensation_band_min", "custom.cost_center",
                          "custom.start", "custom.budget.amount"}));
  for (const char* read_only :
       {"id", "requisition_code", "headcount_hired", "created_at", "creator",
        "postings", "approval_status", "owner_name"}) {
    EXPECT_EQ(fields.Find(read_only), nullptr) << read_only;
  }
  EXPECT_THAT(fields.Find("custom.budget.amount")->lever_path,
              ElementsAre("customFields", "budget", "amount"));
  EXPECT_FALSE(fields.Find("name")->clearable);
}

TEST(WritableFieldsTest, PlannedTextReadsAsTheFieldsType) {
  const WritableFields fields = AccountFields();
  EXPECT_EQ(fields.Find("headcount_total")->Read(Text(" 3 "))->integer_value(),
            3);
  EXPECT_EQ(fields.Find("backfill")->Read(Text("TRUE"))->bool_value(), true);
  EXPECT_EQ(
      fields.Find("custom.budget.amount")->Read(Text("1250.5"))->double_value(),
      1250.5);
  EXPECT_EQ(TimeUtil::ToString(fields.Find("custom.start")
                                   ->Read(Text("2024-05-01"))
                                   ->timestamp_value()),
            "2024-05-01T00:00:00Z");
  EXPECT_EQ(TimeUtil::ToString(fields.Find("custom.start")
                                   ->Read(Text("2024-05-01T10:30:00+02:00"))
                                   ->timestamp_value()),
            "2024-05-01T08:30:00Z");
  // Text as it is, spaces and all.
  EXPECT_EQ(fields.Find("location")->Read(Text(" Oslo "))->string_value(),
            " Oslo ");
  EXPECT_TRUE(fields.Find("location")->Read(v1::Value())->has_null_value());
}

TEST(WritableFieldsTest, WrongValuesNameTheField) {
  const WritableFields fields = AccountFields();
  EXPECT_EQ(
      fields.Find("headcount_total")->Read(Text("2.5")).status().message(),
      "headcount_total: \"2.5\" is not an integer");
  EXPECT_EQ(
      fields.Find("custom.start")->Read(Text("05/01/2024")).status().message(),
      "custom.start: \"05/01/2024\" is not a date (YYYY-MM-DD) or a "
      "date-time (RFC 3339)");
  EXPECT_EQ(fields.Find("backfill")->Read(Text("yes")).status().message(),
            "backfill: \"yes\" is not true or false");
  EXPECT_EQ(fields.Find("name")->Read(v1::Value()).status().message(),
            "name: cannot be cleared; give a value");
  v1::Value number;
  number.set_double_value(3);
  EXPECT_EQ(fields.Find("team")->Read(number).status().message(),
            "team: 3 is not text");
}

TEST(WritableFieldsTest, ValuesAreSetAtTheirLeverPath) {
  const WritableFields fields = AccountFields();
  rapidjson::Document body(rapidjson::kObjectType);
  v1::Value amount;
  amount.set_double_value(10);
  SetLeverValue(*fields.Find("custom.budget.amount"), amount, body,
                body.GetAllocator());
  SetLeverValue(*fields.Find("custom.start"),
                *fields.Find("custom.start")->Read(Text("1970-01-02")), body,
                body.GetAllocator());
  EXPECT_EQ(JsonText(body),
            R"({"customFields":{"budget":{"amount":10.0},"start":86400000}})");
}

TEST(WritableFieldsTest, TheWritableRecordCarriesPostingsAsPostingIds) {
  rapidjson::Document requisition;
  requisition.Parse(
      R"({"id":"x","name":"n","postings":["p1"],"approval":{},"createdAt":1,)"
      R"("customFields":{"a":1},"headcountHired":0})");
  EXPECT_EQ(JsonText(WritableRecord(requisition)),
            R"({"name":"n","customFields":{"a":1},"postingIds":["p1"]})");
}

TEST(WritableFieldsTest, SameValueComparesTimestampsToTheMillisecond) {
  v1::Value a;
  *a.mutable_timestamp_value() = TimeUtil::NanosecondsToTimestamp(1000400000);
  v1::Value b;
  *b.mutable_timestamp_value() = TimeUtil::NanosecondsToTimestamp(1000000000);
  EXPECT_TRUE(SameValue(a, b));
  EXPECT_TRUE(SameValue(v1::Value(), a.has_null_value() ? a : v1::Value()));
  EXPECT_FALSE(SameValue(Text("1"), v1::Value()));
}

class RequisitionWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lever::LeverClient::Options options;
    options.base_url = "https://lever.test/v1";
    options.api_key = "k";
    options.retry.max_attempts = 1;
    lever_ = std::make_unique<lever::LeverClient>(
        http_, clock_, [] { return 0.0; }, options);
    writer_ =
        std::make_unique<RequisitionWriter>(*lever_, lever::CallContext());
    http_.Answer(200, R"({"data":[{"id":"cost_center","text":"Cost",)"
                      R"("type":"text"}]})");
    ASSERT_TRUE(writer_->Prepare().ok());
  }

  google::protobuf::RepeatedPtrField<v1::PlannedRequisition> rows_;
  testing::ScriptedHttp http_;
  testing::FakeClock clock_;
  std::unique_ptr<lever::LeverClient> lever_;
  std::unique_ptr<RequisitionWriter> writer_;
};

TEST_F(RequisitionWriterTest, ComparesOnlyThePlannedFields) {
  v1::PlannedRequisition& row = *rows_.Add();
  row.set_requisition_code("R-1");
  (*row.mutable_fields())["headcount_total"] = Text("4");
  (*row.mutable_fields())["custom.cost_center"] = Text("CC-1");
  (*row.mutable_fields())["team"] = v1::Value();  // clear it
  http_.Answer(200,
               R"({"data":[{"id":"id-1","requisitionCode":"R-1","name":"N",)"
               R"("headcountTotal":"unlimited","headcountInfinite":true,)"
               R"("team":"Sonar","location":"Bergen","updatedAt":7,)"
               R"("customFields":{"cost_center":"CC-1"}}],"hasNext":false})");
  absl::StatusOr<v1::RequisitionChange> change = writer_->Plan(rows_, 0);
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_EQ(change->action(), Action::ACTION_UPDATE);
  EXPECT_EQ(change->lever_id(), "id-1");
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(change->lever_updated_at()), 7);
  ASSERT_EQ(change->changes_size(), 2);
  EXPECT_EQ(change->changes(0).field(), "headcount_total");
  EXPECT_TRUE(change->changes(0).old_value().has_null_value());  // unlimited
  EXPECT_EQ(change->changes(0).new_value().integer_value(), 4);
  EXPECT_EQ(change->changes(1).field(), "team");
  EXPECT_EQ(change->changes(1).old_value().string_value(), "Sonar");
  EXPECT_TRUE(change->changes(1).new_value().has_null_value());
}

TEST_F(RequisitionWriterTest, ANewCodeNeedsAName) {
  v1::PlannedRequisition& row = *rows_.Add();
  row.set_requisition_code("R-9");
  (*row.mutable_fields())["location"] = Text("Oslo");
  http_.Answer(200, R"({"data":[],"hasNext":false})");
  absl::StatusOr<v1::RequisitionChange> change = writer_->Plan(rows_, 0);
  ASSERT_TRUE(change.ok()) << change.status();
  EXPECT_EQ(change->action(), Action::ACTION_INVALID);
  EXPECT_THAT(change->reason(), ::testing::HasSubstr("needs a name"));
}

TEST_F(RequisitionWriterTest, InvalidRowsAreNotLookedUp) {
  rows_.Add()->set_requisition_code("");
  v1::PlannedRequisition& keyed = *rows_.Add();
  keyed.set_requisition_code("R-1");
  (*keyed.mutable_fields())["requisition_code"] = Text("R-2");
  EXPECT_EQ(writer_->Plan(rows_, 0)->reason(), "requisition_code is required");
  EXPECT_EQ(writer_->Plan(rows_, 1)->reason(),
            "requisition_code is the row's key; it cannot be planned as a "
            "field");
  EXPECT_EQ(http_.requests().size(), 1u);  // the custom fields only
}

}  // namespace
}  // namespace leverconnect::writeback

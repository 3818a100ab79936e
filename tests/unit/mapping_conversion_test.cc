// Lenient conversion of values Lever sends with an unexpected type or
// shape, and the warnings that report them.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/mapping/requisition_schema.h"
#include "lib/mapping/row_mapper.h"
#include "rapidjson/document.h"

namespace leverconnect::mapping {
namespace {

using ::leverconnect::v1::Row;
using ::leverconnect::v1::Value;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The schema of these tests: the standard columns plus custom fields of
// every declared type seen or expected.
leverconnect::v1::RequisitionSchema TestSchema() {
  std::vector<CustomFieldDefinition> fields = {
      {"notes", "Notes", "text", {}},
      {"level", "Level", "number", {}},
      {"target", "Target", "date", {}},
      {"remote", "Remote", "boolean", {}},
      {"priority", "Priority", "dropdown", {}},
      {"cost_center",
       "Cost Center",
       "object",
       {{"code", "Code", "text", {}}, {"share", "Share", "number", {}}}},
  };
  return BuildRequisitionSchema(fields);
}

struct Mapped {
  Value cell;
  std::vector<std::string> warnings;
};

// Maps `requisition_json` to the single column `column`.
Mapped MapColumn(const std::string& column,
                 const std::string& requisition_json) {
  rapidjson::Document requisition;
  requisition.Parse(requisition_json.c_str());
  EXPECT_FALSE(requisition.HasParseError()) << requisition_json;
  auto mapper = RowMapper::Create(TestSchema(), {column});
  EXPECT_TRUE(mapper.ok()) << mapper.status();

  Row row;
  mapper->Map(requisition, &row);
  EXPECT_EQ(row.cells_size(), 1);
  return {row.cells(0), {row.warnings().begin(), row.warnings().end()}};
}

std::vector<std::string> Strings(const Value& cell) {
  std::vector<std::string> strings;
  for (const Value& element : cell.list_value().values()) {
    strings.push_back(element.kind_case() == Value::kNullValue
                          ? "<null>"
                          : element.string_value());
  }
  return strings;
}

bool IsNull(const Value& cell) { return cell.kind_case() == Value::kNullValue; }

TEST(StringConversionTest, StringIsKeptExactly) {
  const Mapped mapped = MapColumn("name", R"({"name": " Engineer  "})");
  EXPECT_EQ(mapped.cell.string_value(), " Engineer  ");
  EXPECT_THAT(mapped.warnings, IsEmpty());
}

TEST(StringConversionTest, NumberBecomesItsText) {
  const Mapped mapped = MapColumn("name", R"({"name": 42})");
  EXPECT_EQ(mapped.cell.string_value(), "42");
  EXPECT_THAT(mapped.warnings,
              ElementsAre("name: expected text, got number 42; converted"));
}

TEST(StringConversionTest, BooleanBecomesItsText) {
  const Mapped mapped = MapColumn("team", R"({"team": true})");
  EXPECT_EQ(mapped.cell.string_value(), "true");
  EXPECT_THAT(mapped.warnings,
              ElementsAre("team: expected text, got boolean true; converted"));
}

TEST(StringConversionTest, ObjectAndArrayBecomeCompactJson) {
  const Mapped object =
      MapColumn("location", R"({"location": {"city": "Paris", "n": 1}})");
  EXPECT_EQ(object.cell.string_value(), R"({"city":"Paris","n":1})");
  EXPECT_THAT(object.warnings,
              ElementsAre("location: expected text, got object "
                          R"({"city":"Paris","n":1}; converted)"));

  const Mapped array = MapColumn("location", R"({"location": ["a", 2]})");
  EXPECT_EQ(array.cell.string_value(), R"(["a",2])");
  EXPECT_THAT(array.warnings, ElementsAre("location: expected text, got "
                                          R"(array ["a",2]; converted)"));
}

TEST(StringConversionTest, LongValueIsCutInWarningButKeptInCell) {
  const std::string long_list =
      R"(["0123456789","0123456789","0123456789","0123456789"])";
  const Mapped mapped =
      MapColumn("department", R"({"department": )" + long_list + "}");
  EXPECT_EQ(mapped.cell.string_value(), long_list);
  EXPECT_THAT(mapped.warnings,
              ElementsAre("department: expected text, got array "
                          R"(["0123456789","0123456789","012345678...)"
                          "; converted"));
}

TEST(StringConversionTest, ExcerptIsNeverCutInsideACharacter) {
  std::string accents;
  for (int i = 0; i < 30; ++i) accents += "\u00e9";  // two bytes each
  const Mapped mapped = MapColumn(
      "headcount_hired", R"({"headcountHired": "a)" + accents + R"("})");

  std::string expected_excerpt = "\"a";
  for (int i = 0; i < 17; ++i) expected_excerpt += "\u00e9";
  EXPECT_TRUE(IsNull(mapped.cell));
  EXPECT_THAT(mapped.warnings,
              ElementsAre("headcount_hired: expected integer, got string " +
                          expected_excerpt + "...; left empty"));
}

TEST(IntegerConversionTest, IntegersAndIntegralDoublesAreExact) {
  EXPECT_EQ(MapColumn("headcount_hired", R"({"headcountHired": 3})")
                .cell.integer_value(),
            3);
  const Mapped mapped =
      MapColumn("headcount_hired", R"({"headcountHired": 4.0})");
  EXPECT_EQ(mapped.cell.integer_value(), 4);
  EXPECT_THAT(mapped.warnings, IsEmpty());
}

TEST(IntegerConversionTest, FractionIsLeftEmpty) {
  const Mapped mapped =
      MapColumn("headcount_hired", R"({"headcountHired": 2.5})");
  EXPECT_TRUE(IsNull(mapped.cell));
  EXPECT_THAT(mapped.warnings,
              ElementsAre("headcount_hired: expected integer, got number "
                          "2.5; left empty"));
}

TEST(IntegerConversionTest, NumericStringIsConverted) {
  const Mapped nine =
      MapColumn("headcount_hired", R"({"headcountHired": "9"})");
  EXPECT_EQ(nine.cell.integer_value(), 9);
  EXPECT_THAT(nine.warnings,
              ElementsAre("headcount_hired: expected integer, got string "
                          "\"9\"; converted"));

  const Mapped padded =
      MapColumn("headcount_total", R"({"headcountTotal": " 12 "})");
  EXPECT_EQ(padded.cell.integer_value(), 12);
  EXPECT_THAT(padded.warnings,
              ElementsAre("headcount_total: expected integer, got string "
                          "\" 12 \"; converted"));
}

TEST(IntegerConversionTest, OtherValuesAreLeftEmpty) {
  const Mapped text =
      MapColumn("headcount_total", R"({"headcountTotal": "lots"})");
  EXPECT_TRUE(IsNull(text.cell));
  EXPECT_THAT(text.warnings,
              ElementsAre("headcount_total: expected integer, got string "
                          "\"lots\"; left empty"));

  const Mapped boolean =
      MapColumn("headcount_hired", R"({"headcountHired": true})");
  EXPECT_TRUE(IsNull(boolean.cell));
  EXPECT_THAT(boolean.warnings,
              ElementsAre("headcount_hired: expected integer, got boolean "
                          "true; left empty"));

  const Mapped huge = MapColumn("headcount_hired",
                                R"({"headcountHired": 18446744073709551615})");
  EXPECT_TRUE(IsNull(huge.cell));
  EXPECT_EQ(huge.warnings.size(), 1);
}

TEST(IntegerConversionTest, UnlimitedHeadcountIsNullWithoutWarning) {
  const Mapped mapped =
      MapColumn("headcount_total", R"({"headcountTotal": "unlimited"})");
  EXPECT_TRUE(IsNull(mapped.cell));
  EXPECT_THAT(mapped.warnings, IsEmpty());
}

TEST(DoubleConversionTest, NumbersAreExact) {
  const Mapped whole = MapColumn("compensation_band_min",
                                 R"({"compensationBand": {"min": 50000}})");
  EXPECT_EQ(whole.cell.double_value(), 50000.0);
  EXPECT_THAT(whole.warnings, IsEmpty());
  EXPECT_EQ(MapColumn("custom.level", R"({"customFields": {"level": 2.75}})")
                .cell.double_value(),
            2.75);
}

TEST(DoubleConversionTest, NumericStringIsConverted) {
  const Mapped mapped =
      MapColumn("custom.level", R"({"customFields": {"level": "9"}})");
  EXPECT_EQ(mapped.cell.double_value(), 9.0);
  EXPECT_THAT(mapped.warnings,
              ElementsAre("custom.level: expected number, got string "
                          "\"9\"; converted"));
}

TEST(DoubleConversionTest, OtherValuesAreLeftEmpty) {
  const Mapped mapped =
      MapColumn("custom.level", R"({"customFields": {"level": "senior"}})");
  EXPECT_TRUE(IsNull(mapped.cell));
  EXPECT_THAT(mapped.warnings,
              ElementsAre("custom.level: expected number, got string "
                          "\"senior\"; left empty"));

  const Mapped boolean =
      MapColumn("custom.level", R"({"customFields": {"level": false}})");
  EXPECT_TRUE(IsNull(boolean.cell));
  EXPECT_THAT(boolean.warnings,
              ElementsAre("custom.level: expected number, got boolean "
                          "false; left empty"));
}

TEST(BoolConversionTest, BooleanIsExact) {
  const Mapped mapped = MapColumn("backfill", R"({"backfill": true})");
  EXPECT_TRUE(mapped.cell.bool_value());
  EXPECT_THAT(mapped.warnings, IsEmpty());
}

TEST(BoolConversionTest, TrueAndFalseStringsInAnyCaseAreConverted) {
  const Mapped upper = MapColumn("backfill", R"({"backfill": "TRUE"})");
  EXPECT_EQ(upper.cell.kind_case(), Value::kBoolValue);
  EXPECT_TRUE(upper.cell.bool_value());
  EXPECT_THAT(upper.warnings,
              ElementsAre("backfill: expected boolean, got string "
                          "\"TRUE\"; converted"));

  const Mapped lower = MapColumn("backfill", R"({"backfill": "False"})");
  EXPECT_EQ(lower.cell.kind_case(), Value::kBoolValue);
  EXPECT_FALSE(lower.cell.bool_value());
  EXPECT_EQ(lower.warnings.size(), 1);
}

TEST(BoolConversionTest, ZeroAndOneAreConverted) {
  const Mapped one =
      MapColumn("custom.remote", R"({"customFields": {"remote": 1}})");
  EXPECT_TRUE(one.cell.bool_value());
  EXPECT_THAT(one.warnings,
              ElementsAre("custom.remote: expected boolean, got number 1; "
                          "converted"));

  const Mapped zero =
      MapColumn("headcount_infinite", R"({"headcountInfinite": 0})");
  EXPECT_EQ(zero.cell.kind_case(), Value::kBoolValue);
  EXPECT_FALSE(zero.cell.bool_value());
  EXPECT_EQ(zero.warnings.size(), 1);
}

TEST(BoolConversionTest, OtherValuesAreLeftEmpty) {
  const Mapped two = MapColumn("backfill", R"({"backfill": 2})");
  EXPECT_TRUE(IsNull(two.cell));
  EXPECT_THAT(two.warnings,
              ElementsAre("backfill: expected boolean, got number 2; left "
                          "empty"));

  const Mapped yes = MapColumn("backfill", R"({"backfill": "yes"})");
  EXPECT_TRUE(IsNull(yes.cell));
  EXPECT_THAT(yes.warnings,
              ElementsAre("backfill: expected boolean, got string \"yes\"; "
                          "left empty"));
}

TEST(TimestampConversionTest, EpochMillisecondsAreExact) {
  const Mapped mapped =
      MapColumn("created_at", R"({"createdAt": 1564513832308})");
  EXPECT_EQ(mapped.cell.timestamp_value().seconds(), 1564513832);
  EXPECT_EQ(mapped.cell.timestamp_value().nanos(), 308000000);
  EXPECT_THAT(mapped.warnings, IsEmpty());
}

TEST(TimestampConversionTest, NegativeMillisecondsFloorTowardThePast) {
  const Mapped one = MapColumn("closed_at", R"({"closedAt": -1})");
  EXPECT_EQ(one.cell.timestamp_value().seconds(), -1);
  EXPECT_EQ(one.cell.timestamp_value().nanos(), 999000000);

  const Mapped more = MapColumn("closed_at", R"({"closedAt": -1500})");
  EXPECT_EQ(more.cell.timestamp_value().seconds(), -2);
  EXPECT_EQ(more.cell.timestamp_value().nanos(), 500000000);
  EXPECT_THAT(more.warnings, IsEmpty());
}

TEST(TimestampConversionTest, FractionalMillisecondsAreRounded) {
  const Mapped mapped =
      MapColumn("updated_at", R"({"updatedAt": 1564513832308.6})");
  EXPECT_EQ(mapped.cell.timestamp_value().seconds(), 1564513832);
  EXPECT_EQ(mapped.cell.timestamp_value().nanos(), 309000000);
}

TEST(TimestampConversionTest, DigitStringIsConverted) {
  const Mapped mapped = MapColumn(
      "custom.target", R"({"customFields": {"target": "1564513832308"}})");
  EXPECT_EQ(mapped.cell.timestamp_value().seconds(), 1564513832);
  EXPECT_EQ(mapped.cell.timestamp_value().nanos(), 308000000);
  EXPECT_THAT(mapped.warnings,
              ElementsAre("custom.target: expected date, got string "
                          "\"1564513832308\"; converted"));
}

TEST(TimestampConversionTest, IsoDateIsMidnightUtc) {
  const Mapped mapped = MapColumn(
      "custom.target", R"({"customFields": {"target": "2024-03-01"}})");
  EXPECT_EQ(mapped.cell.timestamp_value().seconds(), 1709251200);
  EXPECT_EQ(mapped.cell.timestamp_value().nanos(), 0);
  EXPECT_THAT(mapped.warnings,
              ElementsAre("custom.target: expected date, got string "
                          "\"2024-03-01\"; converted"));
}

TEST(TimestampConversionTest, Rfc3339WithOffsetIsConverted) {
  const Mapped mapped = MapColumn(
      "custom.target",
      R"({"customFields": {"target": "2024-03-01T10:15:30.5+02:00"}})");
  EXPECT_EQ(mapped.cell.timestamp_value().seconds(), 1709280930);
  EXPECT_EQ(mapped.cell.timestamp_value().nanos(), 500000000);
  EXPECT_EQ(mapped.warnings.size(), 1);
}

TEST(TimestampConversionTest, OtherValuesAreLeftEmpty) {
  const Mapped text = MapColumn("created_at", R"({"createdAt": "soon"})");
  EXPECT_TRUE(IsNull(text.cell));
  EXPECT_THAT(text.warnings,
              ElementsAre("created_at: expected date, got string \"soon\"; "
                          "left empty"));

  const Mapped boolean = MapColumn("created_at", R"({"createdAt": true})");
  EXPECT_TRUE(IsNull(boolean.cell));
  EXPECT_THAT(boolean.warnings,
              ElementsAre("created_at: expected date, got boolean true; "
                          "left empty"));
}

TEST(TimestampConversionTest, OutOfRangeIsLeftEmpty) {
  const Mapped year_10000 =
      MapColumn("created_at", R"({"createdAt": 253402300800000})");
  EXPECT_TRUE(IsNull(year_10000.cell));
  EXPECT_THAT(year_10000.warnings,
              ElementsAre("created_at: expected date, got number "
                          "253402300800000; left empty"));

  const Mapped huge = MapColumn("created_at", R"({"createdAt": 1e300})");
  EXPECT_TRUE(IsNull(huge.cell));
  EXPECT_EQ(huge.warnings.size(), 1);

  const Mapped last =
      MapColumn("created_at", R"({"createdAt": 253402300799999})");
  EXPECT_EQ(last.cell.timestamp_value().seconds(), 253402300799);
  EXPECT_THAT(last.warnings, IsEmpty());
}

TEST(ListConversionTest, ArrayOfStringsIsAList) {
  const Mapped mapped = MapColumn("postings", R"({"postings": ["a", "b"]})");
  EXPECT_THAT(Strings(mapped.cell), ElementsAre("a", "b"));
  EXPECT_THAT(mapped.warnings, IsEmpty());
}

TEST(ListConversionTest, EmptyArrayIsAnEmptyListNotNull) {
  const Mapped mapped = MapColumn("offer_ids", R"({"offerIds": []})");
  EXPECT_EQ(mapped.cell.kind_case(), Value::kListValue);
  EXPECT_THAT(mapped.cell.list_value().values(), IsEmpty());
}

TEST(ListConversionTest, OtherElementsFollowTheStringRule) {
  const Mapped mapped =
      MapColumn("postings", R"({"postings": ["a", 5, null, {"id": "b"}]})");
  EXPECT_THAT(Strings(mapped.cell),
              ElementsAre("a", "5", "<null>", R"({"id":"b"})"));
  EXPECT_THAT(mapped.warnings,
              ElementsAre("postings: expected text, got number 5; converted",
                          "postings: expected text, got object "
                          R"({"id":"b"}; converted)"));
}

TEST(ListConversionTest, NonArrayIsLeftEmpty) {
  const Mapped mapped = MapColumn("postings", R"({"postings": "p1"})");
  EXPECT_TRUE(IsNull(mapped.cell));
  EXPECT_THAT(mapped.warnings,
              ElementsAre("postings: expected list, got string \"p1\"; "
                          "left empty"));
}

TEST(NestedValueTest, ParentThatIsNotAnObjectIsLeftEmpty) {
  const Mapped mapped =
      MapColumn("compensation_band_min", R"({"compensationBand": "n/a"})");
  EXPECT_TRUE(IsNull(mapped.cell));
  EXPECT_THAT(mapped.warnings,
              ElementsAre("compensation_band_min: expected number, got "
                          "string \"n/a\"; left empty"));
}

TEST(CustomFieldTest, ObjectFieldReadsEachSubfield) {
  const std::string requisition =
      R"({"customFields": {"cost_center": {"code": "CC-7", "share": "0.25"}}})";

  const Mapped code = MapColumn("custom.cost_center.code", requisition);
  EXPECT_EQ(code.cell.string_value(), "CC-7");
  EXPECT_THAT(code.warnings, IsEmpty());
  const Mapped share = MapColumn("custom.cost_center.share", requisition);
  EXPECT_EQ(share.cell.double_value(), 0.25);
  EXPECT_THAT(share.warnings,
              ElementsAre("custom.cost_center.share: expected number, got "
                          "string \"0.25\"; converted"));
}

TEST(CustomFieldTest, AbsentObjectFieldIsNull) {
  const Mapped mapped =
      MapColumn("custom.cost_center.code", R"({"customFields": {}})");
  EXPECT_TRUE(IsNull(mapped.cell));
  EXPECT_THAT(mapped.warnings, IsEmpty());
}

TEST(CustomFieldTest, UnknownTypeIsReadAsText) {
  const Mapped text =
      MapColumn("custom.priority", R"({"customFields": {"priority": "High"}})");
  EXPECT_EQ(text.cell.string_value(), "High");
  EXPECT_THAT(text.warnings, IsEmpty());

  const Mapped option = MapColumn(
      "custom.priority", R"({"customFields": {"priority": {"text": "Hi"}}})");
  EXPECT_EQ(option.cell.string_value(), R"({"text":"Hi"})");
  EXPECT_EQ(option.warnings.size(), 1);
}

TEST(ApprovalTest, AbsentApprovalGivesNullCells) {
  for (const char* column : {"approval_step_count", "approval_approver_ids",
                             "approval_approver_roles", "approval_status"}) {
    const Mapped mapped = MapColumn(column, R"({"id": "r1"})");
    EXPECT_TRUE(IsNull(mapped.cell)) << column;
    EXPECT_THAT(mapped.warnings, IsEmpty()) << column;
  }
}

TEST(ApprovalTest, ApproversOfAllStepsAlignIdsWithRoles) {
  const std::string requisition = R"({"approval": {"steps": [
      {"approvers": [{"id": "u1", "user": "Requisition hiring manager"},
                     {"user": {"userId": "u2", "email": "x"}}]},
      {"approvers": []},
      {"approvers": [{"id": "u3", "user": {"userId": "u3"}}]}]}})";

  EXPECT_EQ(MapColumn("approval_step_count", requisition).cell.integer_value(),
            3);
  const Mapped ids = MapColumn("approval_approver_ids", requisition);
  EXPECT_THAT(Strings(ids.cell), ElementsAre("u1", "u2", "u3"));
  EXPECT_THAT(ids.warnings, IsEmpty());
  const Mapped roles = MapColumn("approval_approver_roles", requisition);
  EXPECT_THAT(Strings(roles.cell),
              ElementsAre("Requisition hiring manager", "", ""));
  EXPECT_THAT(roles.warnings, IsEmpty());
}

TEST(ApprovalTest, StepsThatAreNotAListAreLeftEmpty) {
  const Mapped mapped =
      MapColumn("approval_step_count", R"({"approval": {"steps": "none"}})");
  EXPECT_TRUE(IsNull(mapped.cell));
  EXPECT_THAT(mapped.warnings,
              ElementsAre("approval_step_count: expected list, got string "
                          "\"none\"; left empty"));
}

TEST(RowMapperMapTest, NullAndAbsentFieldsGiveNullCellsWithoutWarnings) {
  rapidjson::Document requisition;
  requisition.Parse(R"({"id": "r1", "name": null, "backfill": null,
      "headcountTotal": null, "createdAt": null, "postings": null,
      "compensationBand": null, "approval": null, "customFields": null})");
  const auto mapper = RowMapper::Create(TestSchema(), {});
  ASSERT_TRUE(mapper.ok()) << mapper.status();

  Row row;
  mapper->Map(requisition, &row);

  EXPECT_EQ(row.requisition_id(), "r1");
  EXPECT_THAT(row.warnings(), IsEmpty());
  ASSERT_EQ(row.cells_size(), mapper->schema().columns_size());
  EXPECT_EQ(row.cells(0).string_value(), "r1");
  for (int i = 1; i < row.cells_size(); ++i) {
    EXPECT_TRUE(IsNull(row.cells(i))) << mapper->schema().columns(i).name();
  }
}

TEST(RowMapperMapTest, UnknownKeysAreIgnored) {
  rapidjson::Document requisition;
  requisition.Parse(R"({"id": "r1", "brandNewField": {"deep": [1, 2]},
      "name": "Engineer", "stateHistory": []})");
  const auto mapper = RowMapper::Create(TestSchema(), {"name"});
  ASSERT_TRUE(mapper.ok()) << mapper.status();

  Row row;
  mapper->Map(requisition, &row);

  EXPECT_EQ(row.requisition_id(), "r1");
  ASSERT_EQ(row.cells_size(), 1);
  EXPECT_EQ(row.cells(0).string_value(), "Engineer");
  EXPECT_THAT(row.warnings(), IsEmpty());
}

TEST(RowMapperMapTest, NonObjectRequisitionGivesNullCellsAndOneWarning) {
  rapidjson::Document requisition;
  requisition.Parse(R"([1, 2])");
  const auto mapper = RowMapper::Create(TestSchema(), {"id", "name"});
  ASSERT_TRUE(mapper.ok()) << mapper.status();

  Row row;
  mapper->Map(requisition, &row);

  EXPECT_EQ(row.requisition_id(), "");
  ASSERT_EQ(row.cells_size(), 2);
  EXPECT_TRUE(IsNull(row.cells(0)));
  EXPECT_TRUE(IsNull(row.cells(1)));
  EXPECT_THAT(row.warnings(),
              ElementsAre("requisition: expected object, got array [1,2]; "
                          "left empty"));
}

TEST(RowMapperMapTest, RowIsClearedBeforeMapping) {
  const auto mapper = RowMapper::Create(TestSchema(), {"name"});
  ASSERT_TRUE(mapper.ok()) << mapper.status();
  rapidjson::Document odd;
  odd.Parse(R"({"id": "r1", "name": 7})");
  rapidjson::Document plain;
  plain.Parse(R"({"id": "r2", "name": "Engineer"})");

  Row row;
  mapper->Map(odd, &row);
  mapper->Map(plain, &row);

  EXPECT_EQ(row.requisition_id(), "r2");
  ASSERT_EQ(row.cells_size(), 1);
  EXPECT_EQ(row.cells(0).string_value(), "Engineer");
  EXPECT_THAT(row.warnings(), IsEmpty());
}

// Raw bytes that are not UTF-8 inside Lever's strings would make the row
// undecodable for a protobuf client; they become U+FFFD, with a warning
// for each cell repaired, and the rest of the text is kept.
TEST(RowMapperMapTest, TextThatIsNotUtf8IsRepairedWithAWarning) {
  const auto mapper =
      RowMapper::Create(TestSchema(), {"name", "postings", "custom.notes"});
  ASSERT_TRUE(mapper.ok()) << mapper.status();
  rapidjson::Document requisition;
  requisition.Parse(
      "{\"id\": \"r\xff"
      "1\", \"name\": \"Ing\xc3nieur \xc3\xa9t\xc3\xa9\","
      " \"postings\": [\"ok\", \"p\xe0\x80\"],"
      " \"customFields\": {\"notes\": \"surrogate \xed\xa0\x80\"}}");
  ASSERT_FALSE(requisition.HasParseError());

  Row row;
  mapper->Map(requisition, &row);

  EXPECT_EQ(row.requisition_id(),
            "r\xEF\xBF\xBD"
            "1");
  EXPECT_EQ(row.cells(0).string_value(),
            "Ing\xEF\xBF\xBDnieur \xc3\xa9t\xc3\xa9");
  EXPECT_THAT(Strings(row.cells(1)),
              ElementsAre("ok", "p\xEF\xBF\xBD\xEF\xBF\xBD"));
  EXPECT_EQ(row.cells(2).string_value(),
            "surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  const std::string replaced =
      ": text that is not UTF-8; the bytes that are not were replaced by "
      "U+FFFD";
  EXPECT_THAT(row.warnings(),
              ElementsAre("name" + replaced, "postings" + replaced,
                          "custom.notes" + replaced));
}

}  // namespace
}  // namespace leverconnect::mapping

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/output.h"
#include "client/text_table.h"
#include "tests/unit/test_values.h"

namespace leverconnect::client {
namespace {

using ::leverconnect::row_testing::Bool;
using ::leverconnect::row_testing::Column;
using ::leverconnect::row_testing::Double;
using ::leverconnect::row_testing::Integer;
using ::leverconnect::row_testing::List;
using ::leverconnect::row_testing::Null;
using ::leverconnect::row_testing::Row;
using ::leverconnect::row_testing::Schema;
using ::leverconnect::row_testing::Text;
using ::leverconnect::row_testing::Time;
using ::testing::HasSubstr;

std::string WriteRows(OutputFormat format, const v1::RequisitionSchema& schema,
                      const std::vector<v1::Row>& rows) {
  std::ostringstream out;
  std::unique_ptr<RowWriter> writer = MakeRowWriter(format, out);
  EXPECT_TRUE(writer->Begin(schema).ok());
  for (const v1::Row& row : rows) writer->Write(row);
  writer->End();
  return out.str();
}

// 2019-07-30T19:10:32Z.
constexpr int64_t kSeconds = 1564513832;

TEST(CellTextTest, NullAndUnsetCellsAreEmpty) {
  EXPECT_EQ(CellText(Null()), "");
  EXPECT_EQ(CellText(v1::Value()), "");
}

TEST(CellTextTest, TextIsVerbatim) {
  EXPECT_EQ(CellText(Text("Senior Engineer  ")), "Senior Engineer  ");
  EXPECT_EQ(CellText(Text("Ingénieure, Zürich 東京")),
            "Ingénieure, Zürich 東京");
  EXPECT_EQ(CellText(Text("")), "");
}

TEST(CellTextTest, IntegersAndBooleans) {
  EXPECT_EQ(CellText(Integer(0)), "0");
  EXPECT_EQ(CellText(Integer(-42)), "-42");
  EXPECT_EQ(CellText(Integer(std::numeric_limits<int64_t>::max())),
            "9223372036854775807");
  EXPECT_EQ(CellText(Bool(true)), "true");
  EXPECT_EQ(CellText(Bool(false)), "false");
}

TEST(DoubleTextTest, OrdinaryNumbersHaveNoExponent) {
  EXPECT_EQ(DoubleText(50000), "50000");
  EXPECT_EQ(DoubleText(0.5), "0.5");
  EXPECT_EQ(DoubleText(1234.56), "1234.56");
  EXPECT_EQ(DoubleText(1000000), "1000000");
  EXPECT_EQ(DoubleText(-0.25), "-0.25");
  EXPECT_EQ(DoubleText(0), "0");
  EXPECT_EQ(DoubleText(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(DoubleText(1e20), "100000000000000000000");
  EXPECT_EQ(DoubleText(0.000001), "0.000001");
}

TEST(DoubleTextTest, ExtremeMagnitudesUseAnExponent) {
  EXPECT_EQ(DoubleText(1e21), "1e+21");
  EXPECT_EQ(DoubleText(1.5e-7), "1.5e-07");
  EXPECT_EQ(DoubleText(std::numeric_limits<double>::max()),
            "1.7976931348623157e+308");
}

TEST(DoubleTextTest, NotANumberAndInfinities) {
  EXPECT_EQ(DoubleText(std::nan("")), "NaN");
  EXPECT_EQ(DoubleText(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(DoubleText(-std::numeric_limits<double>::infinity()), "-Infinity");
}

TEST(DoubleTextTest, ReadsBackAsTheSameDouble) {
  for (double value : {1.0 / 3, 2.0 / 3 * 1e10, 123456.789, 5e-324, 9.87e-5,
                       98765432.125, 1e21 - 65536}) {
    const std::string text = DoubleText(value);
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), value) << text;
  }
}

TEST(TimestampTextTest, MillisecondsOnlyWhenNotZero) {
  EXPECT_EQ(CellText(Time(kSeconds, 308000000)), "2019-07-30T19:10:32.308Z");
  EXPECT_EQ(CellText(Time(kSeconds, 0)), "2019-07-30T19:10:32Z");
  EXPECT_EQ(CellText(Time(kSeconds, 300000000)), "2019-07-30T19:10:32.300Z");
  EXPECT_EQ(CellText(Time(0, 0)), "1970-01-01T00:00:00Z");
}

TEST(TimestampTextTest, FinerPrecisionIsKept) {
  EXPECT_EQ(CellText(Time(kSeconds, 308500000)), "2019-07-30T19:10:32.308500Z");
  EXPECT_EQ(CellText(Time(kSeconds, 1)), "2019-07-30T19:10:32.000000001Z");
}

TEST(CellTextTest, ListsAreJoinedWithBars) {
  EXPECT_EQ(CellText(List({Text("p-1"), Text("p-2")})), "p-1|p-2");
  EXPECT_EQ(CellText(List({Integer(1), Null(), Integer(2)})), "1||2");
  EXPECT_EQ(CellText(List({})), "");
}

TEST(CsvRowsTest, HeaderThenOneRecordPerRow) {
  const v1::RequisitionSchema schema =
      Schema({Column("id", v1::COLUMN_TYPE_STRING),
              Column("name", v1::COLUMN_TYPE_STRING),
              Column("headcount_total", v1::COLUMN_TYPE_INTEGER),
              Column("compensation_band_min", v1::COLUMN_TYPE_DOUBLE),
              Column("postings", v1::COLUMN_TYPE_STRING, true)});
  const std::string csv =
      WriteRows(OutputFormat::kCsv, schema,
                {Row({Text("r1"), Text("Engineer, \"Backend\""), Integer(2),
                      Double(50000), List({Text("p1"), Text("p2")})}),
                 Row({Text("r2"), Text("Ingénieure\r\nlogiciel 東京"),
                      Integer(1), Double(0.5), List({})})});
  EXPECT_EQ(csv,
            "id,name,headcount_total,compensation_band_min,postings\r\n"
            "r1,\"Engineer, \"\"Backend\"\"\",2,50000,p1|p2\r\n"
            "r2,\"Ingénieure\r\nlogiciel 東京\",1,0.5,\r\n");
}

TEST(CsvRowsTest, ListsAreOneFieldQuotedWhenNeeded) {
  const v1::RequisitionSchema schema =
      Schema({Column("postings", v1::COLUMN_TYPE_STRING, true),
              Column("offer_ids", v1::COLUMN_TYPE_STRING, true)});
  const std::string csv =
      WriteRows(OutputFormat::kCsv, schema,
                {Row({List({Text("Paris, France"), Text("b")}), List({})}),
                 Row({Null(), List({Text("o-1")})})});
  EXPECT_EQ(csv,
            "postings,offer_ids\r\n"
            "\"Paris, France|b\",\r\n"
            ",o-1\r\n");
}

TEST(CsvRowsTest, NullIsAnEmptyFieldAndEmptyTextIsQuoted) {
  const v1::RequisitionSchema schema =
      Schema({Column("id", v1::COLUMN_TYPE_STRING),
              Column("location", v1::COLUMN_TYPE_STRING),
              Column("team", v1::COLUMN_TYPE_STRING),
              Column("headcount_hired", v1::COLUMN_TYPE_INTEGER)});
  const std::string csv = WriteRows(
      OutputFormat::kCsv, schema,
      {Row({Text("r1"), Null(), Text(""), v1::Value()}), Row({Text("r2")})});
  EXPECT_EQ(csv,
            "id,location,team,headcount_hired\r\n"
            "r1,,\"\",\r\n"
            "r2,,,\r\n");
}

TEST(CsvRowsTest, TimestampsToTheSecondAndDoublesWithoutExponent) {
  const v1::RequisitionSchema schema =
      Schema({Column("created_at", v1::COLUMN_TYPE_TIMESTAMP),
              Column("ratio", v1::COLUMN_TYPE_DOUBLE),
              Column("big", v1::COLUMN_TYPE_DOUBLE)});
  EXPECT_EQ(WriteRows(OutputFormat::kCsv, schema,
                      {Row({Time(kSeconds, 308000000), Double(std::nan("")),
                            Double(1e21)})}),
            "created_at,ratio,big\r\n"
            "2019-07-30T19:10:32Z,,1000000000000000000000\r\n");
}

TEST(CsvRowsTest, TooManyColumnsFailBeforeAnyOutput) {
  v1::RequisitionSchema schema;
  for (int i = 0; i <= 500; ++i) {
    *schema.add_columns() =
        Column("custom.f" + std::to_string(i), v1::COLUMN_TYPE_STRING);
  }
  std::ostringstream out;
  const absl::Status begun =
      MakeRowWriter(OutputFormat::kCsv, out)->Begin(schema);
  EXPECT_EQ(begun, absl::InvalidArgumentError(
                       "cannot write the rows as CSV: columns: 501 given, at "
                       "most 500 allowed"));
  EXPECT_EQ(out.str(), "");
}

TEST(JsonRowsTest, NativeTypesKeyedByColumnName) {
  const v1::RequisitionSchema schema =
      Schema({Column("id", v1::COLUMN_TYPE_STRING),
              Column("headcount_total", v1::COLUMN_TYPE_INTEGER),
              Column("compensation_band_min", v1::COLUMN_TYPE_DOUBLE),
              Column("backfill", v1::COLUMN_TYPE_BOOL),
              Column("created_at", v1::COLUMN_TYPE_TIMESTAMP),
              Column("postings", v1::COLUMN_TYPE_STRING, true),
              Column("location", v1::COLUMN_TYPE_STRING)});
  const std::string json = WriteRows(
      OutputFormat::kJson, schema,
      {Row({Text("r1"), Integer(3), Double(50000), Bool(false),
            Time(kSeconds, 308000000), List({Text("p1"), Text("p2")}), Null()}),
       Row({Text("r2"), Integer(-1), Double(0.5), Bool(true), Time(kSeconds, 0),
            List({}), Text("Zürich")})});
  EXPECT_EQ(json,
            "{\"id\":\"r1\",\"headcount_total\":3,"
            "\"compensation_band_min\":50000,\"backfill\":false,"
            "\"created_at\":\"2019-07-30T19:10:32.308Z\","
            "\"postings\":[\"p1\",\"p2\"],\"location\":null}\n"
            "{\"id\":\"r2\",\"headcount_total\":-1,"
            "\"compensation_band_min\":0.5,\"backfill\":true,"
            "\"created_at\":\"2019-07-30T19:10:32Z\","
            "\"postings\":[],\"location\":\"Zürich\"}\n");
}

TEST(JsonRowsTest, TextIsEscapedAndOddNumbersAreStrings) {
  const v1::RequisitionSchema schema =
      Schema({Column("name", v1::COLUMN_TYPE_STRING),
              Column("ratio", v1::COLUMN_TYPE_DOUBLE),
              Column("big", v1::COLUMN_TYPE_DOUBLE),
              Column("missing", v1::COLUMN_TYPE_INTEGER)});
  EXPECT_EQ(RowJson(schema, Row({Text("a \"b\"\n\tc\\"), Double(std::nan("")),
                                 Double(1e21)})),
            "{\"name\":\"a \\\"b\\\"\\n\\tc\\\\\",\"ratio\":\"NaN\","
            "\"big\":1e+21,\"missing\":null}");
}

TEST(DisplayWidthTest, CountsColumnsNotBytes) {
  EXPECT_EQ(DisplayWidth("abc"), 3);
  EXPECT_EQ(DisplayWidth("Zürich"), 6);
  EXPECT_EQ(DisplayWidth("東京"), 4);
  EXPECT_EQ(DisplayWidth("e\u0301"), 1);  // e and a combining acute accent
  EXPECT_EQ(DisplayWidth(""), 0);
}

TEST(TruncateTest, CutsToTheWidthWithAnEllipsis) {
  EXPECT_EQ(Truncate("short", 10), "short");
  EXPECT_EQ(Truncate("exactly10!", 10), "exactly10!");
  EXPECT_EQ(Truncate("eleven char", 10), "eleven ch…");
  EXPECT_EQ(Truncate("東京東京東京", 6), "東京…");
  EXPECT_EQ(DisplayWidth(Truncate("東京東京東京", 6)), 5);
}

TEST(TextTableTest, AlignsColumnsUnderTheHeader) {
  TextTable table({"NAME", "ROWS", "NOTE"});
  table.AlignRight(1);
  table.AddRow({"acme-prod", "12", "ok"});
  table.AddRow({"b", "1234"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "NAME        ROWS   NOTE\n"
            "acme-prod     12   ok\n"
            "b           1234\n");
}

TEST(TextTableTest, ColumnKeptWholeIsNotCut) {
  TextTable table({"NAME", "NOTE"});
  table.KeepWhole(1);
  const std::string long_text(50, 'n');
  table.AddRow({long_text, long_text});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(), "NAME" + std::string(36, ' ') + "   NOTE\n" +
                           std::string(39, 'n') + "…   " + long_text + "\n");
}

TEST(TextTableTest, AlignsWideCharactersByColumns) {
  TextTable table({"CITY", "CODE"});
  table.AddRow({"東京", "TYO"});
  table.AddRow({"Zürich", "ZRH"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "CITY     CODE\n"
            "東京     TYO\n"
            "Zürich   ZRH\n");
}

TEST(TableRowsTest, LongCellsAreCutAndLineBreaksFlattened) {
  const v1::RequisitionSchema schema =
      Schema({Column("name", v1::COLUMN_TYPE_STRING),
              Column("headcount_total", v1::COLUMN_TYPE_INTEGER)});
  const std::string long_name(50, 'x');
  const std::string table = WriteRows(
      OutputFormat::kTable, schema,
      {Row({Text(long_name), Integer(7)}), Row({Text("two\nlines"), Null()})});
  const std::string cut = std::string(39, 'x') + "…";
  EXPECT_EQ(table, "name" + std::string(36, ' ') + "   headcount_total\n" +
                       cut + "                 7\n" + "two lines\n");
}

TEST(TableRowsTest, CsvAndJsonAreNotCut) {
  const v1::RequisitionSchema schema =
      Schema({Column("name", v1::COLUMN_TYPE_STRING)});
  const std::string long_name(50, 'x');
  EXPECT_EQ(WriteRows(OutputFormat::kCsv, schema, {Row({Text(long_name)})}),
            "name\r\n" + long_name + "\r\n");
  EXPECT_THAT(WriteRows(OutputFormat::kJson, schema, {Row({Text(long_name)})}),
              HasSubstr(long_name));
}

TEST(ParseOutputFormatTest, KnowsTheThreeFormats) {
  EXPECT_EQ(ParseOutputFormat("table"), OutputFormat::kTable);
  EXPECT_EQ(ParseOutputFormat("csv"), OutputFormat::kCsv);
  EXPECT_EQ(ParseOutputFormat("json"), OutputFormat::kJson);
  EXPECT_EQ(ParseOutputFormat("yaml"), std::nullopt);
  EXPECT_EQ(ParseOutputFormat("JSON"), std::nullopt);
}

v1::Connection AcmeConnection() {
  v1::Connection connection;
  connection.set_name("connections/acme-prod");
  connection.set_display_name("Acme");
  connection.set_environment(v1::ENVIRONMENT_PRODUCTION);
  connection.add_allowed_applications("pigment-planning");
  connection.add_allowed_applications("finance");
  connection.set_state(v1::Connection::STATE_ACTIVE);
  connection.set_api_key_hint("a1b2");
  connection.mutable_update_time()->set_seconds(kSeconds);
  connection.set_etag("e1");
  return connection;
}

TEST(ConnectionOutputTest, JsonKeepsProtoFieldNames) {
  std::ostringstream out;
  ASSERT_TRUE(PrintConnection(AcmeConnection(), OutputFormat::kJson, out).ok());
  EXPECT_EQ(out.str(),
            "{\"name\":\"connections/acme-prod\",\"display_name\":\"Acme\","
            "\"environment\":\"ENVIRONMENT_PRODUCTION\","
            "\"allowed_applications\":[\"pigment-planning\",\"finance\"],"
            "\"state\":\"STATE_ACTIVE\",\"api_key_hint\":\"a1b2\","
            "\"update_time\":\"2019-07-30T19:10:32Z\",\"etag\":\"e1\"}\n");
}

TEST(ConnectionOutputTest, TableShowsOneFieldPerLine) {
  std::ostringstream out;
  ASSERT_TRUE(
      PrintConnection(AcmeConnection(), OutputFormat::kTable, out).ok());
  EXPECT_EQ(out.str(),
            "Name:          connections/acme-prod\n"
            "Display name:  Acme\n"
            "Environment:   production\n"
            "Applications:  pigment-planning, finance\n"
            "State:         active\n"
            "Key hint:      a1b2\n"
            "Created:\n"
            "Updated:       2019-07-30T19:10:32Z\n"
            "Etag:          e1\n"
            "Write-back:    disabled\n");
}

TEST(ConnectionOutputTest, ListAsTableAndCsv) {
  v1::Connection sandbox;
  sandbox.set_name("connections/acme-sandbox");
  sandbox.set_environment(v1::ENVIRONMENT_SANDBOX);
  sandbox.add_allowed_applications("pigment-planning");
  const std::vector<v1::Connection> connections = {AcmeConnection(), sandbox};

  std::ostringstream table;
  ASSERT_TRUE(PrintConnections(connections, OutputFormat::kTable, table).ok());
  EXPECT_EQ(table.str(),
            "NAME                       DISPLAY NAME   ENVIRONMENT   "
            "APPLICATIONS                KEY HINT   UPDATED\n"
            "connections/acme-prod      Acme           production    "
            "pigment-planning, finance   a1b2       2019-07-30T19:10:32Z\n"
            "connections/acme-sandbox                  sandbox       "
            "pigment-planning\n");

  std::ostringstream csv;
  ASSERT_TRUE(PrintConnections(connections, OutputFormat::kCsv, csv).ok());
  EXPECT_EQ(csv.str(),
            "name,display_name,environment,allowed_applications,state,"
            "api_key_hint,create_time,update_time,etag,write_back_enabled\r\n"
            "connections/acme-prod,Acme,production,pigment-planning|finance,"
            "active,a1b2,,2019-07-30T19:10:32Z,e1,false\r\n"
            "connections/acme-sandbox,,sandbox,pigment-planning,unspecified,"
            ",,,,false\r\n");
}

TEST(ConnectionOutputTest, ListAsJsonIsOneMessage) {
  std::ostringstream out;
  ASSERT_TRUE(
      PrintConnections({AcmeConnection()}, OutputFormat::kJson, out).ok());
  EXPECT_THAT(out.str(), HasSubstr("{\"connections\":[{\"name\":"));
  EXPECT_EQ(out.str().back(), '\n');
}

TEST(TestResultOutputTest, TableOfChecks) {
  v1::TestConnectionResponse result;
  v1::PermissionCheck* granted = result.add_checks();
  granted->set_permission("list requisitions");
  granted->set_endpoint("GET /requisitions");
  granted->set_result(v1::PermissionCheck::RESULT_GRANTED);
  granted->set_http_status(200);
  granted->mutable_latency()->set_nanos(85400000);
  v1::PermissionCheck* unreachable = result.add_checks();
  unreachable->set_permission("list requisition fields");
  unreachable->set_endpoint("GET /requisition_fields");
  unreachable->set_result(v1::PermissionCheck::RESULT_UNREACHABLE);
  unreachable->set_detail("connection refused");

  std::ostringstream out;
  ASSERT_TRUE(PrintTestResult(result, OutputFormat::kTable, out).ok());
  EXPECT_EQ(out.str(),
            "PERMISSION                ENDPOINT                  RESULT        "
            "HTTP   LATENCY   DETAIL\n"
            "list requisitions         GET /requisitions         granted       "
            " 200      85ms\n"
            "list requisition fields   GET /requisition_fields   unreachable   "
            "   -         -   connection refused\n");
}

TEST(TestResultOutputTest, TableKeepsTheWholeDetail) {
  v1::TestConnectionResponse result;
  v1::PermissionCheck* denied = result.add_checks();
  denied->set_permission(std::string(45, 'p'));
  denied->set_result(v1::PermissionCheck::RESULT_DENIED);
  denied->set_detail(
      "missing permission 'Requisitions: read' (confidential "
      "requisitions included)");

  std::ostringstream out;
  ASSERT_TRUE(PrintTestResult(result, OutputFormat::kTable, out).ok());
  EXPECT_THAT(out.str(), HasSubstr(std::string(39, 'p') + "…   "));
  EXPECT_THAT(out.str(), HasSubstr("   " + denied->detail() + "\n"));
}

TEST(EmptyOutputTest, JsonIsAnEmptyObjectOthersNothing) {
  std::ostringstream json;
  ASSERT_TRUE(PrintEmpty(OutputFormat::kJson, json).ok());
  EXPECT_EQ(json.str(), "{}\n");
  for (OutputFormat format : {OutputFormat::kCsv, OutputFormat::kTable}) {
    std::ostringstream out;
    ASSERT_TRUE(PrintEmpty(format, out).ok());
    EXPECT_EQ(out.str(), "");
  }
}

TEST(SchemaOutputTest, TableOfColumns) {
  v1::RequisitionSchema schema =
      Schema({Column("id", v1::COLUMN_TYPE_STRING),
              Column("postings", v1::COLUMN_TYPE_STRING, true),
              Column("custom.level", v1::COLUMN_TYPE_DOUBLE)});
  schema.mutable_columns(0)->set_label("Id");
  schema.mutable_columns(0)->set_source(v1::COLUMN_SOURCE_STANDARD);
  schema.mutable_columns(1)->set_label("Postings");
  schema.mutable_columns(1)->set_source(v1::COLUMN_SOURCE_STANDARD);
  schema.mutable_columns(2)->set_label("Level");
  schema.mutable_columns(2)->set_source(v1::COLUMN_SOURCE_CUSTOM);

  std::ostringstream out;
  ASSERT_TRUE(PrintSchema(schema, OutputFormat::kTable, out).ok());
  EXPECT_EQ(out.str(),
            "NAME           LABEL      TYPE       SOURCE\n"
            "id             Id         string     standard\n"
            "postings       Postings   string[]   standard\n"
            "custom.level   Level      double     custom\n");
}

// A run Pigment finished with skipped rows.
v1::ImportRun SkippedRun() {
  v1::ImportRun run;
  run.set_name("connections/acme/imports/00ab");
  run.set_application("planning");
  run.set_state(v1::IMPORT_RUN_STATE_SUCCEEDED_WITH_SKIPPED_ROWS);
  run.mutable_destination()->set_configuration_id("cfg-1");
  run.set_creator("ops");
  run.mutable_create_time()->set_seconds(1564514432);
  run.mutable_progress()->set_rows(120);
  run.mutable_progress()->set_pages(2);
  run.mutable_progress()->set_retries(1);
  run.mutable_progress()->mutable_lever_wait()->set_seconds(3);
  run.mutable_progress()->mutable_lever_wait()->set_nanos(300000000);
  v1::PigmentImport& pigment = *run.mutable_pigment();
  pigment.set_import_id("imp-9");
  pigment.set_inserted(117);
  pigment.set_skipped(3);
  v1::SkippedRows& skipped = *pigment.add_skipped_rows();
  skipped.set_count(3);
  skipped.set_reason("ParsingError");
  skipped.set_column("Headcount");
  skipped.add_samples("many");
  skipped.add_samples("a few");
  run.add_warnings("the API key may not read users");
  return run;
}

TEST(ImportRunOutputTest, TableShowsPigmentsCountsAndSkippedRows) {
  std::ostringstream out;
  ASSERT_TRUE(PrintImportRun(SkippedRun(), OutputFormat::kTable, out).ok());
  EXPECT_EQ(
      out.str(),
      "Name:           connections/acme/imports/00ab\n"
      "Application:    planning\n"
      "State:          succeeded with skipped rows\n"
      "Configuration:  cfg-1\n"
      "Created by:     ops\n"
      "Created:        2019-07-30T19:20:32Z\n"
      "Progress:       120 rows, 2 pages, 1 retry, 3.3s waiting on Lever\n"
      "Pigment:        import imp-9: 117 inserted, 0 updated, 0 deleted, "
      "3 skipped\n"
      "Warning:        the API key may not read users\n"
      "\n"
      "Skipped rows:\n"
      "COUNT   REASON         COLUMN      SAMPLES\n"
      "    3   ParsingError   Headcount   many | a few\n");
}

TEST(ImportRunOutputTest, FailedRunShowsItsError) {
  v1::ImportRun run;
  run.set_name("connections/acme/imports/00cd");
  run.set_state(v1::IMPORT_RUN_STATE_FAILED);
  run.mutable_error()->set_code(14);
  run.mutable_error()->set_reason("lever");
  run.mutable_error()->set_message("GET /requisitions answered 503");
  std::ostringstream out;
  ASSERT_TRUE(PrintImportRun(run, OutputFormat::kTable, out).ok());
  EXPECT_THAT(out.str(), HasSubstr("State:          failed\n"));
  EXPECT_THAT(out.str(), HasSubstr("Error:          lever (UNAVAILABLE): GET "
                                   "/requisitions answered 503\n"));
}

TEST(ImportRunOutputTest, ListAsTableAndCsv) {
  v1::ImportRun waiting;
  waiting.set_name("connections/acme/imports/00ef");
  waiting.set_application("planning");
  waiting.set_state(v1::IMPORT_RUN_STATE_WAITING_FOR_PIGMENT);
  waiting.mutable_progress()->set_rows(50);
  const std::vector<v1::ImportRun> runs = {SkippedRun(), waiting};

  std::ostringstream table;
  ASSERT_TRUE(PrintImportRuns(runs, OutputFormat::kTable, table).ok());
  EXPECT_EQ(
      table.str(),
      "ID     APPLICATION   STATE                         ROWS   SKIPPED   "
      "CREATED                ERROR\n"
      "00ab   planning      succeeded with skipped rows    120         3   "
      "2019-07-30T19:20:32Z\n"
      "00ef   planning      waiting for Pigment             50         0\n");

  std::ostringstream csv;
  ASSERT_TRUE(PrintImportRuns(runs, OutputFormat::kCsv, csv).ok());
  EXPECT_THAT(csv.str(),
              HasSubstr("connections/acme/imports/00ab,planning,succeeded with "
                        "skipped rows,120,2,1,cfg-1,imp-9,117,0,0,3,,,"
                        "2019-07-30T19:20:32Z,\r\n"));
}

}  // namespace
}  // namespace leverconnect::client

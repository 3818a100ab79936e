// The CSV writer: quoting, every kind of cell, the two separators, the
// choice of columns, and every validation error.
#include "lib/csv/csv_writer.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/test_values.h"

namespace leverconnect::csv {
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
using ::testing::ElementsAre;

constexpr v1::ColumnType kString = v1::COLUMN_TYPE_STRING;
constexpr v1::ColumnType kInteger = v1::COLUMN_TYPE_INTEGER;
constexpr v1::ColumnType kDouble = v1::COLUMN_TYPE_DOUBLE;
constexpr v1::ColumnType kBool = v1::COLUMN_TYPE_BOOL;
constexpr v1::ColumnType kTimestamp = v1::COLUMN_TYPE_TIMESTAMP;

// 2024-05-01T12:34:56Z.
constexpr std::int64_t kSeconds = 1714566896;

CsvWriter Writer(const v1::RequisitionSchema& schema,
                 std::vector<CsvColumn> columns = {},
                 CsvFormat format = CsvFormat()) {
  absl::StatusOr<CsvWriter> writer =
      CsvWriter::Create(schema, std::move(columns), std::move(format));
  EXPECT_TRUE(writer.ok()) << writer.status();
  return *std::move(writer);
}

// The header row and one record per row.
std::string Csv(const CsvWriter& writer, const std::vector<v1::Row>& rows) {
  std::string csv = writer.HeaderRow();
  for (const v1::Row& row : rows) writer.AppendRow(row, &csv);
  return csv;
}

// The record of one row of a single text column.
std::string TextRecord(const std::string& text, CsvFormat format = {}) {
  const CsvWriter writer =
      Writer(Schema({Column("name", kString)}), {}, std::move(format));
  std::string record;
  writer.AppendRow(Row({Text(text)}), &record);
  return record;
}

// The record of one row of a single column of `type` holding `cell`.
std::string CellRecord(v1::ColumnType type, const v1::Value& cell,
                       DateFormat date_format = DateFormat::kDateTime) {
  const CsvWriter writer =
      Writer(Schema({Column("cell", type)}), {{"cell", "", date_format}});
  std::string record;
  writer.AppendRow(Row({cell}), &record);
  return record;
}

absl::Status CreateError(const v1::RequisitionSchema& schema,
                         std::vector<CsvColumn> columns,
                         CsvFormat format = CsvFormat()) {
  return CsvWriter::Create(schema, std::move(columns), std::move(format))
      .status();
}

v1::RequisitionSchema ThreeColumns() {
  return Schema({Column("id", kString), Column("name", kString),
                 Column("created_at", kTimestamp)});
}

TEST(CsvWriterTest, HeaderRowNamesEveryColumnOfTheSchema) {
  const CsvWriter writer = Writer(ThreeColumns());
  EXPECT_THAT(writer.headers(), ElementsAre("id", "name", "created_at"));
  EXPECT_EQ(writer.HeaderRow(), "id,name,created_at\r\n");
}

TEST(CsvWriterTest, DefaultColumnsAreTheSchemaByName) {
  const std::vector<CsvColumn> columns = DefaultCsvColumns(ThreeColumns());
  ASSERT_EQ(columns.size(), 3u);
  EXPECT_EQ(columns[2].column, "created_at");
  EXPECT_EQ(columns[2].header, "created_at");
  EXPECT_EQ(columns[2].date_format, DateFormat::kDateTime);
}

TEST(CsvWriterTest, RowsAreAppendedToTheCallersText) {
  const CsvWriter writer = Writer(ThreeColumns());
  std::string csv = "kept";
  writer.AppendRow(Row({Text("r1"), Text("Engineer"), Time(kSeconds, 0)}),
                   &csv);
  writer.AppendRow(Row({Text("r2"), Text("Designer"), Time(kSeconds, 0)}),
                   &csv);
  EXPECT_EQ(csv,
            "keptr1,Engineer,2024-05-01T12:34:56Z\r\n"
            "r2,Designer,2024-05-01T12:34:56Z\r\n");
}

TEST(CsvWriterTest, PlainTextIsBare) {
  EXPECT_EQ(TextRecord("Senior Engineer"), "Senior Engineer\r\n");
  EXPECT_EQ(TextRecord("a|b"), "a|b\r\n");
}

TEST(CsvWriterTest, CommasQuotesAndLineBreaksAreQuoted) {
  EXPECT_EQ(TextRecord("Paris, France"), "\"Paris, France\"\r\n");
  EXPECT_EQ(TextRecord("say \"hi\""), "\"say \"\"hi\"\"\"\r\n");
  EXPECT_EQ(TextRecord("\""), "\"\"\"\"\r\n");
  EXPECT_EQ(TextRecord("line 1\nline 2"), "\"line 1\nline 2\"\r\n");
  EXPECT_EQ(TextRecord("carriage\rreturn"), "\"carriage\rreturn\"\r\n");
  EXPECT_EQ(TextRecord("both\r\n"), "\"both\r\n\"\r\n");
}

TEST(CsvWriterTest, LeadingAndTrailingBlanksAreQuoted) {
  EXPECT_EQ(TextRecord(" Engineer"), "\" Engineer\"\r\n");
  EXPECT_EQ(TextRecord("Engineer  "), "\"Engineer  \"\r\n");
  EXPECT_EQ(TextRecord("\tEngineer"), "\"\tEngineer\"\r\n");
  EXPECT_EQ(TextRecord(" "), "\" \"\r\n");
  EXPECT_EQ(TextRecord("Senior  Engineer"), "Senior  Engineer\r\n");
}

TEST(CsvWriterTest, NonLatinScriptsPassThrough) {
  EXPECT_EQ(TextRecord("ソフトウェアエンジニア（東京）"),
            "ソフトウェアエンジニア（東京）\r\n");
  EXPECT_EQ(TextRecord("مهندس برمجيات، دبي"), "مهندس برمجيات، دبي\r\n");
  EXPECT_EQ(TextRecord("Growth 🚀 team 👩‍💻"),
            "Growth 🚀 team 👩‍💻\r\n");
  EXPECT_EQ(TextRecord("Zürich, 東京"), "\"Zürich, 東京\"\r\n");
}

TEST(CsvWriterTest, NullIsAnEmptyFieldAndEmptyTextIsQuoted) {
  const CsvWriter writer =
      Writer(Schema({Column("id", kString), Column("location", kString),
                     Column("team", kString), Column("headcount", kInteger)}));
  EXPECT_EQ(Csv(writer, {Row({Text("r1"), Null(), Text(""), v1::Value()}),
                         Row({Text("r2")})}),
            "id,location,team,headcount\r\n"
            "r1,,\"\",\r\n"
            "r2,,,\r\n");
}

TEST(CsvWriterTest, UnlimitedHeadcountIsAnEmptyTotalAndTrue) {
  const CsvWriter writer = Writer(Schema(
      {Column("requisition_code", kString), Column("headcount_total", kInteger),
       Column("headcount_hired", kInteger),
       Column("headcount_infinite", kBool)}));
  EXPECT_EQ(
      Csv(writer, {Row({Text("ENG-1"), Null(), Integer(3), Bool(true)}),
                   Row({Text("ENG-2"), Integer(2), Integer(0), Bool(false)})}),
      "requisition_code,headcount_total,headcount_hired,"
      "headcount_infinite\r\n"
      "ENG-1,,3,true\r\n"
      "ENG-2,2,0,false\r\n");
}

TEST(CsvWriterTest, IntegersInDecimal) {
  EXPECT_EQ(CellRecord(kInteger, Integer(0)), "0\r\n");
  EXPECT_EQ(CellRecord(kInteger, Integer(-42)), "-42\r\n");
  EXPECT_EQ(CellRecord(kInteger, Integer(1234567)), "1234567\r\n");
  EXPECT_EQ(
      CellRecord(kInteger, Integer(std::numeric_limits<std::int64_t>::min())),
      "-9223372036854775808\r\n");
}

TEST(CsvWriterTest, DoublesInShortestPlainNotation) {
  EXPECT_EQ(CellRecord(kDouble, Double(0.1)), "0.1\r\n");
  EXPECT_EQ(CellRecord(kDouble, Double(-0.5)), "-0.5\r\n");
  EXPECT_EQ(CellRecord(kDouble, Double(3.0)), "3\r\n");
  EXPECT_EQ(CellRecord(kDouble, Double(0)), "0\r\n");
  EXPECT_EQ(CellRecord(kDouble, Double(1234567.25)), "1234567.25\r\n");
  EXPECT_EQ(CellRecord(kDouble, Double(0.1 + 0.2)), "0.30000000000000004\r\n");
  EXPECT_EQ(CellRecord(kDouble, Double(1e21)), "1000000000000000000000\r\n");
  EXPECT_EQ(CellRecord(kDouble, Double(1.5e-7)), "0.00000015\r\n");
}

TEST(CsvWriterTest, ExtremeDoublesKeepEveryDigit) {
  const std::string largest =
      CellRecord(kDouble, Double(std::numeric_limits<double>::max()));
  EXPECT_EQ(largest.size(), 309u + 2);
  EXPECT_EQ(largest.substr(0, 17), "17976931348623157");
  const std::string smallest =
      CellRecord(kDouble, Double(-std::numeric_limits<double>::denorm_min()));
  EXPECT_EQ(smallest, "-0." + std::string(323, '0') + "5\r\n");
}

TEST(CsvWriterTest, NotANumberAndInfinitiesAreEmptyFields) {
  EXPECT_EQ(CellRecord(kDouble, Double(std::nan(""))), "\r\n");
  EXPECT_EQ(
      CellRecord(kDouble, Double(std::numeric_limits<double>::infinity())),
      "\r\n");
  EXPECT_EQ(
      CellRecord(kDouble, Double(-std::numeric_limits<double>::infinity())),
      "\r\n");
}

TEST(CsvWriterTest, TimestampsAsDateTimeOrDateInUtc) {
  EXPECT_EQ(CellRecord(kTimestamp, Time(kSeconds, 0)),
            "2024-05-01T12:34:56Z\r\n");
  EXPECT_EQ(CellRecord(kTimestamp, Time(kSeconds, 0), DateFormat::kDate),
            "2024-05-01\r\n");
  EXPECT_EQ(CellRecord(kTimestamp, Time(0, 0)), "1970-01-01T00:00:00Z\r\n");
  // The range of google.protobuf.Timestamp.
  EXPECT_EQ(CellRecord(kTimestamp, Time(-62135596800, 0)),
            "0001-01-01T00:00:00Z\r\n");
  EXPECT_EQ(CellRecord(kTimestamp, Time(253402300799, 0), DateFormat::kDate),
            "9999-12-31\r\n");
}

TEST(CsvWriterTest, FractionsOfASecondAreDropped) {
  EXPECT_EQ(CellRecord(kTimestamp, Time(kSeconds, 999999999)),
            "2024-05-01T12:34:56Z\r\n");
  // -0.5 s: the instant is in the last second of 1969.
  EXPECT_EQ(CellRecord(kTimestamp, Time(-1, 500000000)),
            "1969-12-31T23:59:59Z\r\n");
  // The date is that of the UTC day, even a second before midnight.
  EXPECT_EQ(
      CellRecord(kTimestamp, Time(1714607999, 900000000), DateFormat::kDate),
      "2024-05-01\r\n");
}

TEST(CsvWriterTest, BooleansAsWords) {
  EXPECT_EQ(CellRecord(kBool, Bool(true)), "true\r\n");
  EXPECT_EQ(CellRecord(kBool, Bool(false)), "false\r\n");
}

TEST(CsvWriterTest, CellsAreWrittenByTheirKindWhateverTheColumnType) {
  EXPECT_EQ(CellRecord(kString, Integer(7)), "7\r\n");
  EXPECT_EQ(CellRecord(kInteger, Text("seven, or so")), "\"seven, or so\"\r\n");
}

TEST(CsvWriterTest, ListsAreJoinedThenQuotedAsOneField) {
  const CsvWriter writer = Writer(Schema({Column("postings", kString, true),
                                          Column("offer_ids", kString, true),
                                          Column("levels", kInteger, true)}));
  EXPECT_EQ(
      Csv(writer,
          {Row({List({Text("p1"), Text("p2")}), List({}), List({Integer(1)})}),
           Row({List({Text("Paris, France"), Text("say \"hi\"")}), Null(),
                List({Integer(1), Null(), Integer(2)})}),
           Row({List({Text(" lead"), Text("trail ")}), List({Text("")}),
                List({Double(0.5), Bool(true)})})}),
      "postings,offer_ids,levels\r\n"
      "p1|p2,,1\r\n"
      "\"Paris, France|say \"\"hi\"\"\",,1||2\r\n"
      "\" lead|trail \",,0.5|true\r\n");
}

TEST(CsvWriterTest, ListsOfTimestampsFollowTheColumnsDateFormat) {
  const v1::RequisitionSchema schema =
      Schema({Column("dates", kTimestamp, true)});
  const CsvWriter writer =
      Writer(schema, {{"dates", "", DateFormat::kDate},
                      {"dates", "instants", DateFormat::kDateTime}});
  std::string record;
  writer.AppendRow(Row({List({Time(0, 0), Time(kSeconds, 0)})}), &record);
  EXPECT_EQ(record,
            "1970-01-01|2024-05-01,"
            "1970-01-01T00:00:00Z|2024-05-01T12:34:56Z\r\n");
}

TEST(CsvWriterTest, ListSeparatorIsChosenAndQuotedWhenItMustBe) {
  const v1::RequisitionSchema schema =
      Schema({Column("postings", kString, true)});
  const v1::Row row = Row({List({Text("p1"), Text("p2")})});

  CsvFormat format;
  format.list_separator = " / ";
  std::string record;
  Writer(schema, {}, format).AppendRow(row, &record);
  EXPECT_EQ(record, "p1 / p2\r\n");

  format.list_separator = ",";
  record.clear();
  Writer(schema, {}, format).AppendRow(row, &record);
  EXPECT_EQ(record, "\"p1,p2\"\r\n");
}

TEST(CsvWriterTest, SemicolonSeparatorQuotesSemicolonsNotCommas) {
  const v1::RequisitionSchema schema =
      Schema({Column("name", kString), Column("location", kString),
              Column("salary", kDouble)});
  const v1::Row row = Row({Text("a;b"), Text("Paris, France"), Double(0.5)});
  EXPECT_EQ(Csv(Writer(schema), {row}),
            "name,location,salary\r\n"
            "a;b,\"Paris, France\",0.5\r\n");

  CsvFormat format;
  format.separator = ';';
  EXPECT_EQ(Csv(Writer(schema, {}, format), {row}),
            "name;location;salary\r\n"
            "\"a;b\";Paris, France;0.5\r\n");
}

TEST(CsvWriterTest, ByteOrderMarkOnlyWhenAskedFor) {
  CsvFormat format;
  format.byte_order_mark = true;
  const CsvWriter writer = Writer(ThreeColumns(), {}, format);
  EXPECT_EQ(writer.HeaderRow(), "\xEF\xBB\xBFid,name,created_at\r\n");
  std::string record;
  writer.AppendRow(Row({Text("r1")}), &record);
  EXPECT_EQ(record, "r1,,\r\n");
  EXPECT_EQ(Writer(ThreeColumns()).HeaderRow(), "id,name,created_at\r\n");
}

TEST(CsvWriterTest, ColumnsAreRenamedReorderedAndRepeated) {
  const CsvWriter writer =
      Writer(ThreeColumns(), {{"created_at", "Opened", DateFormat::kDate},
                              {"name"},
                              {"created_at", "Opened at"},
                              {"id", "Lever id"}});
  EXPECT_THAT(writer.headers(),
              ElementsAre("Opened", "name", "Opened at", "Lever id"));
  EXPECT_EQ(
      Csv(writer, {Row({Text("r1"), Text("Engineer"), Time(kSeconds, 0)})}),
      "Opened,name,Opened at,Lever id\r\n"
      "2024-05-01,Engineer,2024-05-01T12:34:56Z,r1\r\n");
}

TEST(CsvWriterTest, HeadersAreQuotedLikeFields) {
  const CsvWriter writer = Writer(
      ThreeColumns(), {{"id", "Id, Lever"}, {"name", "\"Name\""}, {"id", " "}});
  EXPECT_EQ(writer.HeaderRow(), "\"Id, Lever\",\"\"\"Name\"\"\",\" \"\r\n");
}

TEST(CsvWriterTest, FiveHundredColumnsAreAllowed) {
  std::vector<CsvColumn> columns;
  for (std::size_t i = 0; i < kMaximumColumns; ++i) {
    columns.push_back({"id", "id " + std::to_string(i)});
  }
  EXPECT_TRUE(CsvWriter::Create(ThreeColumns(), columns, {}).ok());

  columns.push_back({"id", "one too many"});
  EXPECT_EQ(
      CreateError(ThreeColumns(), columns),
      absl::InvalidArgumentError("columns: 501 given, at most 500 allowed"));
}

TEST(CsvWriterTest, RejectsASeparatorOtherThanCommaOrSemicolon) {
  for (const char separator : {'\t', '|', '"', ' '}) {
    CsvFormat format;
    format.separator = separator;
    EXPECT_EQ(CreateError(ThreeColumns(), {}, format).code(),
              absl::StatusCode::kInvalidArgument)
        << separator;
  }
  CsvFormat format;
  format.separator = '\t';
  EXPECT_EQ(CreateError(ThreeColumns(), {}, format),
            absl::InvalidArgumentError(
                "format.separator: must be ',' or ';', not \"\\t\""));
}

TEST(CsvWriterTest, RejectsABadListSeparator) {
  CsvFormat format;
  format.list_separator = "";
  EXPECT_EQ(
      CreateError(ThreeColumns(), {}, format),
      absl::InvalidArgumentError("format.list_separator: must not be empty"));
  for (const char* separator : {"\n", "\r", "|\r\n", "\""}) {
    format.list_separator = separator;
    EXPECT_EQ(CreateError(ThreeColumns(), {}, format).code(),
              absl::StatusCode::kInvalidArgument)
        << separator;
  }
  format.list_separator = "a\"";
  EXPECT_EQ(CreateError(ThreeColumns(), {}, format),
            absl::InvalidArgumentError("format.list_separator: \"a\\\"\" "
                                       "holds CR, LF or a double quote"));
}

TEST(CsvWriterTest, RejectsAnUnknownColumn) {
  EXPECT_EQ(
      CreateError(ThreeColumns(), {{"id"}, {"name"}, {"created_at"}, {"foo"}}),
      absl::InvalidArgumentError("columns[3]: unknown column \"foo\""));
  EXPECT_EQ(CreateError(ThreeColumns(), {{"", "Empty"}}),
            absl::InvalidArgumentError("columns[0]: unknown column \"\""));
}

TEST(CsvWriterTest, RejectsADateFormatOnAColumnOfAnotherType) {
  EXPECT_EQ(CreateError(ThreeColumns(), {{"name", "", DateFormat::kDate}}),
            absl::InvalidArgumentError(
                "columns[0]: \"name\" is not a timestamp column: it has no "
                "date format"));
}

TEST(CsvWriterTest, RejectsARepeatedHeader) {
  EXPECT_EQ(CreateError(ThreeColumns(), {{"id", "name"}, {"name"}}),
            absl::InvalidArgumentError(
                "columns[1]: header \"name\" repeats columns[0]"));
  EXPECT_EQ(CreateError(ThreeColumns(), {{"id"}, {"id"}}),
            absl::InvalidArgumentError(
                "columns[1]: header \"id\" repeats columns[0]"));
}

TEST(CsvWriterTest, RejectsHeadersWithLineBreaks) {
  EXPECT_EQ(CreateError(ThreeColumns(), {{"id", "Lever\nid"}}),
            absl::InvalidArgumentError(
                "columns[0]: header \"Lever\\nid\" holds CR or LF"));
  EXPECT_EQ(CreateError(ThreeColumns(), {{"id"}, {"name", "Name\r"}}),
            absl::InvalidArgumentError(
                "columns[1]: header \"Name\\r\" holds CR or LF"));
}

TEST(CsvWriterTest, RejectsAnEmptyHeader) {
  // Only a schema column without a name leaves the header empty.
  EXPECT_EQ(CreateError(Schema({Column("", kString)}), {}),
            absl::InvalidArgumentError("columns[0]: empty header"));
}

TEST(CsvWriterTest, RejectsAFileWithoutColumns) {
  EXPECT_EQ(
      CreateError(Schema({}), {}),
      absl::InvalidArgumentError("columns: none, and the schema has none"));
}

TEST(AppendRecordTest, QuotesOnlyWhatNeedsIt) {
  std::string csv;
  AppendRecord({"plain", "Paris, France", "say \"hi\"", "", "a;b"}, ',', &csv);
  AppendRecord({"a;b", "a,b", "line 1\nline 2"}, ';', &csv);
  EXPECT_EQ(csv,
            "plain,\"Paris, France\",\"say \"\"hi\"\"\",,a;b\r\n"
            "\"a;b\";a,b;\"line 1\nline 2\"\r\n");
}

}  // namespace
}  // namespace leverconnect::csv

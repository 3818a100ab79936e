#include "lib/csv/csv_reader.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace leverconnect::csv {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CsvRecordsTest, FollowsRfc4180) {
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsvRecords(
      "a,\"b,1\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",,x\nlast,\"\",", ',');
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_THAT(*records, ElementsAre(ElementsAre("a", "b,1", "say \"hi\""),
                                    ElementsAre("two\nlines", "", "x"),
                                    ElementsAre("last", "", "")));
}

TEST(CsvRecordsTest, AFinalLineBreakStartsNoRecordAndSemicolonsSeparate) {
  absl::StatusOr<std::vector<CsvRecord>> records =
      ParseCsvRecords("a;b,c\r\n1;2\r\n", ';');
  ASSERT_TRUE(records.ok());
  EXPECT_THAT(*records,
              ElementsAre(ElementsAre("a", "b,c"), ElementsAre("1", "2")));
  EXPECT_TRUE(ParseCsvRecords("", ',')->empty());
}

TEST(CsvRecordsTest, RefusesBrokenQuoting) {
  EXPECT_THAT(ParseCsvRecords("a\nb\"c\n", ',').status().message(),
              HasSubstr("record 2"));
  EXPECT_EQ(ParseCsvRecords("\"open,b\n", ',').status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCsvRecords("\"a\"b,c\n", ',').status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CsvFieldsTest, KeepWhetherAFieldWasQuoted) {
  absl::StatusOr<std::vector<CsvFieldRecord>> records =
      ReadCsvFields("code;name;notes\r\nR-1;;\"\"\r\n", ';');
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 2u);
  const CsvFieldRecord& row = (*records)[1];
  ASSERT_EQ(row.size(), 3u);
  EXPECT_EQ(row[0].text, "R-1");
  EXPECT_FALSE(row[0].quoted);
  EXPECT_EQ(row[1].text, "");
  EXPECT_FALSE(row[1].quoted);  // empty: a null cell
  EXPECT_EQ(row[2].text, "");
  EXPECT_TRUE(row[2].quoted);  // "": an empty text
}

TEST(CsvFieldsTest, ASeparatorAtTheEndLeavesAnEmptyField) {
  absl::StatusOr<std::vector<CsvFieldRecord>> records =
      ReadCsvFields("a;", ';');
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].size(), 2u);
}

TEST(CsvFieldsTest, ByteOrderMarkIsDroppedOnlyAtTheStart) {
  EXPECT_EQ(WithoutByteOrderMark("\xEF\xBB\xBF"
                                 "code;name"),
            "code;name");
  EXPECT_EQ(WithoutByteOrderMark("code;name"), "code;name");
  EXPECT_EQ(WithoutByteOrderMark(""), "");
  EXPECT_EQ(WithoutByteOrderMark("a\xEF\xBB\xBF"), "a\xEF\xBB\xBF");
}

TEST(CsvFieldsTest, WrittenFilesReadBack) {
  // As lib/csv writes them: CRLF, quotes around separators, doubled quotes.
  absl::StatusOr<std::vector<CsvRecord>> records = ParseCsvRecords(
      "code,name\r\nR-1,\"Engineer, \"\"senior\"\"\"\r\nR-2, padded \r\n", ',');
  ASSERT_TRUE(records.ok()) << records.status();
  EXPECT_THAT(*records, ElementsAre(ElementsAre("code", "name"),
                                    ElementsAre("R-1", "Engineer, \"senior\""),
                                    ElementsAre("R-2", " padded ")));
}

}  // namespace
}  // namespace leverconnect::csv

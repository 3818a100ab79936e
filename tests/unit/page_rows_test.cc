// Mapping pages into a reused batch gives exactly the rows a fresh batch
// gets; rows mapped straight into StreamRequisitionsResponse messages
// (EncodedPage) are byte for byte what protobuf writes for those rows in a
// RowBatch, whatever the values: exact, converted, left empty, lists, long
// text, odd ids, text that is not UTF-8; the id set tells ids apart
// exactly.
#include "lib/importer/page_rows.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "lib/importer/requisition_id_set.h"
#include "lib/mapping/requisition_schema.h"
#include "tests/fakes/generated_custom_fields.h"
#include "tests/fakes/requisition_generator.h"
#include "tests/unit/every_kind_batch.h"

namespace leverconnect::importer {
namespace {

using google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;

mapping::RowMapper GeneratedMapper() {
  rapidjson::Document fields;
  fields.Parse(testing::GeneratedRequisitionFieldsJson().c_str());
  absl::StatusOr<std::vector<mapping::CustomFieldDefinition>> definitions =
      mapping::ParseRequisitionFields(fields);
  EXPECT_TRUE(definitions.ok()) << definitions.status();
  absl::StatusOr<mapping::RowMapper> mapper = mapping::RowMapper::Create(
      mapping::BuildRequisitionSchema(*definitions), {});
  EXPECT_TRUE(mapper.ok()) << mapper.status();
  return *std::move(mapper);
}

// Pages of `page_size` generated requisitions, as Lever list pages would
// hold them.
std::vector<rapidjson::Document> GeneratedPages(int count, int page_size) {
  const std::vector<testing::StoredRequisition> requisitions =
      testing::GenerateRequisitions(count, 7);
  std::vector<rapidjson::Document> pages;
  for (int start = 0; start < count; start += page_size) {
    std::string text = "[";
    for (int i = start; i < start + page_size && i < count; ++i) {
      if (i > start) text += ",";
      text += requisitions[i].json;
    }
    text += "]";
    pages.emplace_back();
    pages.back().Parse(text.c_str());
  }
  return pages;
}

// The fault reuse could bring: a cell keeping part of what an earlier
// requisition put there (a string, a list element, a warning). Pages of
// decreasing size also shrink the batch.
TEST(MapPageRowsTest, AReusedBatchHoldsWhatAFreshOneWould) {
  const mapping::RowMapper mapper = GeneratedMapper();
  std::vector<rapidjson::Document> pages = GeneratedPages(600, 97);
  std::vector<rapidjson::Document> short_pages = GeneratedPages(40, 13);
  for (rapidjson::Document& page : short_pages)
    pages.push_back(std::move(page));

  v1::RowBatch reused;
  int rows = 0;
  int with_warnings = 0;
  for (const rapidjson::Document& page : pages) {
    with_warnings += MapPageRows(mapper, page, {}, &reused);
    v1::RowBatch fresh;
    MapPageRows(mapper, page, {}, &fresh);
    ASSERT_EQ(reused.rows_size(), static_cast<int>(page.Size()));
    ASSERT_TRUE(MessageDifferencer::Equals(reused, fresh))
        << "after " << rows << " rows";
    rows += reused.rows_size();
  }
  EXPECT_EQ(rows, 640);
  // The data has the traps of real data: warnings come and go.
  EXPECT_GT(with_warnings, 50);
  EXPECT_LT(with_warnings, rows);
}

TEST(MapPageRowsTest, OnlyFreshRequisitionsBecomeRowsInTheirOrder) {
  const mapping::RowMapper mapper = GeneratedMapper();
  const std::vector<rapidjson::Document> pages = GeneratedPages(5, 5);
  v1::RowBatch all;
  MapPageRows(mapper, pages[0], {}, &all);
  v1::RowBatch some = all;  // rows to be reused
  MapPageRows(mapper, pages[0], {false, true, false, false, true}, &some);
  ASSERT_EQ(some.rows_size(), 2);
  EXPECT_TRUE(MessageDifferencer::Equals(some.rows(0), all.rows(1)));
  EXPECT_TRUE(MessageDifferencer::Equals(some.rows(1), all.rows(4)));
}

TEST(MapPageRowsTest, AnEmptyPageEmptiesTheBatchButLeavesItsPage) {
  const mapping::RowMapper mapper = GeneratedMapper();
  v1::RowBatch batch;
  MapPageRows(mapper, GeneratedPages(3, 3)[0], {}, &batch);
  batch.set_page(4);
  rapidjson::Document empty;
  empty.Parse("[]");
  EXPECT_EQ(MapPageRows(mapper, empty, {}, &batch), 0);
  EXPECT_EQ(batch.rows_size(), 0);
  EXPECT_EQ(batch.page(), 4);
}

// The ids of the rows of one message of a batch of page 9 cut at 1000
// bytes, checking the message: protobuf's bytes, under the limit unless it
// holds one row.
std::vector<std::string> IdsOfCutMessage(const std::string& bytes) {
  v1::StreamRequisitionsResponse decoded;
  EXPECT_TRUE(decoded.ParseFromString(bytes));
  EXPECT_EQ(decoded.batch().page(), 9);
  EXPECT_TRUE(bytes.size() <= 1000 || decoded.batch().rows_size() == 1)
      << bytes.size();
  EXPECT_EQ(bytes, decoded.SerializeAsString());
  std::vector<std::string> ids;
  for (const v1::Row& row : decoded.batch().rows()) {
    ids.push_back(row.requisition_id());
  }
  return ids;
}

// Every message of `page`, numbered `number`, one after the other.
std::string Messages(const EncodedPage& page, std::int32_t number) {
  std::string bytes;
  for (int message = 0; message < page.messages(); ++message) {
    std::string one(page.MessageSize(message, number), '\0');
    page.WriteMessage(message, number,
                      reinterpret_cast<std::uint8_t*>(&one[0]));
    bytes += one;
  }
  return bytes;
}

// What protobuf writes for the StreamRequisitionsResponse carrying
// `requisitions` mapped into a RowBatch numbered `number`.
std::string BatchMessage(const mapping::RowMapper& mapper,
                         const rapidjson::Value& requisitions,
                         const std::vector<bool>& fresh, std::int32_t number,
                         mapping::RowMapper::Text text, int* with_warnings) {
  v1::StreamRequisitionsResponse response;
  v1::RowBatch* batch = response.mutable_batch();
  *with_warnings = MapPageRows(mapper, requisitions, fresh, batch, text);
  batch->set_page(number);
  return response.SerializeAsString();
}

// `requisitions` (a JSON array) mapped both ways, with one EncodedPage
// reused: the same bytes and the same count of rows with warnings.
void ExpectSameBytes(
    const mapping::RowMapper& mapper, EncodedPage& encoded,
    const rapidjson::Value& requisitions, const std::vector<bool>& fresh,
    std::int32_t number,
    mapping::RowMapper::Text text = mapping::RowMapper::Text::kKnownUtf8) {
  int batch_warnings = 0;
  const std::string expected =
      BatchMessage(mapper, requisitions, fresh, number, text, &batch_warnings);
  EXPECT_EQ(encoded.Map(mapper, requisitions, fresh, text), batch_warnings);
  EXPECT_EQ(encoded.messages(), 1);
  EXPECT_EQ(Messages(encoded, number), expected);
}

// Generated requisitions carry the traps of real data (conversions,
// missing members, lists); pages of several sizes reuse one EncodedPage.
TEST(EncodedPageTest, GeneratedPagesEncodeAsTheirBatches) {
  const mapping::RowMapper mapper = GeneratedMapper();
  const std::vector<testing::StoredRequisition> requisitions =
      testing::GenerateRequisitions(700, 11);
  EncodedPage encoded;
  int pages = 0;
  int warned = 0;
  for (std::size_t start = 0; start < requisitions.size(); start += 100) {
    const std::size_t size = start < 600 ? 100 : 7 + pages;
    std::string text = "[";
    for (std::size_t i = start; i < start + size && i < requisitions.size();
         ++i) {
      if (i > start) text += ",";
      text += requisitions[i].json;
    }
    text += "]";
    rapidjson::Document page;
    page.Parse(text.c_str());
    ASSERT_FALSE(page.HasParseError());
    ++pages;
    int with_warnings = 0;
    BatchMessage(mapper, page, {}, pages, mapping::RowMapper::Text::kKnownUtf8,
                 &with_warnings);
    warned += with_warnings;
    ExpectSameBytes(mapper, encoded, page, {}, pages);
    EXPECT_EQ(encoded.rows(), static_cast<int>(page.Size()));
  }
  EXPECT_GT(warned, 50);  // the traps were there
}

// A schema with a column of every type, plain and as a list, all reading
// the member "x", and one reading "x.y".
mapping::RowMapper EveryTypeMapper() {
  v1::RequisitionSchema schema;
  for (const v1::ColumnType type :
       {v1::COLUMN_TYPE_STRING, v1::COLUMN_TYPE_INTEGER, v1::COLUMN_TYPE_DOUBLE,
        v1::COLUMN_TYPE_BOOL, v1::COLUMN_TYPE_TIMESTAMP}) {
    for (const bool list : {false, true}) {
      v1::Column* column = schema.add_columns();
      column->set_name(v1::ColumnType_Name(type) + (list ? "_list" : ""));
      column->set_type(type);
      column->set_list(list);
      column->set_source(v1::COLUMN_SOURCE_CUSTOM);
      column->set_lever_path("x");
    }
  }
  v1::Column* nested = schema.add_columns();
  nested->set_name("nested");
  nested->set_type(v1::COLUMN_TYPE_STRING);
  nested->set_source(v1::COLUMN_SOURCE_CUSTOM);
  nested->set_lever_path("x.y");
  absl::StatusOr<mapping::RowMapper> mapper =
      mapping::RowMapper::Create(schema, {});
  EXPECT_TRUE(mapper.ok()) << mapper.status();
  return *std::move(mapper);
}

TEST(EncodedPageTest, EveryKindOfValueEncodesAsItsRow) {
  const mapping::RowMapper mapper = EveryTypeMapper();
  const std::string long_text(300, 'l');
  const std::vector<std::string> values = {
      "null",
      "true",
      "false",
      "0",
      "1",
      "-1",
      "1.5",
      "-0.25",
      "1e300",
      "-9223372036854775808",
      "18446744073709551615",
      "1700000000123",
      "-62135596800001",
      R"("")",
      R"("text")",
      R"(" 12 ")",
      R"("12.0")",
      R"("TRUE")",
      R"("2024-02-29")",
      R"("2024-02-29T12:30:00.123456789Z")",
      R"("1969-12-31T23:59:59.5Z")",
      R"("99999999999999999999")",
      R"("caf\u00e9 \"quoted\"")",
      "\"" + std::string(127, 'a') + "\"",
      "\"" + std::string(128, 'a') + "\"",
      "\"" + long_text + "\"",
      "[]",
      "[null]",
      R"([1, "a", [2], {"b": true}, 2.5, "2024-01-01"])",
      "[\"" + long_text + "\", \"" + long_text + "\"]",
      "{}",
      R"({"y": "inside"})",
      R"({"y": 3})"};
  EncodedPage encoded;
  for (const std::string& value : values) {
    for (const std::string id :
         {R"("id": "r1", )", R"("id": 42, )", R"("id": null, )", ""}) {
      const std::string text = "[{" + id + R"("x": )" + value + "}]";
      rapidjson::Document page;
      page.Parse(text.c_str());
      ASSERT_FALSE(page.HasParseError()) << text;
      SCOPED_TRACE(text);
      ExpectSameBytes(mapper, encoded, page, {}, 5);
    }
  }
}

TEST(EncodedPageTest, ValuesThatAreNotRequisitionsEncodeAsTheirRows) {
  const mapping::RowMapper mapper = EveryTypeMapper();
  rapidjson::Document page;
  page.Parse(R"([[1, 2], "text", 7, null, {"id": "ok", "x": 1}])");
  EncodedPage encoded;
  ExpectSameBytes(mapper, encoded, page, {}, 1);
  ExpectSameBytes(mapper, encoded, page, {true, false, false, true, true}, 2);
}

TEST(EncodedPageTest, AnEmptyPageIsOneMessageWithoutRows) {
  const mapping::RowMapper mapper = EveryTypeMapper();
  rapidjson::Document page;
  page.Parse("[]");
  EncodedPage encoded;
  ExpectSameBytes(mapper, encoded, page, {}, 3);
  EXPECT_EQ(encoded.messages(), 1);
  EXPECT_EQ(encoded.rows(), 0);
}

// Rows that would make a message over the limit start another, in order;
// a row bigger than the limit goes alone; each message carries the page.
TEST(EncodedPageTest, CutsMessagesOverTheLimitBetweenRows) {
  const mapping::RowMapper mapper = EveryTypeMapper();
  std::string text = "[";
  int index = 0;
  for (int size : {300, 300, 300, 1500, 100, 100}) {
    if (index > 0) text += ",";
    text += R"({"id": "r)" + std::to_string(++index) + R"(", "x": ")" +
            std::string(size, 'x') + R"("})";
  }
  text += "]";
  rapidjson::Document page;
  page.Parse(text.c_str());
  const mapping::RowMapper one_column = *mapping::RowMapper::Create(
      mapper.schema(), {mapper.schema().columns(0).name()});
  EncodedPage encoded(1000);
  encoded.Map(one_column, page, {});
  ASSERT_EQ(encoded.messages(), 3);
  std::vector<std::vector<std::string>> messages;
  for (int message = 0; message < 3; ++message) {
    std::string bytes(encoded.MessageSize(message, 9), '\0');
    encoded.WriteMessage(message, 9,
                         reinterpret_cast<std::uint8_t*>(&bytes[0]));
    messages.push_back(IdsOfCutMessage(bytes));
  }
  EXPECT_THAT(messages,
              ElementsAre(ElementsAre("r1", "r2", "r3"), ElementsAre("r4"),
                          ElementsAre("r5", "r6")));
}

// Whatever the size of its rows, a message holding more than one row
// keeps to the limit, key, length and page number included.
TEST(EncodedPageTest, NoMessageOfSeveralRowsPassesTheLimit) {
  const mapping::RowMapper mapper = EveryTypeMapper();
  const mapping::RowMapper one_column = *mapping::RowMapper::Create(
      mapper.schema(), {mapper.schema().columns(0).name()});
  EncodedPage encoded(1000);
  int two_row_messages = 0;
  for (int size = 470; size <= 500; ++size) {
    const std::string row =
        R"({"id": "r", "x": ")" + std::string(size, 'x') + R"("})";
    rapidjson::Document page;
    page.Parse(("[" + row + "," + row + "]").c_str());
    encoded.Map(one_column, page, {}, mapping::RowMapper::Text::kKnownUtf8);
    for (int message = 0; message < encoded.messages(); ++message) {
      std::string bytes(encoded.MessageSize(message, 300000), '\0');
      encoded.WriteMessage(message, 300000,
                           reinterpret_cast<std::uint8_t*>(&bytes[0]));
      v1::StreamRequisitionsResponse decoded;
      ASSERT_TRUE(decoded.ParseFromString(bytes));
      if (decoded.batch().rows_size() == 1) continue;
      ++two_row_messages;
      EXPECT_LE(bytes.size(), 1000u) << size;
    }
  }
  EXPECT_GT(two_row_messages, 3);  // the sizes tried straddle the limit
}

// A page whose text is not known to be UTF-8 is checked and repaired as a
// batch is, wherever the bad bytes are: a cell, a list element, the id, a
// warning quoting the value. The same EncodedPage then maps a page that is
// UTF-8 straight.
TEST(EncodedPageTest, TextThatIsNotUtf8IsRepairedAsInABatch) {
  const mapping::RowMapper mapper = EveryTypeMapper();
  const std::string text =
      "[{\"id\": \"r\xff\", \"x\": \"caf\xc3\"}, "
      "{\"id\": \"r2\", \"x\": [\"a\", \"\xed\xa0\x80\"]}, "
      "{\"id\": \"r3\", \"x\": \"fine \xc3\xa9\"}]";
  rapidjson::Document page;
  page.Parse(text.c_str());
  ASSERT_FALSE(page.HasParseError());
  EncodedPage encoded;
  ExpectSameBytes(mapper, encoded, page, {}, 4,
                  mapping::RowMapper::Text::kCheck);

  v1::StreamRequisitionsResponse decoded;
  ASSERT_TRUE(decoded.ParseFromString(Messages(encoded, 4)));
  ASSERT_EQ(decoded.batch().rows_size(), 3);
  const v1::Row& first = decoded.batch().rows(0);
  EXPECT_EQ(first.requisition_id(), "r\xef\xbf\xbd");
  EXPECT_EQ(first.cells(0).string_value(), "caf\xef\xbf\xbd");
  EXPECT_THAT(first.warnings(), ::testing::Contains(::testing::HasSubstr(
                                    "STRING: text that is not UTF-8")));
  EXPECT_EQ(decoded.batch().rows(2).cells(0).string_value(), "fine \xc3\xa9");
  EXPECT_THAT(
      decoded.batch().rows(2).warnings(),
      ::testing::Not(::testing::Contains(::testing::HasSubstr("not UTF-8"))));

  const std::vector<rapidjson::Document> pages = GeneratedPages(30, 30);
  ExpectSameBytes(GeneratedMapper(), encoded, pages[0], {}, 5);
}

// "a" fills one message; "b" would take it past a megabyte, so it starts a
// second one, which the small "c" joins.
TEST(EncodedPageTest, ByDefaultAMessageStaysUnderAMegabyte) {
  const mapping::RowMapper mapper = EveryTypeMapper();
  const mapping::RowMapper one_column = *mapping::RowMapper::Create(
      mapper.schema(), {mapper.schema().columns(0).name()});
  std::string text = "[";
  for (const int size : {700000, 700000, 10}) {
    if (text.size() > 1) text += ",";
    text += R"({"x": ")" + std::string(size, 'n') + R"("})";
  }
  text += "]";
  rapidjson::Document page;
  page.Parse(text.c_str());
  EncodedPage encoded;
  encoded.Map(one_column, page, {}, mapping::RowMapper::Text::kKnownUtf8);
  ASSERT_EQ(encoded.messages(), 2);
  EXPECT_GT(encoded.MessageSize(0, 1), 700000u);
  EXPECT_LT(encoded.MessageSize(0, 1), 800000u);
  EXPECT_GT(encoded.MessageSize(1, 1), 700000u);
  EXPECT_LE(encoded.MessageSize(1, 1), EncodedPage::kMaxMessageBytes);
}

TEST(RequisitionIdSetTest, EachIdIsNewOnce) {
  RequisitionIdSet ids;
  EXPECT_TRUE(ids.Insert("0a1b2c3d-4e5f-6789-abcd-ef0123456789"));
  EXPECT_FALSE(ids.Insert("0a1b2c3d-4e5f-6789-abcd-ef0123456789"));
  EXPECT_TRUE(ids.Insert("req-1"));
  EXPECT_FALSE(ids.Insert("req-1"));
  EXPECT_TRUE(ids.Insert(""));
  EXPECT_FALSE(ids.Insert(""));
  EXPECT_EQ(ids.size(), 3u);
}

// Ids that would share 128 bits if the text were read loosely stay apart:
// letter case, dashes elsewhere, other lengths.
TEST(RequisitionIdSetTest, TextsThatAreNotTheSameAreDifferentIds) {
  RequisitionIdSet ids;
  const std::string canonical = "0a1b2c3d-4e5f-6789-abcd-ef0123456789";
  EXPECT_TRUE(ids.Insert(canonical));
  EXPECT_TRUE(ids.Insert("0A1B2C3D-4E5F-6789-ABCD-EF0123456789"));
  EXPECT_TRUE(ids.Insert("0a1b2c3d4e5f6789abcdef0123456789"));
  EXPECT_TRUE(ids.Insert("0a1b2c3d-4e5f6-789-abcd-ef0123456789"));
  EXPECT_TRUE(ids.Insert(canonical + " "));
  EXPECT_TRUE(ids.Insert("0a1b2c3d-4e5f-6789-abcd-ef012345678g"));
  EXPECT_TRUE(ids.Insert("0a1b2c3d-4e5f-6789-abcd-ef0123456788"));
  EXPECT_TRUE(ids.Insert("1a1b2c3d-4e5f-6789-abcd-ef0123456789"));
  EXPECT_EQ(ids.size(), 8u);
  EXPECT_FALSE(ids.Insert("0A1B2C3D-4E5F-6789-ABCD-EF0123456789"));
}

TEST(RequisitionIdSetTest, ManyGeneratedIdsAreAllKept) {
  RequisitionIdSet ids;
  const std::vector<testing::StoredRequisition> requisitions =
      testing::GenerateRequisitions(20000, 3);
  for (const testing::StoredRequisition& requisition : requisitions) {
    ASSERT_TRUE(ids.Insert(requisition.id)) << requisition.id;
  }
  for (const testing::StoredRequisition& requisition : requisitions) {
    ASSERT_FALSE(ids.Insert(requisition.id)) << requisition.id;
  }
  EXPECT_EQ(ids.size(), 20000u);
}

}  // namespace
}  // namespace leverconnect::importer

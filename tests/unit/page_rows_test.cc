// Mapping pages into a reused batch gives exactly the rows a fresh batch
// gets; the batch's encoding is the StreamRequisitionsResponse the server
// sends; the id set tells ids apart exactly.
#include "lib/importer/page_rows.h"

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

TEST(EncodeBatchMessageTest, DecodesAsTheResponseCarryingTheBatch) {
  const mapping::RowMapper mapper = GeneratedMapper();
  v1::RowBatch batch;
  MapPageRows(mapper, GeneratedPages(100, 100)[0], {}, &batch);
  batch.set_page(300);
  BatchEncoder encoder;
  ASSERT_EQ(encoder.Prepare(batch), 1);
  std::string bytes(encoder.Size(0), '\0');
  encoder.Encode(batch, 0, reinterpret_cast<std::uint8_t*>(&bytes[0]));

  v1::StreamRequisitionsResponse expected;
  *expected.mutable_batch() = batch;
  // Byte for byte what protobuf writes.
  EXPECT_EQ(bytes, expected.SerializeAsString());
  v1::StreamRequisitionsResponse decoded;
  ASSERT_TRUE(decoded.ParseFromString(bytes));
  ASSERT_TRUE(decoded.has_batch());
  EXPECT_TRUE(MessageDifferencer::Equals(decoded.batch(), batch));
}

// Every kind of cell, and the extremes of each (negative numbers take ten
// bytes, a cell with no member none), with one encoder reused from a larger
// batch to smaller ones.
TEST(EncodeBatchMessageTest, WritesEveryKindOfCellAsProtobufDoes) {
  v1::RowBatch every = testing::EveryKind();
  every.mutable_rows(0)->add_cells();  // no member set
  every.mutable_rows(0)
      ->mutable_cells(11)
      ->mutable_timestamp_value()
      ->set_nanos(-1);
  every.mutable_rows(1)->clear_requisition_id();
  v1::RowBatch negative_page;
  negative_page.set_page(-3);
  negative_page.add_rows()->add_cells()->set_integer_value(INT64_MIN);
  BatchEncoder encoder;
  for (const v1::RowBatch& batch : {every, negative_page, v1::RowBatch()}) {
    ASSERT_EQ(encoder.Prepare(batch), 1);
    std::string bytes(encoder.Size(0), '\0');
    encoder.Encode(batch, 0, reinterpret_cast<std::uint8_t*>(&bytes[0]));
    v1::StreamRequisitionsResponse expected;
    *expected.mutable_batch() = batch;
    EXPECT_EQ(bytes, expected.SerializeAsString()) << batch.DebugString();
  }
}

// Rows that would make a message over the limit are cut, in order, into
// messages of the same page; a row bigger than the limit goes alone.
TEST(EncodeBatchMessageTest, CutsBatchesOverTheLimitBetweenRows) {
  v1::RowBatch batch;
  batch.set_page(9);
  for (int size : {300, 300, 300, 1500, 100, 100}) {
    v1::Row* row = batch.add_rows();
    row->set_requisition_id("r" + std::to_string(batch.rows_size()));
    row->add_cells()->set_string_value(std::string(size, 'x'));
  }
  BatchEncoder encoder(1000);
  ASSERT_EQ(encoder.Prepare(batch), 3);
  std::vector<std::vector<std::string>> parts;
  for (int part = 0; part < 3; ++part) {
    std::string bytes(encoder.Size(part), '\0');
    encoder.Encode(batch, part, reinterpret_cast<std::uint8_t*>(&bytes[0]));
    v1::StreamRequisitionsResponse decoded;
    ASSERT_TRUE(decoded.ParseFromString(bytes));
    EXPECT_EQ(decoded.batch().page(), 9);
    EXPECT_TRUE(decoded.batch().ByteSizeLong() <= 1000 ||
                decoded.batch().rows_size() == 1);
    EXPECT_EQ(bytes, decoded.SerializeAsString());
    parts.emplace_back();
    for (const v1::Row& row : decoded.batch().rows()) {
      parts.back().push_back(row.requisition_id());
    }
  }
  EXPECT_THAT(parts,
              ::testing::ElementsAre(::testing::ElementsAre("r1", "r2", "r3"),
                                     ::testing::ElementsAre("r4"),
                                     ::testing::ElementsAre("r5", "r6")));
}

TEST(EncodeBatchMessageTest, ByDefaultABatchStaysUnderAMegabyte) {
  v1::RowBatch batch;
  batch.set_page(1);
  for (const char* id : {"a", "b", "c"}) {
    v1::Row* row = batch.add_rows();
    row->set_requisition_id(id);
    row->add_cells()->set_string_value(
        std::string(id == std::string("c") ? 10 : 700000, 'n'));
  }
  BatchEncoder encoder;
  // "a" fills one message; "b" would take it past a megabyte, so it starts
  // a second one, which the small "c" joins.
  ASSERT_EQ(encoder.Prepare(batch), 2);
  EXPECT_LT(encoder.Size(0), 800000u);
  EXPECT_GT(encoder.Size(1), 700000u);
  EXPECT_LT(encoder.Size(1), BatchEncoder::kMaxBatchBytes);
}

TEST(EncodeBatchMessageTest, AnEmptyBatchIsAnEmptyPayload) {
  v1::RowBatch batch;
  BatchEncoder encoder;
  ASSERT_EQ(encoder.Prepare(batch), 1);
  std::string bytes(encoder.Size(0), '\0');
  encoder.Encode(batch, 0, reinterpret_cast<std::uint8_t*>(&bytes[0]));
  v1::StreamRequisitionsResponse decoded;
  ASSERT_TRUE(decoded.ParseFromString(bytes));
  EXPECT_TRUE(decoded.has_batch());
  EXPECT_EQ(decoded.batch().rows_size(), 0);
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

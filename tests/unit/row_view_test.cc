// A RowBatchView reads the encoded bytes of a batch as protobuf would: the
// same rows, cells, lists and warnings; the same fields skipped; and
// DATA_LOSS, with nothing left in the view, for bytes that are no batch.
#include "client/row_view.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/unknown_field_set.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "leverconnect/v1/import.pb.h"
#include "lib/importer/page_rows.h"
#include "lib/mapping/requisition_schema.h"
#include "tests/fakes/generated_custom_fields.h"
#include "tests/fakes/requisition_generator.h"
#include "tests/unit/every_kind_batch.h"

namespace leverconnect::client {
namespace {

using google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using Kind = CellView::Kind;
using ::leverconnect::testing::EveryKind;

// What a view holds, rebuilt as a message to compare with protobuf's
// decoding. A cell with no member reads as null, so it comes back with
// null_value set.
void ToValue(const CellView& cell, v1::Value* value) {
  switch (cell.kind()) {
    case Kind::kNull:
      value->set_null_value(google::protobuf::NULL_VALUE);
      break;
    case Kind::kString:
      value->set_string_value(std::string(cell.string_value()));
      break;
    case Kind::kInteger:
      value->set_integer_value(cell.integer_value());
      break;
    case Kind::kDouble:
      value->set_double_value(cell.double_value());
      break;
    case Kind::kBool:
      value->set_bool_value(cell.bool_value());
      break;
    case Kind::kTimestamp:
      value->mutable_timestamp_value()->set_seconds(cell.seconds());
      value->mutable_timestamp_value()->set_nanos(cell.nanos());
      break;
    case Kind::kList:
      value->mutable_list_value();
      for (const CellView& element : cell.list_value()) {
        ToValue(element, value->mutable_list_value()->add_values());
      }
      break;
  }
}

v1::RowBatch ToMessage(const RowBatchView& view) {
  v1::RowBatch batch;
  batch.set_page(view.page());
  for (const RowView& row : view.rows()) {
    v1::Row* out = batch.add_rows();
    out->set_requisition_id(std::string(row.requisition_id()));
    for (const CellView& cell : row.cells()) ToValue(cell, out->add_cells());
    for (absl::string_view warning : row.warnings()) {
      out->add_warnings(std::string(warning));
    }
  }
  return batch;
}

TEST(RowBatchViewTest, EveryKindOfCellReadsAsProtobufReadsIt) {
  const v1::RowBatch batch = EveryKind();
  const std::string bytes = batch.SerializeAsString();
  RowBatchView view;
  ASSERT_TRUE(view.Parse(bytes).ok());

  ASSERT_EQ(view.rows().size(), 2u);
  EXPECT_EQ(view.page(), 12);
  const RowView& row = view.rows()[0];
  EXPECT_EQ(row.requisition_id(), "7c9e6679-7425-40de-944b-e07fc1f90ae7");
  ASSERT_EQ(row.cells().size(), 14u);
  EXPECT_TRUE(row.cells()[0].is_null());
  EXPECT_EQ(row.cells()[2].string_value(), "Ingénieur·e logiciel, Zürich 日本");
  EXPECT_EQ(row.cells()[5].integer_value(), INT64_MAX);
  EXPECT_EQ(row.cells()[8].double_value(), 1e300);
  EXPECT_TRUE(row.cells()[9].bool_value());
  EXPECT_EQ(row.cells()[11].time_value(),
            absl::FromCivil(absl::CivilSecond(1, 1, 1, 0, 0, 0),
                            absl::UTCTimeZone()) +
                absl::Nanoseconds(999999999));
  ASSERT_EQ(row.cells()[12].list_value().size(), 4u);
  EXPECT_EQ(row.cells()[12].list_value()[2].list_value()[0].integer_value(), 3);
  EXPECT_EQ(row.cells()[12].list_value()[3].string_value(), "b");
  EXPECT_EQ(row.cells()[13].kind(), Kind::kList);
  EXPECT_TRUE(row.cells()[13].list_value().empty());
  EXPECT_THAT(row.warnings(),
              ::testing::ElementsAre("custom.level: expected number, got "
                                     "string \"9\"",
                                     "second warning"));
  EXPECT_EQ(view.rows()[1].cells()[0].string_value(), "only");
  EXPECT_TRUE(view.rows()[1].warnings().empty());

  EXPECT_TRUE(MessageDifferencer::Equals(ToMessage(view), batch))
      << ToMessage(view).DebugString();
}

TEST(RowBatchViewTest, AccessorsOfAnotherKindGiveThatKindsZero) {
  v1::RowBatch batch;
  v1::Row* row = batch.add_rows();
  row->add_cells()->set_string_value("text");
  row->add_cells();  // no member set: null
  const std::string bytes = batch.SerializeAsString();
  RowBatchView view;
  ASSERT_TRUE(view.Parse(bytes).ok());
  const CellView& text = view.rows()[0].cells()[0];
  EXPECT_EQ(text.integer_value(), 0);
  EXPECT_EQ(text.double_value(), 0.0);
  EXPECT_FALSE(text.bool_value());
  EXPECT_EQ(text.seconds(), 0);
  EXPECT_TRUE(text.list_value().empty());
  EXPECT_EQ(view.rows()[0].cells()[1].kind(), Kind::kNull);
  EXPECT_EQ(view.rows()[0].cells()[1].string_value(), "");
}

// What the server really sends: generated requisitions with custom
// fields, mapped and encoded by the server's own code, in the message the
// stream carries.
TEST(RowBatchViewTest, ReadsTheBatchesTheServerEncodes) {
  rapidjson::Document fields;
  fields.Parse(testing::GeneratedRequisitionFieldsJson().c_str());
  auto definitions = mapping::ParseRequisitionFields(fields);
  ASSERT_TRUE(definitions.ok());
  auto mapper = mapping::RowMapper::Create(
      mapping::BuildRequisitionSchema(*definitions), {});
  ASSERT_TRUE(mapper.ok());
  std::string json = "[";
  for (const testing::StoredRequisition& requisition :
       testing::GenerateRequisitions(100, 3)) {
    if (json.size() > 1) json += ",";
    json += requisition.json;
  }
  json += "]";
  rapidjson::Document page;
  page.Parse(json.c_str());
  importer::EncodedPage rows;
  EXPECT_GT(rows.Map(*mapper, page, {}, mapping::RowMapper::Text::kKnownUtf8),
            0);
  ASSERT_EQ(rows.messages(), 1);
  std::string response(rows.MessageSize(0, 5), '\0');
  rows.WriteMessage(0, 5, reinterpret_cast<std::uint8_t*>(&response[0]));

  const std::optional<absl::string_view> encoded = EncodedBatchOf(response);
  ASSERT_TRUE(encoded.has_value());
  RowBatchView view;
  ASSERT_TRUE(view.Parse(*encoded).ok());
  v1::StreamRequisitionsResponse decoded;
  ASSERT_TRUE(decoded.ParseFromString(response));
  ASSERT_EQ(view.rows().size(), 100u);
  EXPECT_EQ(view.rows()[0].cells().size(),
            static_cast<std::size_t>(mapper->schema().columns_size()));
  // The mapper writes explicit nulls, so the comparison is exact.
  EXPECT_TRUE(MessageDifferencer::Equals(ToMessage(view), decoded.batch()));
}

TEST(RowBatchViewTest, AReusedViewHoldsOnlyTheLastBatch) {
  RowBatchView view;
  const std::string big = EveryKind().SerializeAsString();
  ASSERT_TRUE(view.Parse(big).ok());
  v1::RowBatch small;
  small.add_rows()->set_requisition_id("alone");
  small.mutable_rows(0)->add_cells()->set_integer_value(8);
  const std::string small_bytes = small.SerializeAsString();
  ASSERT_TRUE(view.Parse(small_bytes).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(ToMessage(view), small));
  ASSERT_TRUE(view.Parse("").ok());  // an empty batch
  EXPECT_TRUE(view.rows().empty());
  EXPECT_EQ(view.page(), 0);
}

// Fields 9 to 13, one of each wire type (13 a group holding a group), and
// number 3 as text (an integer
// in a Value, and unknown elsewhere).
void AddUnknownFields(google::protobuf::Message* message) {
  google::protobuf::UnknownFieldSet* unknown =
      message->GetReflection()->MutableUnknownFields(message);
  unknown->AddVarint(9, 5);
  unknown->AddFixed64(10, 0x0101010101010101);
  unknown->AddLengthDelimited(11, "hi");
  unknown->AddFixed32(12, 0x04030201);
  unknown->AddLengthDelimited(3, "z");
  google::protobuf::UnknownFieldSet* group = unknown->AddGroup(13);
  group->AddVarint(1, 2);
  group->AddGroup(2)->AddLengthDelimited(4, "in");
}

TEST(RowBatchViewTest, SkipsFieldsItDoesNotKnowAsProtobufDoes) {
  v1::RowBatch batch = EveryKind();
  AddUnknownFields(&batch);
  AddUnknownFields(batch.mutable_rows(0));
  AddUnknownFields(batch.mutable_rows(1)->mutable_cells(0));
  AddUnknownFields(
      batch.mutable_rows(0)->mutable_cells(11)->mutable_timestamp_value());
  const std::string bytes = batch.SerializeAsString();

  RowBatchView view;
  ASSERT_TRUE(view.Parse(bytes).ok());
  v1::RowBatch decoded;
  ASSERT_TRUE(decoded.ParseFromString(bytes));
  ASSERT_FALSE(
      decoded.GetReflection()->GetUnknownFields(decoded.rows(0)).empty());
  decoded.DiscardUnknownFields();
  EXPECT_TRUE(MessageDifferencer::Equals(ToMessage(view), decoded));
}

// A length-delimited field: its tag, its length and `content`.
std::string Field(int number, const std::string& content) {
  std::string field(1, static_cast<char>(number << 3 | 2));
  for (std::size_t size = content.size();; size >>= 7) {
    if (size < 0x80) {
      field += static_cast<char>(size);
      break;
    }
    field += static_cast<char>(0x80 | (size & 0x7f));
  }
  return field + content;
}

struct Malformed {
  const char* name;
  std::string bytes;
  const char* problem;
};

TEST(RowBatchViewTest, BytesThatAreNoBatchAreDataLossAndLeaveItEmpty) {
  std::string deep;  // a Value holding lists 101 deep
  for (int i = 0; i < 101; ++i) deep = Field(7, Field(1, deep));
  const std::string deep_batch = Field(1, Field(2, deep));
  const std::vector<Malformed> cases = {
      {"a length past the end", std::string("\x0a\x05\x0a\x01", 4),
       "a field's length runs past the end at byte 2"},
      {"a number cut short", std::string("\x10\x80", 2),
       "a number runs past the end at byte 2"},
      {"an 11-byte number",
       std::string("\x10", 1) + std::string(10, '\xff') +
           std::string("\x01", 1),
       "a number is longer than 10 bytes"},
      {"an end of group never started", std::string("\x0c", 1),
       "ends a group never started at byte 1"},
      {"a group never ended", std::string("\x0b\x10\x01", 3),
       "a group runs past the end at byte 3"},
      {"a group ended under another number", std::string("\x0b\x14", 2),
       "a group ends under another number"},
      {"an unknown wire type", std::string("\x0e", 1), "unknown wire type"},
      {"field number 0", std::string("\x00\x01", 2), "a field is numbered 0"},
      {"a cut double in a cell", std::string("\x0a\x04\x12\x02\x21\x00", 6),
       "a 64-bit field runs past the end at byte 5"},
      {"lists 101 deep", deep_batch, "messages nest too deeply"},
      {"a tag over 32 bits", std::string("\x92\x80\x80\x80\x80\x01\x00", 7),
       "a field's tag is longer than 5 bytes"},
      {"a tag padded to 6 bytes",
       std::string("\x90\x80\x80\x80\x80\x00\x01", 7),
       "a field's tag is longer than 5 bytes"},
  };
  for (const Malformed& malformed : cases) {
    SCOPED_TRACE(malformed.name);
    v1::RowBatch decoded;
    EXPECT_FALSE(decoded.ParseFromString(malformed.bytes));  // nor protobuf
    RowBatchView view;
    ASSERT_TRUE(view.Parse(EveryKind().SerializeAsString()).ok());
    const absl::Status status = view.Parse(malformed.bytes);
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(status.message(), HasSubstr("the batch is not a RowBatch: "));
    EXPECT_THAT(status.message(), HasSubstr(malformed.problem));
    EXPECT_TRUE(view.rows().empty());
    EXPECT_EQ(view.page(), 0);
  }
}

// Protobuf lets messages nest 100 deep below the one it parses (in a
// RowBatch: a row 1, its cell 2, a list in the cell 3, ...), groups
// included. The view accepts exactly the same depths, whatever the bytes
// at the bottom: an empty Value, a timestamp, a group.
TEST(RowBatchViewTest, NestsAsDeepAsProtobufAndNoDeeper) {
  const std::string timestamp = Field(6, std::string("\x08\x01", 2));
  const std::string group = std::string("\x4b\x4c", 2);  // field 9
  int accepted = 0;
  int refused = 0;
  for (const std::string& bottom : {std::string(), timestamp, group}) {
    for (int lists = 46; lists <= 50; ++lists) {
      std::string value = bottom;
      for (int i = 0; i < lists; ++i) value = Field(7, Field(1, value));
      const std::string bytes = Field(1, Field(2, value));
      v1::RowBatch decoded;
      const bool protobuf_accepts = decoded.ParseFromString(bytes);
      RowBatchView view;
      EXPECT_EQ(view.Parse(bytes).ok(), protobuf_accepts)
          << lists << " lists over " << bottom.size() << " bytes";
      ++(protobuf_accepts ? accepted : refused);
    }
  }
  for (int groups = 97; groups <= 101; ++groups) {
    const std::string bytes =
        Field(1, std::string(groups, '\x4b') + std::string(groups, '\x4c'));
    v1::RowBatch decoded;
    const bool protobuf_accepts = decoded.ParseFromString(bytes);
    RowBatchView view;
    EXPECT_EQ(view.Parse(bytes).ok(), protobuf_accepts) << groups << " groups";
    ++(protobuf_accepts ? accepted : refused);
  }
  // The depths tried straddle the limit.
  EXPECT_GT(accepted, 3);
  EXPECT_GT(refused, 3);
}

// Every cut of a real batch either fails, as protobuf's decoding does, or
// (cut between rows) reads as protobuf reads it; none reads past the end.
TEST(RowBatchViewTest, EveryCutOfABatchFailsOrReadsAsProtobufReadsIt) {
  const std::string bytes = EveryKind().SerializeAsString();
  RowBatchView view;
  int accepted = 0;
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    const std::string cut = bytes.substr(0, size);  // its own allocation
    v1::RowBatch decoded;
    const bool protobuf_accepts = decoded.ParseFromString(cut);
    const absl::Status parsed = view.Parse(cut);
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.code(), absl::StatusCode::kDataLoss) << size;
      EXPECT_FALSE(protobuf_accepts) << "protobuf reads a cut at " << size;
      continue;
    }
    ++accepted;
    ASSERT_TRUE(protobuf_accepts) << "only the view reads a cut at " << size;
    EXPECT_TRUE(MessageDifferencer::Equals(ToMessage(view), decoded)) << size;
  }
  EXPECT_GE(accepted, 2);  // nothing, the page, the first row
}

TEST(EncodedBatchOfTest, FindsTheBatchAndNothingElse) {
  v1::StreamRequisitionsResponse response;
  *response.mutable_batch() = EveryKind();
  const std::string bytes = response.SerializeAsString();
  const std::optional<absl::string_view> batch = EncodedBatchOf(bytes);
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(*batch, response.batch().SerializeAsString());

  v1::StreamRequisitionsResponse schema;
  schema.mutable_schema()->add_columns()->set_name("id");
  EXPECT_FALSE(EncodedBatchOf(schema.SerializeAsString()).has_value());
  v1::StreamRequisitionsResponse summary;
  summary.mutable_summary()->set_rows(3);
  EXPECT_FALSE(EncodedBatchOf(summary.SerializeAsString()).has_value());
  EXPECT_FALSE(EncodedBatchOf("").has_value());
  EXPECT_FALSE(EncodedBatchOf(bytes.substr(0, bytes.size() - 1)).has_value());
}

}  // namespace
}  // namespace leverconnect::client

#include "lib/importer/page_rows.h"

#include <cstring>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace leverconnect::importer {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedOutputStream;

// The encoding below writes each key as one byte: field numbers under 16.
static_assert(v1::StreamRequisitionsResponse::kBatchFieldNumber == 2);
static_assert(v1::RowBatch::kRowsFieldNumber == 1);
static_assert(v1::RowBatch::kPageFieldNumber == 2);

constexpr std::uint8_t Key(int field, WireFormatLite::WireType type) {
  return static_cast<std::uint8_t>(field << 3 | type);
}
constexpr std::uint8_t kBatchKey =
    Key(2, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
constexpr std::uint8_t kRowsKey =
    Key(1, WireFormatLite::WIRETYPE_LENGTH_DELIMITED);
constexpr std::uint8_t kPageKey = Key(2, WireFormatLite::WIRETYPE_VARINT);

// The size of RowBatch.page holding `page`.
std::size_t PageSize(std::int32_t page) {
  if (page == 0) return 0;
  return 1 + CodedOutputStream::VarintSize32SignExtended(page);
}
constexpr std::size_t kMaxPageFieldBytes = 1 + 5;  // a positive int32

// Room kept for the length of an encoded row: rows of 128 bytes to 16 KiB,
// nearly all of them, need no move.
constexpr std::size_t kRowLengthBytes = 2;

}  // namespace

int MapPageRows(const mapping::RowMapper& mapper,
                const rapidjson::Value& requisitions,
                const std::vector<bool>& fresh, v1::RowBatch* batch,
                mapping::RowMapper::Text text) {
  auto* rows = batch->mutable_rows();
  int count = 0;
  int with_warnings = 0;
  rapidjson::SizeType index = 0;
  for (const rapidjson::Value& requisition : requisitions.GetArray()) {
    if (!fresh.empty() && !fresh[index++]) continue;
    v1::Row* row = count < rows->size() ? rows->Mutable(count) : rows->Add();
    ++count;
    mapper.Map(requisition, row, text);
    if (row->warnings_size() > 0) ++with_warnings;
  }
  // RemoveLast keeps the row for a later Add.
  while (rows->size() > count) rows->RemoveLast();
  return with_warnings;
}

int EncodedPage::Map(const mapping::RowMapper& mapper,
                     const rapidjson::Value& requisitions,
                     const std::vector<bool>& fresh,
                     mapping::RowMapper::Text text) {
  // What a message's rows may take: the limit less the batch's key and
  // length, and the largest page number, which is not known yet.
  const std::size_t framing =
      1 + CodedOutputStream::VarintSize64(max_message_bytes_) +
      kMaxPageFieldBytes;
  const std::size_t row_budget =
      max_message_bytes_ > framing ? max_message_bytes_ - framing : 0;
  encoded_.clear();
  messages_.assign(1, Message{});
  rows_ = 0;
  int with_warnings = 0;
  rapidjson::SizeType index = 0;
  for (const rapidjson::Value& requisition : requisitions.GetArray()) {
    if (!fresh.empty() && !fresh[index++]) continue;
    const std::size_t row_begin = encoded_.size();
    encoded_.PutByte(kRowsKey);
    const std::size_t length_at = encoded_.BeginLength(kRowLengthBytes);
    const bool warned =
        text == mapping::RowMapper::Text::kKnownUtf8
            ? mapper.MapEncoded(requisition, &encoded_, &warnings_)
            : MapRepaired(mapper, requisition);
    encoded_.EndLength(length_at, kRowLengthBytes);
    if (warned) ++with_warnings;
    ++rows_;
    Message& message = messages_.back();
    if (message.end > message.begin &&
        encoded_.size() - message.begin > row_budget) {
      messages_.push_back(Message{row_begin, row_begin});
    }
    messages_.back().end = encoded_.size();
  }
  return with_warnings;
}

bool EncodedPage::MapRepaired(const mapping::RowMapper& mapper,
                              const rapidjson::Value& requisition) {
  mapper.Map(requisition, &repaired_row_, mapping::RowMapper::Text::kCheck);
  std::uint8_t* out = encoded_.Reserve(repaired_row_.ByteSizeLong());
  encoded_.Commit(repaired_row_.SerializeWithCachedSizesToArray(out));
  return repaired_row_.warnings_size() > 0;
}

std::size_t EncodedPage::MessageSize(int message, std::int32_t page) const {
  const Message& rows = messages_[message];
  const std::size_t size = rows.end - rows.begin + PageSize(page);
  return 1 + CodedOutputStream::VarintSize64(size) + size;
}

void EncodedPage::WriteMessage(int message, std::int32_t page,
                               std::uint8_t* out) const {
  const Message& rows = messages_[message];
  const std::size_t size = rows.end - rows.begin;
  *out++ = kBatchKey;
  out = CodedOutputStream::WriteVarint64ToArray(size + PageSize(page), out);
  if (size > 0) std::memcpy(out, encoded_.data() + rows.begin, size);
  out += size;
  if (page != 0) {
    *out++ = kPageKey;
    CodedOutputStream::WriteVarint32SignExtendedToArray(page, out);
  }
}

}  // namespace leverconnect::importer

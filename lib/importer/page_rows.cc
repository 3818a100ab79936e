#include "lib/importer/page_rows.h"

#include <cstring>
#include <string>

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
static_assert(v1::Row::kRequisitionIdFieldNumber == 1);
static_assert(v1::Row::kCellsFieldNumber == 2);
static_assert(v1::Row::kWarningsFieldNumber == 3);
static_assert(v1::Value::kNullValueFieldNumber == 1);
static_assert(v1::Value::kStringValueFieldNumber == 2);
static_assert(v1::Value::kIntegerValueFieldNumber == 3);
static_assert(v1::Value::kDoubleValueFieldNumber == 4);
static_assert(v1::Value::kBoolValueFieldNumber == 5);
static_assert(v1::Value::kTimestampValueFieldNumber == 6);
static_assert(v1::Value::kListValueFieldNumber == 7);
static_assert(v1::ValueList::kValuesFieldNumber == 1);
static_assert(google::protobuf::Timestamp::kSecondsFieldNumber == 1);
static_assert(google::protobuf::Timestamp::kNanosFieldNumber == 2);

constexpr std::uint8_t Key(int field, WireFormatLite::WireType type) {
  return static_cast<std::uint8_t>(field << 3 | type);
}
constexpr auto kVarint = WireFormatLite::WIRETYPE_VARINT;
constexpr auto kFixed64 = WireFormatLite::WIRETYPE_FIXED64;
constexpr auto kLength = WireFormatLite::WIRETYPE_LENGTH_DELIMITED;

// The size of a length-delimited field holding `size` bytes.
std::size_t FieldSize(std::size_t size) {
  return 1 + CodedOutputStream::VarintSize64(size) + size;
}

std::size_t TimestampSize(const google::protobuf::Timestamp& timestamp) {
  std::size_t size = 0;
  if (timestamp.seconds() != 0) {
    size += 1 + CodedOutputStream::VarintSize64(
                    static_cast<std::uint64_t>(timestamp.seconds()));
  }
  if (timestamp.nanos() != 0) {
    size += 1 + CodedOutputStream::VarintSize32SignExtended(timestamp.nanos());
  }
  return size;
}

std::size_t ValueSize(const v1::Value& value);

std::size_t ListSize(const v1::ValueList& list) {
  std::size_t size = 0;
  for (const v1::Value& element : list.values()) {
    size += FieldSize(ValueSize(element));
  }
  return size;
}

// The size of one Value: the one member it holds.
std::size_t ValueSize(const v1::Value& value) {
  switch (value.kind_case()) {
    case v1::Value::kNullValue:
      return 1 +
             CodedOutputStream::VarintSize32SignExtended(value.null_value());
    case v1::Value::kStringValue:
      return FieldSize(value.string_value().size());
    case v1::Value::kIntegerValue:
      return 1 + CodedOutputStream::VarintSize64(
                     static_cast<std::uint64_t>(value.integer_value()));
    case v1::Value::kDoubleValue:
      return 1 + 8;
    case v1::Value::kBoolValue:
      return 1 + 1;
    case v1::Value::kTimestampValue:
      return FieldSize(TimestampSize(value.timestamp_value()));
    case v1::Value::kListValue:
      return FieldSize(ListSize(value.list_value()));
    case v1::Value::KIND_NOT_SET:
      break;
  }
  return 0;
}

// The size of `row`; appends the size of each of its cells to
// `cell_sizes`.
std::size_t RowSize(const v1::Row& row,
                    std::vector<std::uint32_t>& cell_sizes) {
  std::size_t size = 0;
  if (!row.requisition_id().empty()) {
    size += FieldSize(row.requisition_id().size());
  }
  for (const v1::Value& cell : row.cells()) {
    const std::size_t cell_size = ValueSize(cell);
    cell_sizes.push_back(static_cast<std::uint32_t>(cell_size));
    size += FieldSize(cell_size);
  }
  for (const std::string& warning : row.warnings()) {
    size += FieldSize(warning.size());
  }
  return size;
}

// The size of RowBatch.page holding `page`.
std::size_t PageSize(std::int32_t page) {
  if (page == 0) return 0;
  return 1 + CodedOutputStream::VarintSize32SignExtended(page);
}
constexpr std::size_t kMaxPageFieldBytes = 1 + 5;  // a positive int32

std::uint8_t* WritePage(std::int32_t page, std::uint8_t* out) {
  if (page == 0) return out;
  *out++ = Key(2, kVarint);
  return CodedOutputStream::WriteVarint32SignExtendedToArray(page, out);
}

std::uint8_t* WriteLength(std::uint8_t key, std::size_t size,
                          std::uint8_t* out) {
  *out++ = key;
  return CodedOutputStream::WriteVarint64ToArray(size, out);
}

std::uint8_t* WriteText(std::uint8_t key, const std::string& text,
                        std::uint8_t* out) {
  out = WriteLength(key, text.size(), out);
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

std::uint8_t* WriteValue(const v1::Value& value, std::uint8_t* out) {
  switch (value.kind_case()) {
    case v1::Value::kNullValue:
      *out++ = Key(1, kVarint);
      return CodedOutputStream::WriteVarint32SignExtendedToArray(
          value.null_value(), out);
    case v1::Value::kStringValue:
      return WriteText(Key(2, kLength), value.string_value(), out);
    case v1::Value::kIntegerValue:
      *out++ = Key(3, kVarint);
      return CodedOutputStream::WriteVarint64ToArray(
          static_cast<std::uint64_t>(value.integer_value()), out);
    case v1::Value::kDoubleValue:
      *out++ = Key(4, kFixed64);
      return CodedOutputStream::WriteLittleEndian64ToArray(
          WireFormatLite::EncodeDouble(value.double_value()), out);
    case v1::Value::kBoolValue:
      *out++ = Key(5, kVarint);
      *out++ = value.bool_value() ? 1 : 0;
      return out;
    case v1::Value::kTimestampValue: {
      const google::protobuf::Timestamp& timestamp = value.timestamp_value();
      out = WriteLength(Key(6, kLength), TimestampSize(timestamp), out);
      if (timestamp.seconds() != 0) {
        *out++ = Key(1, kVarint);
        out = CodedOutputStream::WriteVarint64ToArray(
            static_cast<std::uint64_t>(timestamp.seconds()), out);
      }
      if (timestamp.nanos() != 0) {
        *out++ = Key(2, kVarint);
        out = CodedOutputStream::WriteVarint32SignExtendedToArray(
            timestamp.nanos(), out);
      }
      return out;
    }
    case v1::Value::kListValue:
      out = WriteLength(Key(7, kLength), ListSize(value.list_value()), out);
      for (const v1::Value& element : value.list_value().values()) {
        out = WriteLength(Key(1, kLength), ValueSize(element), out);
        out = WriteValue(element, out);
      }
      return out;
    case v1::Value::KIND_NOT_SET:
      break;
  }
  return out;
}

// Writes `row`, whose cells' sizes start at `cell_sizes`.
std::uint8_t* WriteRow(const v1::Row& row, const std::uint32_t* cell_sizes,
                       std::uint8_t* out) {
  if (!row.requisition_id().empty()) {
    out = WriteText(Key(1, kLength), row.requisition_id(), out);
  }
  for (const v1::Value& cell : row.cells()) {
    out = WriteLength(Key(2, kLength), *cell_sizes++, out);
    out = WriteValue(cell, out);
  }
  for (const std::string& warning : row.warnings()) {
    out = WriteText(Key(3, kLength), warning, out);
  }
  return out;
}

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

int BatchEncoder::Prepare(const v1::RowBatch& batch) {
  row_sizes_.clear();
  cell_sizes_.clear();
  parts_.assign(1, Part{0, 0, 0, PageSize(batch.page())});
  for (const v1::Row& row : batch.rows()) {
    const std::size_t first_cell = cell_sizes_.size();
    const std::size_t size = RowSize(row, cell_sizes_);
    row_sizes_.push_back(static_cast<std::uint32_t>(size));
    Part* part = &parts_.back();
    if (part->end > part->first &&
        part->bytes + FieldSize(size) > max_batch_bytes_) {
      parts_.push_back(
          Part{part->end, part->end, first_cell, PageSize(batch.page())});
      part = &parts_.back();
    }
    part->bytes += FieldSize(size);
    ++part->end;
  }
  return static_cast<int>(parts_.size());
}

std::size_t BatchEncoder::Size(int part) const {
  return FieldSize(parts_[part].bytes);
}

void BatchEncoder::Encode(const v1::RowBatch& batch, int part,
                          std::uint8_t* out) const {
  const Part& rows = parts_[part];
  out = WriteLength(Key(2, kLength), rows.bytes, out);
  const std::uint32_t* cell_sizes = cell_sizes_.data() + rows.first_cell;
  for (int i = rows.first; i < rows.end; ++i) {
    const v1::Row& row = batch.rows(i);
    out = WriteLength(Key(1, kLength), row_sizes_[i], out);
    out = WriteRow(row, cell_sizes, out);
    cell_sizes += row.cells_size();
  }
  WritePage(batch.page(), out);
}

int EncodedPage::Map(const mapping::RowMapper& mapper,
                     const rapidjson::Value& requisitions,
                     const std::vector<bool>& fresh) {
  // The page number is not known yet: leave room for the largest.
  const std::size_t row_budget = max_batch_bytes_ - kMaxPageFieldBytes;
  encoded_.clear();
  messages_.assign(1, Message{});
  rows_ = 0;
  int with_warnings = 0;
  rapidjson::SizeType index = 0;
  for (const rapidjson::Value& requisition : requisitions.GetArray()) {
    if (!fresh.empty() && !fresh[index++]) continue;
    const std::size_t row_begin = encoded_.size();
    if (mapper.MapEncoded(requisition, &encoded_, &warnings_)) {
      ++with_warnings;
    }
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

std::size_t EncodedPage::MessageSize(int message, std::int32_t page) const {
  const Message& rows = messages_[message];
  return FieldSize(rows.end - rows.begin + PageSize(page));
}

void EncodedPage::WriteMessage(int message, std::int32_t page,
                               std::uint8_t* out) const {
  const Message& rows = messages_[message];
  const std::size_t size = rows.end - rows.begin;
  out = WriteLength(Key(2, kLength), size + PageSize(page), out);
  if (size > 0) std::memcpy(out, encoded_.data() + rows.begin, size);
  WritePage(page, out + size);
}

}  // namespace leverconnect::importer

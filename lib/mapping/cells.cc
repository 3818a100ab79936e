#include "lib/mapping/cells.h"

#include <algorithm>

#include "google/protobuf/wire_format_lite.h"

namespace leverconnect::mapping {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedOutputStream;

// WireCell writes each key as one byte.
static_assert(leverconnect::v1::Value::kNullValueFieldNumber == 1);
static_assert(leverconnect::v1::Value::kStringValueFieldNumber == 2);
static_assert(leverconnect::v1::Value::kIntegerValueFieldNumber == 3);
static_assert(leverconnect::v1::Value::kDoubleValueFieldNumber == 4);
static_assert(leverconnect::v1::Value::kBoolValueFieldNumber == 5);
static_assert(leverconnect::v1::Value::kTimestampValueFieldNumber == 6);
static_assert(leverconnect::v1::Value::kListValueFieldNumber == 7);
static_assert(leverconnect::v1::ValueList::kValuesFieldNumber == 1);
static_assert(google::protobuf::Timestamp::kSecondsFieldNumber == 1);
static_assert(google::protobuf::Timestamp::kNanosFieldNumber == 2);

// The most bytes of a varint.
constexpr std::size_t kMaxVarint = 10;

}  // namespace

void WireBuffer::Grow(std::size_t bytes) {
  const std::size_t capacity =
      std::max<std::size_t>({size_ + bytes, 2 * capacity_, 4096});
  auto data = std::make_unique<std::uint8_t[]>(capacity);
  if (size_ > 0) std::memcpy(data.get(), data_.get(), size_);
  data_ = std::move(data);
  capacity_ = capacity;
}

void WireBuffer::EndLength(std::size_t at, std::size_t reserved) {
  const std::size_t start = at + reserved;
  const std::size_t length = size_ - start;
  const std::size_t needed = CodedOutputStream::VarintSize64(length);
  if (needed != reserved) {
    // Rare: the content moves by the difference.
    if (needed > reserved) Reserve(needed - reserved);
    std::memmove(data_.get() + at + needed, data_.get() + start, length);
    size_ = at + needed + length;
  }
  CodedOutputStream::WriteVarint64ToArray(length, data_.get() + at);
}

void WireBuffer::PutText(std::uint8_t key, absl::string_view text) {
  std::uint8_t* out = Reserve(1 + kMaxVarint + text.size());
  *out++ = key;
  out = CodedOutputStream::WriteVarint64ToArray(text.size(), out);
  if (!text.empty()) std::memcpy(out, text.data(), text.size());
  Commit(out + text.size());
}

void WireCell::SetString(absl::string_view text) {
  const std::size_t value_size =
      1 + CodedOutputStream::VarintSize64(text.size()) + text.size();
  std::uint8_t* out = out_->Reserve(2 + 2 * kMaxVarint + text.size());
  *out++ = key_;
  out = CodedOutputStream::WriteVarint64ToArray(value_size, out);
  *out++ = kStringKey;
  out = CodedOutputStream::WriteVarint64ToArray(text.size(), out);
  if (!text.empty()) std::memcpy(out, text.data(), text.size());
  out_->Commit(out + text.size());
}

void WireCell::SetInteger(std::int64_t integer) {
  const auto bits = static_cast<std::uint64_t>(integer);
  std::uint8_t* out = out_->Reserve(3 + kMaxVarint);
  *out++ = key_;
  *out++ = static_cast<std::uint8_t>(1 + CodedOutputStream::VarintSize64(bits));
  *out++ = kIntegerKey;
  out_->Commit(CodedOutputStream::WriteVarint64ToArray(bits, out));
}

void WireCell::SetDouble(double number) {
  std::uint8_t* out = out_->Reserve(3 + 8);
  *out++ = key_;
  *out++ = 1 + 8;
  *out++ = kDoubleKey;
  out_->Commit(CodedOutputStream::WriteLittleEndian64ToArray(
      WireFormatLite::EncodeDouble(number), out));
}

void WireCell::SetTimestamp(Instant instant) {
  const auto seconds = static_cast<std::uint64_t>(instant.seconds);
  std::size_t timestamp_size = 0;
  if (instant.seconds != 0) {
    timestamp_size += 1 + CodedOutputStream::VarintSize64(seconds);
  }
  if (instant.nanos != 0) {
    timestamp_size +=
        1 + CodedOutputStream::VarintSize32SignExtended(instant.nanos);
  }
  std::uint8_t* out = out_->Reserve(4 + 2 * kMaxVarint + timestamp_size);
  *out++ = key_;
  *out++ = static_cast<std::uint8_t>(2 + timestamp_size);  // under 128
  *out++ = kTimestampKey;
  *out++ = static_cast<std::uint8_t>(timestamp_size);
  if (instant.seconds != 0) {
    *out++ = 1 << 3 | 0;
    out = CodedOutputStream::WriteVarint64ToArray(seconds, out);
  }
  if (instant.nanos != 0) {
    *out++ = 2 << 3 | 0;
    out =
        CodedOutputStream::WriteVarint32SignExtendedToArray(instant.nanos, out);
  }
  out_->Commit(out);
}

WireCell::List::List(WireCell cell) : out_(cell.out_) {
  out_->PutByte(cell.key_);
  value_length_at_ = out_->BeginLength(1);
  out_->PutByte(kListKey);
  list_length_at_ = out_->BeginLength(1);
}

WireCell::List::~List() {
  out_->EndLength(list_length_at_, 1);
  out_->EndLength(value_length_at_, 1);
}

}  // namespace leverconnect::mapping

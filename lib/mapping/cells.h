// Where the mapper writes a cell. The conversions (cell_conversion.h) and
// the column readers (column_reader.h) are written once, against this
// small interface, and compiled for two kinds of cell:
//
//   ValueCell  a leverconnect::v1::Value, reused row after row so that its
//              strings keep their storage;
//   WireCell   the protobuf encoding of that same Value, appended to a
//              WireBuffer: what RowMapper::MapEncoded streams, with no
//              Value in between.
//
// Both write the same value for the same calls, so a row comes out the
// same either way. Each cell is set exactly once per row: by one of the
// setters, or as a list (a List whose Next() hands out one cell per
// element, each set once in turn; the list ends when the List does).
// Internal to lc_mapping.
#ifndef LEVERCONNECT_LIB_MAPPING_CELLS_H_
#define LEVERCONNECT_LIB_MAPPING_CELLS_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "absl/strings/string_view.h"
#include "google/protobuf/io/coded_stream.h"
#include "leverconnect/v1/values.pb.h"

namespace leverconnect::mapping {

// An instant as google.protobuf.Timestamp holds it.
struct Instant {
  std::int64_t seconds = 0;
  std::int32_t nanos = 0;
};

class ValueCell {
 public:
  explicit ValueCell(leverconnect::v1::Value* value) : value_(value) {}

  void SetNull() { value_->set_null_value(google::protobuf::NULL_VALUE); }
  // Not set_string_value(pointer, size), which builds a temporary string
  // first: assigning reuses the storage of the cell's string.
  void SetString(absl::string_view text) {
    value_->mutable_string_value()->assign(text.data(), text.size());
  }
  void SetInteger(std::int64_t integer) { value_->set_integer_value(integer); }
  void SetDouble(double number) { value_->set_double_value(number); }
  void SetBool(bool flag) { value_->set_bool_value(flag); }
  void SetTimestamp(Instant instant) {
    google::protobuf::Timestamp* timestamp = value_->mutable_timestamp_value();
    timestamp->set_seconds(instant.seconds);
    timestamp->set_nanos(instant.nanos);
  }

  // Makes the cell a list. Hands out its elements in order, reusing those
  // it held before so that their strings keep their storage; the elements
  // left over go when the List does.
  class List {
   public:
    explicit List(ValueCell cell)
        : elements_(cell.value_->mutable_list_value()->mutable_values()) {}
    ~List() {
      while (elements_->size() > count_) elements_->RemoveLast();
    }
    List(const List&) = delete;
    List& operator=(const List&) = delete;

    ValueCell Next() {
      return ValueCell(count_ < elements_->size()
                           ? elements_->Mutable(count_++)
                           : (++count_, elements_->Add()));
    }

   private:
    google::protobuf::RepeatedPtrField<leverconnect::v1::Value>* elements_;
    int count_ = 0;
  };

 private:
  leverconnect::v1::Value* value_;
};

// A growing byte buffer that protobuf fields are written to, with room
// kept for lengths that are known only once what they measure is written.
class WireBuffer {
 public:
  WireBuffer() = default;
  WireBuffer(const WireBuffer&) = delete;
  WireBuffer& operator=(const WireBuffer&) = delete;

  const std::uint8_t* data() const { return data_.get(); }
  std::size_t size() const { return size_; }
  void clear() { size_ = 0; }

  // Where `bytes` more bytes may be written; Commit(end) then keeps those
  // up to `end`.
  std::uint8_t* Reserve(std::size_t bytes) {
    if (capacity_ - size_ < bytes) Grow(bytes);
    return data_.get() + size_;
  }
  void Commit(std::uint8_t* end) {
    size_ = static_cast<std::size_t>(end - data_.get());
  }

  void PutByte(std::uint8_t byte) {
    std::uint8_t* out = Reserve(1);
    *out = byte;
    Commit(out + 1);
  }

  // Writes a length-delimited field: `key`, the length of `text`, `text`.
  void PutText(std::uint8_t key, absl::string_view text);

  // Keeps `reserved` bytes for a length measuring what is written next;
  // returns where they are, for EndLength.
  std::size_t BeginLength(std::size_t reserved) {
    Reserve(reserved);
    const std::size_t at = size_;
    size_ += reserved;
    return at;
  }
  // Writes there the length of what was written since, as a varint of the
  // fewest bytes, moving what follows when that is not `reserved` bytes.
  void EndLength(std::size_t at, std::size_t reserved);

 private:
  void Grow(std::size_t bytes);

  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

class WireCell {
 public:
  // A field numbered `key >> 3`, length-delimited, holding the Value.
  WireCell(WireBuffer* out, std::uint8_t key) : out_(out), key_(key) {}

  void SetNull() {
    static constexpr std::uint8_t kNull[] = {2, kNullKey, 0};
    Put(kNull, sizeof kNull);
  }
  void SetString(absl::string_view text);
  void SetInteger(std::int64_t integer);
  void SetDouble(double number);
  void SetBool(bool flag) {
    const std::uint8_t value[] = {2, kBoolKey, std::uint8_t{flag}};
    Put(value, sizeof value);
  }
  void SetTimestamp(Instant instant);

  class List {
   public:
    explicit List(WireCell cell);
    ~List();
    List(const List&) = delete;
    List& operator=(const List&) = delete;

    WireCell Next() { return WireCell(out_, kElementKey); }

   private:
    WireBuffer* out_;
    std::size_t value_length_at_;
    std::size_t list_length_at_;
  };

 private:
  // Keys of the fields of Value and ValueList (values.proto).
  static constexpr std::uint8_t kNullKey = 1 << 3 | 0;
  static constexpr std::uint8_t kStringKey = 2 << 3 | 2;
  static constexpr std::uint8_t kIntegerKey = 3 << 3 | 0;
  static constexpr std::uint8_t kDoubleKey = 4 << 3 | 1;
  static constexpr std::uint8_t kBoolKey = 5 << 3 | 0;
  static constexpr std::uint8_t kTimestampKey = 6 << 3 | 2;
  static constexpr std::uint8_t kListKey = 7 << 3 | 2;
  static constexpr std::uint8_t kElementKey = 1 << 3 | 2;

  // Writes the key, then `bytes` (the length and the Value).
  void Put(const std::uint8_t* bytes, std::size_t size) {
    std::uint8_t* out = out_->Reserve(1 + size);
    *out = key_;
    std::memcpy(out + 1, bytes, size);
    out_->Commit(out + 1 + size);
  }

  WireBuffer* out_;
  std::uint8_t key_;
};

}  // namespace leverconnect::mapping

#endif  // LEVERCONNECT_LIB_MAPPING_CELLS_H_

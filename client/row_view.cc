#include "client/row_view.h"

#include <cstring>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"

namespace leverconnect::client {
namespace {

// Protobuf's wire types.
constexpr int kVarint = 0;
constexpr int kFixed64 = 1;
constexpr int kLengthDelimited = 2;
constexpr int kStartGroup = 3;
constexpr int kEndGroup = 4;
constexpr int kFixed32 = 5;

// As deep as protobuf lets messages (groups included) nest by default,
// below the one it parses.
constexpr int kMaximumDepth = 100;

// One field: its number, wire type, and for a length-delimited one its
// bytes; for a varint or fixed64 its value.
struct Field {
  std::uint32_t number = 0;
  int wire_type = 0;
  std::uint64_t value = 0;
  const char* data = nullptr;
  std::size_t size = 0;
};

// Reads protobuf fields, remembering the first problem met and where.
class WireReader {
 public:
  bool Fail(const char* at, const char* problem) {
    problem_at_ = at;
    problem_ = problem;
    return false;
  }

  absl::Status Error(const char* start) const {
    return absl::DataLossError(
        absl::StrCat("the batch is not a RowBatch: ", problem_, " at byte ",
                     problem_at_ - start));
  }

  bool ReadVarint(const char*& at, const char* end, std::uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (at == end) return Fail(at, "a number runs past the end");
      const auto byte = static_cast<std::uint8_t>(*at++);
      value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if (byte < 0x80) return true;
    }
    return Fail(at, "a number is longer than 10 bytes");
  }

  // Whether a message at `depth` (the one parsed is 0, its fields'
  // messages 1, ...) may be read.
  bool Enter(const char* at, int depth) {
    return depth <= kMaximumDepth || Fail(at, "messages nest too deeply");
  }

  // Reads the field at `at`, of a message at `depth`, moving `at` past it.
  // Groups, which proto3 never writes, are skipped whole.
  bool ReadField(const char*& at, const char* end, Field& field, int depth) {
    return ReadTag(at, end, field) && ReadPayload(at, end, field, depth);
  }

 private:
  // A tag, as protobuf reads it: at most 5 bytes, 32 bits.
  bool ReadTag(const char*& at, const char* end, Field& field) {
    const char* start = at;
    std::uint64_t tag;
    if (!ReadVarint(at, end, tag)) return false;
    if (at - start > 5 || tag > UINT32_MAX) {
      return Fail(start, "a field's tag is longer than 5 bytes");
    }
    field.number = static_cast<std::uint32_t>(tag >> 3);
    field.wire_type = static_cast<int>(tag & 7);
    if (field.number == 0) return Fail(at, "a field is numbered 0");
    return true;
  }

  bool ReadPayload(const char*& at, const char* end, Field& field, int depth) {
    switch (field.wire_type) {
      case kVarint:
        return ReadVarint(at, end, field.value);
      case kFixed64:
        if (end - at < 8) return Fail(at, "a 64-bit field runs past the end");
        std::memcpy(&field.value, at, 8);
        at += 8;
        return true;
      case kLengthDelimited: {
        std::uint64_t size;
        if (!ReadVarint(at, end, size)) return false;
        if (size > static_cast<std::uint64_t>(end - at)) {
          return Fail(at, "a field's length runs past the end");
        }
        field.data = at;
        field.size = static_cast<std::size_t>(size);
        at += size;
        return true;
      }
      case kStartGroup:
        return Enter(at, depth + 1) &&
               SkipGroup(at, end, field.number, depth + 1);
      case kFixed32:
        if (end - at < 4) return Fail(at, "a 32-bit field runs past the end");
        at += 4;
        return true;
      default:
        return Fail(at,
                    "a field has an unknown wire type, or ends a group "
                    "never started");
    }
  }

  // Skips the fields of a group at `depth` up to its end, which must bear
  // `number`.
  bool SkipGroup(const char*& at, const char* end, std::uint32_t number,
                 int depth) {
    Field inner;
    while (true) {
      if (at == end) return Fail(at, "a group runs past the end");
      if (!ReadTag(at, end, inner)) return false;
      if (inner.wire_type == kEndGroup) {
        return inner.number == number ||
               Fail(at, "a group ends under another number");
      }
      if (!ReadPayload(at, end, inner, depth)) return false;
    }
  }

  const char* problem_at_ = nullptr;
  const char* problem_ = "";
};

}  // namespace

// Walks the bytes of a RowBatch once, filling a RowBatchView. Each Parse*
// function reads the fields of one message from [`at`, `end`) and returns
// false once the reader has recorded what was wrong.
class BatchParser {
 public:
  explicit BatchParser(RowBatchView& view) : view_(view) {}

  absl::Status Parse(absl::string_view encoded) {
    if (ParseBatch(encoded.data(), encoded.data() + encoded.size())) {
      return absl::OkStatus();
    }
    return reader_.Error(encoded.data());
  }

 private:
  bool ReadField(const char*& at, const char* end, Field& field, int depth) {
    return reader_.ReadField(at, end, field, depth);
  }
  bool Enter(const char* at, int depth) { return reader_.Enter(at, depth); }

  // The batch is at depth 0, each row at 1, its cells at 2, and so on.
  bool ParseBatch(const char* at, const char* end) {
    Field field;
    while (at < end) {
      if (!ReadField(at, end, field, 0)) return false;
      if (field.number == 1 && field.wire_type == kLengthDelimited) {
        if (!ParseRow(field.data, field.data + field.size)) return false;
      } else if (field.number == 2 && field.wire_type == kVarint) {
        view_.page_ = static_cast<std::int32_t>(field.value);
      }
    }
    return true;
  }

  bool ParseRow(const char* at, const char* end) {
    RowView row;
    row.cells_ = &view_.cells_;
    row.warnings_ = &view_.warnings_;
    row.first_cell_ = static_cast<std::uint32_t>(view_.cells_.size());
    row.first_warning_ = static_cast<std::uint32_t>(view_.warnings_.size());
    Field field;
    while (at < end) {
      if (!ReadField(at, end, field, 1)) return false;
      if (field.wire_type != kLengthDelimited) continue;
      if (field.number == 1) {
        row.requisition_id_ = absl::string_view(field.data, field.size);
      } else if (field.number == 2) {
        view_.cells_.emplace_back();
        if (!ParseValue(field.data, field.data + field.size, view_.cells_,
                        view_.cells_.size() - 1, 2)) {
          return false;
        }
      } else if (field.number == 3) {
        view_.warnings_.emplace_back(field.data, field.size);
      }
    }
    row.cell_count_ =
        static_cast<std::uint32_t>(view_.cells_.size()) - row.first_cell_;
    row.warning_count_ =
        static_cast<std::uint32_t>(view_.warnings_.size()) - row.first_warning_;
    view_.rows_.push_back(row);
    return true;
  }

  // Parses one Value into cells[index]. Works on a copy, since a list
  // inside may grow (and move) the vector `cells` is.
  bool ParseValue(const char* at, const char* end, std::vector<CellView>& cells,
                  std::size_t index, int depth) {
    if (!Enter(at, depth)) return false;
    CellView cell;
    Field field;
    while (at < end) {
      if (!ReadField(at, end, field, depth)) return false;
      if (!ParseMember(field, cell, depth)) return false;
    }
    cells[index] = cell;
    return true;
  }

  // Sets `cell` from one field of a Value; fields that are no member of it
  // (or of the wrong wire type) are skipped.
  bool ParseMember(const Field& field, CellView& cell, int depth) {
    using Kind = CellView::Kind;
    switch (field.number * 8 + static_cast<std::uint32_t>(field.wire_type)) {
      case 1 * 8 + kVarint:
        cell.kind_ = Kind::kNull;
        return true;
      case 2 * 8 + kLengthDelimited:
        cell.kind_ = Kind::kString;
        cell.text_ = field.data;
        cell.size_ = static_cast<std::uint32_t>(field.size);
        return true;
      case 3 * 8 + kVarint:
        cell.kind_ = Kind::kInteger;
        cell.integer_ = static_cast<std::int64_t>(field.value);
        return true;
      case 4 * 8 + kFixed64:
        cell.kind_ = Kind::kDouble;
        std::memcpy(&cell.number_, &field.value, sizeof(double));
        return true;
      case 5 * 8 + kVarint:
        cell.kind_ = Kind::kBool;
        cell.integer_ = field.value != 0 ? 1 : 0;
        return true;
      case 6 * 8 + kLengthDelimited:
        return ParseTimestamp(field.data, field.data + field.size, cell,
                              depth + 1);
      case 7 * 8 + kLengthDelimited:
        return ParseList(field.data, field.data + field.size, cell, depth + 1);
      default:
        return true;
    }
  }

  bool ParseTimestamp(const char* at, const char* end, CellView& cell,
                      int depth) {
    if (!Enter(at, depth)) return false;
    std::int64_t seconds = 0;
    std::int32_t nanos = 0;
    Field field;
    while (at < end) {
      if (!ReadField(at, end, field, depth)) return false;
      if (field.wire_type != kVarint) continue;
      if (field.number == 1) seconds = static_cast<std::int64_t>(field.value);
      if (field.number == 2) nanos = static_cast<std::int32_t>(field.value);
    }
    cell.kind_ = CellView::Kind::kTimestamp;
    cell.integer_ = seconds;
    cell.size_ = static_cast<std::uint32_t>(nanos);
    return true;
  }

  // A ValueList: its elements take consecutive places in view_.elements_,
  // so the list is counted first and its places reserved before any
  // element (which may be a list itself) is parsed.
  bool ParseList(const char* begin, const char* end, CellView& cell,
                 int depth) {
    if (!Enter(begin, depth)) return false;
    std::size_t count = 0;
    Field field;
    for (const char* at = begin; at < end;) {
      if (!ReadField(at, end, field, depth)) return false;
      if (field.number == 1 && field.wire_type == kLengthDelimited) ++count;
    }
    std::vector<CellView>& elements = view_.elements_;
    const std::size_t first = elements.size();
    elements.resize(first + count);
    std::size_t next = first;
    for (const char* at = begin; at < end;) {
      ReadField(at, end, field, depth);  // read once already: cannot fail
      if (field.number != 1 || field.wire_type != kLengthDelimited) continue;
      if (!ParseValue(field.data, field.data + field.size, elements, next++,
                      depth + 1)) {
        return false;
      }
    }
    cell.kind_ = CellView::Kind::kList;
    cell.integer_ = static_cast<std::int64_t>(first);
    cell.size_ = static_cast<std::uint32_t>(count);
    cell.elements_ = &view_.elements_;
    return true;
  }

  RowBatchView& view_;
  WireReader reader_;
};

absl::Status RowBatchView::Parse(absl::string_view encoded) {
  Clear();
  absl::Status parsed = BatchParser(*this).Parse(encoded);
  if (!parsed.ok()) {
    Clear();
  } else {
    encoded_size_ = encoded.size();
  }
  return parsed;
}

void RowBatchView::Clear() {
  rows_.clear();
  cells_.clear();
  elements_.clear();
  warnings_.clear();
  page_ = 0;
  encoded_size_ = 0;
}

std::optional<absl::string_view> EncodedBatchOf(
    absl::string_view encoded_response) {
  const char* at = encoded_response.data();
  const char* end = at + encoded_response.size();
  WireReader reader;
  Field field;
  if (!reader.ReadField(at, end, field, 0) || at != end) return std::nullopt;
  if (field.number != 2 || field.wire_type != kLengthDelimited) {
    return std::nullopt;
  }
  return absl::string_view(field.data, field.size);
}

}  // namespace leverconnect::client

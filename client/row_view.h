// A read-only view of one leverconnect.v1.RowBatch, read straight from its
// encoded bytes.
//
// Decoding a batch into RowBatch messages builds one Value object per cell
// and copies every longer string. A RowBatchView instead indexes the
// encoded bytes once: each cell becomes a small CellView whose text points
// into those bytes. Nothing is copied and, once its vectors have grown to
// the size of a batch, parsing allocates nothing. It is what
// Client::StreamRequisitions hands to StreamHandlers::on_rows.
//
//   RowBatchView view;
//   absl::Status parsed = view.Parse(encoded_row_batch);
//   for (const RowView& row : view.rows()) {
//     for (const CellView& cell : row.cells()) {
//       if (cell.kind() == CellView::Kind::kString) Use(cell.string_value());
//     }
//   }
//
// Lifetime: every view, and every string_view one hands out, points into
// the bytes given to Parse and into the RowBatchView itself; both must
// outlive them, and the next Parse invalidates them all.
//
// What the view accepts is what protobuf would parse into a RowBatch, with
// two simplifications that the server never needs: a Value that repeats
// members keeps the last one whole (protobuf would merge two timestamps or
// two lists), and text is not checked to be UTF-8 again (the server only
// sends UTF-8). Unknown fields are skipped, as protobuf does; messages
// may nest 100 deep below the batch, as protobuf lets them below the
// message it parses; bytes that are not a RowBatch at all give DATA_LOSS
// and an empty view.
#ifndef LEVERCONNECT_CLIENT_ROW_VIEW_H_
#define LEVERCONNECT_CLIENT_ROW_VIEW_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace leverconnect::client {

// One cell: a leverconnect.v1.Value.
class CellView {
 public:
  // Which member of Value the cell holds; kNull also when it holds none.
  enum class Kind : std::uint8_t {
    kNull,
    kString,
    kInteger,
    kDouble,
    kBool,
    kTimestamp,
    kList,
  };

  CellView() = default;

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }

  // Each accessor gives the cell's value when it is of that kind, and the
  // kind's zero ("", 0, false, the Unix epoch, an empty list) otherwise.
  absl::string_view string_value() const {
    return kind_ == Kind::kString ? absl::string_view(text_, size_)
                                  : absl::string_view();
  }
  std::int64_t integer_value() const {
    return kind_ == Kind::kInteger ? integer_ : 0;
  }
  double double_value() const { return kind_ == Kind::kDouble ? number_ : 0.0; }
  bool bool_value() const { return kind_ == Kind::kBool && integer_ != 0; }
  // A google.protobuf.Timestamp: seconds since the Unix epoch, and nanos.
  std::int64_t seconds() const {
    return kind_ == Kind::kTimestamp ? integer_ : 0;
  }
  std::int32_t nanos() const {
    return kind_ == Kind::kTimestamp ? static_cast<std::int32_t>(size_) : 0;
  }
  absl::Time time_value() const {
    return absl::FromUnixSeconds(seconds()) + absl::Nanoseconds(nanos());
  }
  // The elements of a list cell, each a cell itself.
  absl::Span<const CellView> list_value() const {
    if (kind_ != Kind::kList) return {};
    return absl::MakeConstSpan(elements_->data() + integer_, size_);
  }

 private:
  friend class BatchParser;

  Kind kind_ = Kind::kNull;
  // kString: text_ and size_; kInteger, kBool: integer_; kDouble: number_;
  // kTimestamp: seconds in integer_, nanos in size_; kList: the elements
  // are (*elements_)[integer_, integer_ + size_).
  std::uint32_t size_ = 0;
  union {
    const char* text_;
    std::int64_t integer_ = 0;
    double number_;
  };
  const std::vector<CellView>* elements_ = nullptr;
};

// One row: a leverconnect.v1.Row.
class RowView {
 public:
  absl::string_view requisition_id() const { return requisition_id_; }
  // One cell per column of the stream's schema, in schema order.
  absl::Span<const CellView> cells() const {
    return absl::MakeConstSpan(cells_->data() + first_cell_, cell_count_);
  }
  absl::Span<const absl::string_view> warnings() const {
    return absl::MakeConstSpan(warnings_->data() + first_warning_,
                               warning_count_);
  }

 private:
  friend class BatchParser;

  absl::string_view requisition_id_;
  const std::vector<CellView>* cells_ = nullptr;
  const std::vector<absl::string_view>* warnings_ = nullptr;
  std::uint32_t first_cell_ = 0, cell_count_ = 0;
  std::uint32_t first_warning_ = 0, warning_count_ = 0;
};

// One batch. Reuse one RowBatchView for every batch of a stream: its
// storage is kept from one Parse to the next.
class RowBatchView {
 public:
  RowBatchView() = default;
  // Views point into the RowBatchView, so it stays where it is.
  RowBatchView(const RowBatchView&) = delete;
  RowBatchView& operator=(const RowBatchView&) = delete;

  // Indexes `encoded`, the bytes of one RowBatch, replacing what the view
  // held. DATA_LOSS, naming what was wrong and where, when they are not a
  // RowBatch; the view is then empty.
  absl::Status Parse(absl::string_view encoded);

  absl::Span<const RowView> rows() const { return rows_; }
  // RowBatch.page: the 1-based number of the Lever page the rows came from.
  std::int32_t page() const { return page_; }
  // The size of the bytes the view was parsed from.
  std::size_t encoded_size() const { return encoded_size_; }

 private:
  friend class BatchParser;

  void Clear();

  std::vector<RowView> rows_;
  std::vector<CellView> cells_;     // every row's cells, row after row
  std::vector<CellView> elements_;  // the elements of every list cell
  std::vector<absl::string_view> warnings_;
  std::int32_t page_ = 0;
  std::size_t encoded_size_ = 0;
};

// The bytes of the RowBatch inside `encoded_response`, the bytes of a
// StreamRequisitionsResponse, when a batch is all it holds; nullopt for
// any other message (a schema, a summary) and for bytes that do not parse.
std::optional<absl::string_view> EncodedBatchOf(
    absl::string_view encoded_response);

}  // namespace leverconnect::client

#endif  // LEVERCONNECT_CLIENT_ROW_VIEW_H_

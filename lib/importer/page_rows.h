// The step every imported requisition goes through: the requisitions of
// one Lever page become the rows of a RowBatch, and the batch becomes the
// bytes of a StreamRequisitionsResponse.
//
//   v1::RowBatch batch;  // kept from page to page
//   BatchEncoder encoder;
//   for (each page) {
//     MapPageRows(mapper, page.requisitions(), fresh, &batch);
//     const int parts = encoder.Prepare(batch);
//     for (int part = 0; part < parts; ++part) {
//       std::vector<std::uint8_t> bytes(encoder.Size(part));
//       encoder.Encode(batch, part, bytes.data());
//     }
//   }
//
// A batch is meant to be reused: mapping overwrites the rows it holds in
// place, so their cells and strings keep their storage, and a steady import
// allocates almost nothing per row.
#ifndef LEVERCONNECT_LIB_IMPORTER_PAGE_ROWS_H_
#define LEVERCONNECT_LIB_IMPORTER_PAGE_ROWS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "leverconnect/v1/import.pb.h"
#include "lib/mapping/cells.h"
#include "lib/mapping/row_mapper.h"
#include "rapidjson/document.h"

namespace leverconnect::importer {

// Makes `batch` hold one row per element of `requisitions` (a JSON array)
// whose entry in `fresh` is true, or per element when `fresh` is empty, in
// the order of the array, reusing the rows `batch` held; sets nothing
// else of `batch`. Returns how many of the rows carry warnings. REQUIRES:
// requisitions.IsArray(), and `fresh` is empty or has one entry per
// element.
// `text` is passed on to RowMapper::Map.
int MapPageRows(
    const mapping::RowMapper& mapper, const rapidjson::Value& requisitions,
    const std::vector<bool>& fresh, v1::RowBatch* batch,
    mapping::RowMapper::Text text = mapping::RowMapper::Text::kCheck);

// Encodes a batch as the StreamRequisitionsResponse messages that carry
// it, byte for byte as protobuf would (fields in number order), but with a
// sizing pass and a writing pass of its own: no virtual calls, and no
// second UTF-8 check, since MapPageRows' rows are UTF-8 already
// (row_mapper.h). Unknown fields, which mapped rows never have, are left
// out. Rows that would make a batch over `max_batch_bytes` are cut, in
// order, into several batches carrying the same page number; a single row
// over the limit goes alone. Reuse one encoder for every batch: it keeps
// the size of each row and cell between the two passes.
class BatchEncoder {
 public:
  // 1 MiB: well under gRPC's default 4 MiB message limit.
  static constexpr std::size_t kMaxBatchBytes = 1 << 20;

  explicit BatchEncoder(std::size_t max_batch_bytes = kMaxBatchBytes)
      : max_batch_bytes_(max_batch_bytes) {}

  // Sizes the rows of `batch`; returns how many messages carry them (one
  // for an empty batch).
  int Prepare(const v1::RowBatch& batch);

  // The size of message `part` (0-based), and that message written to
  // `out`, which has room for Size(part) bytes. REQUIRES: Prepare(batch)
  // was the last call and `batch` has not changed since.
  std::size_t Size(int part) const;
  void Encode(const v1::RowBatch& batch, int part, std::uint8_t* out) const;

 private:
  // Rows [first, end) of the batch, whose RowBatch takes `bytes`; the
  // size of the first row's first cell is cell_sizes_[first_cell].
  struct Part {
    int first = 0;
    int end = 0;
    std::size_t first_cell = 0;
    std::size_t bytes = 0;
  };

  const std::size_t max_batch_bytes_;
  // Sizes of every row, and of every cell of every row in order, between
  // the two passes.
  std::vector<std::uint32_t> row_sizes_;
  std::vector<std::uint32_t> cell_sizes_;
  std::vector<Part> parts_;
};

// The rows of one page mapped straight into the StreamRequisitionsResponse
// messages that carry them (RowMapper::MapEncoded): the bytes BatchEncoder
// writes for the RowBatch that MapPageRows fills, without that RowBatch.
// Rows that would make a message over `max_batch_bytes` start another
// message, as with BatchEncoder. Reuse one EncodedPage for every page: its
// buffer keeps its storage.
//
//   EncodedPage encoded;
//   encoded.Map(mapper, page.requisitions(), fresh);
//   for (int message = 0; message < encoded.messages(); ++message) {
//     std::vector<std::uint8_t> bytes(encoded.MessageSize(message, number));
//     encoded.WriteMessage(message, number, bytes.data());
//   }
class EncodedPage {
 public:
  explicit EncodedPage(
      std::size_t max_batch_bytes = BatchEncoder::kMaxBatchBytes)
      : max_batch_bytes_(max_batch_bytes) {}

  // Maps the requisitions as MapPageRows does (same `fresh`), replacing
  // what the page held; returns how many of the rows carry warnings.
  // REQUIRES: requisitions.IsArray(), and their text is UTF-8 throughout
  // (lever::RequisitionPage::text_is_utf8).
  int Map(const mapping::RowMapper& mapper,
          const rapidjson::Value& requisitions, const std::vector<bool>& fresh);

  int rows() const { return rows_; }
  // How many messages carry the rows: one at least, empty when there are
  // no rows.
  int messages() const { return static_cast<int>(messages_.size()); }

  // The size of message `message` (0-based) whose RowBatch carries page
  // number `page`, and that message written to `out`, which has room for
  // MessageSize(message, page) bytes.
  std::size_t MessageSize(int message, std::int32_t page) const;
  void WriteMessage(int message, std::int32_t page, std::uint8_t* out) const;

 private:
  // Bytes [begin, end) of `encoded_`: the `rows` fields of one RowBatch.
  struct Message {
    std::size_t begin = 0;
    std::size_t end = 0;
  };

  const std::size_t max_batch_bytes_;
  mapping::WireBuffer encoded_;
  mapping::Warnings warnings_;  // one row's, reused
  std::vector<Message> messages_;
  int rows_ = 0;
};

// What one reading thread of an import maps a page into, reused page
// after page: a RowBatch, or its encoding.
struct PageRows {
  v1::RowBatch batch;
  EncodedPage encoded;
};

}  // namespace leverconnect::importer

#endif  // LEVERCONNECT_LIB_IMPORTER_PAGE_ROWS_H_

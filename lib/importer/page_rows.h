// The step every imported requisition goes through: the requisitions of
// one Lever page become rows, either in a RowBatch (MapPageRows; imports
// into Pigment write those rows as CSV) or straight as the bytes of the
// StreamRequisitionsResponse messages that a stream sends (EncodedPage).
//
// Both are meant to be reused from page to page: mapping overwrites what
// they hold in place, so strings and buffers keep their storage, and a
// steady import allocates almost nothing per row.
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

// The rows of one page mapped straight into the StreamRequisitionsResponse
// messages that carry them: byte for byte what protobuf writes for the
// RowBatch that MapPageRows fills, without that RowBatch. Rows that would
// make a message over `max_message_bytes` start another message, in
// order; a single row over the limit goes alone. Reuse one EncodedPage for
// every page: its buffer keeps its storage.
//
//   EncodedPage encoded;
//   encoded.Map(mapper, page.requisitions(), fresh, text);
//   for (int message = 0; message < encoded.messages(); ++message) {
//     std::vector<std::uint8_t> bytes(encoded.MessageSize(message, number));
//     encoded.WriteMessage(message, number, bytes.data());
//   }
class EncodedPage {
 public:
  // 1 MiB: well under gRPC's default 4 MiB message limit.
  static constexpr std::size_t kMaxMessageBytes = 1 << 20;

  explicit EncodedPage(std::size_t max_message_bytes = kMaxMessageBytes)
      : max_message_bytes_(max_message_bytes) {}

  // Maps the requisitions as MapPageRows does (same `fresh`), replacing
  // what the page held; returns how many of the rows carry warnings. With
  // Text::kKnownUtf8 (the page's text is UTF-8 throughout:
  // lever::RequisitionPage::text_is_utf8) each row is written straight
  // (RowMapper::MapEncoded). With kCheck each row is built as a Row, its
  // text checked and repaired (RowMapper::Map), and encoded by protobuf:
  // slower, for the rare page that needs it. REQUIRES:
  // requisitions.IsArray().
  int Map(const mapping::RowMapper& mapper,
          const rapidjson::Value& requisitions, const std::vector<bool>& fresh,
          mapping::RowMapper::Text text = mapping::RowMapper::Text::kCheck);

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

  // Appends the encoding of the Row of `requisition`, built as a Row and
  // repaired; returns whether it carries warnings.
  bool MapRepaired(const mapping::RowMapper& mapper,
                   const rapidjson::Value& requisition);

  const std::size_t max_message_bytes_;
  mapping::WireBuffer encoded_;
  mapping::Warnings warnings_;  // one row's, reused
  v1::Row repaired_row_;        // reused by MapRepaired
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

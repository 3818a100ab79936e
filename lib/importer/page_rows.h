// The step every imported requisition goes through: the requisitions of
// one Lever page become the rows of a RowBatch, and the batch becomes the
// bytes of a StreamRequisitionsResponse.
//
//   v1::RowBatch batch;  // kept from page to page
//   for (each page) {
//     MapPageRows(mapper, page.requisitions(), fresh, &batch);
//     batch.ByteSizeLong();  // caches the sizes the encoding uses
//     std::string bytes(BatchMessageSize(batch), '\0');
//     EncodeBatchMessage(batch, reinterpret_cast<std::uint8_t*>(&bytes[0]));
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
#include "lib/mapping/row_mapper.h"
#include "rapidjson/document.h"

namespace leverconnect::importer {

// Makes `batch` hold one row per element of `requisitions` (a JSON array)
// whose entry in `fresh` is true, or per element when `fresh` is empty, in
// the order of the array, reusing the rows `batch` held; sets nothing
// else of `batch`. Returns how many of the rows carry warnings. REQUIRES:
// requisitions.IsArray(), and `fresh` is empty or has one entry per
// element.
int MapPageRows(const mapping::RowMapper& mapper,
                const rapidjson::Value& requisitions,
                const std::vector<bool>& fresh, v1::RowBatch* batch);

// The size of the StreamRequisitionsResponse whose payload is `batch`, and
// that message written to `out`, which has room for that many bytes. Both
// use the sizes cached in `batch`. REQUIRES: batch.ByteSizeLong() was
// called after the last change to `batch`.
std::size_t BatchMessageSize(const v1::RowBatch& batch);
void EncodeBatchMessage(const v1::RowBatch& batch, std::uint8_t* out);

}  // namespace leverconnect::importer

#endif  // LEVERCONNECT_LIB_IMPORTER_PAGE_ROWS_H_

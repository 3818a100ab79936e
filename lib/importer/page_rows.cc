#include "lib/importer/page_rows.h"

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace leverconnect::importer {
namespace {

using google::protobuf::internal::WireFormatLite;
using google::protobuf::io::CodedOutputStream;

// The key of StreamRequisitionsResponse.batch on the wire.
constexpr std::uint32_t kBatchTag =
    (v1::StreamRequisitionsResponse::kBatchFieldNumber << 3) |
    WireFormatLite::WIRETYPE_LENGTH_DELIMITED;

}  // namespace

int MapPageRows(const mapping::RowMapper& mapper,
                const rapidjson::Value& requisitions,
                const std::vector<bool>& fresh, v1::RowBatch* batch) {
  auto* rows = batch->mutable_rows();
  int count = 0;
  int with_warnings = 0;
  rapidjson::SizeType index = 0;
  for (const rapidjson::Value& requisition : requisitions.GetArray()) {
    if (!fresh.empty() && !fresh[index++]) continue;
    v1::Row* row = count < rows->size() ? rows->Mutable(count) : rows->Add();
    ++count;
    mapper.Map(requisition, row);
    if (row->warnings_size() > 0) ++with_warnings;
  }
  // RemoveLast keeps the row for a later Add.
  while (rows->size() > count) rows->RemoveLast();
  return with_warnings;
}

std::size_t BatchMessageSize(const v1::RowBatch& batch) {
  const auto size = static_cast<std::uint32_t>(batch.GetCachedSize());
  return CodedOutputStream::VarintSize32(kBatchTag) +
         CodedOutputStream::VarintSize32(size) + size;
}

void EncodeBatchMessage(const v1::RowBatch& batch, std::uint8_t* out) {
  const auto size = static_cast<std::uint32_t>(batch.GetCachedSize());
  out = CodedOutputStream::WriteVarint32ToArray(kBatchTag, out);
  out = CodedOutputStream::WriteVarint32ToArray(size, out);
  batch.SerializeWithCachedSizesToArray(out);
}

}  // namespace leverconnect::importer

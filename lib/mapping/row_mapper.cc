#include "lib/mapping/row_mapper.h"

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "leverconnect/v1/import.pb.h"
#include "lib/mapping/cell_conversion.h"
#include "lib/text/utf8.h"

namespace leverconnect::mapping {
namespace {

using ::leverconnect::v1::RequisitionSchema;

absl::Status NameError(absl::string_view problem, const std::string& name) {
  return absl::InvalidArgumentError(
      absl::StrCat(problem, " column '", name, "'"));
}

// The positions in `schema` of the columns named in `columns` (of every
// column when `columns` is empty), or the first unknown or repeated name.
absl::StatusOr<std::vector<int>> SelectColumns(
    const RequisitionSchema& schema, const std::vector<std::string>& columns) {
  std::unordered_map<std::string, int> positions;
  for (int i = 0; i < schema.columns_size(); ++i) {
    const std::string& name = schema.columns(i).name();
    if (!positions.emplace(name, i).second && columns.empty()) {
      return NameError("repeated", name);
    }
  }
  std::vector<int> selected;
  if (columns.empty()) {
    for (int i = 0; i < schema.columns_size(); ++i) selected.push_back(i);
    return selected;
  }
  std::unordered_set<std::string> seen;
  for (const std::string& name : columns) {
    const auto position = positions.find(name);
    if (position == positions.end()) return NameError("unknown", name);
    if (!seen.insert(name).second) return NameError("repeated", name);
    selected.push_back(position->second);
  }
  return selected;
}

// The requisition's "id" as text: the string itself, or its compact JSON
// (kept in `storage`) when it is something else; "" when absent or null,
// or when the requisition is no object.
absl::string_view RequisitionId(const rapidjson::Value& requisition,
                                std::string* storage) {
  if (!requisition.IsObject()) return "";
  const auto id = requisition.FindMember("id");
  if (id == requisition.MemberEnd() || id->value.IsNull()) return "";
  if (id->value.IsString()) {
    return absl::string_view(id->value.GetString(),
                             id->value.GetStringLength());
  }
  *storage = CompactJson(id->value);
  return *storage;
}

// Keys of the fields of Row (import.proto) that MapEncoded writes, each a
// length-delimited field numbered under 16.
static_assert(leverconnect::v1::Row::kRequisitionIdFieldNumber == 1);
static_assert(leverconnect::v1::Row::kCellsFieldNumber == 2);
static_assert(leverconnect::v1::Row::kWarningsFieldNumber == 3);
constexpr std::uint8_t kIdKey = 1 << 3 | 2;
constexpr std::uint8_t kCellKey = 2 << 3 | 2;
constexpr std::uint8_t kWarningKey = 3 << 3 | 2;

}  // namespace

absl::StatusOr<RowMapper> RowMapper::Create(
    const RequisitionSchema& schema, const std::vector<std::string>& columns,
    const lever::UserDirectory* users) {
  absl::StatusOr<std::vector<int>> selected = SelectColumns(schema, columns);
  if (!selected.ok()) return selected.status();

  RowMapper mapper;
  mapper.users_ = users;
  mapper.readers_.reserve(selected->size());
  for (const int position : *selected) {
    const leverconnect::v1::Column& column = schema.columns(position);
    absl::StatusOr<ColumnReader> reader =
        MakeColumnReader(column, &mapper.members_);
    if (!reader.ok()) return reader.status();
    mapper.reads_users_ = mapper.reads_users_ || ReadsUsers(*reader);
    mapper.readers_.push_back(*std::move(reader));
    *mapper.schema_.add_columns() = column;
  }
  return mapper;
}

template <typename CellAt>
void RowMapper::MapCells(const rapidjson::Value& requisition, CellAt cell_at,
                         Warnings* warnings) const {
  const int columns = static_cast<int>(readers_.size());
  if (!requisition.IsObject()) {
    for (int i = 0; i < columns; ++i) cell_at(i).SetNull();
    AddWarning("requisition", "object", requisition, Conversion::kLeftEmpty,
               warnings);
    return;
  }
  FoundMembers members;
  members_.Find(requisition, &members);
  for (int i = 0; i < columns; ++i) {
    ReadCell(readers_[i], members, users_, cell_at(i), warnings);
  }
}

void RowMapper::Map(const rapidjson::Value& requisition,
                    leverconnect::v1::Row* row, Text text) const {
  row->clear_warnings();
  ResizeCells(row);
  std::string id_storage;
  const absl::string_view id = RequisitionId(requisition, &id_storage);
  row->mutable_requisition_id()->assign(id.data(), id.size());
  auto* cells = row->mutable_cells();
  MapCells(
      requisition, [cells](int i) { return ValueCell(cells->Mutable(i)); },
      row->mutable_warnings());
  if (text == Text::kCheck) RepairText(row);
}

bool RowMapper::MapEncoded(const rapidjson::Value& requisition, WireBuffer* out,
                           Warnings* warnings) const {
  warnings->Clear();
  std::string id_storage;
  const absl::string_view id = RequisitionId(requisition, &id_storage);
  if (!id.empty()) out->PutText(kIdKey, id);
  MapCells(
      requisition, [out](int) { return WireCell(out, kCellKey); }, warnings);
  for (const std::string& warning : *warnings) {
    out->PutText(kWarningKey, warning);
  }
  return !warnings->empty();
}

void RowMapper::RepairText(leverconnect::v1::Row* row) const {
  auto repair = [](std::string* text) {
    if (text::IsUtf8(*text)) return false;
    *text = text::RepairedUtf8(*text);
    return true;
  };
  for (int i = 0; i < row->cells_size(); ++i) {
    leverconnect::v1::Value* cell = row->mutable_cells(i);
    bool repaired = false;
    if (cell->has_string_value()) {
      repaired = repair(cell->mutable_string_value());
    } else if (cell->has_list_value()) {
      for (leverconnect::v1::Value& element :
           *cell->mutable_list_value()->mutable_values()) {
        if (element.has_string_value()) {
          repaired = repair(element.mutable_string_value()) || repaired;
        }
      }
    }
    if (repaired) {
      row->add_warnings(absl::StrCat(
          schema_.columns(i).name(),
          ": text that is not UTF-8; the bytes that are not were replaced by "
          "U+FFFD"));
    }
  }
  repair(row->mutable_requisition_id());
  for (std::string& warning : *row->mutable_warnings()) repair(&warning);
}

void RowMapper::ResizeCells(leverconnect::v1::Row* row) const {
  auto* cells = row->mutable_cells();
  const int count = static_cast<int>(readers_.size());
  if (cells->size() > count) {
    cells->DeleteSubrange(count, cells->size() - count);
  }
  cells->Reserve(count);
  while (cells->size() < count) cells->Add();
}

}  // namespace leverconnect::mapping

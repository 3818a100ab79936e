// Turns Lever requisition objects into typed rows of a chosen set of
// columns.
//
//   auto mapper = RowMapper::Create(schema, {"id", "name", "created_at"});
//   if (!mapper.ok()) return mapper.status();
//   leverconnect::v1::Row row;
//   for (const rapidjson::Value& requisition : page["data"].GetArray()) {
//     mapper->Map(requisition, &row);
//     ...
//   }
//
// Each column's lever_path is resolved once, in Create; Map only walks the
// JSON. Values are converted leniently (see cell_conversion.h for the
// rules): a row is never dropped, and whatever could not be read exactly is
// reported in Row.warnings; text that is not UTF-8 has the offending bytes
// replaced by U+FFFD, with a warning. The user columns (creator_name,
// owner_email, ...) look the requisition's user ids up in a
// lever::UserDirectory given to Create; without one, or for an id it lacks,
// their cells are null, without a warning. A RowMapper is immutable once
// created, so one instance may be used from several threads at once; it keeps
// no reference to the schema it was created from.
#ifndef LEVERCONNECT_LIB_MAPPING_ROW_MAPPER_H_
#define LEVERCONNECT_LIB_MAPPING_ROW_MAPPER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "leverconnect/v1/values.pb.h"
#include "lib/lever/user_directory.h"
#include "lib/mapping/cell_conversion.h"
#include "lib/mapping/cells.h"
#include "lib/mapping/column_reader.h"
#include "lib/mapping/member_index.h"
#include "rapidjson/document.h"

namespace leverconnect::mapping {

class RowMapper {
 public:
  // Selects `columns` of `schema` by name, in that order; all columns in
  // schema order when `columns` is empty. Returns INVALID_ARGUMENT naming
  // the first unknown or repeated column ("unknown column 'foo'",
  // "repeated column 'foo'"), or a selected column without a type or
  // lever_path. `users`, when not null, is where the user columns look
  // ids up; it must outlive the mapper and may be filled after Create, but
  // must not change while Map runs.
  static absl::StatusOr<RowMapper> Create(
      const leverconnect::v1::RequisitionSchema& schema,
      const std::vector<std::string>& columns,
      const lever::UserDirectory* users = nullptr);

  // The selected columns, in the order of every row's cells.
  const leverconnect::v1::RequisitionSchema& schema() const { return schema_; }

  // Whether a selected column reads the user directory, so that it is worth
  // filling.
  bool reads_users() const { return reads_users_; }

  // Clears `row` and fills it from one requisition object: requisition_id
  // from "id" (even when the "id" column is not selected), one cell per
  // selected column, and one warning per lenient or failed conversion.
  // Never fails: anything unexpected becomes a null cell and a warning; a
  // requisition that is not an object gives all-null cells and a single
  // warning. Unknown keys are ignored. Passing the same `row` for every
  // requisition is fastest: its cells' storage is reused. `text` says
  // whether the row's text must be checked to be UTF-8, or whether the
  // requisition is known to hold only UTF-8 (see
  // lever::RequisitionPage::text_is_utf8), which saves that pass; the user
  // directory and the schema from BuildRequisitionSchema always are.
  enum class Text { kCheck, kKnownUtf8 };
  void Map(const rapidjson::Value& requisition, leverconnect::v1::Row* row,
           Text text = Text::kCheck) const;

  // Maps `requisition` as Map does, but writes the row straight in its
  // protobuf encoding: appends to `out` the bytes protobuf would write for
  // the Row that Map fills (its fields, without key or length), and builds
  // no Row. `warnings` is scratch space, overwritten
  // with the row's warnings; reusing it saves their allocations. Returns
  // whether the row carries warnings. REQUIRES: the requisition holds only
  // UTF-8 text (Text::kKnownUtf8): nothing is repaired.
  bool MapEncoded(const rapidjson::Value& requisition, WireBuffer* out,
                  Warnings* warnings) const;

 private:
  RowMapper() = default;

  // Writes the cells of `requisition`, column i through `cell_at(i)` (a
  // ValueCell or a WireCell), appending their warnings to `warnings`. A
  // value that is no object gives null cells and one warning.
  template <typename CellAt>
  void MapCells(const rapidjson::Value& requisition, CellAt cell_at,
                Warnings* warnings) const;

  // Makes every text of `row` UTF-8 (see lib/text/utf8.h): a cell's, with a
  // warning naming its column; the requisition id and the warnings, which
  // quote Lever's values, silently.
  void RepairText(leverconnect::v1::Row* row) const;

  // Resizes the cells of `row` to one per column, keeping existing cells so
  // that their storage is reused.
  void ResizeCells(leverconnect::v1::Row* row) const;

  leverconnect::v1::RequisitionSchema schema_;
  MemberIndex members_;                // the requisition members read
  std::vector<ColumnReader> readers_;  // one per column of schema_
  const lever::UserDirectory* users_ = nullptr;
  bool reads_users_ = false;
};

}  // namespace leverconnect::mapping

#endif  // LEVERCONNECT_LIB_MAPPING_ROW_MAPPER_H_

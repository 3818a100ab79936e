#include "lib/mapping/column_reader.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace leverconnect::mapping {
namespace {

using ::leverconnect::v1::Column;

using Kind = ColumnReader::Kind;

// What separates, in a lever_path, the requisition member holding a user id
// from the member of GET /users read for it: "creator -> users.name".
constexpr absl::string_view kUserLookup = " -> users.";

// The member `name` of `object`, or nullptr when it has none.
const rapidjson::Value* Member(const rapidjson::Value& object,
                               absl::string_view name) {
  const rapidjson::Value key(rapidjson::StringRef(
      name.data(), static_cast<rapidjson::SizeType>(name.size())));
  const auto member = object.FindMember(key);
  return member == object.MemberEnd() ? nullptr : &member->value;
}

// The value of the column's member at `path`, or nullptr when a member on
// the way is absent or null. When a value on the way is neither an object
// nor null, returns nullptr and points `obstacle` at that value.
const rapidjson::Value* Walk(const ColumnReader& reader,
                             const FoundMembers& members,
                             const rapidjson::Value** obstacle) {
  const rapidjson::Value* current = members[reader.member_slot];
  for (const std::string& name : reader.path) {
    if (current == nullptr || current->IsNull()) return nullptr;
    if (!current->IsObject()) {
      *obstacle = current;
      return nullptr;
    }
    current = Member(*current, name);
  }
  return current;
}

// The approval steps, or nullptr (with a null cell and, when the steps are
// not a list, a warning) when there are none to read.
template <typename Cell>
const rapidjson::Value* FindSteps(const ColumnReader& reader,
                                  const FoundMembers& members, Cell cell,
                                  Warnings* warnings) {
  const rapidjson::Value* obstacle = nullptr;
  const rapidjson::Value* steps = Walk(reader, members, &obstacle);
  if (steps != nullptr && steps->IsArray()) return steps;

  cell.SetNull();
  if (obstacle == nullptr && steps != nullptr && !steps->IsNull()) {
    obstacle = steps;
  }
  if (obstacle != nullptr) {
    AddWarning(reader.column_name, "list", *obstacle, Conversion::kLeftEmpty,
               warnings);
  }
  return nullptr;
}

template <typename Cell>
void ReadField(const ColumnReader& reader, const FoundMembers& members,
               Cell cell, Warnings* warnings) {
  const rapidjson::Value* obstacle = nullptr;
  const rapidjson::Value* value = Walk(reader, members, &obstacle);
  if (obstacle != nullptr) {
    cell.SetNull();
    AddWarning(reader.column_name,
               reader.list ? "list" : ExpectedWord(reader.type), *obstacle,
               Conversion::kLeftEmpty, warnings);
    return;
  }
  if (reader.unlimited_is_null && value != nullptr && value->IsString() &&
      absl::EqualsIgnoreCase(
          absl::string_view(value->GetString(), value->GetStringLength()),
          "unlimited")) {
    cell.SetNull();
    return;
  }
  if (reader.list) {
    ConvertList(value, reader.column_name, reader.type, cell, warnings);
  } else {
    ConvertScalar(value, reader.column_name, reader.type, cell, warnings);
  }
}

template <typename Cell>
void ReadStepCount(const ColumnReader& reader, const FoundMembers& members,
                   Cell cell, Warnings* warnings) {
  const rapidjson::Value* steps = FindSteps(reader, members, cell, warnings);
  if (steps == nullptr) return;
  const rapidjson::Value count(static_cast<std::int64_t>(steps->Size()));
  ConvertScalar(&count, reader.column_name, reader.type, cell, warnings);
}

// One list element for `approver`: its user id, or its role.
template <typename Cell>
void ReadApprover(const ColumnReader& reader, const rapidjson::Value& approver,
                  Cell element, Warnings* warnings) {
  if (!approver.IsObject()) {
    element.SetNull();
    AddWarning(reader.column_name, "object", approver, Conversion::kLeftEmpty,
               warnings);
    return;
  }
  const rapidjson::Value* user = Member(approver, "user");
  const bool static_approver = user != nullptr && user->IsObject();
  if (reader.kind == Kind::kApproverRoles) {
    if (static_approver) {
      element.SetString("");
    } else {
      ConvertScalar(user, reader.column_name, reader.type, element, warnings);
    }
    return;
  }
  const rapidjson::Value* id = Member(approver, "id");
  if ((id == nullptr || id->IsNull()) && static_approver) {
    id = Member(*user, "userId");
  }
  ConvertScalar(id, reader.column_name, reader.type, element, warnings);
}

// Fills one element per approver of `step` from `elements`.
template <typename List>
void ReadStepApprovers(const ColumnReader& reader, const rapidjson::Value& step,
                       List& elements, Warnings* warnings) {
  if (!step.IsObject()) {
    AddWarning(reader.column_name, "object", step, Conversion::kLeftEmpty,
               warnings);
    return;
  }
  const rapidjson::Value* approvers = Member(step, "approvers");
  if (approvers == nullptr || approvers->IsNull()) return;
  if (!approvers->IsArray()) {
    AddWarning(reader.column_name, "list", *approvers, Conversion::kLeftEmpty,
               warnings);
    return;
  }
  for (const rapidjson::Value& approver : approvers->GetArray()) {
    ReadApprover(reader, approver, elements.Next(), warnings);
  }
}

template <typename Cell>
void ReadApprovers(const ColumnReader& reader, const FoundMembers& members,
                   Cell cell, Warnings* warnings) {
  const rapidjson::Value* steps = FindSteps(reader, members, cell, warnings);
  if (steps == nullptr) return;
  typename Cell::List elements(cell);
  for (const rapidjson::Value& step : steps->GetArray()) {
    ReadStepApprovers(reader, step, elements, warnings);
  }
}

// The cell of a user column: the user's name or e-mail, copied into the
// cell's own string.
template <typename Cell>
void ReadUser(const ColumnReader& reader, const FoundMembers& members,
              const lever::UserDirectory* users, Cell cell) {
  const rapidjson::Value* id = members[reader.member_slot];
  if (users == nullptr || id == nullptr || !id->IsString()) {
    cell.SetNull();
    return;
  }
  const auto user =
      users->find(absl::string_view(id->GetString(), id->GetStringLength()));
  if (user == users->end()) {
    cell.SetNull();
    return;
  }
  const std::optional<std::string>& text =
      reader.kind == Kind::kUserName ? user->second.name : user->second.email;
  if (text.has_value()) {
    cell.SetString(*text);
  } else {
    cell.SetNull();
  }
}

bool IsUserLookup(const Column& column) {
  return column.source() == leverconnect::v1::COLUMN_SOURCE_STANDARD &&
         absl::StrContains(column.lever_path(), kUserLookup);
}

// Makes `reader` look up the user id in the requisition member named by a
// lever_path "<member> -> users.<field>".
absl::Status ApplyUserLookup(const Column& column, ColumnReader* reader) {
  const std::vector<absl::string_view> parts =
      absl::StrSplit(column.lever_path(), kUserLookup);
  if (parts.size() != 2 || parts[0].empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "column '", column.name(), "' has an unreadable user lookup"));
  }
  if (parts[1] == "name") {
    reader->kind = Kind::kUserName;
  } else if (parts[1] == "email") {
    reader->kind = Kind::kUserEmail;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("column '", column.name(), "' reads user member '",
                     parts[1], "'; only name and email are known"));
  }
  reader->path = {std::string(parts[0])};
  return absl::OkStatus();
}

// Gives the standard columns that are not a plain path their reading.
void ApplyStandardKind(const std::string& name, ColumnReader* reader) {
  if (name == "headcount_total") reader->unlimited_is_null = true;
  if (name == "approval_step_count") reader->kind = Kind::kStepCount;
  if (name == "approval_approver_ids") reader->kind = Kind::kApproverIds;
  if (name == "approval_approver_roles") reader->kind = Kind::kApproverRoles;
  if (reader->kind != Kind::kField) reader->path = {"approval", "steps"};
}

}  // namespace

absl::StatusOr<ColumnReader> MakeColumnReader(const Column& column,
                                              MemberIndex* members) {
  if (column.type() == leverconnect::v1::COLUMN_TYPE_UNSPECIFIED ||
      !leverconnect::v1::ColumnType_IsValid(column.type())) {
    return absl::InvalidArgumentError(
        absl::StrCat("column '", column.name(), "' has no type"));
  }
  if (column.lever_path().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("column '", column.name(), "' has no lever_path"));
  }
  ColumnReader reader;
  reader.column_name = column.name();
  reader.type = column.type();
  reader.list = column.list();
  if (IsUserLookup(column)) {
    absl::Status lookup = ApplyUserLookup(column, &reader);
    if (!lookup.ok()) return lookup;
  } else {
    reader.path = absl::StrSplit(column.lever_path(), '.');
    if (column.source() == leverconnect::v1::COLUMN_SOURCE_STANDARD) {
      ApplyStandardKind(column.name(), &reader);
    }
  }
  reader.member_slot = members->Add(reader.path.front());
  reader.path.erase(reader.path.begin());
  const bool approvers =
      reader.kind == Kind::kApproverIds || reader.kind == Kind::kApproverRoles;
  if (approvers && !reader.list) {
    return absl::InvalidArgumentError(
        absl::StrCat("column '", column.name(), "' must be a list"));
  }
  if (ReadsUsers(reader) &&
      (reader.list || reader.type != leverconnect::v1::COLUMN_TYPE_STRING)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "column '", column.name(), "' must be a string, not a list"));
  }
  return reader;
}

bool ReadsUsers(const ColumnReader& reader) {
  return reader.kind == Kind::kUserName || reader.kind == Kind::kUserEmail;
}

template <typename Cell>
void ReadCell(const ColumnReader& reader, const FoundMembers& members,
              const lever::UserDirectory* users, Cell cell,
              Warnings* warnings) {
  switch (reader.kind) {
    case Kind::kField:
      ReadField(reader, members, cell, warnings);
      return;
    case Kind::kStepCount:
      ReadStepCount(reader, members, cell, warnings);
      return;
    case Kind::kApproverIds:
    case Kind::kApproverRoles:
      ReadApprovers(reader, members, cell, warnings);
      return;
    case Kind::kUserName:
    case Kind::kUserEmail:
      ReadUser(reader, members, users, cell);
      return;
  }
}

template void ReadCell(const ColumnReader&, const FoundMembers&,
                       const lever::UserDirectory*, ValueCell, Warnings*);
template void ReadCell(const ColumnReader&, const FoundMembers&,
                       const lever::UserDirectory*, WireCell, Warnings*);

}  // namespace leverconnect::mapping

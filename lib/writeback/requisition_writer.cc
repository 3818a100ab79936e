#include "lib/writeback/requisition_writer.h"

#include <cstdint>
#include <map>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/time_util.h"

namespace leverconnect::writeback {
namespace {

using google::protobuf::util::TimeUtil;
using Rows = google::protobuf::RepeatedPtrField<v1::PlannedRequisition>;
using Outcome = v1::RequisitionWriteResult;

constexpr std::size_t kMaxCodeLength = 255;

// The code as a message quotes it.
std::string Quoted(absl::string_view code) {
  return absl::StrCat("\"", absl::CHexEscape(code.substr(0, 100)), "\"");
}

std::optional<std::string> CodeProblem(const Rows& rows, int index) {
  const std::string& code = rows[index].requisition_code();
  if (code.empty()) return "requisition_code is required";
  if (code.size() > kMaxCodeLength) {
    return absl::StrCat("requisition_code is longer than ", kMaxCodeLength,
                        " characters");
  }
  for (char c : code) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return "requisition_code contains control characters";
    }
  }
  std::vector<int> same;
  for (int other = 0; other < rows.size(); ++other) {
    if (rows[other].requisition_code() == code) same.push_back(other + 1);
  }
  if (same.size() > 1) {
    return absl::StrCat("requisition_code ", Quoted(code),
                        " appears in more than one row (rows ",
                        absl::StrJoin(same, ", "), ")");
  }
  return std::nullopt;
}

// Lever's updatedAt of a requisition object, in milliseconds; 0 when it
// has none.
std::int64_t UpdatedAtMillis(const rapidjson::Value& requisition) {
  if (!requisition.IsObject()) return 0;
  const auto member = requisition.FindMember("updatedAt");
  if (member == requisition.MemberEnd() || !member->value.IsInt64()) return 0;
  return member->value.GetInt64();
}

std::string StringMember(const rapidjson::Value& object, const char* key) {
  if (!object.IsObject()) return "";
  const auto member = object.FindMember(key);
  if (member == object.MemberEnd() || !member->value.IsString()) return "";
  return std::string(member->value.GetString(),
                     member->value.GetStringLength());
}

void SetChange(const WritableField& field, const v1::Value& old_value,
               const v1::Value& new_value, v1::FieldChange* change) {
  change->set_field(field.name);
  *change->mutable_old_value() = old_value;
  *change->mutable_new_value() = new_value;
}

v1::Value NullValue() {
  v1::Value value;
  value.set_null_value(google::protobuf::NULL_VALUE);
  return value;
}

bool IsNull(const v1::Value& value) {
  return value.kind_case() == v1::Value::KIND_NOT_SET || value.has_null_value();
}

// Whether a failure of one row would meet every later row too.
bool StopsTheCall(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) ||
         absl::IsCancelled(status) || absl::IsFailedPrecondition(status);
}

Outcome Conflict(Outcome result, absl::string_view detail) {
  result.set_outcome(Outcome::OUTCOME_CONFLICT);
  result.set_detail(std::string(detail));
  return result;
}

}  // namespace

RequisitionWriter::RequisitionWriter(lever::LeverClient& lever,
                                     lever::CallContext context)
    : lever_(lever), context_(std::move(context)) {}

absl::Status RequisitionWriter::Prepare() {
  absl::StatusOr<rapidjson::Document> definitions =
      lever_.ListRequisitionFields(context_);
  if (!definitions.ok()) return definitions.status();
  absl::StatusOr<std::vector<mapping::CustomFieldDefinition>> custom =
      mapping::ParseRequisitionFields(*definitions);
  if (!custom.ok()) return custom.status();
  fields_ = WritableFields::ForAccount(*custom);
  return absl::OkStatus();
}

std::optional<std::string> RequisitionWriter::Validate(const Rows& rows,
                                                       int index,
                                                       RowPlan& plan) const {
  if (std::optional<std::string> problem = CodeProblem(rows, index)) {
    return problem;
  }
  const v1::PlannedRequisition& row = rows[index];
  if (row.fields_size() > kMaxFieldsPerRow) {
    return absl::StrCat("a row may plan at most ", kMaxFieldsPerRow,
                        " fields, not ", row.fields_size());
  }
  // By field order, so that the first problem named is always the same.
  std::map<int, std::pair<const WritableField*, v1::Value>> planned;
  const std::map<std::string, v1::Value> sorted(row.fields().begin(),
                                                row.fields().end());
  for (const auto& [name, value] : sorted) {
    if (name == "requisition_code") {
      return "requisition_code is the row's key; it cannot be planned as a "
             "field";
    }
    const int position = fields_->IndexOf(name);
    if (position < 0) {
      return absl::StrCat("field ", Quoted(name),
                          " is not a writable requisition field");
    }
    const WritableField& field = fields_->fields()[position];
    absl::StatusOr<v1::Value> typed = field.Read(value);
    if (!typed.ok()) return std::string(typed.status().message());
    planned[position] = {&field, *std::move(typed)};
  }
  for (auto& [position, entry] : planned) plan.planned.push_back(entry);
  return std::nullopt;
}

absl::StatusOr<RequisitionWriter::RowPlan> RequisitionWriter::PlanRow(
    const Rows& rows, int index) {
  RowPlan plan;
  v1::RequisitionChange& change = plan.change;
  const std::string& code = rows[index].requisition_code();
  change.set_requisition_code(code);
  if (std::optional<std::string> reason = Validate(rows, index, plan)) {
    change.set_action(v1::RequisitionChange::ACTION_INVALID);
    change.set_reason(*reason);
    return plan;
  }

  absl::StatusOr<rapidjson::Document> found =
      lever_.FindRequisitionsByCode(code, context_);
  if (!found.ok()) return found.status();
  if (found->Size() > 1) {
    change.set_action(v1::RequisitionChange::ACTION_INVALID);
    change.set_reason(absl::StrCat("Lever has ", found->Size(),
                                   " requisitions with code ", Quoted(code)));
    return plan;
  }
  if (found->Empty()) return PlanCreate(plan);
  plan.current.CopyFrom((*found)[0], plan.current.GetAllocator());
  return PlanUpdate(plan);
}

absl::StatusOr<RequisitionWriter::RowPlan> RequisitionWriter::PlanCreate(
    RowPlan& plan) {
  v1::RequisitionChange& change = plan.change;
  bool named = false;
  for (const auto& [field, value] : plan.planned) {
    if (IsNull(value)) continue;
    named |= field->name == "name";
    SetChange(*field, NullValue(), value, change.add_changes());
  }
  if (!named) {
    change.clear_changes();
    change.set_action(v1::RequisitionChange::ACTION_INVALID);
    change.set_reason(
        "no requisition has this code, and a new one needs a name: plan the "
        "field \"name\"");
    return std::move(plan);
  }
  change.set_action(v1::RequisitionChange::ACTION_CREATE);
  return std::move(plan);
}

absl::StatusOr<RequisitionWriter::RowPlan> RequisitionWriter::PlanUpdate(
    RowPlan& plan) {
  v1::RequisitionChange& change = plan.change;
  change.set_lever_id(StringMember(plan.current, "id"));
  *change.mutable_lever_updated_at() =
      TimeUtil::MillisecondsToTimestamp(UpdatedAtMillis(plan.current));
  v1::Row cells;
  fields_->ReadCurrent(plan.current, &cells);
  for (const auto& [field, value] : plan.planned) {
    const v1::Value& current = cells.cells(fields_->IndexOf(field->name));
    if (!SameValue(current, value)) {
      SetChange(*field, current, value, change.add_changes());
    }
  }
  change.set_action(change.changes().empty()
                        ? v1::RequisitionChange::ACTION_UNCHANGED
                        : v1::RequisitionChange::ACTION_UPDATE);
  return std::move(plan);
}

absl::StatusOr<v1::RequisitionChange> RequisitionWriter::Plan(const Rows& rows,
                                                              int index) {
  absl::StatusOr<RowPlan> plan = PlanRow(rows, index);
  if (!plan.ok()) return plan.status();
  return std::move(plan->change);
}

absl::Status RequisitionWriter::EnsureMayWrite() {
  if (may_write_) return absl::OkStatus();
  const lever::ProbeResult probe =
      lever_.Probe(lever::kWriteRequisitions, context_);
  if (!probe.status.ok()) {
    return absl::Status(
        probe.status.code(),
        absl::StrCat("nothing was written: ", probe.status.message()));
  }
  may_write_ = true;
  return absl::OkStatus();
}

Outcome RequisitionWriter::Failed(Outcome result, const absl::Status& status) {
  result.set_outcome(Outcome::OUTCOME_FAILED);
  result.set_detail(std::string(status.message()));
  if (StopsTheCall(status)) stopped_ = std::string(status.message());
  return result;
}

absl::StatusOr<Outcome> RequisitionWriter::Apply(const Rows& rows, int index) {
  Outcome result;
  result.set_requisition_code(rows[index].requisition_code());
  if (stopped_) {
    result.set_outcome(Outcome::OUTCOME_NOT_ATTEMPTED);
    result.set_detail(absl::StrCat(
        "not attempted: an earlier row stopped the apply (", *stopped_, ")"));
    return result;
  }
  absl::StatusOr<RowPlan> plan = PlanRow(rows, index);
  if (!plan.ok()) return Failed(std::move(result), plan.status());
  const v1::RequisitionChange& change = plan->change;
  result.set_lever_id(change.lever_id());
  if (change.has_lever_updated_at()) {
    *result.mutable_lever_updated_at() = change.lever_updated_at();
  }

  const v1::PlannedRequisition& row = rows[index];
  switch (change.action()) {
    case v1::RequisitionChange::ACTION_INVALID:
      result.set_outcome(Outcome::OUTCOME_INVALID);
      result.set_detail(change.reason());
      return result;
    case v1::RequisitionChange::ACTION_UNCHANGED:
      result.set_outcome(Outcome::OUTCOME_UNCHANGED);
      return result;
    case v1::RequisitionChange::ACTION_CREATE:
      if (row.has_lever_updated_at()) {
        return Conflict(std::move(result),
                        "the requisition the plan read was deleted in Lever "
                        "since; plan again");
      }
      break;
    default:
      if (!row.has_lever_updated_at()) {
        return Conflict(std::move(result),
                        "the plan saw no requisition with this code, and one "
                        "was created in Lever since; plan again");
      }
      if (TimeUtil::TimestampToMilliseconds(row.lever_updated_at()) !=
          TimeUtil::TimestampToMilliseconds(change.lever_updated_at())) {
        return Conflict(
            std::move(result),
            absl::StrCat("changed in Lever since the plan read it (updatedAt ",
                         TimeUtil::ToString(change.lever_updated_at()),
                         ", the plan saw ",
                         TimeUtil::ToString(row.lever_updated_at()),
                         "); left alone: plan again"));
      }
  }

  absl::Status may_write = EnsureMayWrite();
  if (!may_write.ok()) return may_write;
  const absl::Status written =
      change.action() == v1::RequisitionChange::ACTION_CREATE
          ? Create(row, *plan, result)
          : Update(*plan, result);
  if (absl::IsAlreadyExists(written)) {
    return Conflict(std::move(result),
                    absl::StrCat("a requisition with this code was created in "
                                 "Lever since the plan read it: ",
                                 written.message()));
  }
  if (absl::IsNotFound(written)) {
    return Conflict(std::move(result),
                    absl::StrCat("the requisition was deleted in Lever since "
                                 "the plan read it: ",
                                 written.message()));
  }
  if (!written.ok()) return Failed(std::move(result), written);
  return result;
}

absl::Status RequisitionWriter::Create(const v1::PlannedRequisition& row,
                                       RowPlan& plan, Outcome& result) {
  rapidjson::Document body(rapidjson::kObjectType);
  auto& allocator = body.GetAllocator();
  const std::string& code = row.requisition_code();
  body.AddMember("requisitionCode",
                 rapidjson::Value(code.data(),
                                  static_cast<rapidjson::SizeType>(code.size()),
                                  allocator),
                 allocator);
  for (const auto& [field, value] : plan.planned) {
    if (!IsNull(value)) SetLeverValue(*field, value, body, allocator);
  }
  absl::StatusOr<lever::CreatedRequisition> created =
      lever_.CreateRequisition(code, JsonText(body), context_);
  if (!created.ok()) return created.status();

  result.set_outcome(Outcome::OUTCOME_CREATED);
  result.set_lever_id(StringMember(created->requisition, "id"));
  *result.mutable_changes() = plan.change.changes();
  if (created->found_after_lost_answer) {
    result.set_detail(
        "the answer to POST /requisitions was lost; Lever had created the "
        "requisition, found by its code");
  }
  return ReadBack(result.lever_id(), plan, result);
}

absl::Status RequisitionWriter::Update(RowPlan& plan, Outcome& result) {
  rapidjson::Document body = WritableRecord(plan.current);
  for (const auto& [field, value] : plan.planned) {
    SetLeverValue(*field, value, body, body.GetAllocator());
  }
  absl::StatusOr<rapidjson::Document> updated =
      lever_.UpdateRequisition(result.lever_id(), JsonText(body), context_);
  if (!updated.ok()) return updated.status();
  result.set_outcome(Outcome::OUTCOME_UPDATED);
  *result.mutable_changes() = plan.change.changes();
  return ReadBack(result.lever_id(), plan, result);
}

absl::Status RequisitionWriter::ReadBack(const std::string& id,
                                         const RowPlan& plan, Outcome& result) {
  absl::StatusOr<rapidjson::Document> read =
      lever_.GetRequisition(id, context_);
  if (!read.ok()) {
    // The write is done; only its confirmation is missing.
    result.set_detail(absl::StrCat(
        result.detail(), result.detail().empty() ? "" : "; ",
        "written, but reading it back failed: ", read.status().message()));
    return absl::OkStatus();
  }
  *result.mutable_lever_updated_at() =
      TimeUtil::MillisecondsToTimestamp(UpdatedAtMillis(*read));
  v1::Row cells;
  fields_->ReadCurrent(*read, &cells);
  for (const auto& [field, value] : plan.planned) {
    const v1::Value& stored = cells.cells(fields_->IndexOf(field->name));
    if (!SameValue(stored, value)) {
      SetChange(*field, value, stored, result.add_mismatches());
    }
  }
  return absl::OkStatus();
}

}  // namespace leverconnect::writeback

// Write-back of planned requisitions to Lever, row by row: what each row
// would change (Plan), and making those changes (Apply). Knows nothing of
// gRPC; the messages are those of leverconnect.v1 write_back.proto, whose
// service documentation is the contract this implements.
//
//   RequisitionWriter writer(lever, context);
//   absl::Status ready = writer.Prepare();       // reads the custom fields
//   for (...) changes.push_back(writer.Plan(rows, i));
//
// One writer serves one call, from one thread; `lever` must outlive it.
#ifndef LEVERCONNECT_LIB_WRITEBACK_REQUISITION_WRITER_H_
#define LEVERCONNECT_LIB_WRITEBACK_REQUISITION_WRITER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "leverconnect/v1/write_back.pb.h"
#include "lib/lever/lever_client.h"
#include "lib/writeback/writable_fields.h"

namespace leverconnect::writeback {

// The most rows one call may carry, and fields one row may plan.
inline constexpr int kMaxRows = 1000;
inline constexpr int kMaxFieldsPerRow = 100;

class RequisitionWriter {
 public:
  RequisitionWriter(lever::LeverClient& lever, lever::CallContext context);

  // Reads the account's custom requisition fields, which decide the
  // writable fields. Lever's error when it cannot.
  absl::Status Prepare();

  // The plan of `rows[index]` (rows sharing its code make it INVALID).
  // Fails only when Lever cannot be read.
  absl::StatusOr<v1::RequisitionChange> Plan(
      const google::protobuf::RepeatedPtrField<v1::PlannedRequisition>& rows,
      int index);

  // Plans `rows[index]` again and writes what differs. A failed row is a
  // result (FAILED); the status is an error only when the key may not
  // write (checked once, before the first write), so that nothing has
  // been written when it is. After a row whose failure stops the call
  // (see stopped()), returns NOT_ATTEMPTED for every later row.
  absl::StatusOr<v1::RequisitionWriteResult> Apply(
      const google::protobuf::RepeatedPtrField<v1::PlannedRequisition>& rows,
      int index);

  // Why the apply stopped, once a row failed in a way that later rows
  // would too (Lever unreachable, the deadline, cancellation, the key).
  const std::optional<std::string>& stopped() const { return stopped_; }

 private:
  // One row as planned, with the record it was compared with.
  struct RowPlan {
    v1::RequisitionChange change;
    // The planned fields as their types, in the order of the fields.
    std::vector<std::pair<const WritableField*, v1::Value>> planned;
    rapidjson::Document current;  // the record found; null for none
  };

  // Checks the row and reads its typed fields into `plan`; the reason
  // when it is invalid.
  std::optional<std::string> Validate(
      const google::protobuf::RepeatedPtrField<v1::PlannedRequisition>& rows,
      int index, RowPlan& plan) const;

  absl::StatusOr<RowPlan> PlanRow(
      const google::protobuf::RepeatedPtrField<v1::PlannedRequisition>& rows,
      int index);
  // The plan of a valid row whose code Lever does not have, or has.
  absl::StatusOr<RowPlan> PlanCreate(RowPlan& plan);
  absl::StatusOr<RowPlan> PlanUpdate(RowPlan& plan);

  // OK once Lever has said the key may write; asks at most once.
  absl::Status EnsureMayWrite();

  // The writes of one row, with `result` filled as far as they went.
  absl::Status Create(const v1::PlannedRequisition& row, RowPlan& plan,
                      v1::RequisitionWriteResult& result);
  absl::Status Update(RowPlan& plan, v1::RequisitionWriteResult& result);

  // Reads requisition `id` back and records in `result` its updatedAt and
  // the planned fields whose value differs.
  absl::Status ReadBack(const std::string& id, const RowPlan& plan,
                        v1::RequisitionWriteResult& result);

  // A failed row: FAILED with `status`'s message, and the stop when it is
  // one that later rows would meet too.
  v1::RequisitionWriteResult Failed(v1::RequisitionWriteResult result,
                                    const absl::Status& status);

  lever::LeverClient& lever_;
  const lever::CallContext context_;
  std::optional<WritableFields> fields_;
  bool may_write_ = false;
  std::optional<std::string> stopped_;
};

}  // namespace leverconnect::writeback

#endif  // LEVERCONNECT_LIB_WRITEBACK_REQUISITION_WRITER_H_

// leverconnect.v1.WriteBackService: planned requisitions compared with
// Lever and written to it, through a connection whose admin enabled
// write-back. Blocking handlers (they read and write Lever); thread-safe.
// Each call is authenticated and authorized like an import (see
// server/caller.h); the work is lib/writeback's RequisitionWriter.
#ifndef LEVERCONNECT_SERVER_WRITE_BACK_SERVICE_H_
#define LEVERCONNECT_SERVER_WRITE_BACK_SERVICE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "leverconnect/v1/write_back.grpc.pb.h"
#include "lib/lever/lever_client.h"
#include "lib/writeback/requisition_writer.h"
#include "server/caller.h"
#include "server/rpc_log.h"
#include "server/service_core.h"

namespace leverconnect::server {

class WriteBackService final : public v1::WriteBackService::Service {
 public:
  // `core` and `authenticator` must outlive the service.
  WriteBackService(ServiceCore& core, const Authenticator& authenticator)
      : core_(core), authenticator_(authenticator) {}

  grpc::Status PlanRequisitionChanges(
      grpc::ServerContext* context,
      const v1::PlanRequisitionChangesRequest* request,
      v1::PlanRequisitionChangesResponse* response) override;
  grpc::Status ApplyRequisitionChanges(
      grpc::ServerContext* context,
      const v1::ApplyRequisitionChangesRequest* request,
      v1::ApplyRequisitionChangesResponse* response) override;

 private:
  // A call let through: a Lever client with the connection's key, and the
  // writer that uses it, prepared.
  struct WriteCall {
    std::unique_ptr<lever::LeverClient> lever;
    std::unique_ptr<writeback::RequisitionWriter> writer;
  };

  // What both methods do first, in the documented order: authenticate,
  // admit, check the request, load the connection the caller may use for
  // `application`, check that write-back is enabled on it; then read the
  // account's custom fields.
  absl::StatusOr<WriteCall> BeginCall(grpc::ServerContext& context,
                                      auth::Method method,
                                      absl::string_view connection,
                                      absl::string_view application, int rows,
                                      RpcLog& rpc);

  ServiceCore& core_;
  const Authenticator& authenticator_;
};

}  // namespace leverconnect::server

#endif  // LEVERCONNECT_SERVER_WRITE_BACK_SERVICE_H_

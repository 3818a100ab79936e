// leverconnect.v1.ImportService. GetRequisitionSchema blocks a handler
// thread while Lever answers. StreamRequisitions is a callback reactor with
// exactly one write in flight; Lever is read on a worker thread per stream,
// which waits while the client is slow (a small queue of messages sits
// between the two), and stops at cancellation, the call's deadline or the
// server's shutdown (see Drain).
// Every call is authenticated and authorized first (see server/caller.h):
// a member imports only for one of its own applications, through a
// connection granted to it.
#ifndef LEVERCONNECT_SERVER_IMPORT_SERVICE_H_
#define LEVERCONNECT_SERVER_IMPORT_SERVICE_H_

#include <atomic>

#include "leverconnect/v1/import.grpc.pb.h"
#include "server/caller.h"
#include "server/service_core.h"

namespace leverconnect::server {

// StreamRequisitions is a raw method: its reactor writes messages it
// encoded itself, on the thread that read the rows, so that each batch is
// sized and serialized once and the gRPC threads only send bytes.
class ImportService final
    : public v1::ImportService::WithRawCallbackMethod_StreamRequisitions<
          v1::ImportService::Service> {
 public:
  // `core` and `authenticator` must outlive the service. At most
  // `max_imports` streams run at once; more get RESOURCE_EXHAUSTED.
  ImportService(ServiceCore& core, const Authenticator& authenticator,
                int max_imports)
      : core_(core), authenticator_(authenticator), max_imports_(max_imports) {}

  grpc::Status GetRequisitionSchema(
      grpc::ServerContext* context,
      const v1::GetRequisitionSchemaRequest* request,
      v1::RequisitionSchema* response) override;

  // `request` holds an encoded StreamRequisitionsRequest; the stream
  // sends encoded StreamRequisitionsResponse messages.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* StreamRequisitions(
      grpc::CallbackServerContext* context,
      const grpc::ByteBuffer* request) override;

  // For the server's shutdown: streams running stop reading Lever at the
  // next page boundary, send the batches they hold, and end UNAVAILABLE
  // "server shutting down; retry"; new streams end so at once.
  void Drain() { draining_ = true; }

 private:
  ServiceCore& core_;
  const Authenticator& authenticator_;
  const int max_imports_;
  std::atomic<int> running_imports_{0};
  std::atomic<bool> draining_{false};
};

}  // namespace leverconnect::server

#endif  // LEVERCONNECT_SERVER_IMPORT_SERVICE_H_

// leverconnect.v1.ImportRunService: import runs into Pigment as resources
// under a connection. The work happens in ImportRunner; this layer
// authenticates and authorizes each call (see server/caller.h), checks
// requests and shows members only the runs of their own applications.
// WatchImport is a callback reactor with one write in flight that always
// sends the newest state, so a slow watcher skips intermediate counts but
// never a final state.
#ifndef LEVERCONNECT_SERVER_IMPORT_RUN_SERVICE_H_
#define LEVERCONNECT_SERVER_IMPORT_RUN_SERVICE_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "leverconnect/v1/import_run.grpc.pb.h"
#include "server/caller.h"
#include "server/import_runner.h"
#include "server/rpc_log.h"
#include "server/service_core.h"

namespace leverconnect::server {

class ImportRunService final
    : public v1::ImportRunService::WithCallbackMethod_WatchImport<
          v1::ImportRunService::Service> {
 public:
  // Every argument must outlive the service.
  ImportRunService(ServiceCore& core, const Authenticator& authenticator,
                   ImportRunner& runner)
      : core_(core), authenticator_(authenticator), runner_(runner) {}

  grpc::Status StartImport(grpc::ServerContext* context,
                           const v1::StartImportRequest* request,
                           v1::ImportRun* response) override;
  grpc::Status GetImport(grpc::ServerContext* context,
                         const v1::GetImportRequest* request,
                         v1::ImportRun* response) override;
  grpc::Status ListImports(grpc::ServerContext* context,
                           const v1::ListImportsRequest* request,
                           v1::ListImportsResponse* response) override;
  grpc::Status CancelImport(grpc::ServerContext* context,
                            const v1::CancelImportRequest* request,
                            v1::ImportRun* response) override;
  grpc::ServerWriteReactor<v1::ImportRun>* WatchImport(
      grpc::CallbackServerContext* context,
      const v1::WatchImportRequest* request) override;

  // What a call on one run has established.
  struct RunCall {
    auth::Principal principal;
    std::string connection_id;
    std::string run_id;
    v1::ImportRun run;  // as it was when the call began
  };

  // Authenticates the caller, checks that `name` (the request's `field`)
  // names a run, that the caller may use its connection through `method`,
  // and that the run exists and belongs to one of the caller's
  // applications (AuthorizeRun).
  absl::StatusOr<RunCall> BeginRunCall(const grpc::ServerContextBase& context,
                                       auth::Method method,
                                       absl::string_view name,
                                       absl::string_view field, RpcLog& rpc);

  ImportRunner& runner() { return runner_; }

 private:
  // What a call on a connection's runs has established.
  struct ParentCall {
    auth::Principal principal;
    std::string connection_id;
  };

  // Authenticates the caller, admits it to `method` and checks that
  // `parent` names a connection (not yet that the caller may use it).
  absl::StatusOr<ParentCall> BeginParentCall(
      const grpc::ServerContextBase& context, auth::Method method,
      absl::string_view parent, RpcLog& rpc);

  ServiceCore& core_;
  const Authenticator& authenticator_;
  ImportRunner& runner_;
};

// PERMISSION_DENIED unless `principal` acts for the application of `run`.
absl::Status AuthorizeRun(const auth::Principal& principal,
                          const v1::ImportRun& run);

}  // namespace leverconnect::server

#endif  // LEVERCONNECT_SERVER_IMPORT_RUN_SERVICE_H_

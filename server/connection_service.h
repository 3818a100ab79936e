// leverconnect.v1.ConnectionService: registering, reading, changing and
// checking Lever connections. Blocking handlers (they may ask Lever to
// check a key); thread-safe. Every call is authenticated and authorized
// first (see server/caller.h): admins may do everything; members may read,
// list and test only the connections granted to one of their
// applications, and change none.
#ifndef LEVERCONNECT_SERVER_CONNECTION_SERVICE_H_
#define LEVERCONNECT_SERVER_CONNECTION_SERVICE_H_

#include "leverconnect/v1/connection.grpc.pb.h"
#include "server/caller.h"
#include "server/import_runner.h"
#include "server/rpc_log.h"
#include "server/service_core.h"

namespace leverconnect::server {

class ConnectionService final : public v1::ConnectionService::Service {
 public:
  // `core`, `authenticator` and `runs` must outlive the service.
  ConnectionService(ServiceCore& core, const Authenticator& authenticator,
                    ImportRunner& runs)
      : core_(core), authenticator_(authenticator), runs_(runs) {}

  grpc::Status CreateConnection(grpc::ServerContext* context,
                                const v1::CreateConnectionRequest* request,
                                v1::Connection* response) override;
  grpc::Status GetConnection(grpc::ServerContext* context,
                             const v1::GetConnectionRequest* request,
                             v1::Connection* response) override;
  grpc::Status ListConnections(grpc::ServerContext* context,
                               const v1::ListConnectionsRequest* request,
                               v1::ListConnectionsResponse* response) override;
  grpc::Status UpdateConnection(grpc::ServerContext* context,
                                const v1::UpdateConnectionRequest* request,
                                v1::Connection* response) override;
  grpc::Status DeleteConnection(grpc::ServerContext* context,
                                const v1::DeleteConnectionRequest* request,
                                google::protobuf::Empty* response) override;
  grpc::Status TestConnection(grpc::ServerContext* context,
                              const v1::TestConnectionRequest* request,
                              v1::TestConnectionResponse* response) override;
  grpc::Status RotateApiKey(grpc::ServerContext* context,
                            const v1::RotateApiKeyRequest* request,
                            v1::Connection* response) override;

 private:
  // What every call about one existing connection does first, in the
  // documented order: authenticate, note caller and connection in `rpc`,
  // check the method is allowed, then load the connection named `name` (the
  // request field `field`) if the caller may use it. The caller goes to
  // `caller` when it is not null.
  // The connection a create repeating `request`'s request_id gets: the one
  // the first create made (`first_id`), unless it was another connection,
  // has been deleted, or was made with other settings than `asked` (and not
  // updated since), which are errors.
  absl::StatusOr<storage::StoredConnection> RepeatedCreate(
      const v1::CreateConnectionRequest& request,
      const storage::StoredConnection& asked, const std::string& first_id);

  absl::StatusOr<storage::StoredConnection> BeginConnectionCall(
      grpc::ServerContext& context, auth::Method method, absl::string_view name,
      absl::string_view field, RpcLog& rpc, auth::Principal* caller = nullptr);

  ServiceCore& core_;
  const Authenticator& authenticator_;
  ImportRunner& runs_;
};

}  // namespace leverconnect::server

#endif  // LEVERCONNECT_SERVER_CONNECTION_SERVICE_H_

// An in-process leverconnect server for tests of the client and of
// leverctl. Each RPC answers as the test scripts it and records the request
// it got, with the time the caller left it.
//
//   FakeServer server;
//   server.get_connection = [](const v1::GetConnectionRequest& request,
//                              v1::Connection* connection) {
//     connection->set_name(request.name());
//     return grpc::Status::OK;
//   };
//   auto client = server.NewClient();
//
// Set the handlers before the calls that use them; an unset one answers
// UNIMPLEMENTED. Handlers run on the server's threads.
#ifndef LEVERCONNECT_CLIENT_TESTING_FAKE_SERVER_H_
#define LEVERCONNECT_CLIENT_TESTING_FAKE_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <google/protobuf/empty.pb.h>
#include <grpcpp/grpcpp.h>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/leverconnect_client.h"
#include "leverconnect/v1/connection.grpc.pb.h"
#include "leverconnect/v1/import.grpc.pb.h"
#include "leverconnect/v1/write_back.grpc.pb.h"

namespace leverconnect::testing {

class FakeServer {
 public:
  template <typename Request, typename Response>
  using Handler = std::function<grpc::Status(const Request&, Response*)>;
  using StreamWriter = grpc::ServerWriter<v1::StreamRequisitionsResponse>;

  // A request as the server received it.
  struct Call {
    std::string method;  // "GetConnection"
    std::shared_ptr<const google::protobuf::Message> request;
    // The caller's deadline minus the arrival time; infinite for none.
    absl::Duration time_left;
    // The "authorization" metadata of the call; empty when it had none.
    std::string authorization;
  };

  FakeServer();
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  std::shared_ptr<grpc::Channel> Channel();
  std::unique_ptr<client::Client> NewClient();

  // Every call received so far, in order.
  std::vector<Call> calls() const;

  // The last request of type `Request`, or an empty one when none came.
  template <typename Request>
  Request LastRequest() const {
    const std::vector<Call> received = calls();
    for (auto call = received.rbegin(); call != received.rend(); ++call) {
      if (auto* request = dynamic_cast<const Request*>(call->request.get())) {
        return *request;
      }
    }
    return Request();
  }

  Handler<v1::CreateConnectionRequest, v1::Connection> create_connection;
  Handler<v1::GetConnectionRequest, v1::Connection> get_connection;
  Handler<v1::ListConnectionsRequest, v1::ListConnectionsResponse>
      list_connections;
  Handler<v1::UpdateConnectionRequest, v1::Connection> update_connection;
  Handler<v1::DeleteConnectionRequest, google::protobuf::Empty>
      delete_connection;
  Handler<v1::TestConnectionRequest, v1::TestConnectionResponse>
      test_connection;
  Handler<v1::RotateApiKeyRequest, v1::Connection> rotate_api_key;
  Handler<v1::GetRequisitionSchemaRequest, v1::RequisitionSchema>
      get_requisition_schema;
  std::function<grpc::Status(const v1::StreamRequisitionsRequest&,
                             StreamWriter*)>
      stream_requisitions;
  Handler<v1::PlanRequisitionChangesRequest, v1::PlanRequisitionChangesResponse>
      plan_requisition_changes;
  Handler<v1::ApplyRequisitionChangesRequest,
          v1::ApplyRequisitionChangesResponse>
      apply_requisition_changes;

 private:
  class ConnectionServiceImpl;
  class ImportServiceImpl;
  class WriteBackServiceImpl;

  template <typename Request, typename Response, typename Scripted>
  grpc::Status Answer(std::string method, grpc::ServerContext& context,
                      const Request& request, Response* response,
                      const Scripted& handler);

  void Record(std::string method, const grpc::ServerContext& context,
              std::shared_ptr<const google::protobuf::Message> request);

  mutable absl::Mutex mutex_;
  std::vector<Call> calls_ ABSL_GUARDED_BY(mutex_);
  std::unique_ptr<ConnectionServiceImpl> connection_service_;
  std::unique_ptr<ImportServiceImpl> import_service_;
  std::unique_ptr<WriteBackServiceImpl> write_back_service_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_CLIENT_TESTING_FAKE_SERVER_H_

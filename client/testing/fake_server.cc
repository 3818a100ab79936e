#include "client/testing/fake_server.h"

#include <chrono>
#include <utility>

#include "absl/time/clock.h"

namespace leverconnect::testing {

template <typename Request, typename Response, typename Scripted>
grpc::Status FakeServer::Answer(std::string method,
                                grpc::ServerContext& context,
                                const Request& request, Response* response,
                                const Scripted& handler) {
  Record(method, context, std::make_shared<Request>(request));
  if (!handler) {
    return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                        method + " is not scripted");
  }
  return handler(request, response);
}

class FakeServer::ConnectionServiceImpl final
    : public v1::ConnectionService::Service {
 public:
  explicit ConnectionServiceImpl(FakeServer& server) : server_(server) {}

  grpc::Status CreateConnection(grpc::ServerContext* context,
                                const v1::CreateConnectionRequest* request,
                                v1::Connection* response) override {
    return server_.Answer("CreateConnection", *context, *request, response,
                          server_.create_connection);
  }
  grpc::Status GetConnection(grpc::ServerContext* context,
                             const v1::GetConnectionRequest* request,
                             v1::Connection* response) override {
    return server_.Answer("GetConnection", *context, *request, response,
                          server_.get_connection);
  }
  grpc::Status ListConnections(grpc::ServerContext* context,
                               const v1::ListConnectionsRequest* request,
                               v1::ListConnectionsResponse* response) override {
    return server_.Answer("ListConnections", *context, *request, response,
                          server_.list_connections);
  }
  grpc::Status UpdateConnection(grpc::ServerContext* context,
                                const v1::UpdateConnectionRequest* request,
                                v1::Connection* response) override {
    return server_.Answer("UpdateConnection", *context, *request, response,
                          server_.update_connection);
  }
  grpc::Status DeleteConnection(grpc::ServerContext* context,
                                const v1::DeleteConnectionRequest* request,
                                google::protobuf::Empty* response) override {
    return server_.Answer("DeleteConnection", *context, *request, response,
                          server_.delete_connection);
  }
  grpc::Status TestConnection(grpc::ServerContext* context,
                              const v1::TestConnectionRequest* request,
                              v1::TestConnectionResponse* response) override {
    return server_.Answer("TestConnection", *context, *request, response,
                          server_.test_connection);
  }
  grpc::Status RotateApiKey(grpc::ServerContext* context,
                            const v1::RotateApiKeyRequest* request,
                            v1::Connection* response) override {
    return server_.Answer("RotateApiKey", *context, *request, response,
                          server_.rotate_api_key);
  }

 private:
  FakeServer& server_;
};

class FakeServer::ImportServiceImpl final : public v1::ImportService::Service {
 public:
  explicit ImportServiceImpl(FakeServer& server) : server_(server) {}

  grpc::Status GetRequisitionSchema(
      grpc::ServerContext* context,
      const v1::GetRequisitionSchemaRequest* request,
      v1::RequisitionSchema* response) override {
    return server_.Answer("GetRequisitionSchema", *context, *request, response,
                          server_.get_requisition_schema);
  }
  grpc::Status StreamRequisitions(grpc::ServerContext* context,
                                  const v1::StreamRequisitionsRequest* request,
                                  StreamWriter* writer) override {
    return server_.Answer("StreamRequisitions", *context, *request, writer,
                          server_.stream_requisitions);
  }

 private:
  FakeServer& server_;
};

class FakeServer::WriteBackServiceImpl final
    : public v1::WriteBackService::Service {
 public:
  explicit WriteBackServiceImpl(FakeServer& server) : server_(server) {}

  grpc::Status PlanRequisitionChanges(
      grpc::ServerContext* context,
      const v1::PlanRequisitionChangesRequest* request,
      v1::PlanRequisitionChangesResponse* response) override {
    return server_.Answer("PlanRequisitionChanges", *context, *request,
                          response, server_.plan_requisition_changes);
  }
  grpc::Status ApplyRequisitionChanges(
      grpc::ServerContext* context,
      const v1::ApplyRequisitionChangesRequest* request,
      v1::ApplyRequisitionChangesResponse* response) override {
    return server_.Answer("ApplyRequisitionChanges", *context, *request,
                          response, server_.apply_requisition_changes);
  }

 private:
  FakeServer& server_;
};

FakeServer::FakeServer()
    : connection_service_(std::make_unique<ConnectionServiceImpl>(*this)),
      import_service_(std::make_unique<ImportServiceImpl>(*this)),
      write_back_service_(std::make_unique<WriteBackServiceImpl>(*this)) {
  grpc::ServerBuilder builder;
  builder.RegisterService(connection_service_.get());
  builder.RegisterService(import_service_.get());
  builder.RegisterService(write_back_service_.get());
  server_ = builder.BuildAndStart();
}

FakeServer::~FakeServer() {
  server_->Shutdown();
  server_->Wait();
}

std::shared_ptr<grpc::Channel> FakeServer::Channel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

std::unique_ptr<client::Client> FakeServer::NewClient() {
  return std::make_unique<client::Client>(Channel());
}

std::vector<FakeServer::Call> FakeServer::calls() const {
  absl::MutexLock lock(&mutex_);
  return calls_;
}

void FakeServer::Record(
    std::string method, const grpc::ServerContext& context,
    std::shared_ptr<const google::protobuf::Message> request) {
  absl::Duration time_left = absl::InfiniteDuration();
  if (context.deadline() != std::chrono::system_clock::time_point::max()) {
    time_left = absl::FromChrono(context.deadline()) - absl::Now();
  }
  std::string authorization;
  const auto found = context.client_metadata().find("authorization");
  if (found != context.client_metadata().end()) {
    authorization.assign(found->second.data(), found->second.size());
  }
  absl::MutexLock lock(&mutex_);
  calls_.push_back({std::move(method), std::move(request), time_left,
                    std::move(authorization)});
}

}  // namespace leverconnect::testing

// A thin C++ client of the leverconnect.v1 services.
//
// One Client wraps one gRPC channel and offers each RPC of ConnectionService
// and ImportService as a blocking call that returns absl::Status or
// absl::StatusOr. Errors keep the server's code and message unchanged. The
// client adds no retries and no caching; it never logs, so an API key in a
// request never leaves the process except to the server.
//
//   auto client = leverconnect::client::Client::Connect("127.0.0.1:50051");
//   v1::GetConnectionRequest request;
//   request.set_name("connections/acme-prod");
//   absl::StatusOr<v1::Connection> connection =
//       client->GetConnection(request, {absl::Seconds(30)});
//
// Thread safety: a Client may be shared by threads; each call is independent.
#ifndef LEVERCONNECT_CLIENT_LEVERCONNECT_CLIENT_H_
#define LEVERCONNECT_CLIENT_LEVERCONNECT_CLIENT_H_

#include <functional>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "leverconnect/v1/connection.grpc.pb.h"
#include "leverconnect/v1/import.grpc.pb.h"

namespace leverconnect::client {

// Per-call settings.
struct CallOptions {
  // The call fails with DEADLINE_EXCEEDED when it takes longer. For
  // StreamRequisitions it bounds the whole stream, not each message.
  absl::Duration timeout = absl::InfiniteDuration();
};

// Callbacks of StreamRequisitions, run on the calling thread in the order
// the messages arrive. Either may be left empty.
struct StreamHandlers {
  std::function<void(const v1::RequisitionSchema&)> on_schema;
  // Return false to stop: the client cancels the call and
  // StreamRequisitions returns CANCELLED.
  std::function<bool(const v1::RowBatch&)> on_batch;
};

class Client {
 public:
  explicit Client(std::shared_ptr<grpc::ChannelInterface> channel);

  // A client of the server at "host:port". The channel is insecure for now;
  // the credentials are chosen in one place of leverconnect_client.cc.
  // Connecting is lazy: an unreachable server shows as UNAVAILABLE on the
  // first call.
  static std::unique_ptr<Client> Connect(const std::string& address);

  absl::StatusOr<v1::Connection> CreateConnection(
      const v1::CreateConnectionRequest& request,
      const CallOptions& options = {});
  absl::StatusOr<v1::Connection> GetConnection(
      const v1::GetConnectionRequest& request, const CallOptions& options = {});
  // One page; the caller follows `next_page_token`.
  absl::StatusOr<v1::ListConnectionsResponse> ListConnections(
      const v1::ListConnectionsRequest& request,
      const CallOptions& options = {});
  absl::StatusOr<v1::Connection> UpdateConnection(
      const v1::UpdateConnectionRequest& request,
      const CallOptions& options = {});
  absl::Status DeleteConnection(const v1::DeleteConnectionRequest& request,
                                const CallOptions& options = {});
  absl::StatusOr<v1::TestConnectionResponse> TestConnection(
      const v1::TestConnectionRequest& request,
      const CallOptions& options = {});
  absl::StatusOr<v1::Connection> RotateApiKey(
      const v1::RotateApiKeyRequest& request, const CallOptions& options = {});

  absl::StatusOr<v1::RequisitionSchema> GetRequisitionSchema(
      const v1::GetRequisitionSchemaRequest& request,
      const CallOptions& options = {});

  // Reads the whole stream, handing the schema and each batch to `handlers`
  // as they arrive, and returns the summary. When the server ends the
  // stream with an error, returns that error (batches already handed over
  // stay handed over). A stream that ends OK without a summary is
  // DATA_LOSS "stream ended without a summary".
  absl::StatusOr<v1::ImportSummary> StreamRequisitions(
      const v1::StreamRequisitionsRequest& request,
      const StreamHandlers& handlers, const CallOptions& options = {});

 private:
  std::unique_ptr<v1::ConnectionService::Stub> connections_;
  std::unique_ptr<v1::ImportService::Stub> imports_;
};

// The absl::Status with the same code and message.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace leverconnect::client

#endif  // LEVERCONNECT_CLIENT_LEVERCONNECT_CLIENT_H_

#include "client/leverconnect_client.h"

#include <optional>
#include <utility>

#include <google/protobuf/empty.pb.h>

#include "absl/time/clock.h"

namespace leverconnect::client {
namespace {

// The one place where the channel's credentials are chosen.
// TODO(authentication): use TLS and the caller's token once the server
// authenticates calls; until then the server listens in plaintext.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials() {
  return grpc::InsecureChannelCredentials();
}

void ApplyOptions(const CallOptions& options, grpc::ClientContext& context) {
  if (options.timeout == absl::InfiniteDuration()) return;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options.timeout));
}

// Runs one unary RPC of `stub`.
template <typename Response, typename Stub, typename Request>
absl::StatusOr<Response> CallUnary(
    Stub& stub,
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                 Response*),
    const Request& request, const CallOptions& options) {
  grpc::ClientContext context;
  ApplyOptions(options, context);
  Response response;
  grpc::Status status = (stub.*method)(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
}

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

Client::Client(std::shared_ptr<grpc::ChannelInterface> channel)
    : connections_(v1::ConnectionService::NewStub(channel)),
      imports_(v1::ImportService::NewStub(channel)) {}

std::unique_ptr<Client> Client::Connect(const std::string& address) {
  return std::make_unique<Client>(
      grpc::CreateChannel(address, ChannelCredentials()));
}

absl::StatusOr<v1::Connection> Client::CreateConnection(
    const v1::CreateConnectionRequest& request, const CallOptions& options) {
  return CallUnary(*connections_,
                   &v1::ConnectionService::Stub::CreateConnection, request,
                   options);
}

absl::StatusOr<v1::Connection> Client::GetConnection(
    const v1::GetConnectionRequest& request, const CallOptions& options) {
  return CallUnary(*connections_, &v1::ConnectionService::Stub::GetConnection,
                   request, options);
}

absl::StatusOr<v1::ListConnectionsResponse> Client::ListConnections(
    const v1::ListConnectionsRequest& request, const CallOptions& options) {
  return CallUnary(*connections_, &v1::ConnectionService::Stub::ListConnections,
                   request, options);
}

absl::StatusOr<v1::Connection> Client::UpdateConnection(
    const v1::UpdateConnectionRequest& request, const CallOptions& options) {
  return CallUnary(*connections_,
                   &v1::ConnectionService::Stub::UpdateConnection, request,
                   options);
}

absl::Status Client::DeleteConnection(
    const v1::DeleteConnectionRequest& request, const CallOptions& options) {
  return CallUnary(*connections_,
                   &v1::ConnectionService::Stub::DeleteConnection, request,
                   options)
      .status();
}

absl::StatusOr<v1::TestConnectionResponse> Client::TestConnection(
    const v1::TestConnectionRequest& request, const CallOptions& options) {
  return CallUnary(*connections_, &v1::ConnectionService::Stub::TestConnection,
                   request, options);
}

absl::StatusOr<v1::Connection> Client::RotateApiKey(
    const v1::RotateApiKeyRequest& request, const CallOptions& options) {
  return CallUnary(*connections_, &v1::ConnectionService::Stub::RotateApiKey,
                   request, options);
}

absl::StatusOr<v1::RequisitionSchema> Client::GetRequisitionSchema(
    const v1::GetRequisitionSchemaRequest& request,
    const CallOptions& options) {
  return CallUnary(*imports_, &v1::ImportService::Stub::GetRequisitionSchema,
                   request, options);
}

absl::StatusOr<v1::ImportSummary> Client::StreamRequisitions(
    const v1::StreamRequisitionsRequest& request,
    const StreamHandlers& handlers, const CallOptions& options) {
  grpc::ClientContext context;
  ApplyOptions(options, context);
  std::unique_ptr<grpc::ClientReader<v1::StreamRequisitionsResponse>> reader =
      imports_->StreamRequisitions(&context, request);

  v1::StreamRequisitionsResponse response;
  std::optional<v1::ImportSummary> summary;
  while (reader->Read(&response)) {
    if (response.has_schema() && handlers.on_schema) {
      handlers.on_schema(response.schema());
    } else if (response.has_batch() && handlers.on_batch &&
               !handlers.on_batch(response.batch())) {
      context.TryCancel();
      reader->Finish();  // CANCELLED, by our own doing.
      return absl::CancelledError("the import was stopped by the caller");
    } else if (response.has_summary()) {
      summary = std::move(*response.mutable_summary());
    }
  }

  grpc::Status status = reader->Finish();
  if (!status.ok()) return FromGrpcStatus(status);
  if (!summary.has_value()) {
    return absl::DataLossError("stream ended without a summary");
  }
  return *std::move(summary);
}

}  // namespace leverconnect::client

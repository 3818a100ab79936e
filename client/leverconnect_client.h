// A thin C++ client of the leverconnect.v1 services.
//
// One Client wraps one gRPC channel and offers each RPC of ConnectionService,
// ImportService, ImportRunService and WriteBackService as a blocking call
// that returns absl::Status or absl::StatusOr. Errors keep the server's code
// and message unchanged. The client adds no retries and no caching; it never
// logs, so an API key in a request, or the caller's token, never leaves the
// process except to the server.
//
//   leverconnect::client::ClientOptions options;
//   options.token = token;                    // "authorization: Bearer ..."
//   options.root_certificates = ca_pem;       // TLS; omit on loopback
//   auto client = leverconnect::client::Client::Connect("host:50051", options);
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

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "client/row_view.h"
#include "leverconnect/v1/connection.grpc.pb.h"
#include "leverconnect/v1/import.grpc.pb.h"
#include "leverconnect/v1/import_run.grpc.pb.h"
#include "leverconnect/v1/write_back.grpc.pb.h"

namespace leverconnect::client {

// How a client reaches the server, and who it is.
struct ClientOptions {
  // Sent with every call as "authorization: Bearer <token>" metadata; no
  // such metadata when empty. Whitespace around it is dropped.
  std::string token;
  // PEM of the certificate authorities that sign the server's certificate.
  // When set, the channel uses TLS.
  std::string root_certificates;
  // PEM of this client's certificate chain and of its private key, for a
  // server that requires mutual TLS. Set both or neither; when set, the
  // channel uses TLS (trusting the system's authorities when
  // root_certificates is empty).
  std::string client_certificate;
  std::string client_key;
};

// Per-call settings.
struct CallOptions {
  // The call fails with DEADLINE_EXCEEDED when it takes longer. For
  // StreamRequisitions it bounds the whole stream, not each message.
  absl::Duration timeout = absl::InfiniteDuration();
};

// Callbacks of StreamRequisitions, run on the calling thread in the order
// the messages arrive. Any may be left empty, but on_batch and on_rows are
// two ways to receive the same batches: set one of them, not both.
struct StreamHandlers {
  std::function<void(const v1::RequisitionSchema&)> on_schema;
  // Each batch decoded into messages. Return false to stop: the client
  // cancels the call and StreamRequisitions returns CANCELLED.
  std::function<bool(const v1::RowBatch&)> on_batch;
  // Each batch as a view of its encoded bytes (row_view.h), valid during
  // the call only: several times cheaper than decoding messages, for
  // callers that read each cell once. Return false to stop, as above.
  std::function<bool(const RowBatchView&)> on_rows;
};

class Client {
 public:
  // Calls through `channel`, sending `token` (when not empty) as bearer
  // metadata with each call.
  explicit Client(std::shared_ptr<grpc::ChannelInterface> channel,
                  std::string token = "");

  // A client of the server at "host:port" in plaintext, without a token.
  // Connecting is lazy: an unreachable server shows as UNAVAILABLE on the
  // first call.
  static std::unique_ptr<Client> Connect(const std::string& address);

  // The same with `options`: TLS (or mutual TLS) and a token. A token
  // holding characters gRPC metadata cannot carry fails every call with
  // INVALID_ARGUMENT; a refused TLS handshake shows as UNAVAILABLE.
  static std::unique_ptr<Client> Connect(const std::string& address,
                                         const ClientOptions& options);

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
  // DATA_LOSS "stream ended without a summary"; so is a message that does
  // not decode. Both on_batch and on_rows set is INVALID_ARGUMENT.
  absl::StatusOr<v1::ImportSummary> StreamRequisitions(
      const v1::StreamRequisitionsRequest& request,
      const StreamHandlers& handlers, const CallOptions& options = {});

  absl::StatusOr<v1::ImportRun> StartImport(
      const v1::StartImportRequest& request, const CallOptions& options = {});
  absl::StatusOr<v1::ImportRun> GetImport(const v1::GetImportRequest& request,
                                          const CallOptions& options = {});
  // One page; the caller follows `next_page_token`.
  absl::StatusOr<v1::ListImportsResponse> ListImports(
      const v1::ListImportsRequest& request, const CallOptions& options = {});
  absl::StatusOr<v1::ImportRun> CancelImport(
      const v1::CancelImportRequest& request, const CallOptions& options = {});

  absl::StatusOr<v1::PlanRequisitionChangesResponse> PlanRequisitionChanges(
      const v1::PlanRequisitionChangesRequest& request,
      const CallOptions& options = {});
  absl::StatusOr<v1::ApplyRequisitionChangesResponse> ApplyRequisitionChanges(
      const v1::ApplyRequisitionChangesRequest& request,
      const CallOptions& options = {});

  // Hands each state of the run to `on_run` (on the calling thread) as it
  // arrives and returns the last one, which is finished unless the stream
  // was stopped. `on_run` returning false stops watching: the call is
  // cancelled and the run received last is returned. A stream that ends OK
  // without any run is DATA_LOSS.
  absl::StatusOr<v1::ImportRun> WatchImport(
      const v1::WatchImportRequest& request,
      const std::function<bool(const v1::ImportRun&)>& on_run,
      const CallOptions& options = {});

 private:
  // Sets the call's deadline and credentials; INVALID_ARGUMENT for a token
  // that metadata cannot carry.
  absl::Status PrepareContext(const CallOptions& options,
                              grpc::ClientContext& context) const;

  template <typename Response, typename Stub, typename Request>
  absl::StatusOr<Response> CallUnary(
      Stub& stub,
      grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                   Response*),
      const Request& request, const CallOptions& options) const;

  std::unique_ptr<v1::ConnectionService::Stub> connections_;
  std::unique_ptr<v1::ImportService::Stub> imports_;
  std::unique_ptr<v1::ImportRunService::Stub> runs_;
  std::unique_ptr<v1::WriteBackService::Stub> write_back_;
  // StreamRequisitions, whose messages the client decodes itself.
  std::unique_ptr<grpc::GenericStub> generic_;
  std::string token_;
};

// The absl::Status with the same code and message.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace leverconnect::client

#endif  // LEVERCONNECT_CLIENT_LEVERCONNECT_CLIENT_H_

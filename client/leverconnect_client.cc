#include "client/leverconnect_client.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <google/protobuf/empty.pb.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client/message_arena.h"

namespace leverconnect::client {
namespace {

// The one place where the channel's credentials are chosen.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials(
    const ClientOptions& options) {
  if (options.root_certificates.empty() && options.client_certificate.empty()) {
    return grpc::InsecureChannelCredentials();
  }
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = options.root_certificates;
  tls.pem_cert_chain = options.client_certificate;
  tls.pem_private_key = options.client_key;
  return grpc::SslCredentials(tls);
}

// Whether gRPC metadata can carry `token`: printable ASCII only.
bool IsMetadataSafe(const std::string& token) {
  for (char c : token) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// The full name of StreamRequisitions, for the generic stub.
const std::string kStreamRequisitions = absl::StrCat(
    "/", v1::ImportService::service_full_name(), "/StreamRequisitions");

// Waits for the one operation in flight on `queue`; whether it succeeded.
bool Await(grpc::CompletionQueue& queue) {
  void* tag = nullptr;
  bool ok = false;
  return queue.Next(&tag, &ok) && ok;
}

// A server-streaming call made through the generic stub and driven
// synchronously: the request goes out encoded, and each response comes
// back as bytes, for the caller to decode as it sees fit.
class RawServerStream {
 public:
  RawServerStream(grpc::GenericStub& stub, grpc::ClientContext& context,
                  const std::string& method,
                  const google::protobuf::Message& request)
      : call_(stub.PrepareCall(&context, method, &queue_)) {
    call_->StartCall(this);
    if (!Await(queue_)) return;  // Read fails, and Finish tells why.
    grpc::ByteBuffer encoded;
    bool own_buffer = false;
    grpc::Status serialized =
        grpc::SerializationTraits<google::protobuf::Message>::Serialize(
            request, &encoded, &own_buffer);
    if (!serialized.ok()) return;
    call_->WriteLast(encoded, grpc::WriteOptions(), this);
    Await(queue_);
  }
  RawServerStream(const RawServerStream&) = delete;
  RawServerStream& operator=(const RawServerStream&) = delete;

  ~RawServerStream() {
    call_.reset();
    queue_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (queue_.Next(&tag, &ok)) {
    }
  }

  // The next message; false at the end of the stream or when it failed.
  bool Read(grpc::ByteBuffer* message) {
    call_->Read(message, this);
    return Await(queue_);
  }

  // Call once, after the last Read.
  grpc::Status Finish() {
    grpc::Status status;
    call_->Finish(&status, this);
    Await(queue_);
    return status;
  }

 private:
  grpc::CompletionQueue queue_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
};

// The bytes of one received message in one piece: its only slice when it
// came in one, else its slices joined into storage kept for the next.
class MessageBytes {
 public:
  grpc::ByteBuffer* buffer() { return &buffer_; }

  // Nothing when gRPC cannot hand over the message's bytes.
  std::optional<absl::string_view> Contiguous() {
    slices_.clear();
    if (!buffer_.Dump(&slices_).ok()) return std::nullopt;
    if (slices_.size() == 1) {
      return absl::string_view(
          reinterpret_cast<const char*>(slices_[0].begin()), slices_[0].size());
    }
    joined_.clear();
    for (const grpc::Slice& slice : slices_) {
      joined_.append(reinterpret_cast<const char*>(slice.begin()),
                     slice.size());
    }
    return joined_;
  }

 private:
  grpc::ByteBuffer buffer_;
  std::vector<grpc::Slice> slices_;
  std::string joined_;
};

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

Client::Client(std::shared_ptr<grpc::ChannelInterface> channel,
               std::string token)
    : connections_(v1::ConnectionService::NewStub(channel)),
      imports_(v1::ImportService::NewStub(channel)),
      runs_(v1::ImportRunService::NewStub(channel)),
      write_back_(v1::WriteBackService::NewStub(channel)),
      generic_(std::make_unique<grpc::GenericStub>(channel)),
      token_(absl::StripAsciiWhitespace(token)) {}

std::unique_ptr<Client> Client::Connect(const std::string& address) {
  return Connect(address, ClientOptions());
}

std::unique_ptr<Client> Client::Connect(const std::string& address,
                                        const ClientOptions& options) {
  return std::make_unique<Client>(
      grpc::CreateChannel(address, ChannelCredentials(options)), options.token);
}

absl::Status Client::PrepareContext(const CallOptions& options,
                                    grpc::ClientContext& context) const {
  if (options.timeout != absl::InfiniteDuration()) {
    context.set_deadline(absl::ToChronoTime(absl::Now() + options.timeout));
  }
  if (token_.empty()) return absl::OkStatus();
  if (!IsMetadataSafe(token_)) {
    return absl::InvalidArgumentError(
        "the token holds characters gRPC metadata cannot carry (only "
        "printable ASCII)");
  }
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  return absl::OkStatus();
}

// Runs one unary RPC of `stub`.
template <typename Response, typename Stub, typename Request>
absl::StatusOr<Response> Client::CallUnary(
    Stub& stub,
    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                 Response*),
    const Request& request, const CallOptions& options) const {
  grpc::ClientContext context;
  absl::Status prepared = PrepareContext(options, context);
  if (!prepared.ok()) return prepared;
  Response response;
  grpc::Status status = (stub.*method)(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response;
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
  if (handlers.on_batch && handlers.on_rows) {
    return absl::InvalidArgumentError(
        "StreamHandlers: set on_batch or on_rows, not both");
  }
  grpc::ClientContext context;
  absl::Status prepared = PrepareContext(options, context);
  if (!prepared.ok()) return prepared;
  RawServerStream stream(*generic_, context, kStreamRequisitions, request);

  // Each message is decoded onto an arena that the next one reuses, so
  // that the thousands of cells of a batch cost no allocation each; or,
  // for on_rows, only indexed, into a view reused the same way.
  MessageArena arena;
  RowBatchView view;
  MessageBytes bytes;
  std::string reencoded;  // a batch for on_rows that came decoded
  std::optional<v1::ImportSummary> summary;
  absl::Status failure;
  const absl::Status stopped =
      absl::CancelledError("the import was stopped by the caller");
  auto hand_rows = [&](absl::string_view batch) {
    absl::Status parsed = view.Parse(batch);
    if (parsed.ok() && !handlers.on_rows(view)) return stopped;
    return parsed;
  };
  while (failure.ok() && stream.Read(bytes.buffer())) {
    const std::optional<absl::string_view> message = bytes.Contiguous();
    if (!message.has_value()) {
      failure =
          absl::DataLossError("a message of the stream could not be read");
      break;
    }
    // The usual batch message, for on_rows, is read in place.
    const std::optional<absl::string_view> batch =
        handlers.on_rows ? EncodedBatchOf(*message) : std::nullopt;
    if (batch.has_value()) {
      failure = hand_rows(*batch);
      continue;
    }
    auto* response = arena.Fresh<v1::StreamRequisitionsResponse>();
    if (!response->ParseFromArray(message->data(),
                                  static_cast<int>(message->size()))) {
      failure = absl::DataLossError(
          "a message of the stream is not a StreamRequisitionsResponse");
    } else if (response->has_schema()) {
      if (handlers.on_schema) handlers.on_schema(response->schema());
    } else if (response->has_batch()) {
      if (handlers.on_batch && !handlers.on_batch(response->batch())) {
        failure = stopped;
      } else if (handlers.on_rows) {
        // Laid out otherwise (beside fields this client does not know, say).
        response->batch().SerializeToString(&reencoded);
        failure = hand_rows(reencoded);
      }
    } else if (response->has_summary()) {
      summary = response->summary();  // a copy off the arena
    }
  }
  if (!failure.ok()) {
    context.TryCancel();
    stream.Finish();  // CANCELLED, by our own doing.
    return failure;
  }

  grpc::Status status = stream.Finish();
  if (!status.ok()) return FromGrpcStatus(status);
  if (!summary.has_value()) {
    return absl::DataLossError("stream ended without a summary");
  }
  return *std::move(summary);
}

absl::StatusOr<v1::ImportRun> Client::StartImport(
    const v1::StartImportRequest& request, const CallOptions& options) {
  return CallUnary(*runs_, &v1::ImportRunService::Stub::StartImport, request,
                   options);
}

absl::StatusOr<v1::ImportRun> Client::GetImport(
    const v1::GetImportRequest& request, const CallOptions& options) {
  return CallUnary(*runs_, &v1::ImportRunService::Stub::GetImport, request,
                   options);
}

absl::StatusOr<v1::ListImportsResponse> Client::ListImports(
    const v1::ListImportsRequest& request, const CallOptions& options) {
  return CallUnary(*runs_, &v1::ImportRunService::Stub::ListImports, request,
                   options);
}

absl::StatusOr<v1::ImportRun> Client::CancelImport(
    const v1::CancelImportRequest& request, const CallOptions& options) {
  return CallUnary(*runs_, &v1::ImportRunService::Stub::CancelImport, request,
                   options);
}

absl::StatusOr<v1::PlanRequisitionChangesResponse>
Client::PlanRequisitionChanges(const v1::PlanRequisitionChangesRequest& request,
                               const CallOptions& options) {
  return CallUnary(*write_back_,
                   &v1::WriteBackService::Stub::PlanRequisitionChanges, request,
                   options);
}

absl::StatusOr<v1::ApplyRequisitionChangesResponse>
Client::ApplyRequisitionChanges(
    const v1::ApplyRequisitionChangesRequest& request,
    const CallOptions& options) {
  return CallUnary(*write_back_,
                   &v1::WriteBackService::Stub::ApplyRequisitionChanges,
                   request, options);
}

absl::StatusOr<v1::ImportRun> Client::WatchImport(
    const v1::WatchImportRequest& request,
    const std::function<bool(const v1::ImportRun&)>& on_run,
    const CallOptions& options) {
  grpc::ClientContext context;
  absl::Status prepared = PrepareContext(options, context);
  if (!prepared.ok()) return prepared;
  std::unique_ptr<grpc::ClientReader<v1::ImportRun>> reader =
      runs_->WatchImport(&context, request);
  std::optional<v1::ImportRun> last;
  v1::ImportRun run;
  while (reader->Read(&run)) {
    last = run;
    if (on_run && !on_run(run)) {
      context.TryCancel();
      reader->Finish();  // CANCELLED, by our own doing.
      return *std::move(last);
    }
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return FromGrpcStatus(status);
  if (!last.has_value()) {
    return absl::DataLossError("watch ended without any state of the run");
  }
  return *std::move(last);
}

}  // namespace leverconnect::client

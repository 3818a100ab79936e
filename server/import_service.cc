#include "server/import_service.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "lib/importer/page_rows.h"
#include "lib/importer/requisition_import.h"
#include "lib/log/log.h"
#include "lib/metrics/metrics.h"
#include "server/rpc_log.h"

namespace leverconnect::server {
namespace {

// Messages the worker may read ahead of the client.
constexpr std::size_t kQueuedMessages = 4;

// What a stream that the server's shutdown cut short ends with: callers
// may start the import again, on another replica.
absl::Status ShuttingDown() {
  return absl::UnavailableError("server shutting down; retry");
}

std::int64_t ToMilliseconds(const google::protobuf::Duration& duration) {
  return google::protobuf::util::TimeUtil::DurationToMilliseconds(duration);
}

// Checks the request, then whether `principal` may import through the
// connection for the application (see server/caller.h), and makes the
// Lever client that will read through it.
absl::StatusOr<std::unique_ptr<lever::LeverClient>> OpenImport(
    ServiceCore& core, const auth::Principal& principal, auth::Method method,
    const std::string& connection_name, const std::string& application) {
  absl::StatusOr<std::string> id =
      ServiceCore::ParseConnectionName(connection_name, "connection");
  if (!id.ok()) return id.status();
  if (application.empty()) {
    return absl::InvalidArgumentError("application is required");
  }
  absl::StatusOr<storage::StoredConnection> stored = LoadAuthorizedConnection(
      core, principal, method, connection_name, "connection", application);
  if (!stored.ok()) return stored.status();
  return core.LeverFor(*stored);
}

// `message` encoded, as one slice.
grpc::ByteBuffer Encode(const google::protobuf::MessageLite& message) {
  grpc::Slice slice(message.ByteSizeLong());
  message.SerializeWithCachedSizesToArray(const_cast<uint8_t*>(slice.begin()));
  return grpc::ByteBuffer(&slice, 1);
}

// The request a raw call carries, or INVALID_ARGUMENT.
absl::StatusOr<v1::StreamRequisitionsRequest> DecodeRequest(
    const grpc::ByteBuffer& request) {
  grpc::ByteBuffer copy(request);  // shares the slices
  v1::StreamRequisitionsRequest decoded;
  if (!grpc::SerializationTraits<v1::StreamRequisitionsRequest>::Deserialize(
           &copy, &decoded)
           .ok()) {
    return absl::InvalidArgumentError(
        "the request is not an encoded StreamRequisitionsRequest");
  }
  return decoded;
}

// One StreamRequisitions call. Owns itself: deleted in OnDone.
class RequisitionStream : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
                          public importer::RowSink {
 public:
  RequisitionStream(ServiceCore& core, const Authenticator& authenticator,
                    grpc::CallbackServerContext* context,
                    const grpc::ByteBuffer& request, std::atomic<int>& running,
                    int max_running, const std::atomic<bool>& draining)
      : running_(running),
        max_running_(max_running),
        draining_(draining),
        core_(core),
        context_(context),
        request_(DecodeRequest(request)),
        principal_(authenticator.Authenticate(*context)),
        rpc_("StreamRequisitions", LoggedCaller(principal_)) {
    if (request_.ok()) rpc_.set_connection(request_->connection());
    worker_ = std::thread([this] { Work(); });
  }

  // importer::RowSink, on the worker thread.
  bool OnSchema(const v1::RequisitionSchema& schema) override {
    v1::StreamRequisitionsResponse message;
    *message.mutable_schema() = schema;
    return Enqueue(Encode(message));
  }

  bool TakesEncodedRows() const override { return true; }
  bool OnEncodedPage(const importer::EncodedPage& encoded,
                     std::int32_t page) override {
    rows_ += encoded.rows();
    metrics::CountRowsImported("stream", encoded.rows());
    for (int message = 0; message < encoded.messages(); ++message) {
      grpc::Slice slice(encoded.MessageSize(message, page));
      encoded.WriteMessage(message, page, const_cast<uint8_t*>(slice.begin()));
      if (!Enqueue(grpc::ByteBuffer(&slice, 1))) return false;
    }
    return true;
  }

  // Reactions, on gRPC threads.
  void OnWriteDone(bool ok) override {
    std::unique_lock<std::mutex> lock(mu_);
    writing_ = false;
    if (!ok) stopped_ = true;
    Advance(lock);
  }

  void OnCancel() override {
    std::unique_lock<std::mutex> lock(mu_);
    stopped_ = true;
    Advance(lock);
  }

  void OnDone() override {
    worker_.join();
    delete this;
  }

 private:
  void Work() {
    absl::Status status = Import();
    rpc_.set_rows(rows_);
    const grpc::Status final_status = rpc_.Finish(status);
    std::unique_lock<std::mutex> lock(mu_);
    final_status_ = final_status;
    producing_ = false;
    Advance(lock);
  }

  absl::Status Import() {
    absl::Status admitted =
        AdmitCall(principal_, auth::Method::kStreamRequisitions);
    if (!admitted.ok()) return admitted;
    if (draining_) return ShuttingDown();
    if (running_.fetch_add(1) >= max_running_) {
      running_.fetch_sub(1);
      return absl::ResourceExhaustedError(
          absl::StrCat("the server is already running ", max_running_,
                       " imports, its most; try again shortly"));
    }
    absl::Status status = AdmittedImport();
    running_.fetch_sub(1);
    return status;
  }

  absl::Status AdmittedImport() {
    if (!request_.ok()) return request_.status();
    const v1::StreamRequisitionsRequest& request = *request_;
    absl::Status valid =
        importer::ValidateImportOptions(request.filter(), request.page_size());
    if (!valid.ok()) return valid;
    absl::StatusOr<std::unique_ptr<lever::LeverClient>> lever =
        OpenImport(core_, *principal_, auth::Method::kStreamRequisitions,
                   request.connection(), request.application());
    if (!lever.ok()) return lever.status();
    rpc_.Audit("started");

    importer::ImportOptions options;
    options.filter = request.filter();
    options.columns.assign(request.columns().begin(), request.columns().end());
    options.page_size = request.page_size();
    options.read_mode = request.read_mode();
    const lever::CallContext call = CallContextFor(
        *context_, [this] { return Stopped() || draining_.load(); });
    absl::StatusOr<v1::ImportSummary> summary = importer::RunRequisitionImport(
        **lever, options, *this, call, core_.clock());
    if (!summary.ok()) {
      if (Stopped()) return absl::CancelledError("the call was cancelled");
      if (draining_) return ShuttingDown();
      return summary.status();
    }
    LogSummary(*summary);
    v1::StreamRequisitionsResponse message;
    *message.mutable_summary() = std::move(*summary);
    if (!Enqueue(Encode(message))) {
      return absl::CancelledError("the call was cancelled");
    }
    return absl::OkStatus();
  }

  void LogSummary(const v1::ImportSummary& summary) const {
    std::string causes;
    for (const auto& [cause, count] : summary.retries_by_cause()) {
      absl::StrAppend(&causes, causes.empty() ? "" : ",", cause, ":", count);
    }
    log::Log(log::Severity::kInfo, "import finished",
             {{"connection", request_->connection()},
              {"application", request_->application()},
              {"rows", summary.rows()},
              {"pages", summary.pages()},
              {"retries", summary.retries()},
              {"retries_by_cause", causes},
              {"rate_limited", summary.rate_limited()},
              {"budget_wait_ms", ToMilliseconds(summary.budget_wait())},
              {"backoff_wait_ms", ToMilliseconds(summary.backoff_wait())},
              {"listing_restarts", summary.listing_restarts()},
              {"warnings", summary.warnings_size()}});
  }

  bool Stopped() {
    std::lock_guard<std::mutex> lock(mu_);
    return stopped_;
  }

  // Waits for room in the queue; false when the call is over.
  bool Enqueue(grpc::ByteBuffer message) {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock,
               [this] { return stopped_ || queue_.size() < kQueuedMessages; });
    if (stopped_) return false;
    queue_.push_back(std::move(message));
    Advance(lock);
    return true;
  }

  // Starts the next write, or finishes the call when everything is
  // written. Called with `lock` held; releases it before calling gRPC.
  void Advance(std::unique_lock<std::mutex>& lock) {
    room_.notify_all();
    if (writing_ || finished_) return;
    if (stopped_) queue_.clear();
    if (!queue_.empty()) {
      in_flight_ = std::move(queue_.front());
      queue_.pop_front();
      writing_ = true;
      lock.unlock();
      StartWrite(&in_flight_);
      return;
    }
    if (producing_) return;
    finished_ = true;
    const grpc::Status status = final_status_;
    lock.unlock();
    Finish(status);
  }

  std::atomic<int>& running_;  // imports running in the server
  const int max_running_;
  const std::atomic<bool>& draining_;  // the server is shutting down
  ServiceCore& core_;
  grpc::CallbackServerContext* context_;
  const absl::StatusOr<v1::StreamRequisitionsRequest> request_;
  const absl::StatusOr<auth::Principal> principal_;
  RpcLog rpc_;
  std::int64_t rows_ = 0;
  std::thread worker_;

  std::mutex mu_;
  std::condition_variable room_;
  std::deque<grpc::ByteBuffer> queue_;
  grpc::ByteBuffer in_flight_;
  bool writing_ = false;
  bool stopped_ = false;
  bool producing_ = true;
  bool finished_ = false;
  grpc::Status final_status_;
};

}  // namespace

grpc::Status ImportService::GetRequisitionSchema(
    grpc::ServerContext* context,
    const v1::GetRequisitionSchemaRequest* request,
    v1::RequisitionSchema* response) {
  const absl::StatusOr<auth::Principal> principal =
      authenticator_.Authenticate(*context);
  RpcLog rpc("GetRequisitionSchema", LoggedCaller(principal));
  rpc.set_connection(request->connection());
  absl::Status admitted =
      AdmitCall(principal, auth::Method::kGetRequisitionSchema);
  if (!admitted.ok()) return rpc.Finish(admitted);

  absl::StatusOr<std::unique_ptr<lever::LeverClient>> lever =
      OpenImport(core_, *principal, auth::Method::kGetRequisitionSchema,
                 request->connection(), request->application());
  if (!lever.ok()) return rpc.Finish(lever.status());
  absl::StatusOr<v1::RequisitionSchema> schema =
      importer::ReadRequisitionSchema(
          **lever, CallContextFor(
                       *context, [context] { return context->IsCancelled(); }));
  if (!schema.ok()) return rpc.Finish(schema.status());
  *response = std::move(*schema);
  return rpc.Finish(absl::OkStatus());
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* ImportService::StreamRequisitions(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  return new RequisitionStream(core_, authenticator_, context, *request,
                               running_imports_, max_imports_, draining_);
}

}  // namespace leverconnect::server

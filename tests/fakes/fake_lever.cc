#include "tests/fakes/fake_lever.h"

#include <httplib.h>

#include <ctime>
#include <exception>
#include <utility>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/socket.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tests/fakes/generated_custom_fields.h"
#include "tests/fakes/lever_endpoints.h"
#include "tests/fakes/lever_files.h"
#include "tests/fakes/requisition_generator.h"
#include "tests/fakes/requisition_store.h"

namespace leverconnect::testing {
namespace {

constexpr char kJsonContentType[] = "application/json; charset=utf-8";

// Each connection holds one handler thread while it is kept alive, so this
// leaves room for about 32 concurrent clients plus requests held by hooks.
constexpr std::size_t kHandlerThreads = 64;

// An idle kept-alive connection holds its thread, and Stop() waits for it,
// until this timeout; a short one keeps Stop() quick with pooled clients.
constexpr time_t kKeepAliveSeconds = 1;
constexpr std::size_t kRequestsPerConnection = 1000;

// Pending connections the kernel queues before they are accepted.
constexpr int kListenBacklog = 128;

struct ServedData {
  std::vector<StoredRequisition> requisitions;
  std::string requisition_fields_json = "[]";
};

absl::StatusOr<ServedData> LoadData(const FakeLeverOptions& options) {
  ServedData data;
  if (options.generate < 0) {
    return absl::InvalidArgumentError("generate must not be negative");
  }
  if (options.generate > 0) {
    data.requisitions = GenerateRequisitions(options.generate, options.seed);
    data.requisition_fields_json = GeneratedRequisitionFieldsJson();
    return data;
  }
  if (!options.requisitions_file.empty()) {
    absl::StatusOr<std::vector<StoredRequisition>> requisitions =
        LoadRequisitionsFile(options.requisitions_file);
    if (!requisitions.ok()) return requisitions.status();
    data.requisitions = *std::move(requisitions);
  }
  if (!options.requisition_fields_file.empty()) {
    absl::StatusOr<std::string> fields =
        LoadRequisitionFieldsFile(options.requisition_fields_file);
    if (!fields.ok()) return fields.status();
    data.requisition_fields_json = *std::move(fields);
  }
  return data;
}

bool IsWildcardHost(const std::string& host) {
  return host.empty() || host == "0.0.0.0" || host == "::";
}

}  // namespace

// httplib's server with a deeper accept queue: httplib listens with a
// backlog of 5, which makes dozens of simultaneous clients wait for SYN
// retries (a second or more each).
class HttpServer : public httplib::Server {
 public:
  // Listening again on a listening socket only changes its backlog.
  bool DeepenBacklog() { return ::listen(svr_sock_, kListenBacklog) == 0; }
};

absl::StatusOr<std::unique_ptr<FakeLever>> FakeLever::Start(
    const FakeLeverOptions& options) {
  try {
    absl::StatusOr<ServedData> data = LoadData(options);
    if (!data.ok()) return data.status();
    auto endpoints = std::make_unique<LeverEndpoints>(
        options.api_keys, RequisitionStore(std::move(data->requisitions)),
        std::move(data->requisition_fields_json));
    std::unique_ptr<FakeLever> lever(
        new FakeLever(options, std::move(endpoints)));
    absl::Status listening = lever->Listen();
    if (!listening.ok()) return listening;
    return lever;
  } catch (const std::exception& error) {
    return absl::InternalError(
        absl::StrCat("fake Lever failed to start: ", error.what()));
  }
}

FakeLever::FakeLever(const FakeLeverOptions& options,
                     std::unique_ptr<LeverEndpoints> endpoints)
    : options_(options),
      endpoints_(std::move(endpoints)),
      server_(std::make_unique<HttpServer>()) {}

FakeLever::~FakeLever() { Stop(); }

absl::Status FakeLever::Listen() {
  ConfigureServer();
  const absl::Status bound = Bind();
  if (!bound.ok()) return bound;

  listener_ = std::thread([this] {
    server_->listen_after_bind();
    listener_finished_ = true;
  });
  // Stop() only works once the server runs, so wait for that here.
  while (!server_->is_running() && !listener_finished_) {
    std::this_thread::yield();
  }
  if (server_->is_running()) return absl::OkStatus();
  listener_.join();
  return absl::InternalError("fake Lever stopped right after starting");
}

void FakeLever::ConfigureServer() {
  server_->new_task_queue = [] {
    return new httplib::ThreadPool(kHandlerThreads);
  };
  server_->set_keep_alive_timeout(kKeepAliveSeconds);
  server_->set_keep_alive_max_count(kRequestsPerConnection);

  // Every method and path goes to Serve(), which answers like Lever does.
  const auto serve = [this](const httplib::Request& request,
                            httplib::Response& response) {
    Serve(request, response);
  };
  server_->Get(".*", serve).Post(".*", serve).Put(".*", serve);
  server_->Patch(".*", serve).Delete(".*", serve).Options(".*", serve);
  server_->set_exception_handler([](const httplib::Request&,
                                    httplib::Response& response,
                                    std::exception_ptr) {
    response.status = 500;
    response.set_content(LeverErrorBody("InternalError", "fake Lever failed"),
                         kJsonContentType);
  });
}

absl::Status FakeLever::Bind() {
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
  } else if (server_->bind_to_port(options_.host, options_.port)) {
    port_ = options_.port;
  } else {
    port_ = -1;
  }
  if (port_ < 0 || !server_->DeepenBacklog()) {
    return absl::UnavailableError(absl::StrCat(
        "fake Lever cannot listen on ", options_.host, ":", options_.port));
  }
  return absl::OkStatus();
}

void FakeLever::Stop() {
  std::lock_guard<std::mutex> lock(stop_mutex_);
  if (!listener_.joinable()) return;
  server_->stop();
  listener_.join();
}

std::string FakeLever::base_url() const {
  const std::string host =
      IsWildcardHost(options_.host) ? "127.0.0.1" : options_.host;
  const bool ipv6 = host.find(':') != std::string::npos;
  return absl::StrCat("http://", ipv6 ? "[" : "", host, ipv6 ? "]" : "", ":",
                      port_, "/v1");
}

void FakeLever::Serve(const httplib::Request& request,
                      httplib::Response& response) {
  const int request_number = RecordArrival(request.path);
  std::shared_ptr<const RequestHook> hook;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    hook = hook_;
  }
  if (hook != nullptr) (*hook)(request_number, request.path);

  LeverReply reply = endpoints_->Answer(request);
  Deliver(reply, response);
  RecordAnswer(request.method, reply.route, response.status);
}

// The single place where an answer becomes what the client receives.
// Injected faults (429 with or without Retry-After, 5xx, HTML or truncated
// bodies, rate limiting, latency) belong here, decided per request number
// and route, so that the endpoints stay a faithful model of Lever.
void FakeLever::Deliver(LeverReply& reply, httplib::Response& response) {
  response.status = reply.status;
  response.body = std::move(reply.body);
  response.set_header("Content-Type", kJsonContentType);
}

int FakeLever::RecordArrival(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++arrivals_by_path_[path];
  return ++requests_received_;
}

void FakeLever::RecordAnswer(const std::string& method,
                             const std::string& route, int status) {
  const std::string key = absl::StrCat(method, " ", route, " ", status);
  std::lock_guard<std::mutex> lock(mutex_);
  ++answers_[key];
  ++answered_;
}

std::int64_t FakeLever::RequestCount(std::string_view path_prefix) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::int64_t count = 0;
  for (auto path = arrivals_by_path_.lower_bound(path_prefix);
       path != arrivals_by_path_.end() &&
       path->first.compare(0, path_prefix.size(), path_prefix) == 0;
       ++path) {
    count += path->second;
  }
  return count;
}

std::string FakeLever::StatsJson() const {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  std::lock_guard<std::mutex> lock(mutex_);
  writer.StartObject();
  writer.Key("requests");
  writer.StartObject();
  for (const auto& [key, count] : answers_) {
    writer.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
    writer.Int64(count);
  }
  writer.EndObject();
  writer.Key("total");
  writer.Int64(answered_);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

void FakeLever::SetRequestHook(RequestHook hook) {
  auto shared =
      hook ? std::make_shared<const RequestHook>(std::move(hook)) : nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  hook_ = std::move(shared);
}

}  // namespace leverconnect::testing

#include "tests/fakes/fake_lever.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <thread>
#include <utility>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "tests/fakes/fault_responses.h"
#include "tests/fakes/generated_custom_fields.h"
#include "tests/fakes/lever_endpoints.h"
#include "tests/fakes/lever_files.h"
#include "tests/fakes/local_http_server.h"
#include "tests/fakes/requisition_generator.h"
#include "tests/fakes/requisition_store.h"

namespace leverconnect::testing {
namespace {

// Answers StatsJson() without a key, outside what it counts.
constexpr char kStatsPath[] = "/_stats";

// Requests here are Lever's API: counted for faults, limited, delayed.
constexpr char kApiPath[] = "/v1";

// Stats show at most this many leading characters of an API key.
constexpr std::size_t kKeyPrefixLength = 4;

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

struct ServedData {
  std::vector<StoredRequisition> requisitions;
  std::string requisition_fields_json = "[]";
  std::vector<StoredUser> users;
};

absl::StatusOr<ServedData> LoadData(const FakeLeverOptions& options) {
  ServedData data;
  if (options.generate < 0) {
    return absl::InvalidArgumentError("generate must not be negative");
  }
  if (options.generate > 0) {
    data.requisitions = GenerateRequisitions(options.generate, options.seed);
    data.requisition_fields_json = GeneratedRequisitionFieldsJson();
    data.users = GenerateUsers(options.seed);
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
  if (!options.users_file.empty()) {
    absl::StatusOr<std::vector<StoredUser>> users =
        LoadUsersFile(options.users_file);
    if (!users.ok()) return users.status();
    data.users = *std::move(users);
  }
  return data;
}

absl::Status ValidateMisbehaviour(const FakeLeverOptions& options) {
  if (!std::isfinite(options.rate) || !std::isfinite(options.burst)) {
    return absl::InvalidArgumentError("rate and burst must be numbers");
  }
  if (options.burst > 0 && options.burst < 1) {
    return absl::InvalidArgumentError("burst must be 0 (automatic) or >= 1");
  }
  if (options.latency_ms < 0) {
    return absl::InvalidArgumentError("latency_ms must not be negative");
  }
  const absl::Status chances = ValidateFaultChances(options.faults);
  if (!chances.ok()) return chances;
  return ValidateFaultScript(options.fault_script);
}

double BucketSize(const FakeLeverOptions& options) {
  return options.burst > 0 ? options.burst : std::max(1.0, options.rate);
}

bool IsApiPath(const std::string& path) {
  const std::size_t length = sizeof(kApiPath) - 1;
  return path.compare(0, length, kApiPath) == 0 &&
         (path.size() == length || path[length] == '/');
}

// At most kKeyPrefixLength characters and at most half of `key`, then "…".
std::string KeyLabel(const std::string& key) {
  return key.substr(0, std::min(kKeyPrefixLength, key.size() / 2)) + "\u2026";
}

void WriteKey(const std::string& key, JsonWriter& writer) {
  writer.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
}

void WriteCounts(const std::map<std::string, std::int64_t>& counts,
                 JsonWriter& writer) {
  writer.StartObject();
  for (const auto& [key, count] : counts) {
    WriteKey(key, writer);
    writer.Int64(count);
  }
  writer.EndObject();
}

void WriteFaultCounts(const std::map<FaultKind, std::int64_t>& counts,
                      JsonWriter& writer) {
  writer.StartObject();
  for (FaultKind kind : kAllFaultKinds) {
    const std::string_view name = FaultKindName(kind);
    writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    const auto count = counts.find(kind);
    writer.Int64(count == counts.end() ? 0 : count->second);
  }
  writer.EndObject();
}

// Each key's maximum under its label, with "#2", "#3"... for repeats.
std::map<std::string, std::int64_t> MaximaByLabel(
    const std::map<std::string, SlidingWindowCounter>& windows) {
  std::map<std::string, std::int64_t> maxima;
  std::map<std::string, int> uses;
  for (const auto& [key, window] : windows) {
    std::string label = KeyLabel(key);
    const int use = ++uses[label];
    if (use > 1) absl::StrAppend(&label, "#", use);
    maxima[label] = window.Max();
  }
  return maxima;
}

}  // namespace

absl::StatusOr<std::unique_ptr<FakeLever>> FakeLever::Start(
    const FakeLeverOptions& options) {
  const absl::Status valid = ValidateMisbehaviour(options);
  if (!valid.ok()) return valid;
  try {
    absl::StatusOr<ServedData> data = LoadData(options);
    if (!data.ok()) return data.status();
    auto endpoints = std::make_unique<LeverEndpoints>(
        options.api_keys, RequisitionStore(std::move(data->requisitions)),
        std::move(data->requisition_fields_json),
        UserStore(std::move(data->users)), options.drafts);
    std::unique_ptr<FakeLever> lever(
        new FakeLever(options, std::move(endpoints)));
    absl::StatusOr<std::unique_ptr<LocalHttpServer>> server =
        LocalHttpServer::Start(
            "fake Lever", options.host, options.port,
            [lever = lever.get()](const httplib::Request& request,
                                  httplib::Response& response) {
              lever->Serve(request, response);
            },
            LeverErrorBody("InternalError", "fake Lever failed"));
    if (!server.ok()) return server.status();
    lever->server_ = *std::move(server);
    return lever;
  } catch (const std::exception& error) {
    return absl::InternalError(
        absl::StrCat("fake Lever failed to start: ", error.what()));
  }
}

FakeLever::FakeLever(const FakeLeverOptions& options,
                     std::unique_ptr<LeverEndpoints> endpoints)
    : options_(options),
      fault_plan_(options.faults, options.fault_seed, options.fault_script),
      endpoints_(std::move(endpoints)) {}

FakeLever::~FakeLever() { Stop(); }

void FakeLever::Stop() {
  if (server_ != nullptr) server_->Stop();
}

int FakeLever::port() const { return server_->port(); }

std::string FakeLever::base_url() const {
  return absl::StrCat(server_->origin(), kApiPath);
}

void FakeLever::Serve(const httplib::Request& request,
                      httplib::Response& response) {
  if (request.method == "GET" && request.path == kStatsPath) {
    response.set_content(StatsJson(), kJsonContentType);
    return;
  }
  const Arrival arrival = RecordArrival(request);
  CallHook(arrival.number, request.path);
  if (arrival.disturbed && options_.latency_ms > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(options_.latency_ms));
  }
  const std::string status = Deliver(request, arrival, response);
  RecordAnswer(request.method, endpoints_->Route(request), status);
}

FakeLever::Arrival FakeLever::RecordArrival(const httplib::Request& request) {
  const bool api = IsApiPath(request.path);
  const std::string key = api ? RequestApiKey(request) : "";
  const bool known_key = !key.empty() && options_.api_keys.count(key) > 0;
  Arrival arrival;
  std::lock_guard<std::mutex> lock(mutex_);
  ++arrivals_by_path_[request.path];
  arrival.number = ++requests_received_;
  if (!api) return arrival;

  arrival.disturbed = true;
  arrival.fault = fault_plan_.For(++api_requests_);
  const RateClock::time_point now = RateClock::now();
  api_window_.Add(now);
  if (known_key) {
    windows_by_key_[key].Add(now);
    LimitRate(key, now, arrival);
  }
  return arrival;
}

void FakeLever::LimitRate(const std::string& key, RateClock::time_point now,
                          Arrival& arrival) {
  if (options_.rate <= 0) return;
  TokenBucket& bucket =
      buckets_.try_emplace(key, options_.rate, BucketSize(options_))
          .first->second;
  if (bucket.Take(now)) return;
  arrival.rate_limited = true;
  ++rate_limited_;
  if (options_.retry_after) {
    arrival.retry_after_seconds = bucket.SecondsUntilToken();
  }
}

void FakeLever::CallHook(int request_number, const std::string& path) {
  std::shared_ptr<const RequestHook> hook;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    hook = hook_;
  }
  if (hook != nullptr) (*hook)(request_number, path);
}

// The single place where an answer becomes what the client receives, so
// that the endpoints stay a faithful model of Lever: the rate limit first,
// then an injected fault, then the endpoints' answer.
std::string FakeLever::Deliver(const httplib::Request& request,
                               const Arrival& arrival,
                               httplib::Response& response) {
  if (arrival.rate_limited) {
    SetTooManyRequests(arrival.retry_after_seconds, response);
  } else if (arrival.fault && FaultApplies(*arrival.fault, request)) {
    CountFault(*arrival.fault);
    if (*arrival.fault == FaultKind::kLost) endpoints_->Answer(request);
    if (*arrival.fault == FaultKind::kReset ||
        *arrival.fault == FaultKind::kLost) {
      ResetConnection(request, response);
      return "reset";
    }
    DeliverFault(*arrival.fault, request, response);
  } else {
    LeverReply reply = endpoints_->Answer(request);
    response.status = reply.status;
    response.body = std::move(reply.body);
    response.set_header("Content-Type", kJsonContentType);
  }
  return std::to_string(response.status);
}

void FakeLever::DeliverFault(FaultKind kind, const httplib::Request& request,
                             httplib::Response& response) {
  if (kind != FaultKind::kTruncate) {
    SetFaultResponse(kind, options_.retry_after, response);
    return;
  }
  LeverReply reply = endpoints_->Answer(request);
  SetTruncated(reply.status, std::move(reply.body), response);
}

void FakeLever::RecordAnswer(const std::string& method,
                             const std::string& route,
                             const std::string& status) {
  const std::string key = absl::StrCat(method, " ", route, " ", status);
  std::lock_guard<std::mutex> lock(mutex_);
  ++answers_[key];
  ++answered_;
}

void FakeLever::CountFault(FaultKind kind) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++faults_[kind];
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
  JsonWriter writer(buffer);
  std::lock_guard<std::mutex> lock(mutex_);
  writer.StartObject();
  writer.Key("requests");
  WriteCounts(answers_, writer);
  writer.Key("total");
  writer.Int64(answered_);
  writer.Key("rate_limited");
  writer.Int64(rate_limited_);
  writer.Key("faults");
  WriteFaultCounts(faults_, writer);
  writer.Key("max_requests_per_second");
  writer.Int64(api_window_.Max());
  writer.Key("max_requests_per_second_by_key");
  WriteCounts(MaximaByLabel(windows_by_key_), writer);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::int64_t FakeLever::RateLimitedCount() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rate_limited_;
}

std::int64_t FakeLever::MaxRequestsPerSecond() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return api_window_.Max();
}

std::int64_t FakeLever::FaultCount(FaultKind kind) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto count = faults_.find(kind);
  return count == faults_.end() ? 0 : count->second;
}

absl::Status FakeLever::EditRequisition(std::string_view id,
                                        std::string_view patch_json) {
  return endpoints_->EditRequisition(id, patch_json);
}

std::optional<std::string> FakeLever::RequisitionByCode(
    std::string_view code) const {
  return endpoints_->RequisitionByCode(code);
}

std::size_t FakeLever::RequisitionCount() const {
  return endpoints_->RequisitionCount();
}

void FakeLever::SetRequestHook(RequestHook hook) {
  auto shared =
      hook ? std::make_shared<const RequestHook>(std::move(hook)) : nullptr;
  std::lock_guard<std::mutex> lock(mutex_);
  hook_ = std::move(shared);
}

}  // namespace leverconnect::testing

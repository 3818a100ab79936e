#include "tests/fakes/fake_pigment.h"

#include <httplib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <utility>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/fakes/connection_abort.h"
#include "tests/fakes/local_http_server.h"

namespace leverconnect::testing {
namespace {

constexpr char kStatsPath[] = "/_stats";
constexpr char kPushPath[] = "/api/v1/import/push/csv";
// A status path is kImportPrefix + import id + kStatusSuffix.
constexpr char kImportPrefix[] = "/api/v1/import/";
constexpr char kStatusSuffix[] = "/status";

constexpr char kJsonContentType[] = "application/json; charset=utf-8";
constexpr absl::Duration kPushLimitWindow = absl::Hours(1);

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void WriteString(JsonWriter& writer, const std::string& text) {
  writer.String(text.c_str(), static_cast<rapidjson::SizeType>(text.size()));
}

std::string Text(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

// {"code": code, "message": message}, the fake's error bodies.
std::string ErrorBody(const std::string& code, const std::string& message) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("code");
  WriteString(writer, code);
  writer.Key("message");
  WriteString(writer, message);
  writer.EndObject();
  return Text(buffer);
}

void SetError(int status, const std::string& code, const std::string& message,
              httplib::Response& response) {
  response.status = status;
  response.set_content(ErrorBody(code, message), kJsonContentType);
}

bool IsFaultStatus(int status) {
  return status == kResetConnection || (status >= 400 && status <= 599);
}

absl::Status ValidateFailures(const char* name,
                              const ScriptedFailures& failures) {
  if (failures.count < 0 || !IsFaultStatus(failures.status)) {
    return absl::InvalidArgumentError(absl::StrCat(
        name,
        ": the count must not be negative and the status must be 400 "
        "to 599, or 0 for a reset"));
  }
  return absl::OkStatus();
}

absl::Status ValidateOptions(const FakePigmentOptions& options) {
  std::set<std::string> ids;
  for (const ImportConfiguration& configuration : options.configurations) {
    absl::Status valid = ValidateImportConfiguration(configuration);
    if (!valid.ok()) return valid;
    if (!ids.insert(configuration.id).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "import configuration \"", configuration.id, "\" given twice"));
    }
  }
  if (options.push_limit < 0 || options.status_polls_before_done < 0 ||
      options.delay < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "push_limit, status_polls_before_done and delay must not be "
        "negative");
  }
  absl::Status pushes =
      ValidateFailures("push_failures", options.push_failures);
  if (!pushes.ok()) return pushes;
  return ValidateFailures("status_poll_failures", options.status_poll_failures);
}

absl::Status PrepareKeepDir(const std::string& keep_dir) {
  if (keep_dir.empty()) return absl::OkStatus();
  std::error_code error;
  std::filesystem::create_directories(keep_dir, error);
  if (error || !std::filesystem::is_directory(keep_dir)) {
    return absl::InvalidArgumentError(
        absl::StrCat("keep_dir \"", keep_dir, "\" is not a usable folder"));
  }
  return absl::OkStatus();
}

// The import id of a status path, or "" when `path` is not one.
std::string StatusPathImportId(const std::string& path) {
  if (!absl::StartsWith(path, kImportPrefix) ||
      !absl::EndsWith(path, kStatusSuffix)) {
    return "";
  }
  const std::size_t start = sizeof(kImportPrefix) - 1;
  const std::size_t end = path.size() - (sizeof(kStatusSuffix) - 1);
  if (end <= start) return "";
  const std::string id = path.substr(start, end - start);
  return id.find('/') == std::string::npos ? id : "";
}

// What a gateway in front of Pigment, or Pigment, answers for a fault.
void SetFaultResponse(int status, httplib::Response& response) {
  response.status = status;
  if (status == 429) {
    response.set_content(ErrorBody("TooManyRequests", "Too many requests"),
                         kJsonContentType);
  } else if (status == 502 || status == 503 || status == 504) {
    response.set_content(
        absl::StrCat("<html><body><h1>", status,
                     "</h1><p>The gateway could not reach the service.</p>"
                     "</body></html>"),
        "text/html");
  } else {
    response.set_content(
        ErrorBody("InjectedFault", absl::StrCat("injected HTTP ", status)),
        kJsonContentType);
  }
}

void WriteSkippedRows(const SkippedRows& rows, JsonWriter& writer) {
  writer.StartObject();
  writer.Key("count");
  writer.Int64(rows.count);
  writer.Key("reason");
  WriteString(writer, rows.reason);
  writer.Key("sourceColumnName");
  WriteString(writer, rows.source_column);
  writer.Key("samples");
  writer.StartArray();
  for (const std::string& sample : rows.samples) WriteString(writer, sample);
  writer.EndArray();
  writer.EndObject();
}

void WriteDetailedReport(const ImportOutcome& outcome, const std::string& block,
                         JsonWriter& writer) {
  writer.StartObject();
  writer.Key("summary");
  writer.StartObject();
  writer.Key("inserted");
  writer.Int64(outcome.inserted);
  writer.Key("updated");
  writer.Int64(outcome.updated);
  writer.Key("deleted");
  writer.Int64(0);
  writer.Key("skipped");
  writer.Int64(outcome.skipped);
  writer.EndObject();
  writer.Key("impactedBlocks");
  writer.StartArray();
  writer.StartObject();
  writer.Key("name");
  WriteString(writer, block);
  writer.Key("skippedData");
  writer.StartArray();
  for (const SkippedRows& rows : outcome.skipped_rows) {
    WriteSkippedRows(rows, writer);
  }
  writer.EndArray();
  writer.EndObject();
  writer.EndArray();
  writer.EndObject();
}

// The answer to a status poll: InProgress until `done`, then Completed,
// or Failed with `failure` as its error when that is not empty. With an
// `outcome`, the detailed report too (null while in progress).
std::string StatusJson(const std::string& import_id, bool done,
                       const std::string& failure, const ImportOutcome* outcome,
                       const std::string& block) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("importId");
  WriteString(writer, import_id);
  writer.Key("importStatus");
  writer.String(!done             ? "InProgress"
                : failure.empty() ? "Completed"
                                  : "Failed");
  writer.Key("errorsDetails");
  writer.StartArray();
  if (done && !failure.empty()) {
    writer.StartObject();
    writer.Key("name");
    writer.String("ImportFailed");
    writer.Key("description");
    WriteString(writer, failure);
    writer.EndObject();
  }
  writer.EndArray();
  if (outcome != nullptr) {
    writer.Key("detailedReport");
    if (done) {
      WriteDetailedReport(*outcome, block, writer);
    } else {
      writer.Null();
    }
  }
  writer.EndObject();
  return Text(buffer);
}

void SetUnauthorized(httplib::Response& response) {
  SetError(401, "Unauthorized", "invalid or missing import API key", response);
}

}  // namespace

absl::StatusOr<std::unique_ptr<FakePigment>> FakePigment::Start(
    FakePigmentOptions options) {
  absl::Status valid = ValidateOptions(options);
  if (!valid.ok()) return valid;
  absl::Status kept = PrepareKeepDir(options.keep_dir);
  if (!kept.ok()) return kept;

  std::unique_ptr<FakePigment> pigment(new FakePigment(std::move(options)));
  absl::StatusOr<std::unique_ptr<LocalHttpServer>> server =
      LocalHttpServer::Start(
          "fake Pigment", pigment->options_.host, pigment->options_.port,
          [pigment = pigment.get()](const httplib::Request& request,
                                    httplib::Response& response) {
            pigment->Serve(request, response);
          },
          ErrorBody("InternalServerError", "fake Pigment failed"));
  if (!server.ok()) return server.status();
  pigment->server_ = *std::move(server);
  return pigment;
}

FakePigment::FakePigment(FakePigmentOptions options)
    : options_(std::move(options)),
      random_(std::random_device{}()),
      push_failures_(options_.push_failures),
      status_poll_failures_(options_.status_poll_failures) {}

FakePigment::~FakePigment() { Stop(); }

void FakePigment::Stop() {
  if (server_ != nullptr) server_->Stop();
}

int FakePigment::port() const { return server_->port(); }

std::string FakePigment::base_url() const { return server_->origin(); }

absl::Time FakePigment::Now() const {
  return options_.now ? options_.now() : absl::Now();
}

void FakePigment::Serve(const httplib::Request& request,
                        httplib::Response& response) {
  if (request.method == "GET" && request.path == kStatsPath) {
    response.set_content(StatsJson(), kJsonContentType);
    return;
  }
  if (request.method == "POST" && request.path == kPushPath) {
    Push(request, response);
    return;
  }
  const std::string import_id = StatusPathImportId(request.path);
  if (request.method == "GET" && !import_id.empty()) {
    AnswerStatus(import_id, request, response);
    return;
  }
  SetError(404, "NotFound",
           absl::StrCat("no endpoint ", request.method, " ", request.path),
           response);
}

bool FakePigment::Admit(std::int64_t& counter, ScriptedFailures& failures,
                        const httplib::Request& request,
                        httplib::Response& response) {
  int fault = -1;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++counter;
    if (failures.count > 0) {
      --failures.count;
      ++faults_;
      fault = failures.status;
    }
  }
  if (fault >= 0) {
    DeliverFault(fault, request, response);
    return false;
  }
  if (!Authorized(request)) {
    SetUnauthorized(response);
    return false;
  }
  return true;
}

void FakePigment::DeliverFault(int status, const httplib::Request& request,
                               httplib::Response& response) {
  if (status != kResetConnection) {
    SetFaultResponse(status, response);
  } else if (!AbortConnection(request)) {
    // The reset did not happen; a gateway error is the nearest thing.
    SetFaultResponse(502, response);
  }
}

bool FakePigment::Authorized(const httplib::Request& request) const {
  const std::string header = request.get_header_value("Authorization");
  constexpr std::size_t kSchemeLength = sizeof("Bearer ") - 1;
  if (header.size() <= kSchemeLength ||
      !absl::EqualsIgnoreCase(header.substr(0, kSchemeLength), "Bearer ")) {
    return false;
  }
  return options_.api_keys.count(header.substr(kSchemeLength)) > 0;
}

const ImportConfiguration* FakePigment::FindConfiguration(
    const std::string& id) const {
  for (const ImportConfiguration& configuration : options_.configurations) {
    if (configuration.id == id) return &configuration;
  }
  return nullptr;
}

bool FakePigment::TakePushSlot(const std::string& configuration_id,
                               absl::Time now) {
  std::deque<absl::Time>& recent = recent_pushes_[configuration_id];
  while (!recent.empty() && now - recent.front() >= kPushLimitWindow) {
    recent.pop_front();
  }
  if (static_cast<int>(recent.size()) >= options_.push_limit) return false;
  recent.push_back(now);
  return true;
}

void FakePigment::Push(const httplib::Request& request,
                       httplib::Response& response) {
  if (!Admit(pushes_, push_failures_, request, response)) return;
  const std::string id = request.get_param_value("configurationId");
  const ImportConfiguration* configuration = FindConfiguration(id);
  if (configuration == nullptr) {
    SetError(404, "NotFound",
             absl::StrCat("no import configuration \"", id, "\""), response);
    return;
  }
  const absl::Time now = Now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!TakePushSlot(id, now)) {
      ++rate_limited_;
      files_.push_back({id, "", 429, request.body, 0});
      SetError(429, "TooManyRequests",
               absl::StrCat("more than ", options_.push_limit,
                            " pushes to this import configuration in an hour"),
               response);
      return;
    }
  }
  Receive(*configuration, request, response);
}

void FakePigment::Receive(const ImportConfiguration& configuration,
                          const httplib::Request& request,
                          httplib::Response& response) {
  const bool failing = !configuration.fail_with.empty();
  std::lock_guard<std::mutex> lock(mutex_);
  // A failing import imports nothing, so it must not remember ids.
  std::set<std::string> ignored_ids;
  absl::StatusOr<ImportOutcome> outcome =
      CheckImportFile(configuration, request.body,
                      failing ? ignored_ids : seen_ids_[configuration.id]);
  if (!outcome.ok()) {
    files_.push_back({configuration.id, "", 400, request.body, 0});
    SetError(400, "BadRequest", std::string(outcome.status().message()),
             response);
    return;
  }
  const std::string import_id = NewImportId();
  files_.push_back(
      {configuration.id, import_id, 200, request.body, outcome->rows});
  Import& import = imports_[import_id];
  import.configuration_id = configuration.id;
  import.pushed_at = Now();
  import.failure = configuration.fail_with;
  if (failing) {
    import.outcome.rows = outcome->rows;
  } else {
    import.outcome = *std::move(outcome);
  }
  Keep(import_id, request.body);

  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("importId");
  WriteString(writer, import_id);
  writer.EndObject();
  response.set_content(Text(buffer), kJsonContentType);
}

std::string FakePigment::NewImportId() {
  const std::uint64_t high = random_();
  const std::uint64_t low = random_();
  // A version 4 UUID: random but for the version and variant bits.
  return absl::StrFormat(
      "%08x-%04x-4%03x-%04x-%012x", high >> 32, (high >> 16) & 0xffff,
      high & 0x0fff, 0x8000 | ((low >> 48) & 0x3fff), low & 0xffffffffffffULL);
}

void FakePigment::Keep(const std::string& import_id,
                       const std::string& body) const {
  if (options_.keep_dir.empty()) return;
  const std::filesystem::path path =
      std::filesystem::path(options_.keep_dir) / (import_id + ".csv");
  std::ofstream(path, std::ios::binary) << body;
}

void FakePigment::AnswerStatus(const std::string& import_id,
                               const httplib::Request& request,
                               httplib::Response& response) {
  if (!Admit(status_polls_, status_poll_failures_, request, response)) {
    return;
  }
  const bool detailed =
      request.get_param_value("includedDetailedReport") == "true";
  const absl::Time now = Now();

  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = imports_.find(import_id);
  if (found == imports_.end()) {
    SetError(404, "NotFound", absl::StrCat("no import \"", import_id, "\""),
             response);
    return;
  }
  Import& import = found->second;
  const bool done =
      import.polls_answered >= options_.status_polls_before_done &&
      now - import.pushed_at >= options_.delay;
  ++import.polls_answered;
  const ImportConfiguration* configuration =
      FindConfiguration(import.configuration_id);
  response.set_content(
      StatusJson(import_id, done, import.failure,
                 detailed ? &import.outcome : nullptr, configuration->block),
      kJsonContentType);
}

std::vector<ReceivedFile> FakePigment::files() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return files_;
}

std::int64_t FakePigment::push_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return pushes_;
}

std::int64_t FakePigment::status_poll_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return status_polls_;
}

void FakePigment::FailNextPushes(int count, int status) {
  std::lock_guard<std::mutex> lock(mutex_);
  push_failures_ = {count, status};
}

void FakePigment::FailNextStatusPolls(int count, int status) {
  std::lock_guard<std::mutex> lock(mutex_);
  status_poll_failures_ = {count, status};
}

std::string FakePigment::StatsJson() const {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  std::lock_guard<std::mutex> lock(mutex_);
  writer.StartObject();
  writer.Key("pushes");
  writer.Int64(pushes_);
  writer.Key("status_polls");
  writer.Int64(status_polls_);
  writer.Key("rate_limited");
  writer.Int64(rate_limited_);
  writer.Key("faults");
  writer.Int64(faults_);
  writer.Key("files");
  writer.StartArray();
  for (const ReceivedFile& file : files_) {
    writer.StartObject();
    writer.Key("configuration_id");
    WriteString(writer, file.configuration_id);
    writer.Key("import_id");
    WriteString(writer, file.import_id);
    writer.Key("status");
    writer.Int(file.http_status);
    writer.Key("bytes");
    writer.Uint64(file.bytes.size());
    writer.Key("rows");
    writer.Int64(file.rows);
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return Text(buffer);
}

}  // namespace leverconnect::testing

#include "server/import_runner.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <system_error>

#include <sys/stat.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "lib/auth/principal.h"
#include "lib/crypto/random_id.h"
#include "lib/csv/csv_writer.h"
#include "lib/importer/requisition_import.h"
#include "lib/log/log.h"
#include "lib/mapping/requisition_schema.h"
#include "lib/metrics/metrics.h"

namespace leverconnect::server {
namespace {

using google::protobuf::util::TimeUtil;

constexpr absl::string_view kImportsInfix = "/imports/";
constexpr std::size_t kMaxRequestId = 100;
constexpr std::size_t kMaxConfigurationId = 100;
constexpr absl::string_view kPartSuffix = ".part";
// Longer list separators only make files bigger.
constexpr std::size_t kMaxListSeparator = 16;

absl::Time FromProto(const google::protobuf::Timestamp& time) {
  return absl::FromUnixMicros(TimeUtil::TimestampToMicroseconds(time));
}

google::protobuf::Duration ToProto(absl::Duration duration) {
  return TimeUtil::MicrosecondsToDuration(absl::ToInt64Microseconds(duration));
}

bool IsRunId(absl::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-';
  });
}

absl::StatusOr<csv::CsvFormat> FormatFrom(const v1::CsvFormat& csv) {
  csv::CsvFormat format;
  if (csv.separator() == ";") {
    format.separator = ';';
  } else if (!csv.separator().empty() && csv.separator() != ",") {
    return absl::InvalidArgumentError(
        absl::StrCat("csv.separator must be \",\" or \";\", not \"",
                     Echo(csv.separator()), "\""));
  }
  format.byte_order_mark = csv.byte_order_mark();
  if (csv.list_separator().size() > kMaxListSeparator) {
    return absl::InvalidArgumentError(absl::StrCat(
        "csv.list_separator is longer than ", kMaxListSeparator, " bytes"));
  }
  if (!csv.list_separator().empty()) {
    format.list_separator = csv.list_separator();
  }
  for (int i = 0; i < csv.columns_size(); ++i) {
    if (!v1::DateFormat_IsValid(csv.columns(i).date_format())) {
      return absl::InvalidArgumentError(
          absl::StrCat("csv.columns[", i, "].date_format ",
                       csv.columns(i).date_format(), " is not a DateFormat"));
    }
  }
  return format;
}

std::vector<csv::CsvColumn> ColumnsFrom(const v1::CsvFormat& csv) {
  std::vector<csv::CsvColumn> columns;
  for (const v1::CsvColumn& column : csv.columns()) {
    csv::CsvColumn& out = columns.emplace_back();
    out.column = column.column();
    out.header = column.header();
    out.date_format = column.date_format() == v1::DATE_FORMAT_DATE
                          ? csv::DateFormat::kDate
                          : csv::DateFormat::kDateTime;
  }
  return columns;
}

// The schema columns a mapping reads, each once, in mapping order; empty
// (every column) for the default mapping.
std::vector<std::string> SourceColumns(const v1::CsvFormat& csv) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const v1::CsvColumn& column : csv.columns()) {
    if (seen.insert(column.column()).second) names.push_back(column.column());
  }
  return names;
}

// The writer's complaint about the request's `csv` field, naming it as the
// request does ("csv.columns[2]: ...", "csv.list_separator ...").
absl::Status CsvError(const absl::Status& status) {
  absl::string_view message = status.message();
  absl::ConsumePrefix(&message, "format.");
  return absl::InvalidArgumentError(absl::StrCat("csv.", message));
}

// Checks the CSV format and mapping without asking Lever: standard columns
// must exist; custom ones ("custom.*") are checked when the run reads the
// account's fields.
absl::Status ValidateCsv(const v1::CsvFormat& csv) {
  absl::StatusOr<csv::CsvFormat> format = FormatFrom(csv);
  if (!format.ok()) return format.status();
  v1::RequisitionSchema schema = mapping::BuildRequisitionSchema({});
  std::set<std::string> known;
  for (const v1::Column& column : schema.columns()) known.insert(column.name());
  for (const v1::CsvColumn& column : csv.columns()) {
    if (absl::StartsWith(column.column(), "custom.") &&
        known.insert(column.column()).second) {
      v1::Column* custom = schema.add_columns();
      custom->set_name(column.column());
      // Any type allows every date format; the real one is checked later.
      custom->set_type(v1::COLUMN_TYPE_TIMESTAMP);
    }
  }
  absl::StatusOr<csv::CsvWriter> writer =
      csv::CsvWriter::Create(schema, ColumnsFrom(csv), *format);
  return writer.ok() ? absl::OkStatus() : CsvError(writer.status());
}

absl::Status ValidateDestination(const v1::PigmentDestination& destination) {
  const std::string& id = destination.configuration_id();
  if (id.empty()) {
    return absl::InvalidArgumentError(
        "destination.configuration_id is required (the id of the Pigment "
        "import configuration)");
  }
  const bool well_formed =
      id.size() <= kMaxConfigurationId &&
      std::all_of(id.begin(), id.end(), [](char c) {
        return absl::ascii_isalnum(c) || c == '-' || c == '_';
      });
  if (!well_formed) {
    return absl::InvalidArgumentError(
        absl::StrCat("destination.configuration_id \"", Echo(id),
                     "\" is not a Pigment configuration id (letters, digits, "
                     "'-' and '_', at most ",
                     kMaxConfigurationId, ")"));
  }
  return absl::OkStatus();
}

// `run` when it was made by a request like `request` (a repeat of its
// request_id), else INVALID_ARGUMENT naming what differs.
absl::StatusOr<v1::ImportRun> SameRequest(
    absl::StatusOr<v1::ImportRun> run, const v1::StartImportRequest& request) {
  if (!run.ok()) return run;
  using google::protobuf::util::MessageDifferencer;
  std::vector<std::string> differing;
  if (!MessageDifferencer::Equals(run->filter(), request.filter())) {
    differing.push_back("filter");
  }
  if (!MessageDifferencer::Equals(run->csv(), request.csv())) {
    differing.push_back("csv");
  }
  if (!MessageDifferencer::Equals(run->destination(), request.destination())) {
    differing.push_back("destination");
  }
  if (run->allow_empty() != request.allow_empty()) {
    differing.push_back("allow_empty");
  }
  if (differing.empty()) return run;
  return RequestIdReusedError(request.request_id(), run->name(), differing);
}

}  // namespace

absl::Status ValidateStartImport(const v1::StartImportRequest& request) {
  if (request.request_id().size() > kMaxRequestId) {
    return absl::InvalidArgumentError(absl::StrCat(
        "request_id is longer than ", kMaxRequestId, " characters"));
  }
  absl::Status status =
      importer::ValidateImportOptions(request.filter(), /*page_size=*/0);
  if (status.ok()) status = ValidateCsv(request.csv());
  if (status.ok()) status = ValidateDestination(request.destination());
  return status;
}

namespace {

v1::ImportRunError MakeError(const absl::Status& status,
                             absl::string_view reason) {
  v1::ImportRunError error;
  error.set_code(static_cast<int>(status.code()));
  error.set_reason(std::string(reason));
  error.set_message(std::string(status.message()));
  return error;
}

absl::string_view StateWord(v1::ImportRunState state) {
  switch (state) {
    case v1::IMPORT_RUN_STATE_QUEUED:
      return "queued";
    case v1::IMPORT_RUN_STATE_EXTRACTING:
      return "extracting";
    case v1::IMPORT_RUN_STATE_PUSHING:
      return "pushing";
    case v1::IMPORT_RUN_STATE_WAITING_FOR_PIGMENT:
      return "waiting for Pigment";
    default:
      return "running";
  }
}

// The state as a metrics label: "queued", "succeeded_with_skipped_rows".
std::string MetricState(v1::ImportRunState state) {
  return absl::AsciiStrToLower(
      absl::StripPrefix(v1::ImportRunState_Name(state), "IMPORT_RUN_STATE_"));
}

// Why a run that was `state` when the server stopped is over.
v1::ImportRunError Interrupted(const v1::ImportRun& run) {
  std::string message = absl::StrCat("the server stopped while the run was ",
                                     StateWord(run.state()), "; ");
  if (!run.pigment().import_id().empty()) {
    absl::StrAppend(&message, "Pigment had accepted the file as import ",
                    run.pigment().import_id(),
                    "; check its outcome in Pigment");
  } else if (run.state() == v1::IMPORT_RUN_STATE_PUSHING) {
    absl::StrAppend(&message,
                    "Pigment may or may not have received the file; check "
                    "Pigment before starting the import again");
  } else {
    absl::StrAppend(&message,
                    "nothing was sent to Pigment; start the import again");
  }
  return MakeError(absl::AbortedError(message), "interrupted");
}

// Closes `file` after writing its data to disk.
absl::Status CloseDurably(std::FILE* file, const std::string& path) {
  bool ok = std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0;
  const int error = errno;
  ok = std::fclose(file) == 0 && ok;
  if (ok) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("cannot write the spool file ", path,
                                          ": ", std::strerror(error)));
}

void RemoveQuietly(const std::string& path) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

}  // namespace

bool IsFinished(v1::ImportRunState state) {
  return state == v1::IMPORT_RUN_STATE_SUCCEEDED ||
         state == v1::IMPORT_RUN_STATE_SUCCEEDED_WITH_SKIPPED_ROWS ||
         state == v1::IMPORT_RUN_STATE_FAILED ||
         state == v1::IMPORT_RUN_STATE_CANCELLED;
}

std::string ImportRunName(const std::string& connection_id,
                          const std::string& run_id) {
  return absl::StrCat("connections/", connection_id, kImportsInfix, run_id);
}

absl::StatusOr<std::pair<std::string, std::string>> ParseImportRunName(
    absl::string_view name, absl::string_view field) {
  if (name.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  const std::size_t infix = name.find(kImportsInfix);
  absl::StatusOr<std::string> connection =
      infix == absl::string_view::npos
          ? absl::InvalidArgumentError("")
          : ServiceCore::ParseConnectionName(name.substr(0, infix), field);
  const absl::string_view run_id =
      infix == absl::string_view::npos
          ? absl::string_view()
          : name.substr(infix + kImportsInfix.size());
  if (!connection.ok() || !IsRunId(run_id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " \"", Echo(name),
        "\" is not of the form connections/{connection_id}/imports/"
        "{import_id}"));
  }
  return std::make_pair(*connection, std::string(run_id));
}

struct ImportRunner::ActiveRun {
  v1::ImportRun run;                // guarded by the runner's mu_
  std::atomic<bool> cancel{false};  // the user cancelled the run
  std::atomic<bool> stop{false};    // the server is stopping
};

// Writes one run's rows into its spool file and reports its progress.
class ImportRunner::Execution : public importer::RowSink {
 public:
  Execution(ImportRunner& runner, ActiveRun& active, v1::ImportRun& run,
            const lever::LeverClient& lever, std::FILE* file)
      : runner_(runner),
        active_(active),
        run_(run),
        lever_(lever),
        file_(file),
        last_publish_(runner.core_.clock().Now()),
        last_store_(last_publish_) {}

  bool OnSchema(const v1::RequisitionSchema& schema) override {
    absl::StatusOr<csv::CsvFormat> format = FormatFrom(run_.csv());
    if (!format.ok()) {
      failure_ = MakeError(format.status(), "columns");
      return false;
    }
    absl::StatusOr<csv::CsvWriter> writer =
        csv::CsvWriter::Create(schema, ColumnsFrom(run_.csv()), *format);
    if (!writer.ok()) {
      failure_ = MakeError(CsvError(writer.status()), "columns");
      return false;
    }
    writer_.emplace(std::move(*writer));
    buffer_ = writer_->HeaderRow();
    return Write();
  }

  bool OnBatch(const v1::RowBatch& batch) override {
    buffer_.clear();
    for (const v1::Row& row : batch.rows()) {
      writer_->AppendRow(row, &buffer_);
      if (row.warnings_size() > 0) ++rows_with_warnings_;
    }
    rows_ += batch.rows_size();
    ++pages_;
    metrics::CountRowsImported("import_run", batch.rows_size());
    if (!Write()) return false;
    const absl::Time now = runner_.core_.clock().Now();
    if (now - last_publish_ >= runner_.options_.publish_interval) {
      const bool store = now - last_store_ >= runner_.options_.store_interval;
      last_publish_ = now;
      if (store) last_store_ = now;
      UpdateProgress();
      runner_.Publish(active_, run_, store);
    }
    return true;
  }

  // Copies the counts so far into the run.
  void UpdateProgress() {
    const lever::LeverCallStats stats = lever_.stats();
    v1::ImportRunProgress& progress = *run_.mutable_progress();
    progress.set_pages(pages_);
    progress.set_rows(rows_);
    progress.set_rows_with_warnings(rows_with_warnings_);
    progress.set_file_bytes(bytes_);
    progress.set_retries(stats.retries);
    progress.set_rate_limited(stats.rate_limited);
    *progress.mutable_lever_wait() = ToProto(stats.budget_wait + stats.backoff);
  }

  // Why the sink stopped the import, when it did.
  const std::optional<v1::ImportRunError>& failure() const { return failure_; }

 private:
  bool Write() {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) !=
        buffer_.size()) {
      failure_ =
          MakeError(absl::InternalError(absl::StrCat(
                        "cannot write the spool file: ", std::strerror(errno))),
                    "internal");
      return false;
    }
    bytes_ += static_cast<std::int64_t>(buffer_.size());
    return true;
  }

  ImportRunner& runner_;
  ActiveRun& active_;
  v1::ImportRun& run_;
  const lever::LeverClient& lever_;
  std::FILE* file_;
  std::optional<csv::CsvWriter> writer_;
  std::string buffer_;
  std::int64_t rows_ = 0;
  std::int64_t rows_with_warnings_ = 0;
  std::int64_t bytes_ = 0;
  int pages_ = 0;
  absl::Time last_publish_;
  absl::Time last_store_;
  std::optional<v1::ImportRunError> failure_;
};

ImportRunner::ImportRunner(ServiceCore& core,
                           std::unique_ptr<storage::ImportRunStore> store,
                           ImportRunnerOptions options)
    : core_(core), store_(std::move(store)), options_(std::move(options)) {}

ImportRunner::~ImportRunner() { Stop(); }

absl::Status ImportRunner::Start() {
  std::error_code error;
  std::filesystem::create_directories(options_.spool_dir, error);
  if (error) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create the spool folder ", options_.spool_dir,
                     ": ", error.message()));
  }
  ::chmod(options_.spool_dir.c_str(), 0700);
  // Files of runs an earlier process did not finish: never pushed now.
  for (const auto& entry :
       std::filesystem::directory_iterator(options_.spool_dir, error)) {
    RemoveQuietly(entry.path().string());
  }

  if (options_.shared_store) {
    Beat();
  } else {
    absl::StatusOr<std::vector<storage::StoredImportRun>> unfinished =
        store_->ListUnfinished();
    if (!unfinished.ok()) return unfinished.status();
    for (const storage::StoredImportRun& stored : *unfinished) {
      absl::Status status = Interrupt(stored, std::nullopt);
      if (!status.ok()) return status;
    }
  }

  const int workers = std::max(1, options_.workers);
  for (int i = 0; i < workers; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
  if (options_.shared_store)
    heartbeat_ = std::thread([this] { HeartbeatLoop(); });
  return absl::OkStatus();
}

absl::Status ImportRunner::Interrupt(const storage::StoredImportRun& stored,
                                     std::optional<absl::Time> stale_before) {
  v1::ImportRun run;
  if (!run.ParseFromString(stored.payload)) {
    run.set_name(ImportRunName(stored.connection_id, stored.run_id));
    run.set_application(stored.application);
    run.set_state(static_cast<v1::ImportRunState>(stored.state));
  }
  *run.mutable_error() = Interrupted(run);
  run.set_state(v1::IMPORT_RUN_STATE_FAILED);
  *run.mutable_end_time() = ToTimestamp(core_.clock().Now());
  *run.mutable_update_time() = run.end_time();
  if (stale_before.has_value()) {
    storage::StoredImportRun interrupted = stored;
    interrupted.state = run.state();
    interrupted.finished = true;
    interrupted.update_time = FromProto(run.update_time());
    interrupted.payload = run.SerializeAsString();
    absl::StatusOr<bool> marked =
        store_->UpdateIfStale(interrupted, *stale_before);
    if (!marked.ok()) return marked.status();
    if (!*marked) return absl::OkStatus();
  } else {
    absl::Status status = Store(run);
    if (!status.ok()) return status;
  }
  log::Log(log::Severity::kWarning, "import run interrupted",
           {{"import", run.name()}});
  return absl::OkStatus();
}

void ImportRunner::Beat() {
  std::vector<std::string> mine;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, active] : active_) mine.push_back(name);
  }
  const absl::Time now = core_.clock().Now();
  for (const std::string& name : mine) {
    absl::StatusOr<std::pair<std::string, std::string>> ids =
        ParseImportRunName(name, "name");
    if (ids.ok()) store_->Touch(ids->first, ids->second, now).IgnoreError();
  }
  absl::StatusOr<std::vector<storage::StoredImportRun>> unfinished =
      store_->ListUnfinished();
  if (!unfinished.ok()) {
    log::Log(log::Severity::kWarning, "cannot look for interrupted runs",
             {{"error", unfinished.status().ToString()}});
    return;
  }
  const absl::Time stale_before = now - options_.stale_after;
  for (const storage::StoredImportRun& stored : *unfinished) {
    if (stored.update_time >= stale_before) continue;
    {
      absl::MutexLock lock(&mu_);
      if (active_.count(ImportRunName(stored.connection_id, stored.run_id))) {
        continue;
      }
    }
    Interrupt(stored, stale_before).IgnoreError();  // logged by the store
  }
}

void ImportRunner::HeartbeatLoop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping_),
                               options_.heartbeat_interval)) {
        return;
      }
    }
    Beat();
  }
}

void ImportRunner::Stop() {
  std::vector<std::shared_ptr<ActiveRun>> queued;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    for (auto& [name, active] : active_) active->stop = true;
    queued.assign(queue_.begin(), queue_.end());
    queue_.clear();
  }
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  if (heartbeat_.joinable()) heartbeat_.join();
  for (const std::shared_ptr<ActiveRun>& active : queued) {
    v1::ImportRun run;
    {
      absl::MutexLock lock(&mu_);
      run = active->run;
    }
    if (IsFinished(run.state())) continue;
    *run.mutable_error() = Interrupted(run);
    run.set_state(v1::IMPORT_RUN_STATE_FAILED);
    *run.mutable_end_time() = ToTimestamp(core_.clock().Now());
    Publish(*active, std::move(run), true);
  }
}

absl::StatusOr<v1::ImportRun> ImportRunner::Submit(
    const std::string& connection_id, const v1::StartImportRequest& request,
    const std::string& creator) {
  absl::Status valid = ValidateStartImport(request);
  if (!valid.ok()) return valid;
  if (!request.request_id().empty()) {
    absl::StatusOr<std::optional<storage::StoredImportRun>> earlier =
        store_->FindByRequestId(connection_id, request.application(),
                                request.request_id());
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) {
      absl::MutexLock lock(&mu_);
      return SameRequest(Load(connection_id, (*earlier)->run_id), request);
    }
  }
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return absl::UnavailableError("the server is stopping");
    if (queue_.size() + reserved_ >=
        static_cast<std::size_t>(options_.max_queued)) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the server already has ", options_.max_queued,
          " import runs waiting, its most; try again when some have run"));
    }
    ++reserved_;
  }
  absl::StatusOr<v1::ImportRun> queued = Queue(connection_id, request, creator);
  absl::MutexLock lock(&mu_);
  --reserved_;
  return queued;
}

absl::Status ImportRunner::CheckNoneUnfinished(
    const std::string& connection_id) {
  absl::StatusOr<std::vector<storage::StoredImportRun>> unfinished =
      store_->ListUnfinished();
  if (!unfinished.ok()) return unfinished.status();
  std::vector<std::string> names;
  for (const storage::StoredImportRun& run : *unfinished) {
    if (run.connection_id == connection_id) {
      names.push_back(ImportRunName(connection_id, run.run_id));
    }
  }
  if (names.empty()) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "connection \"", connection_id,
      "\" has import runs that have not finished (", absl::StrJoin(names, ", "),
      "); cancel them or wait for them to end"));
}

absl::Status ImportRunner::ForgetConnection(const std::string& connection_id) {
  return store_->DeleteForConnection(connection_id);
}

absl::StatusOr<v1::ImportRun> ImportRunner::Queue(
    const std::string& connection_id, const v1::StartImportRequest& request,
    const std::string& creator) {
  const absl::Time now = core_.clock().Now();
  v1::ImportRun run;
  const std::string run_id = crypto::RandomHexId();
  run.set_name(ImportRunName(connection_id, run_id));
  run.set_application(request.application());
  *run.mutable_filter() = request.filter();
  *run.mutable_csv() = request.csv();
  *run.mutable_destination() = request.destination();
  run.set_state(v1::IMPORT_RUN_STATE_QUEUED);
  run.set_request_id(request.request_id());
  run.set_creator(creator);
  run.set_allow_empty(request.allow_empty());
  *run.mutable_create_time() = ToTimestamp(now);
  *run.mutable_update_time() = run.create_time();

  storage::StoredImportRun stored;
  stored.connection_id = connection_id;
  stored.run_id = run_id;
  stored.application = run.application();
  stored.request_id = run.request_id();
  stored.state = run.state();
  stored.create_time = now;
  stored.update_time = now;
  stored.payload = run.SerializeAsString();
  absl::StatusOr<storage::CreateRunResult> created = store_->Create(stored);
  if (!created.ok()) return created.status();
  if (!created->created) {
    absl::MutexLock lock(&mu_);
    return SameRequest(Load(connection_id, created->run.run_id), request);
  }

  auto active = std::make_shared<ActiveRun>();
  active->run = run;
  absl::MutexLock lock(&mu_);
  active_[run.name()] = active;
  queue_.push_back(active);
  metrics::MoveImportRun("", MetricState(run.state()), false);
  log::Log(log::Severity::kInfo, "import run queued",
           {{"import", run.name()},
            {"application", run.application()},
            {"configuration", run.destination().configuration_id()}});
  return run;
}

absl::StatusOr<v1::ImportRun> ImportRunner::Load(
    const std::string& connection_id, const std::string& run_id) {
  auto found = active_.find(ImportRunName(connection_id, run_id));
  if (found != active_.end()) return found->second->run;
  absl::StatusOr<storage::StoredImportRun> stored =
      store_->Get(connection_id, run_id);
  if (!stored.ok()) return stored.status();
  v1::ImportRun run;
  if (!run.ParseFromString(stored->payload)) {
    return absl::InternalError(
        absl::StrCat("the stored import ", run_id, " cannot be read"));
  }
  return run;
}

absl::StatusOr<v1::ImportRun> ImportRunner::Get(
    const std::string& connection_id, const std::string& run_id) {
  absl::MutexLock lock(&mu_);
  return Load(connection_id, run_id);
}

absl::StatusOr<ImportRunList> ImportRunner::List(
    const std::string& connection_id, const storage::ImportRunFilter& filter,
    int page_size, std::int64_t before_sequence) {
  absl::StatusOr<storage::ImportRunPage> page =
      store_->List(connection_id, filter, page_size, before_sequence);
  if (!page.ok()) return page.status();
  ImportRunList list;
  list.next_before_sequence = page->next_before_sequence;
  absl::MutexLock lock(&mu_);
  for (const storage::StoredImportRun& stored : page->runs) {
    auto found = active_.find(ImportRunName(connection_id, stored.run_id));
    v1::ImportRun& run = list.runs.emplace_back();
    if (found != active_.end()) {
      run = found->second->run;
    } else if (!run.ParseFromString(stored.payload)) {
      return absl::InternalError(
          absl::StrCat("the stored import ", stored.run_id, " cannot be read"));
    }
  }
  return list;
}

absl::StatusOr<v1::ImportRun> ImportRunner::Cancel(
    const std::string& connection_id, const std::string& run_id) {
  std::shared_ptr<ActiveRun> queued;
  v1::ImportRun run;
  {
    absl::MutexLock lock(&mu_);
    auto found = active_.find(ImportRunName(connection_id, run_id));
    if (found == active_.end()) return Load(connection_id, run_id);
    const std::shared_ptr<ActiveRun>& active = found->second;
    switch (active->run.state()) {
      case v1::IMPORT_RUN_STATE_QUEUED:
        active->cancel = true;
        queued = active;
        queue_.erase(std::remove(queue_.begin(), queue_.end(), active),
                     queue_.end());
        run = active->run;
        break;
      case v1::IMPORT_RUN_STATE_EXTRACTING:
        active->cancel = true;
        return active->run;
      default:
        return absl::FailedPreconditionError(absl::StrCat(
            "import ", active->run.name(),
            " has already sent its file to Pigment, whose import cannot be "
            "stopped"));
    }
  }
  run.set_state(v1::IMPORT_RUN_STATE_CANCELLED);
  *run.mutable_end_time() = ToTimestamp(core_.clock().Now());
  Publish(*queued, run, true);
  return run;
}

absl::StatusOr<std::pair<std::uint64_t, v1::ImportRun>> ImportRunner::Watch(
    const std::string& connection_id, const std::string& run_id,
    Listener listener) {
  absl::MutexLock lock(&mu_);
  const std::string name = ImportRunName(connection_id, run_id);
  auto found = active_.find(name);
  if (found == active_.end()) {
    absl::StatusOr<v1::ImportRun> run = Load(connection_id, run_id);
    if (!run.ok()) return run.status();
    return std::make_pair(std::uint64_t{0}, std::move(*run));
  }
  const std::uint64_t handle = next_handle_++;
  listeners_.emplace(name, std::make_pair(handle, std::move(listener)));
  return std::make_pair(handle, found->second->run);
}

void ImportRunner::Unwatch(std::uint64_t handle) {
  if (handle == 0) return;
  absl::MutexLock lock(&mu_);
  for (auto it = listeners_.begin(); it != listeners_.end(); ++it) {
    if (it->second.first == handle) {
      listeners_.erase(it);
      return;
    }
  }
}

void ImportRunner::Notify(const v1::ImportRun& run) {
  auto [begin, end] = listeners_.equal_range(run.name());
  for (auto it = begin; it != end; ++it) it->second.second(run);
  if (IsFinished(run.state())) listeners_.erase(begin, end);
}

absl::Status ImportRunner::Store(const v1::ImportRun& run) {
  absl::StatusOr<std::pair<std::string, std::string>> ids =
      ParseImportRunName(run.name(), "name");
  if (!ids.ok()) return ids.status();
  storage::StoredImportRun stored;
  stored.connection_id = ids->first;
  stored.run_id = ids->second;
  stored.state = run.state();
  stored.finished = IsFinished(run.state());
  stored.update_time = FromProto(run.update_time());
  stored.payload = run.SerializeAsString();
  absl::Status status = store_->Update(stored);
  if (!status.ok()) {
    log::Log(log::Severity::kError, "cannot store import run",
             {{"import", run.name()}, {"error", status.ToString()}});
  }
  return status;
}

void ImportRunner::Publish(ActiveRun& active, v1::ImportRun run, bool store) {
  *run.mutable_update_time() = ToTimestamp(core_.clock().Now());
  const bool finished = IsFinished(run.state());
  if (store || finished) Store(run).IgnoreError();  // Store logs failures
  absl::MutexLock lock(&mu_);
  if (active.run.state() != run.state()) {
    metrics::MoveImportRun(MetricState(active.run.state()),
                           MetricState(run.state()), finished);
  }
  active.run = run;
  Notify(run);
  if (finished) active_.erase(run.name());
}

void ImportRunner::WorkerLoop() {
  while (true) {
    std::shared_ptr<ActiveRun> next;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](ImportRunner* runner) ABSL_EXCLUSIVE_LOCKS_REQUIRED(runner->mu_) {
            return runner->stopping_ || !runner->queue_.empty();
          },
          this));
      if (stopping_) return;
      next = std::move(queue_.front());
      queue_.pop_front();
    }
    Execute(std::move(next));
  }
}

void ImportRunner::Execute(std::shared_ptr<ActiveRun> active) {
  v1::ImportRun run;
  {
    absl::MutexLock lock(&mu_);
    if (active->cancel || active->run.state() != v1::IMPORT_RUN_STATE_QUEUED) {
      return;
    }
    run = active->run;
    run.set_state(v1::IMPORT_RUN_STATE_EXTRACTING);
  }
  const absl::Time started = core_.clock().Now();
  *run.mutable_start_time() = ToTimestamp(started);
  Publish(*active, run, true);

  // Ends the run in `state`, with `error` when it failed.
  auto finish = [&](v1::ImportRunState state,
                    std::optional<v1::ImportRunError> error) {
    run.set_state(state);
    if (error.has_value()) *run.mutable_error() = std::move(*error);
    *run.mutable_end_time() = ToTimestamp(core_.clock().Now());
    log::Log(state == v1::IMPORT_RUN_STATE_FAILED ? log::Severity::kWarning
                                                  : log::Severity::kInfo,
             "import run finished",
             {{"import", run.name()},
              {"state", v1::ImportRunState_Name(state)},
              {"rows", run.progress().rows()},
              {"pages", run.progress().pages()},
              {"reason", run.error().reason()},
              {"error", run.error().message()},
              {"elapsed_ms",
               absl::ToInt64Milliseconds(core_.clock().Now() - started)}});
    Publish(*active, run, true);
  };
  // The outcome of a step that failed, when the server's stop or the
  // user's cancellation cut it short.
  auto stopped = [&]() -> std::optional<v1::ImportRunState> {
    if (active->stop) return v1::IMPORT_RUN_STATE_FAILED;
    if (active->cancel) return v1::IMPORT_RUN_STATE_CANCELLED;
    return std::nullopt;
  };
  auto finish_stopped = [&](v1::ImportRunState state) {
    finish(state, state == v1::IMPORT_RUN_STATE_FAILED
                      ? std::optional<v1::ImportRunError>(Interrupted(run))
                      : std::nullopt);
  };

  absl::StatusOr<std::pair<std::string, std::string>> ids =
      ParseImportRunName(run.name(), "name");
  absl::StatusOr<storage::StoredConnection> connection =
      ids.ok() ? core_.store().Get(ids->first)
               : absl::StatusOr<storage::StoredConnection>(ids.status());
  if (connection.ok() &&
      std::find(connection->allowed_applications.begin(),
                connection->allowed_applications.end(),
                run.application()) == connection->allowed_applications.end()) {
    connection = absl::PermissionDeniedError(
        absl::StrCat("the connection no longer allows application \"",
                     run.application(), "\""));
  }
  absl::StatusOr<std::unique_ptr<lever::LeverClient>> lever =
      connection.ok() ? core_.LeverFor(*connection)
                      : absl::StatusOr<std::unique_ptr<lever::LeverClient>>(
                            connection.status());
  if (!lever.ok()) {
    finish(v1::IMPORT_RUN_STATE_FAILED,
           MakeError(lever.status(), "connection"));
    return;
  }

  // Extract everything into the spool file.
  const std::string path = absl::StrCat(options_.spool_dir, "/", ids->first,
                                        ".", ids->second, ".csv");
  const std::string part = absl::StrCat(path, kPartSuffix);
  const int fd =
      ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  std::FILE* file = fd < 0 ? nullptr : ::fdopen(fd, "wb");
  if (file == nullptr) {
    if (fd >= 0) ::close(fd);
    finish(v1::IMPORT_RUN_STATE_FAILED,
           MakeError(absl::InternalError(
                         absl::StrCat("cannot create the spool file ", part,
                                      ": ", std::strerror(errno))),
                     "internal"));
    return;
  }
  Execution execution(*this, *active, run, **lever, file);
  importer::ImportOptions options;
  options.filter = run.filter();
  options.columns = SourceColumns(run.csv());
  lever::CallContext extraction;
  extraction.cancelled = [&active] { return active->cancel || active->stop; };
  absl::StatusOr<v1::ImportSummary> summary = importer::RunRequisitionImport(
      **lever, options, execution, extraction, core_.clock());
  execution.UpdateProgress();
  absl::Status closed = CloseDurably(file, part);
  if (!summary.ok() || !closed.ok()) {
    RemoveQuietly(part);
    if (std::optional<v1::ImportRunState> state = stopped()) {
      finish_stopped(*state);
    } else if (execution.failure().has_value()) {
      finish(v1::IMPORT_RUN_STATE_FAILED, execution.failure());
    } else if (!summary.ok()) {
      finish(v1::IMPORT_RUN_STATE_FAILED,
             MakeError(summary.status(),
                       absl::IsInvalidArgument(summary.status()) ? "columns"
                                                                 : "lever"));
    } else {
      finish(v1::IMPORT_RUN_STATE_FAILED, MakeError(closed, "internal"));
    }
    return;
  }
  if (summary->rows() == 0 && !run.allow_empty()) {
    RemoveQuietly(part);
    finish(v1::IMPORT_RUN_STATE_FAILED,
           MakeError(absl::FailedPreconditionError(
                         "Lever returned no requisition for this filter, so "
                         "nothing was pushed: a file of headers alone would "
                         "clear a block imported with \"clear items prior to "
                         "import\"; set allow_empty to push it anyway"),
                     "empty"));
    return;
  }
  std::filesystem::rename(part, path);
  for (const std::string& warning : summary->warnings()) {
    run.add_warnings(warning);
  }
  v1::ImportRunProgress& progress = *run.mutable_progress();
  progress.set_rows(summary->rows());
  progress.set_pages(summary->pages());
  progress.set_retries(summary->retries());
  progress.set_rate_limited(summary->rate_limited());
  *progress.mutable_lever_wait() =
      ToProto(absl::Microseconds(
                  TimeUtil::DurationToMicroseconds(summary->budget_wait())) +
              absl::Microseconds(
                  TimeUtil::DurationToMicroseconds(summary->backoff_wait())));

  // From here on the user can no longer cancel: check one last time.
  {
    absl::MutexLock lock(&mu_);
    if (!active->cancel && !active->stop) {
      run.set_state(v1::IMPORT_RUN_STATE_PUSHING);
      metrics::MoveImportRun(MetricState(active->run.state()),
                             MetricState(run.state()), false);
      active->run.set_state(v1::IMPORT_RUN_STATE_PUSHING);  // Cancel sees it
    }
  }
  if (run.state() != v1::IMPORT_RUN_STATE_PUSHING) {
    RemoveQuietly(path);
    finish_stopped(*stopped());
    return;
  }
  Publish(*active, run, true);

  pigment::PigmentClientOptions client_options;
  client_options.base_url = options_.pigment_url;
  client_options.import_key = options_.pigment_import_key;
  client_options.retry = options_.pigment_retry;
  pigment::PigmentClient pigment(core_.http(), core_.clock(),
                                 retry::SystemRandom, client_options);
  lever::CallContext delivery;
  delivery.cancelled = [&active] { return active->stop.load(); };
  absl::StatusOr<std::string> import_id =
      pigment.PushCsvFile(run.destination().configuration_id(), path, delivery);
  RemoveQuietly(path);
  if (!import_id.ok()) {
    if (active->stop) {
      finish_stopped(v1::IMPORT_RUN_STATE_FAILED);
    } else {
      finish(v1::IMPORT_RUN_STATE_FAILED,
             MakeError(import_id.status(), "pigment_push"));
    }
    return;
  }
  run.mutable_pigment()->set_import_id(*import_id);
  run.set_state(v1::IMPORT_RUN_STATE_WAITING_FOR_PIGMENT);
  Publish(*active, run, true);

  absl::StatusOr<pigment::ImportReport> report =
      pigment.WaitForImport(*import_id, options_.pigment_wait, delivery);
  if (!report.ok()) {
    if (active->stop) {
      finish_stopped(v1::IMPORT_RUN_STATE_FAILED);
    } else {
      finish(v1::IMPORT_RUN_STATE_FAILED,
             MakeError(report.status(), "pigment_wait"));
    }
    return;
  }
  v1::PigmentImport& outcome = *run.mutable_pigment();
  outcome.set_inserted(report->inserted);
  outcome.set_updated(report->updated);
  outcome.set_deleted(report->deleted);
  outcome.set_skipped(report->skipped);
  for (const pigment::SkippedData& skipped : report->skipped_data) {
    v1::SkippedRows& rows = *outcome.add_skipped_rows();
    rows.set_count(skipped.count);
    rows.set_reason(skipped.reason);
    rows.set_column(skipped.source_column);
    for (const std::string& sample : skipped.samples) rows.add_samples(sample);
  }
  for (const std::string& error : report->errors) outcome.add_errors(error);
  if (report->state == pigment::ImportReport::State::kFailed) {
    std::string message = absl::StrCat("Pigment failed import ", *import_id);
    for (const std::string& error : report->errors) {
      absl::StrAppend(&message, "; ", error);
    }
    finish(v1::IMPORT_RUN_STATE_FAILED,
           MakeError(absl::FailedPreconditionError(message), "pigment_import"));
    return;
  }
  finish(report->skipped > 0 || !report->skipped_data.empty()
             ? v1::IMPORT_RUN_STATE_SUCCEEDED_WITH_SKIPPED_ROWS
             : v1::IMPORT_RUN_STATE_SUCCEEDED,
         std::nullopt);
}

}  // namespace leverconnect::server

// End to end: import runs from fake Lever through the server into
// fake-pigment.
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/storage/connection_store.h"
#include "lib/storage/import_run_store.h"
#include "tests/fakes/fake_pigment.h"
#include "tests/integration/test_environment.h"

namespace leverconnect::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kPigmentKey[] = "pgm_import_key_7d41c0a9e2";
constexpr char kConfiguration[] = "3f0c9a1e-0000-4000-8000-000000000001";
// The headers kConfiguration expects, and what kMapping writes.
constexpr char kConfigurationSpec[] =
    "3f0c9a1e-0000-4000-8000-000000000001=Requisition ID,Code,Title,"
    "Headcount:integer,Opened:date;unique=Requisition ID";

v1::CsvFormat Mapping() {
  v1::CsvFormat csv;
  auto add = [&csv](const char* column, const char* header,
                    v1::DateFormat format = v1::DATE_FORMAT_UNSPECIFIED) {
    v1::CsvColumn* added = csv.add_columns();
    added->set_column(column);
    added->set_header(header);
    added->set_date_format(format);
  };
  add("id", "Requisition ID");
  add("requisition_code", "Code");
  add("name", "Title");
  add("headcount_total", "Headcount");
  add("created_at", "Opened", v1::DATE_FORMAT_DATE);
  return csv;
}

bool Finished(const v1::ImportRun& run) {
  return run.state() == v1::IMPORT_RUN_STATE_SUCCEEDED ||
         run.state() == v1::IMPORT_RUN_STATE_SUCCEEDED_WITH_SKIPPED_ROWS ||
         run.state() == v1::IMPORT_RUN_STATE_FAILED ||
         run.state() == v1::IMPORT_RUN_STATE_CANCELLED;
}

// Holds fake Lever's requisition pages until released.
class PageGate {
 public:
  void Install(FakeLever& lever) {
    lever.SetRequestHook([this](int, const std::string& path) {
      if (path != "/v1/requisitions") return;
      std::unique_lock<std::mutex> lock(mu_);
      released_.wait(lock, [this] { return open_; });
    });
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    released_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable released_;
  bool open_ = false;
};

class ImportRunTest : public ::testing::Test {
 protected:
  // Starts fake-pigment with kConfiguration (and `more` configurations),
  // fake Lever with `lever`, and the server, and creates connection "acme"
  // allowing "planning".
  void Start(
      FakeLeverOptions lever, const std::vector<std::string>& more = {},
      const std::function<void(server::ServerOptions&)>& adjust = nullptr) {
    FakePigmentOptions options;
    options.api_keys = {kPigmentKey};
    options.status_polls_before_done = 0;
    std::vector<std::string> specs = more;
    specs.push_back(kConfigurationSpec);
    for (const std::string& spec : specs) {
      absl::StatusOr<ImportConfiguration> configuration =
          ParseImportConfiguration(spec);
      ASSERT_TRUE(configuration.ok()) << configuration.status();
      options.configurations.push_back(*configuration);
    }
    absl::StatusOr<std::unique_ptr<FakePigment>> pigment =
        FakePigment::Start(options);
    ASSERT_TRUE(pigment.ok()) << pigment.status();
    pigment_ = std::move(*pigment);

    auto started = TestEnvironment::Start(
        std::move(lever), FastLeverSettings(), {},
        [this, &adjust](server::ServerOptions& server) {
          server.runs.pigment_url = pigment_->base_url();
          server.runs.pigment_import_key = kPigmentKey;
          server.runs.pigment_retry.initial_backoff = absl::Milliseconds(1);
          server.runs.pigment_wait.initial_poll = absl::Milliseconds(1);
          server.runs.pigment_wait.max_poll = absl::Milliseconds(5);
          if (adjust) adjust(server);
        });
    ASSERT_TRUE(started.ok()) << started.status();
    environment_ = std::move(*started);
    ASSERT_TRUE(
        environment_->CreateConnection("acme", kFullKey, "planning").ok());
  }

  // Lets connection "acme" serve "reporting" besides "planning".
  void AllowReporting() {
    v1::UpdateConnectionRequest update;
    update.mutable_connection()->set_name("connections/acme");
    update.mutable_connection()->add_allowed_applications("planning");
    update.mutable_connection()->add_allowed_applications("reporting");
    update.mutable_update_mask()->add_paths("allowed_applications");
    ASSERT_TRUE(environment_->client().UpdateConnection(update).ok());
  }

  static v1::StartImportRequest Request(
      const std::string& configuration = kConfiguration) {
    v1::StartImportRequest request;
    request.set_parent("connections/acme");
    request.set_application("planning");
    *request.mutable_csv() = Mapping();
    request.mutable_destination()->set_configuration_id(configuration);
    return request;
  }

  v1::ImportRun StartRun(const v1::StartImportRequest& request) {
    absl::StatusOr<v1::ImportRun> run =
        environment_->client().StartImport(request);
    EXPECT_TRUE(run.ok()) << run.status();
    return run.value_or(v1::ImportRun());
  }

  // Every state WatchImport sends until the run finishes.
  std::vector<v1::ImportRun> Watch(const std::string& name) {
    std::vector<v1::ImportRun> states;
    v1::WatchImportRequest request;
    request.set_name(name);
    absl::StatusOr<v1::ImportRun> last = environment_->client().WatchImport(
        request, [&](const v1::ImportRun& run) {
          states.push_back(run);
          return true;
        });
    EXPECT_TRUE(last.ok()) << last.status();
    return states;
  }

  v1::ImportRun RunToEnd(const v1::StartImportRequest& request) {
    const v1::ImportRun started = StartRun(request);
    std::vector<v1::ImportRun> states = Watch(started.name());
    if (states.empty()) return v1::ImportRun();
    EXPECT_TRUE(Finished(states.back()));
    return states.back();
  }

  // Watches `name` until it is extracting.
  void AwaitExtracting(const std::string& name) {
    v1::WatchImportRequest request;
    request.set_name(name);
    absl::StatusOr<v1::ImportRun> seen = environment_->client().WatchImport(
        request, [](const v1::ImportRun& run) {
          return run.state() != v1::IMPORT_RUN_STATE_EXTRACTING;
        });
    ASSERT_TRUE(seen.ok()) << seen.status();
    ASSERT_EQ(seen->state(), v1::IMPORT_RUN_STATE_EXTRACTING);
  }

  // Starts the services with 500 requisitions whose pages `gate` holds,
  // then a run of `request`, and returns it once it is extracting.
  v1::ImportRun StartHeldRun(PageGate& gate,
                             const v1::StartImportRequest& request) {
    FakeLeverOptions lever;
    lever.generate = 500;
    Start(lever);
    gate.Install(environment_->lever());
    const v1::ImportRun started = StartRun(request);
    AwaitExtracting(started.name());
    return started;
  }

  std::vector<std::string> SpoolFiles() const {
    std::vector<std::string> names;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(
             environment_->state_dir() + "/spool", ignored)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

  std::unique_ptr<FakePigment> pigment_;
  std::unique_ptr<TestEnvironment> environment_;
};

TEST_F(ImportRunTest, ThousandRequisitionsArriveAsOneCompleteFile) {
  FakeLeverOptions lever;
  lever.generate = 1000;
  Start(lever);

  const v1::ImportRun started = StartRun(Request());
  EXPECT_EQ(started.state(), v1::IMPORT_RUN_STATE_QUEUED);
  EXPECT_THAT(started.name(), HasSubstr("connections/acme/imports/"));
  EXPECT_EQ(started.creator(), kAdminId);
  const std::vector<v1::ImportRun> states = Watch(started.name());
  ASSERT_FALSE(states.empty());
  const v1::ImportRun& run = states.back();

  EXPECT_EQ(run.state(), v1::IMPORT_RUN_STATE_SUCCEEDED) << run.DebugString();
  EXPECT_EQ(run.progress().rows(), 1000);
  EXPECT_GE(run.progress().pages(), 10);
  EXPECT_FALSE(run.pigment().import_id().empty());
  EXPECT_EQ(run.pigment().inserted(), 1000);
  EXPECT_EQ(run.pigment().skipped(), 0);
  EXPECT_TRUE(run.has_end_time());

  // The states only move forward, and every one after the queue shows.
  std::vector<v1::ImportRunState> seen;
  for (const v1::ImportRun& state : states) {
    if (seen.empty() || seen.back() != state.state()) {
      seen.push_back(state.state());
    }
  }
  EXPECT_THAT(seen,
              ::testing::IsSupersetOf({v1::IMPORT_RUN_STATE_EXTRACTING,
                                       v1::IMPORT_RUN_STATE_WAITING_FOR_PIGMENT,
                                       v1::IMPORT_RUN_STATE_SUCCEEDED}));
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));

  const std::vector<ReceivedFile> files = pigment_->files();
  ASSERT_THAT(files, SizeIs(1));
  EXPECT_EQ(files[0].configuration_id, kConfiguration);
  EXPECT_EQ(files[0].http_status, 200);
  EXPECT_EQ(files[0].rows, 1000);
  EXPECT_EQ(files[0].import_id, run.pigment().import_id());
  const std::vector<std::string> lines =
      absl::StrSplit(files[0].bytes, "\r\n", absl::SkipEmpty());
  ASSERT_THAT(lines, SizeIs(1001));
  EXPECT_EQ(lines[0], "Requisition ID,Code,Title,Headcount,Opened");
  std::set<std::string> ids;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    ids.insert(std::string(lines[i].substr(0, lines[i].find(','))));
  }
  EXPECT_THAT(ids, SizeIs(1000));
  EXPECT_THAT(SpoolFiles(), IsEmpty());

  // The run is stored: Get and List show the same.
  v1::GetImportRequest get;
  get.set_name(run.name());
  absl::StatusOr<v1::ImportRun> stored = environment_->client().GetImport(get);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->state(), v1::IMPORT_RUN_STATE_SUCCEEDED);
  EXPECT_EQ(stored->pigment().inserted(), 1000);
}

TEST_F(ImportRunTest, LeverFailureDuringExtractionPushesNothing) {
  FakeLeverOptions lever;
  lever.generate = 1000;
  // The fields and a few pages answer; then Lever fails for good.
  for (int request = 4; request <= 400; ++request) {
    lever.fault_script[request] = FaultKind::kInternalError;
  }
  Start(lever);

  const v1::ImportRun run = RunToEnd(Request());
  EXPECT_EQ(run.state(), v1::IMPORT_RUN_STATE_FAILED);
  EXPECT_EQ(run.error().reason(), "lever");
  EXPECT_EQ(run.error().code(),
            static_cast<int>(absl::StatusCode::kUnavailable));
  EXPECT_THAT(run.error().message(), HasSubstr("500"));
  EXPECT_EQ(pigment_->push_count(), 0);
  EXPECT_THAT(pigment_->files(), IsEmpty());
  EXPECT_THAT(SpoolFiles(), IsEmpty());
}

TEST_F(ImportRunTest, SkippedRowsAreReportedWithReasonColumnAndSamples) {
  FakeLeverOptions lever;
  lever.generate = 40;
  // Titles are text; this configuration reads its second column as a
  // number, so Pigment skips every row.
  Start(lever, {"cfg-numbers=Requisition ID,Amount:number"});
  v1::StartImportRequest request = Request("cfg-numbers");
  request.mutable_csv()->clear_columns();
  v1::CsvColumn* id = request.mutable_csv()->add_columns();
  id->set_column("id");
  id->set_header("Requisition ID");
  v1::CsvColumn* title = request.mutable_csv()->add_columns();
  title->set_column("name");
  title->set_header("Amount");

  const v1::ImportRun run = RunToEnd(request);
  EXPECT_EQ(run.state(), v1::IMPORT_RUN_STATE_SUCCEEDED_WITH_SKIPPED_ROWS)
      << run.DebugString();
  EXPECT_EQ(run.pigment().skipped(), 40);
  ASSERT_THAT(run.pigment().skipped_rows(), SizeIs(1));
  const v1::SkippedRows& skipped = run.pigment().skipped_rows(0);
  EXPECT_EQ(skipped.count(), 40);
  EXPECT_EQ(skipped.reason(), "ParsingError");
  EXPECT_EQ(skipped.column(), "Amount");
  EXPECT_THAT(skipped.samples(), Not(IsEmpty()));
}

TEST_F(ImportRunTest, AKeyThatMayNotReadUsersLeavesNamesEmptyAndSaysSo) {
  FakeLeverOptions lever;
  lever.generate = 20;
  Start(lever, {"cfg-owners=Requisition ID,Owner"});
  ASSERT_TRUE(
      environment_->CreateConnection("no-users", kNoUsersKey, "planning").ok());
  v1::StartImportRequest request = Request("cfg-owners");
  request.set_parent("connections/no-users");
  request.mutable_csv()->clear_columns();
  v1::CsvColumn* id = request.mutable_csv()->add_columns();
  id->set_column("id");
  id->set_header("Requisition ID");
  v1::CsvColumn* owner = request.mutable_csv()->add_columns();
  owner->set_column("owner_name");
  owner->set_header("Owner");

  const v1::ImportRun run = RunToEnd(request);
  EXPECT_EQ(run.state(), v1::IMPORT_RUN_STATE_SUCCEEDED) << run.DebugString();
  ASSERT_THAT(run.warnings(), SizeIs(1));
  EXPECT_THAT(run.warnings(0), HasSubstr("users"));
  const std::vector<ReceivedFile> files = pigment_->files();
  ASSERT_THAT(files, SizeIs(1));
  const std::vector<std::string> lines =
      absl::StrSplit(files[0].bytes, "\r\n", absl::SkipEmpty());
  ASSERT_THAT(lines, SizeIs(21));
  for (std::size_t i = 1; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].back(), ',') << lines[i];  // an empty owner cell
  }
}

TEST_F(ImportRunTest, RepeatedRequestIdCreatesOneRun) {
  FakeLeverOptions lever;
  lever.generate = 30;
  Start(lever);
  v1::StartImportRequest request = Request();
  request.set_request_id("nightly-2026-12-03");

  const v1::ImportRun first = StartRun(request);
  const v1::ImportRun second = StartRun(request);
  EXPECT_EQ(second.name(), first.name());
  const v1::ImportRun finished = RunToEnd(request);
  EXPECT_EQ(finished.name(), first.name());
  EXPECT_EQ(finished.state(), v1::IMPORT_RUN_STATE_SUCCEEDED);

  v1::ListImportsRequest list;
  list.set_parent("connections/acme");
  absl::StatusOr<v1::ListImportsResponse> runs =
      environment_->client().ListImports(list);
  ASSERT_TRUE(runs.ok()) << runs.status();
  ASSERT_THAT(runs->imports(), SizeIs(1));
  EXPECT_EQ(runs->imports(0).request_id(), "nightly-2026-12-03");
  EXPECT_THAT(pigment_->files(), SizeIs(1));
}

TEST_F(ImportRunTest, ARequestIdRepeatedWithAnotherRequestIsRefused) {
  FakeLeverOptions lever;
  lever.generate = 5;
  Start(lever);
  v1::StartImportRequest request = Request();
  request.set_request_id("nightly");
  const v1::ImportRun first = RunToEnd(request);

  v1::StartImportRequest other = request;
  other.mutable_destination()->set_configuration_id("another-configuration");
  other.set_allow_empty(true);
  absl::StatusOr<v1::ImportRun> refused =
      environment_->client().StartImport(other);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(),
              HasSubstr(absl::StrCat("request_id \"nightly\" was first sent "
                                     "for ",
                                     first.name(),
                                     " with another destination, "
                                     "allow_empty; use a new request_id")));
  // The same request still finds its run.
  const v1::ImportRun again = StartRun(request);
  EXPECT_EQ(again.name(), first.name());
  EXPECT_THAT(pigment_->files(), SizeIs(1));
}

TEST_F(ImportRunTest, ARequestIdBelongsToOneApplication) {
  FakeLeverOptions lever;
  lever.generate = 5;
  Start(lever);
  AllowReporting();

  v1::StartImportRequest planning = Request();
  planning.set_request_id("shared-id");
  const v1::ImportRun first = RunToEnd(planning);
  auto member = environment_->ClientWithToken(kReportingMemberToken);
  v1::StartImportRequest reporting = planning;
  reporting.set_application("reporting");
  absl::StatusOr<v1::ImportRun> other = member->StartImport(reporting);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_NE(other->name(), first.name());
  EXPECT_EQ(other->application(), "reporting");
}

TEST_F(ImportRunTest, AFullQueueRefusesNewRunsButNotRepeats) {
  FakeLeverOptions lever;
  lever.generate = 50;
  Start(lever, {}, [](server::ServerOptions& server) {
    server.runs.workers = 1;
    server.runs.max_queued = 1;
  });
  PageGate gate;
  gate.Install(environment_->lever());

  v1::StartImportRequest request = Request();
  request.set_request_id("running");
  const v1::ImportRun running = StartRun(request);
  AwaitExtracting(running.name());
  request.set_request_id("queued");
  const v1::ImportRun queued = StartRun(request);
  EXPECT_EQ(queued.state(), v1::IMPORT_RUN_STATE_QUEUED);

  request.set_request_id("one-too-many");
  absl::Status refused = environment_->client().StartImport(request).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  request.set_request_id("queued");
  absl::StatusOr<v1::ImportRun> repeated =
      environment_->client().StartImport(request);
  ASSERT_TRUE(repeated.ok()) << repeated.status();
  EXPECT_EQ(repeated->name(), queued.name());

  gate.Release();
  EXPECT_EQ(Watch(queued.name()).back().state(),
            v1::IMPORT_RUN_STATE_SUCCEEDED);
}

TEST_F(ImportRunTest, AnEmptyResultIsNotPushedUnlessAllowed) {
  FakeLeverOptions lever;
  lever.generate = 20;
  Start(lever);
  v1::StartImportRequest request = Request();
  request.mutable_filter()->add_statuses("no-such-status");

  const v1::ImportRun refused = RunToEnd(request);
  EXPECT_EQ(refused.state(), v1::IMPORT_RUN_STATE_FAILED);
  EXPECT_EQ(refused.error().reason(), "empty");
  EXPECT_EQ(refused.error().code(),
            static_cast<int>(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(pigment_->push_count(), 0);

  request.set_allow_empty(true);
  const v1::ImportRun allowed = RunToEnd(request);
  EXPECT_EQ(allowed.state(), v1::IMPORT_RUN_STATE_SUCCEEDED);
  ASSERT_THAT(pigment_->files(), SizeIs(1));
  EXPECT_EQ(pigment_->files()[0].rows, 0);
  EXPECT_EQ(pigment_->files()[0].bytes,
            "Requisition ID,Code,Title,Headcount,Opened\r\n");
}

TEST_F(ImportRunTest, HeadersThatDifferFromTheConfigurationFailThePush) {
  FakeLeverOptions lever;
  lever.generate = 10;
  Start(lever);
  v1::StartImportRequest request = Request();
  request.mutable_csv()->mutable_columns(2)->set_header("Name");

  const v1::ImportRun run = RunToEnd(request);
  EXPECT_EQ(run.state(), v1::IMPORT_RUN_STATE_FAILED);
  EXPECT_EQ(run.error().reason(), "pigment_push");
  EXPECT_EQ(run.error().code(),
            static_cast<int>(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(run.error().message(), HasSubstr("Title"));
  EXPECT_TRUE(run.pigment().import_id().empty());
}

TEST_F(ImportRunTest, UnknownCustomColumnFailsBeforeAnythingIsPushed) {
  FakeLeverOptions lever;
  lever.generate = 10;
  Start(lever);
  v1::StartImportRequest request = Request();
  request.mutable_csv()->mutable_columns(2)->set_column("custom.no_such");

  const v1::ImportRun run = RunToEnd(request);
  EXPECT_EQ(run.state(), v1::IMPORT_RUN_STATE_FAILED);
  EXPECT_EQ(run.error().reason(), "columns");
  EXPECT_THAT(run.error().message(), HasSubstr("custom.no_such"));
  EXPECT_EQ(pigment_->push_count(), 0);
}

TEST_F(ImportRunTest, MalformedRequestsAreRefusedNamingTheField) {
  FakeLeverOptions lever;
  lever.generate = 1;
  Start(lever);
  struct Case {
    std::function<void(v1::StartImportRequest&)> change;
    absl::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.mutable_destination()->clear_configuration_id(); },
       absl::StatusCode::kInvalidArgument, "destination.configuration_id"},
      {[](auto& r) {
         r.mutable_destination()->set_configuration_id("../etc/passwd");
       },
       absl::StatusCode::kInvalidArgument, "destination.configuration_id"},
      {[](auto& r) { r.mutable_csv()->set_separator("|"); },
       absl::StatusCode::kInvalidArgument, "csv.separator"},
      {[](auto& r) { r.mutable_csv()->mutable_columns(0)->set_column("nope"); },
       absl::StatusCode::kInvalidArgument, "csv.columns[0]"},
      {[](auto& r) {
         r.mutable_csv()->mutable_columns(1)->set_header("Title");
       },
       absl::StatusCode::kInvalidArgument, "Title"},
      {[](auto& r) {
         r.mutable_csv()->mutable_columns(0)->set_date_format(
             v1::DATE_FORMAT_DATE);
       },
       absl::StatusCode::kInvalidArgument, "csv.columns[0]"},
      {[](auto& r) { r.set_parent("acme"); },
       absl::StatusCode::kInvalidArgument, "parent"},
      {[](auto& r) { r.clear_application(); },
       absl::StatusCode::kInvalidArgument, "application"},
      {[](auto& r) { r.set_request_id(std::string(101, 'r')); },
       absl::StatusCode::kInvalidArgument, "request_id"},
      {[](auto& r) {
         r.mutable_csv()->set_list_separator(std::string(17, '+'));
       },
       absl::StatusCode::kInvalidArgument, "csv.list_separator"},
      {[](auto& r) { r.mutable_csv()->set_list_separator("\""); },
       absl::StatusCode::kInvalidArgument, "csv.list_separator"},
      {[](auto& r) {
         r.mutable_csv()->mutable_columns(4)->set_date_format(
             static_cast<v1::DateFormat>(7));
       },
       absl::StatusCode::kInvalidArgument, "csv.columns[4].date_format"},
      {[](auto& r) { r.set_application("APP!"); },
       absl::StatusCode::kInvalidArgument, "application"},
      // The request is checked before the connection is looked up.
      {[](auto& r) {
         r.set_parent("connections/missing");
         r.mutable_destination()->clear_configuration_id();
       },
       absl::StatusCode::kInvalidArgument, "destination.configuration_id"},
      {[](auto& r) { r.set_parent("connections/missing"); },
       absl::StatusCode::kNotFound, "not found"},
      {[](auto& r) { r.set_application("finance"); },
       absl::StatusCode::kPermissionDenied, "finance"},
  };
  for (const Case& c : cases) {
    v1::StartImportRequest request = Request();
    c.change(request);
    SCOPED_TRACE(request.ShortDebugString());
    absl::StatusOr<v1::ImportRun> run =
        environment_->client().StartImport(request);
    EXPECT_EQ(run.status().code(), c.code) << run.status();
    EXPECT_THAT(std::string(run.status().message()), HasSubstr(c.message));
  }
  v1::GetImportRequest get;
  get.set_name("connections/acme/imports/../x");
  EXPECT_EQ(environment_->client().GetImport(get).status().code(),
            absl::StatusCode::kInvalidArgument);
  get.set_name("connections/acme/imports/0123456789abcdef");
  EXPECT_EQ(environment_->client().GetImport(get).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ImportRunTest, CancelDuringExtractionPushesNothing) {
  PageGate gate;
  const v1::ImportRun started = StartHeldRun(gate, Request());
  v1::CancelImportRequest cancel;
  cancel.set_name(started.name());
  absl::StatusOr<v1::ImportRun> cancelled =
      environment_->client().CancelImport(cancel);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  gate.Release();

  const std::vector<v1::ImportRun> states = Watch(started.name());
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.back().state(), v1::IMPORT_RUN_STATE_CANCELLED);
  EXPECT_EQ(pigment_->push_count(), 0);
  EXPECT_THAT(SpoolFiles(), IsEmpty());

  // A finished run stays as it is.
  cancelled = environment_->client().CancelImport(cancel);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->state(), v1::IMPORT_RUN_STATE_CANCELLED);
}

// A connection with a run still going cannot be deleted; once deleted, its
// runs go with it, so a connection created again under the same id starts
// with no runs and its request ids are free.
TEST_F(ImportRunTest, DeletingAConnectionTakesItsRunsAlong) {
  PageGate gate;
  v1::StartImportRequest request = Request();
  request.set_request_id("nightly");
  const v1::ImportRun started = StartHeldRun(gate, request);

  v1::DeleteConnectionRequest remove;
  remove.set_name("connections/acme");
  absl::Status refused = environment_->client().DeleteConnection(remove);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(),
              HasSubstr(absl::StrCat("connection \"acme\" has import runs "
                                     "that have not finished (",
                                     started.name(), ")")));
  gate.Release();
  const std::vector<v1::ImportRun> states = Watch(started.name());
  ASSERT_FALSE(states.empty());
  EXPECT_EQ(states.back().state(), v1::IMPORT_RUN_STATE_SUCCEEDED);

  ASSERT_TRUE(environment_->client().DeleteConnection(remove).ok());
  ASSERT_TRUE(
      environment_->CreateConnection("acme", kFullKey, "planning").ok());
  v1::ListImportsRequest list;
  list.set_parent("connections/acme");
  absl::StatusOr<v1::ListImportsResponse> runs =
      environment_->client().ListImports(list);
  ASSERT_TRUE(runs.ok()) << runs.status();
  EXPECT_THAT(runs->imports(), IsEmpty());
  const v1::ImportRun again = StartRun(request);
  EXPECT_NE(again.name(), started.name());
  // To its end, while the gate it reads Lever through still exists.
  EXPECT_FALSE(Watch(again.name()).empty());
}

TEST_F(ImportRunTest, RunsStoppedByAShutdownShowAsInterrupted) {
  PageGate gate;
  const v1::ImportRun started = StartHeldRun(gate, Request());
  ASSERT_TRUE(environment_
                  ->RestartServer(*crypto::SecretBox::FromEncodedKey(
                      "00112233445566778899aabbccddeeff"
                      "00112233445566778899aabbccddeeff"))
                  .ok());
  gate.Release();

  v1::GetImportRequest get;
  get.set_name(started.name());
  absl::StatusOr<v1::ImportRun> run = environment_->client().GetImport(get);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->state(), v1::IMPORT_RUN_STATE_FAILED);
  EXPECT_EQ(run->error().reason(), "interrupted");
  EXPECT_THAT(run->error().message(), HasSubstr("nothing was sent to Pigment"));
  EXPECT_EQ(pigment_->push_count(), 0);
  EXPECT_THAT(SpoolFiles(), IsEmpty());

  // It can be started again.
  const v1::ImportRun again = RunToEnd(Request());
  EXPECT_EQ(again.state(), v1::IMPORT_RUN_STATE_SUCCEEDED);
  EXPECT_EQ(again.progress().rows(), 500);
}

TEST_F(ImportRunTest, WithASharedStoreOnlyRunsNoServerBeatsForAreInterrupted) {
  FakeLeverOptions lever;
  lever.generate = 5;
  Start(lever, {}, [](server::ServerOptions& server) {
    server.runs.shared_store = true;
    server.runs.heartbeat_interval = absl::Hours(1);  // only at start here
    server.runs.stale_after = absl::Minutes(1);
  });
  // Two runs another replica stored as extracting: one it touched just
  // now, one it stopped touching long ago.
  {
    absl::StatusOr<std::unique_ptr<storage::ImportRunStore>> store =
        storage::OpenSqliteImportRunStore(
            storage::StateDatabasePath(environment_->state_dir()));
    ASSERT_TRUE(store.ok()) << store.status();
    for (const auto& [id, age] :
         {std::pair<std::string, absl::Duration>{"00beating", absl::Seconds(5)},
          {"00silent", absl::Hours(2)}}) {
      v1::ImportRun run;
      run.set_name("connections/acme/imports/" + id);
      run.set_application("planning");
      run.set_state(v1::IMPORT_RUN_STATE_EXTRACTING);
      storage::StoredImportRun stored;
      stored.connection_id = "acme";
      stored.run_id = id;
      stored.application = "planning";
      stored.state = run.state();
      stored.create_time = absl::Now() - age;
      stored.update_time = stored.create_time;
      stored.payload = run.SerializeAsString();
      ASSERT_TRUE((*store)->Create(stored).ok());
    }
  }
  ASSERT_TRUE(environment_
                  ->RestartServer(*crypto::SecretBox::FromEncodedKey(
                      "00112233445566778899aabbccddeeff"
                      "00112233445566778899aabbccddeeff"))
                  .ok());

  v1::GetImportRequest get;
  get.set_name("connections/acme/imports/00beating");
  absl::StatusOr<v1::ImportRun> beating = environment_->client().GetImport(get);
  ASSERT_TRUE(beating.ok()) << beating.status();
  EXPECT_EQ(beating->state(), v1::IMPORT_RUN_STATE_EXTRACTING);
  get.set_name("connections/acme/imports/00silent");
  absl::StatusOr<v1::ImportRun> silent = environment_->client().GetImport(get);
  ASSERT_TRUE(silent.ok()) << silent.status();
  EXPECT_EQ(silent->state(), v1::IMPORT_RUN_STATE_FAILED);
  EXPECT_EQ(silent->error().reason(), "interrupted");
}

TEST_F(ImportRunTest, ListPagesNewestFirstAndFiltersByState) {
  FakeLeverOptions lever;
  lever.generate = 5;
  Start(lever);
  std::vector<std::string> names;
  for (int i = 0; i < 3; ++i) names.push_back(RunToEnd(Request()).name());
  v1::StartImportRequest failing = Request();
  failing.mutable_csv()->mutable_columns(0)->set_column("custom.none");
  names.push_back(RunToEnd(failing).name());

  v1::ListImportsRequest list;
  list.set_parent("connections/acme");
  list.set_page_size(3);
  absl::StatusOr<v1::ListImportsResponse> first =
      environment_->client().ListImports(list);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_THAT(first->imports(), SizeIs(3));
  EXPECT_EQ(first->imports(0).name(), names[3]);
  EXPECT_EQ(first->imports(2).name(), names[1]);
  list.set_page_token(first->next_page_token());
  absl::StatusOr<v1::ListImportsResponse> second =
      environment_->client().ListImports(list);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_THAT(second->imports(), SizeIs(1));
  EXPECT_EQ(second->imports(0).name(), names[0]);
  EXPECT_TRUE(second->next_page_token().empty());

  // A token is bound to its filters.
  list.set_state(v1::IMPORT_RUN_STATE_FAILED);
  EXPECT_EQ(environment_->client().ListImports(list).status().code(),
            absl::StatusCode::kInvalidArgument);
  list.clear_page_token();
  absl::StatusOr<v1::ListImportsResponse> failed =
      environment_->client().ListImports(list);
  ASSERT_TRUE(failed.ok()) << failed.status();
  ASSERT_THAT(failed->imports(), SizeIs(1));
  EXPECT_EQ(failed->imports(0).name(), names[3]);
}

TEST_F(ImportRunTest, MembersSeeOnlyTheRunsOfTheirApplications) {
  FakeLeverOptions lever;
  lever.generate = 5;
  Start(lever);
  AllowReporting();

  const v1::ImportRun planning = RunToEnd(Request());
  v1::StartImportRequest for_reporting = Request();
  for_reporting.set_application("reporting");
  const v1::ImportRun reporting = RunToEnd(for_reporting);

  auto member = environment_->ClientWithToken(kReportingMemberToken);
  v1::ListImportsRequest list;
  list.set_parent("connections/acme");
  absl::StatusOr<v1::ListImportsResponse> seen = member->ListImports(list);
  ASSERT_TRUE(seen.ok()) << seen.status();
  ASSERT_THAT(seen->imports(), SizeIs(1));
  EXPECT_EQ(seen->imports(0).name(), reporting.name());

  v1::GetImportRequest get;
  get.set_name(planning.name());
  absl::Status denied = member->GetImport(get).status();
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(denied.message()), HasSubstr("planning"));
  v1::CancelImportRequest cancel;
  cancel.set_name(planning.name());
  EXPECT_EQ(member->CancelImport(cancel).status().code(),
            absl::StatusCode::kPermissionDenied);
  v1::WatchImportRequest watch;
  watch.set_name(planning.name());
  EXPECT_EQ(member->WatchImport(watch, nullptr).status().code(),
            absl::StatusCode::kPermissionDenied);
  v1::StartImportRequest not_own = Request();
  EXPECT_EQ(member->StartImport(not_own).status().code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(ImportRunTest, NoSecretInLogsRunsOrFiles) {
  FakeLeverOptions lever;
  lever.generate = 20;
  Start(lever);
  const v1::ImportRun run = RunToEnd(Request());
  ASSERT_EQ(run.state(), v1::IMPORT_RUN_STATE_SUCCEEDED);
  EXPECT_THAT(run.DebugString(), Not(HasSubstr(kPigmentKey)));
  for (const std::string& line : environment_->LogLines()) {
    EXPECT_THAT(line, Not(HasSubstr(kPigmentKey)));
    EXPECT_THAT(line, Not(HasSubstr(kFullKey)));
  }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           environment_->state_dir())) {
    if (!entry.is_regular_file()) continue;
    EXPECT_THAT(ReadFile(entry.path().string()), Not(HasSubstr(kPigmentKey)))
        << entry.path();
  }
}

}  // namespace
}  // namespace leverconnect::testing

#include "lib/pigment/pigment_client.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/pigment/pigment_answers.h"
#include "tests/unit/fake_clock.h"
#include "tests/unit/scripted_http.h"

namespace leverconnect::pigment {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;

constexpr char kKey[] = "pigment-secret-key";
constexpr char kPushUrl[] =
    "https://pigment.test/api/v1/import/push/csv?configurationId=cfg%201";

class PigmentClientTest : public ::testing::Test {
 protected:
  PigmentClient MakeClient(std::string base_url = "https://pigment.test") {
    PigmentClientOptions options;
    options.base_url = std::move(base_url);
    options.import_key = kKey;
    options.retry.max_attempts = 3;
    options.retry.initial_backoff = absl::Milliseconds(100);
    options.attempt_timeout = absl::Minutes(5);
    return PigmentClient(
        http_, clock_, [] { return 1.0; }, options);
  }

  absl::StatusOr<std::string> Push(CallContext context = {}) {
    return MakeClient().PushCsvFile("cfg 1", "/data/requisitions.csv", context);
  }

  absl::StatusOr<ImportReport> Status() {
    return MakeClient().GetImportStatus("imp-1", {});
  }

  testing::ScriptedHttp http_;
  testing::FakeClock clock_;
};

constexpr char kAccepted[] = R"({"importId":"imp-1"})";

std::string StatusBody(const std::string& state) {
  return R"({"importStatus":")" + state + R"(","errorsDetails":[]})";
}

TEST_F(PigmentClientTest, PushesTheFileWithTheKeyAsBearer) {
  http_.Answer(200, kAccepted);
  absl::StatusOr<std::string> import_id = Push();
  ASSERT_TRUE(import_id.ok()) << import_id.status();
  EXPECT_EQ(*import_id, "imp-1");

  ASSERT_EQ(http_.requests().size(), 1u);
  const http::Request sent = http_.requests()[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, kPushUrl);
  EXPECT_EQ(sent.body_file, "/data/requisitions.csv");
  EXPECT_EQ(sent.body, "");
  EXPECT_EQ(sent.timeout, absl::Minutes(5));
  EXPECT_THAT(sent.headers,
              Contains(Pair("Authorization", "Bearer pigment-secret-key")));
  EXPECT_THAT(sent.headers, Contains(Pair("Content-Type", "text/csv")));
  EXPECT_THAT(sent.url, Not(HasSubstr(kKey)));
  EXPECT_TRUE(sent.basic_auth_user.empty());
}

TEST_F(PigmentClientTest, ARejectedKeyIsAFailedPreconditionWithoutTheKey) {
  http_.Answer(401, R"({"message":"Invalid key pigment-secret-key"})");
  absl::StatusOr<std::string> pushed = Push();
  EXPECT_EQ(pushed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(pushed.status().message(),
              HasSubstr("Pigment rejected the import API key (HTTP 401)"));
  EXPECT_THAT(pushed.status().message(),
              HasSubstr("POST /api/v1/import/push/csv"));
  EXPECT_THAT(pushed.status().message(), HasSubstr("Invalid key [import key]"));
  EXPECT_THAT(pushed.status().message(), Not(HasSubstr(kKey)));
  EXPECT_EQ(http_.requests().size(), 1u);
}

TEST_F(PigmentClientTest, AnUnknownConfigurationIsNotFound) {
  http_.Answer(404, R"({"message":"Not found"})");
  absl::StatusOr<std::string> pushed = Push();
  EXPECT_EQ(pushed.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(pushed.status().message(),
              HasSubstr("Pigment has no import configuration cfg 1"));
  EXPECT_EQ(http_.requests().size(), 1u);
}

TEST_F(PigmentClientTest, ABadRequestCarriesPigmentsMessage) {
  http_.Answer(400,
               R"({"code":"BadRequest","message":"header 2 is \"Title\""})");
  absl::StatusOr<std::string> pushed = Push();
  EXPECT_EQ(pushed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(pushed.status().message(), HasSubstr("header 2 is \"Title\""));
  EXPECT_THAT(pushed.status().message(), HasSubstr("HTTP 400"));
  EXPECT_FALSE(PushMayHaveArrived(pushed.status()));
}

TEST_F(PigmentClientTest, RetriesRefusedPushesWithBackoffThenGivesUp) {
  // Pigment sends no Retry-After with its 429s: backoff alone paces them.
  http_.Answer(429, R"({"message":"Too many requests"})");
  http_.Answer(503, "<html>busy</html>");
  http_.Fail(http::MarkNotSent(absl::UnavailableError("connection refused")));
  absl::StatusOr<std::string> pushed = Push();
  EXPECT_EQ(pushed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(pushed.status().message(), HasSubstr("after 3 attempts"));
  EXPECT_FALSE(PushMayHaveArrived(pushed.status()));
  EXPECT_EQ(http_.requests().size(), 3u);
  EXPECT_EQ(clock_.sleeps(),
            (std::vector<absl::Duration>{absl::Milliseconds(100),
                                         absl::Milliseconds(200)}));
}

TEST_F(PigmentClientTest, ARefusedPushSucceedsOnALaterAttempt) {
  http_.Answer(503, "");
  http_.Fail(http::MarkNotSent(absl::UnavailableError("connection refused")));
  http_.Answer(200, kAccepted);
  absl::StatusOr<std::string> import_id = Push();
  ASSERT_TRUE(import_id.ok()) << import_id.status();
  EXPECT_EQ(http_.requests().size(), 3u);
  for (const http::Request& request : http_.requests()) {
    EXPECT_EQ(request.body_file, "/data/requisitions.csv");
  }
}

TEST_F(PigmentClientTest, RateLimitingThatPersistsIsResourceExhausted) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    http_.Answer(429, R"({"message":"Too many requests"})");
  }
  absl::StatusOr<std::string> pushed = Push();
  EXPECT_EQ(pushed.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(pushed.status().message(), HasSubstr("after 3 attempts"));
  EXPECT_THAT(pushed.status().message(), HasSubstr("HTTP 429"));
  EXPECT_FALSE(PushMayHaveArrived(pushed.status()));
}

TEST_F(PigmentClientTest, NeverRepeatsAPushPigmentMayHaveReceived) {
  const std::vector<absl::StatusOr<int>> ambiguous = {
      500, 502, 504, absl::UnavailableError("POST: Connection reset by peer"),
      absl::DeadlineExceededError("POST: Timeout was reached")};
  for (const absl::StatusOr<int>& failure : ambiguous) {
    testing::ScriptedHttp http;
    testing::FakeClock clock;
    if (failure.ok()) {
      http.Answer(*failure, "<html>gateway</html>");
    } else {
      http.Fail(failure.status());
    }
    http.Answer(200, kAccepted);
    PigmentClientOptions options;
    options.base_url = "https://pigment.test";
    options.import_key = kKey;
    PigmentClient client(
        http, clock, [] { return 0.5; }, options);
    absl::StatusOr<std::string> pushed =
        client.PushCsvFile("cfg-1", "/data/a.csv", {});
    SCOPED_TRACE(failure.ok() ? std::to_string(*failure)
                              : failure.status().ToString());
    EXPECT_EQ(pushed.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(pushed.status().message(),
                HasSubstr("may or may not have been received"));
    EXPECT_THAT(pushed.status().message(), HasSubstr("cfg-1"));
    EXPECT_TRUE(PushMayHaveArrived(pushed.status()));
    EXPECT_EQ(http.requests().size(), 1u);
    EXPECT_TRUE(clock.sleeps().empty());
  }
}

TEST_F(PigmentClientTest, AnUnreadableAcceptanceIsNotRepeatedEither) {
  http_.Answer(200, "<html>sign in</html>");
  http_.Answer(200, kAccepted);
  absl::StatusOr<std::string> pushed = Push();
  EXPECT_EQ(pushed.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(pushed.status().message(), HasSubstr("not a JSON object"));
  EXPECT_TRUE(PushMayHaveArrived(pushed.status()));
  EXPECT_EQ(http_.requests().size(), 1u);
}

// A scripted HttpClient whose every exchange takes `duration` of the clock.
class SlowHttp : public testing::ScriptedHttp {
 public:
  SlowHttp(testing::FakeClock& clock, absl::Duration duration)
      : clock_(clock), duration_(duration) {}

  absl::StatusOr<http::Response> Send(const http::Request& request) override {
    clock_.Advance(duration_);
    return ScriptedHttp::Send(request);
  }

 private:
  testing::FakeClock& clock_;
  absl::Duration duration_;
};

TEST_F(PigmentClientTest, APushCutShortByTheCallersDeadlineMayHaveArrived) {
  SlowHttp http(clock_, absl::Seconds(10));
  http.Fail(absl::DeadlineExceededError("POST: Timeout was reached"));
  PigmentClientOptions options;
  options.base_url = "https://pigment.test";
  options.import_key = kKey;
  PigmentClient client(
      http, clock_, [] { return 1.0; }, options);
  CallContext context;
  context.deadline = clock_.Now() + absl::Seconds(10);
  absl::StatusOr<std::string> pushed =
      client.PushCsvFile("cfg-1", "/data/a.csv", context);
  EXPECT_EQ(pushed.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(PushMayHaveArrived(pushed.status()));
  EXPECT_EQ(http.requests().size(), 1u);
  EXPECT_EQ(http.requests()[0].timeout, absl::Seconds(10));
}

TEST_F(PigmentClientTest, APushCancelledUnderWayMayHaveArrived) {
  http_.Fail(absl::CancelledError("POST: aborted by callback"));
  CallContext context;
  context.cancelled = [this] { return !http_.requests().empty(); };
  absl::StatusOr<std::string> pushed = Push(context);
  EXPECT_EQ(pushed.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(PushMayHaveArrived(pushed.status()));
}

TEST_F(PigmentClientTest, AnAcceptedPushIsKeptEvenIfTheCallerJustCancelled) {
  http_.Answer(200, kAccepted);
  CallContext context;
  context.cancelled = [this] { return !http_.requests().empty(); };
  absl::StatusOr<std::string> import_id = Push(context);
  ASSERT_TRUE(import_id.ok()) << import_id.status();
  EXPECT_EQ(*import_id, "imp-1");
}

TEST_F(PigmentClientTest, NothingIsSentOnceTheDeadlineHasPassed) {
  CallContext context;
  context.deadline = clock_.Now();
  EXPECT_EQ(Push(context).status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(http_.requests().empty());
}

TEST_F(PigmentClientTest, EachAttemptGetsAtMostTheTimeLeft) {
  http_.Answer(200, kAccepted);
  CallContext context;
  context.deadline = clock_.Now() + absl::Seconds(20);
  ASSERT_TRUE(Push(context).ok());
  EXPECT_EQ(http_.requests()[0].timeout, absl::Seconds(20));
}

TEST_F(PigmentClientTest, RefusesBadInputBeforeSendingTheKey) {
  EXPECT_EQ(MakeClient().PushCsvFile("", "/data/a.csv", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeClient().GetImportStatus("", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::string> plain =
      MakeClient("http://pigment.app").PushCsvFile("cfg", "/data/a.csv", {});
  EXPECT_EQ(plain.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(plain.status().message(), HasSubstr("Pigment base URL"));
  EXPECT_TRUE(http_.requests().empty());
}

TEST_F(PigmentClientTest, AFileTheHttpClientCannotReadIsNotRetried) {
  http_.Fail(absl::FailedPreconditionError(
      "POST /api/v1/import/push/csv: cannot read the body file"));
  absl::StatusOr<std::string> pushed = Push();
  EXPECT_EQ(pushed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(PushMayHaveArrived(pushed.status()));
  EXPECT_EQ(http_.requests().size(), 1u);
}

constexpr char kCompletedReport[] = R"({
  "importStatus": "Completed",
  "errorsDetails": [{"name": "Warning", "description": "late rows"}],
  "detailedReport": {
    "summary": {"inserted": 7, "updated": 2, "deleted": 1, "skipped": 4},
    "impactedBlocks": [
      {"name": "Requisitions", "skippedData": [
        {"count": 3, "reason": "ParsingError", "sourceColumnName": "Headcount",
         "samples": ["x", "1,5", 12]}]},
      {"name": "Employees", "skippedData": [
        {"count": 1, "reason": "MissingModalitySkippedDataRow",
         "sourceColumnName": "Team", "samples": []}]},
      {"name": "Untouched"}]}})";

TEST_F(PigmentClientTest, ReadsTheStatusAndTheDetailedReport) {
  http_.Answer(200, kCompletedReport);
  absl::StatusOr<ImportReport> report =
      MakeClient().GetImportStatus("imp/1", {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(http_.requests()[0].method, "GET");
  EXPECT_EQ(http_.requests()[0].url,
            "https://pigment.test/api/v1/import/imp%2F1/status"
            "?includedDetailedReport=true");
  EXPECT_THAT(http_.requests()[0].headers,
              Contains(Pair("Authorization", "Bearer pigment-secret-key")));

  EXPECT_EQ(report->state, ImportReport::State::kCompleted);
  EXPECT_EQ(report->inserted, 7);
  EXPECT_EQ(report->updated, 2);
  EXPECT_EQ(report->deleted, 1);
  EXPECT_EQ(report->skipped, 4);
  EXPECT_THAT(report->errors, ElementsAre("Warning: late rows"));
  ASSERT_EQ(report->skipped_data.size(), 2u);
  const SkippedData& parsing = report->skipped_data[0];
  EXPECT_EQ(parsing.count, 3);
  EXPECT_EQ(parsing.reason, "ParsingError");
  EXPECT_EQ(parsing.source_column, "Headcount");
  EXPECT_THAT(parsing.samples, ElementsAre("x", "1,5", "12"));
  EXPECT_EQ(parsing.block, "Requisitions");
  EXPECT_EQ(report->skipped_data[1].block, "Employees");
  EXPECT_EQ(report->skipped_data[1].reason, "MissingModalitySkippedDataRow");
}

TEST_F(PigmentClientTest, AnImportInProgressMayHaveNoReportYet) {
  http_.Answer(200, R"({"importStatus":"InProgress","errorsDetails":null,
                        "detailedReport":null})");
  absl::StatusOr<ImportReport> report = Status();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->state, ImportReport::State::kInProgress);
  EXPECT_EQ(report->inserted, 0);
  EXPECT_TRUE(report->skipped_data.empty());
  EXPECT_TRUE(report->errors.empty());
}

TEST_F(PigmentClientTest, AnUnknownImportIsNotFound) {
  http_.Answer(404, R"({"message":"Import not found"})");
  absl::StatusOr<ImportReport> report = Status();
  EXPECT_EQ(report.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(report.status().message(),
              HasSubstr("Pigment knows no import imp-1"));
  EXPECT_EQ(http_.requests().size(), 1u);
}

TEST_F(PigmentClientTest, StatusReadsRetryEveryTransientFailure) {
  http_.Answer(500, "");
  http_.Fail(absl::UnavailableError("GET: Connection reset by peer"));
  http_.Answer(200, StatusBody("Completed"));
  absl::StatusOr<ImportReport> report = Status();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->state, ImportReport::State::kCompleted);
  EXPECT_EQ(http_.requests().size(), 3u);
}

TEST_F(PigmentClientTest, MalformedStatusesAreRetriedThenUnavailable) {
  http_.Answer(200, "<html>sign in</html>");
  http_.Answer(200, R"({"importStatus":"Queued"})");
  http_.Answer(200, R"({"importStatus":"Completed","detailedReport":[]})");
  absl::StatusOr<ImportReport> report = Status();
  EXPECT_EQ(report.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(report.status().message(), HasSubstr("after 3 attempts"));
  EXPECT_THAT(report.status().message(), HasSubstr("detailedReport"));
  EXPECT_EQ(http_.requests().size(), 3u);
}

TEST_F(PigmentClientTest, StatusRateLimitingThatPersistsIsResourceExhausted) {
  for (int attempt = 0; attempt < 3; ++attempt) http_.Answer(429, "");
  EXPECT_EQ(Status().status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(PigmentClientTest, WaitingPollsAtDoublingIntervalsUpToTheMaximum) {
  for (int poll = 0; poll < 5; ++poll)
    http_.Answer(200, StatusBody("InProgress"));
  http_.Answer(200, kCompletedReport);
  WaitOptions wait;
  wait.initial_poll = absl::Seconds(1);
  wait.max_poll = absl::Seconds(4);
  absl::StatusOr<ImportReport> report =
      MakeClient().WaitForImport("imp-1", wait, {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->state, ImportReport::State::kCompleted);
  EXPECT_EQ(report->inserted, 7);
  EXPECT_EQ(clock_.sleeps(),
            (std::vector<absl::Duration>{absl::Seconds(1), absl::Seconds(2),
                                         absl::Seconds(4), absl::Seconds(4),
                                         absl::Seconds(4)}));
}

TEST_F(PigmentClientTest, WaitingGivesUpAfterMaxWaitNamingTheImport) {
  for (int poll = 0; poll < 10; ++poll) {
    http_.Answer(200, StatusBody("InProgress"));
  }
  WaitOptions wait;
  wait.initial_poll = absl::Seconds(1);
  wait.max_poll = absl::Seconds(4);
  wait.max_wait = absl::Seconds(10);
  absl::StatusOr<ImportReport> report =
      MakeClient().WaitForImport("imp-1", wait, {});
  EXPECT_EQ(report.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(report.status().message(), HasSubstr("imp-1"));
  EXPECT_THAT(report.status().message(), HasSubstr("still InProgress"));
  // The last pause is shortened so that the last poll falls on max_wait.
  EXPECT_EQ(clock_.sleeps(),
            (std::vector<absl::Duration>{absl::Seconds(1), absl::Seconds(2),
                                         absl::Seconds(4), absl::Seconds(3)}));
  EXPECT_EQ(http_.requests().size(), 5u);
}

TEST_F(PigmentClientTest, WaitingStopsBeforeTheCallersDeadline) {
  for (int poll = 0; poll < 3; ++poll) {
    http_.Answer(200, StatusBody("InProgress"));
  }
  CallContext context;
  context.deadline = clock_.Now() + absl::Milliseconds(2500);
  absl::StatusOr<ImportReport> report =
      MakeClient().WaitForImport("imp-1", WaitOptions(), context);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(report.status().message(), HasSubstr("imp-1"));
  EXPECT_EQ(clock_.sleeps(), (std::vector<absl::Duration>{absl::Seconds(1)}));
  EXPECT_EQ(http_.requests().size(), 2u);
}

TEST_F(PigmentClientTest, AFailedImportIsAnAnswerNotAnError) {
  http_.Answer(200, StatusBody("InProgress"));
  http_.Answer(200, R"({"importStatus":"Failed","errorsDetails":[
      {"name":"ImportFailed","description":"Block was deleted"}]})");
  absl::StatusOr<ImportReport> report =
      MakeClient().WaitForImport("imp-1", WaitOptions(), {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->state, ImportReport::State::kFailed);
  EXPECT_THAT(report->errors, ElementsAre("ImportFailed: Block was deleted"));
}

TEST_F(PigmentClientTest, WaitingStopsWhenTheCallerCancels) {
  http_.Answer(200, StatusBody("InProgress"));
  CallContext context;
  context.cancelled = [this] { return !clock_.sleeps().empty(); };
  absl::StatusOr<ImportReport> report =
      MakeClient().WaitForImport("imp-1", WaitOptions(), context);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(http_.requests().size(), 1u);
}

TEST_F(PigmentClientTest, WaitingRefusesIntervalsThatCannotWork) {
  WaitOptions wait;
  wait.initial_poll = absl::ZeroDuration();
  EXPECT_EQ(MakeClient().WaitForImport("imp-1", wait, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  wait.initial_poll = absl::Seconds(5);
  wait.max_poll = absl::Seconds(1);
  EXPECT_EQ(MakeClient().WaitForImport("imp-1", wait, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(http_.requests().empty());
}

TEST(ValidatePigmentBaseUrlTest, HttpsAlwaysAndPlainHttpOnlyToLoopback) {
  for (const char* url :
       {"https://pigment.app", "http://127.0.0.1:8080", "http://localhost:9"}) {
    EXPECT_TRUE(ValidatePigmentBaseUrl(url).ok()) << url;
  }
  for (const char* url : {"http://pigment.app", "pigment.app", "https://"}) {
    const absl::Status status = ValidatePigmentBaseUrl(url);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << url;
    EXPECT_THAT(status.message(), HasSubstr("Pigment base URL"));
  }
}

TEST(ImportStateNameTest, UsesPigmentsWords) {
  EXPECT_EQ(ImportStateName(ImportReport::State::kInProgress), "InProgress");
  EXPECT_EQ(ImportStateName(ImportReport::State::kCompleted), "Completed");
  EXPECT_EQ(ImportStateName(ImportReport::State::kFailed), "Failed");
}

}  // namespace
}  // namespace leverconnect::pigment

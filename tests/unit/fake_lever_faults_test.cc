// Faults the fake Lever injects: their parsing, their plan, and what a
// client receives for each, through httplib and through libcurl.
#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "tests/fakes/fake_lever.h"
#include "tests/fakes/fault_plan.h"
#include "tests/fakes/page_token.h"

namespace leverconnect::testing {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr char kKey[] = "faults-test-key";
constexpr char kJson[] = "application/json; charset=utf-8";

// What a client got for one request: an answer, or the error instead.
struct Outcome {
  httplib::Error error = httplib::Error::Success;
  int status = 0;
  std::string content_type;
  std::string body;
  bool has_retry_after = false;
  std::string retry_after;

  // "200", "503"...; "error" when no complete answer arrived.
  std::string Summary() const {
    return error == httplib::Error::Success ? std::to_string(status) : "error";
  }
};

FakeLeverOptions Options() {
  FakeLeverOptions options;
  options.generate = 30;
  options.api_keys[kKey] = {"requisitions:read", "requisition_fields:read"};
  return options;
}

FakeLeverOptions ScriptedOptions(FaultScript script) {
  FakeLeverOptions options = Options();
  options.fault_script = std::move(script);
  return options;
}

std::unique_ptr<FakeLever> StartLever(const FakeLeverOptions& options) {
  absl::StatusOr<std::unique_ptr<FakeLever>> lever = FakeLever::Start(options);
  EXPECT_TRUE(lever.ok()) << lever.status();
  return lever.ok() ? *std::move(lever) : nullptr;
}

// GET <path> (from the root) on a connection of its own.
Outcome Get(const FakeLever& lever, const std::string& path) {
  httplib::Client client("127.0.0.1", lever.port());
  client.set_basic_auth(kKey, "");
  const httplib::Result result = client.Get(path);
  Outcome outcome;
  outcome.error = result.error();
  if (!result) return outcome;
  outcome.status = result->status;
  outcome.content_type = result->get_header_value("Content-Type");
  outcome.body = result->body;
  outcome.has_retry_after = result->has_header("Retry-After");
  outcome.retry_after = result->get_header_value("Retry-After");
  return outcome;
}

rapidjson::Document Parse(const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.c_str());
  return document;
}

void ExpectLeverError(const Outcome& outcome, int status, const char* code,
                      const char* message) {
  EXPECT_EQ(outcome.status, status);
  EXPECT_EQ(outcome.content_type, kJson);
  const rapidjson::Document json = Parse(outcome.body);
  ASSERT_TRUE(json.IsObject()) << outcome.body;
  EXPECT_STREQ(json["code"].GetString(), code);
  EXPECT_STREQ(json["message"].GetString(), message);
}

// What libcurl reports for one GET.
struct CurlOutcome {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
};

std::size_t AppendBody(char* data, std::size_t size, std::size_t count,
                       void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

CurlOutcome CurlGet(const FakeLever& lever, const std::string& path) {
  CurlOutcome outcome;
  CURL* curl = curl_easy_init();
  const std::string url =
      "http://127.0.0.1:" + std::to_string(lever.port()) + path;
  const std::string credentials = std::string(kKey) + ":";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_USERPWD, credentials.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &outcome.body);
  outcome.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &outcome.status);
  curl_easy_cleanup(curl);
  return outcome;
}

TEST(FaultKindTest, NamesRoundTrip) {
  std::vector<std::string> names;
  for (FaultKind kind : kAllFaultKinds) {
    names.emplace_back(FaultKindName(kind));
    const absl::StatusOr<FaultKind> parsed = ParseFaultKind(names.back());
    ASSERT_TRUE(parsed.ok()) << names.back();
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_EQ(names, std::vector<std::string>({"429", "500", "502", "503", "504",
                                             "reset", "html", "truncate",
                                             "badtoken", "empty", "lost"}));
  for (const char* bad : {"", "418", "RESET", "reset "}) {
    EXPECT_EQ(ParseFaultKind(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(FaultChancesTest, ParsesTheFlagFormat) {
  const absl::StatusOr<FaultChances> chances = ParseFaultChances(
      "429:0.05,500:0.02,503:0.02,reset:0.01,html:0.01,truncate:0.01,"
      "badtoken:0.01");
  ASSERT_TRUE(chances.ok()) << chances.status();
  EXPECT_EQ(*chances, FaultChances({{FaultKind::kTooManyRequests, 0.05},
                                    {FaultKind::kInternalError, 0.02},
                                    {FaultKind::kServiceUnavailable, 0.02},
                                    {FaultKind::kReset, 0.01},
                                    {FaultKind::kHtml, 0.01},
                                    {FaultKind::kTruncate, 0.01},
                                    {FaultKind::kBadToken, 0.01}}));
  EXPECT_THAT(*ParseFaultChances(""), IsEmpty());
  EXPECT_TRUE(ParseFaultChances("502:0.5,504:0.5").ok());
  EXPECT_TRUE(ParseFaultChances("empty:1").ok());
  EXPECT_TRUE(ParseFaultChances("html:0").ok());
}

TEST(FaultChancesTest, RefusesBadLists) {
  for (const char* bad :
       {"teapot:0.1", "429", "429:", "429:x", "429:0.1:2", "429:-0.1",
        "429:1.5", "429:nan", "429:0.6,503:0.5", "429:0.1,429:0.2", ":0.1"}) {
    const absl::StatusOr<FaultChances> chances = ParseFaultChances(bad);
    EXPECT_EQ(chances.status().code(), absl::StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_THAT(std::string(ParseFaultChances("teapot:0.1").status().message()),
              HasSubstr("teapot"));
}

TEST(FaultScriptTest, ParsesAndRefuses) {
  const absl::StatusOr<FaultScript> script = ParseFaultScript("3:429,4:reset");
  ASSERT_TRUE(script.ok()) << script.status();
  EXPECT_EQ(*script, FaultScript({{3, FaultKind::kTooManyRequests},
                                  {4, FaultKind::kReset}}));
  for (const char* bad : {"0:429", "-1:429", "x:429", "3:teapot", "3",
                          "3:429,3:500", "3:429:1"}) {
    EXPECT_EQ(ParseFaultScript(bad).status().code(),
              absl::StatusCode::kInvalidArgument)
        << bad;
  }
}

TEST(FaultPlanTest, ScriptWinsAndDoesNotMoveRandomFaults) {
  const FaultChances chances = {{FaultKind::kServiceUnavailable, 0.3}};
  const FaultPlan random(chances, 7, {});
  const FaultPlan scripted(chances, 7, {{5, FaultKind::kReset}});
  EXPECT_EQ(scripted.For(5), FaultKind::kReset);
  for (int number = 1; number <= 200; ++number) {
    if (number == 5) continue;
    EXPECT_EQ(scripted.For(number), random.For(number)) << number;
  }
  EXPECT_EQ(FaultPlan({}, 7, {}).For(1), std::nullopt);
}

TEST(FaultPlanTest, DrawsAreReproducibleAndNearTheirChances) {
  const FaultChances chances = {{FaultKind::kTooManyRequests, 0.05},
                                {FaultKind::kBadGateway, 0.2}};
  const FaultPlan plan(chances, 11, {});
  const FaultPlan same(chances, 11, {});
  const FaultPlan other(chances, 12, {});
  std::map<std::optional<FaultKind>, int> counts;
  int differences = 0;
  constexpr int kDraws = 100000;
  for (int number = 1; number <= kDraws; ++number) {
    ASSERT_EQ(plan.For(number), same.For(number));
    if (plan.For(number) != other.For(number)) ++differences;
    ++counts[plan.For(number)];
  }
  EXPECT_GT(differences, 0);
  EXPECT_NEAR(counts[FaultKind::kTooManyRequests], 0.05 * kDraws,
              0.1 * 0.05 * kDraws);
  EXPECT_NEAR(counts[FaultKind::kBadGateway], 0.2 * kDraws, 0.1 * 0.2 * kDraws);
}

TEST(FakeLeverFaultsTest, StartRefusesBadMisbehaviour) {
  FakeLeverOptions options = Options();
  options.faults = {{FaultKind::kReset, 0.7}, {FaultKind::kHtml, 0.4}};
  EXPECT_EQ(FakeLever::Start(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = ScriptedOptions({{0, FaultKind::kReset}});
  EXPECT_EQ(FakeLever::Start(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = Options();
  options.latency_ms = -1;
  EXPECT_EQ(FakeLever::Start(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = Options();
  options.rate = 5;
  options.burst = 0.5;
  EXPECT_EQ(FakeLever::Start(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FakeLeverFaultsTest, ScriptHitsExactlyTheNumberedRequest) {
  auto lever = StartLever(ScriptedOptions({{3, FaultKind::kInternalError}}));
  ASSERT_NE(lever, nullptr);
  std::vector<std::string> statuses;
  for (int request = 1; request <= 5; ++request) {
    statuses.push_back(Get(*lever, "/v1/requisitions?limit=1").Summary());
  }
  EXPECT_EQ(statuses,
            std::vector<std::string>({"200", "200", "500", "200", "200"}));
  EXPECT_EQ(lever->FaultCount(FaultKind::kInternalError), 1);
}

TEST(FakeLeverFaultsTest, OnlyRequestsUnderV1AreNumberedOrDisturbed) {
  auto lever = StartLever(ScriptedOptions({{1, FaultKind::kBadGateway}}));
  ASSERT_NE(lever, nullptr);
  EXPECT_EQ(Get(*lever, "/_stats").status, 200);
  EXPECT_EQ(Get(*lever, "/elsewhere").status, 404);
  EXPECT_EQ(Get(*lever, "/v1/requisitions").status, 502);
  EXPECT_EQ(Get(*lever, "/v1/requisitions").status, 200);
}

TEST(FakeLeverFaultsTest, TooManyRequestsWithOrWithoutRetryAfter) {
  FakeLeverOptions options =
      ScriptedOptions({{1, FaultKind::kTooManyRequests}});
  auto lever = StartLever(options);
  ASSERT_NE(lever, nullptr);
  const Outcome with = Get(*lever, "/v1/requisitions");
  ExpectLeverError(with, 429, "TooManyRequests", "Rate limit exceeded");
  EXPECT_EQ(with.retry_after, "1");

  options.retry_after = false;
  lever = StartLever(options);
  ASSERT_NE(lever, nullptr);
  const Outcome without = Get(*lever, "/v1/requisitions");
  ExpectLeverError(without, 429, "TooManyRequests", "Rate limit exceeded");
  EXPECT_FALSE(without.has_retry_after);
  EXPECT_EQ(lever->FaultCount(FaultKind::kTooManyRequests), 1);
  EXPECT_EQ(lever->RateLimitedCount(), 0);
}

TEST(FakeLeverFaultsTest, InternalErrorIsLeverJson) {
  auto lever = StartLever(ScriptedOptions({{1, FaultKind::kInternalError}}));
  ASSERT_NE(lever, nullptr);
  const Outcome outcome = Get(*lever, "/v1/requisition_fields");
  ExpectLeverError(outcome, 500, "InternalError", "Internal server error");
  EXPECT_FALSE(outcome.has_retry_after);
}

TEST(FakeLeverFaultsTest, GatewayErrorsAreHtmlPages) {
  auto lever = StartLever(ScriptedOptions({{1, FaultKind::kBadGateway},
                                           {2, FaultKind::kServiceUnavailable},
                                           {3, FaultKind::kGatewayTimeout}}));
  ASSERT_NE(lever, nullptr);
  const std::map<int, std::string> titles = {{502, "502 Bad Gateway"},
                                             {503, "503 Service Unavailable"},
                                             {504, "504 Gateway Timeout"}};
  for (const auto& [status, title] : titles) {
    const Outcome outcome = Get(*lever, "/v1/requisitions");
    EXPECT_EQ(outcome.status, status);
    EXPECT_THAT(outcome.content_type, StartsWith("text/html"));
    EXPECT_THAT(outcome.body, StartsWith("<html>"));
    EXPECT_THAT(outcome.body, HasSubstr("<h1>" + title + "</h1>"));
    EXPECT_FALSE(Parse(outcome.body).IsObject());
  }
  EXPECT_EQ(lever->FaultCount(FaultKind::kServiceUnavailable), 1);
}

TEST(FakeLeverFaultsTest, HtmlIsA200PageInsteadOfJson) {
  auto lever = StartLever(ScriptedOptions({{1, FaultKind::kHtml}}));
  ASSERT_NE(lever, nullptr);
  const Outcome outcome = Get(*lever, "/v1/requisitions");
  EXPECT_EQ(outcome.status, 200);
  EXPECT_THAT(outcome.content_type, StartsWith("text/html"));
  EXPECT_THAT(outcome.body, StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(outcome.body, HasSubstr("</html>"));
  EXPECT_TRUE(Parse(outcome.body).HasParseError());
}

TEST(FakeLeverFaultsTest, EmptyIsA200WithoutBody) {
  auto lever = StartLever(ScriptedOptions({{1, FaultKind::kEmpty}}));
  ASSERT_NE(lever, nullptr);
  const Outcome outcome = Get(*lever, "/v1/requisitions");
  EXPECT_EQ(outcome.error, httplib::Error::Success);
  EXPECT_EQ(outcome.status, 200);
  EXPECT_EQ(outcome.content_type, kJson);
  EXPECT_EQ(outcome.body, "");
}

TEST(FakeLeverFaultsTest, BadTokenOnlyHitsPagesWithAnOffset) {
  auto lever = StartLever(ScriptedOptions({{2, FaultKind::kBadToken},
                                           {3, FaultKind::kBadToken},
                                           {4, FaultKind::kBadToken}}));
  ASSERT_NE(lever, nullptr);
  const Outcome first = Get(*lever, "/v1/requisitions?limit=10");
  ASSERT_EQ(first.status, 200);
  const std::string offset = Parse(first.body)["next"].GetString();

  // Without an offset the fault does not apply, but the request counts.
  const Outcome no_offset = Get(*lever, "/v1/requisitions?limit=10");
  EXPECT_EQ(no_offset.status, 200);
  EXPECT_EQ(no_offset.body, first.body);
  EXPECT_EQ(Get(*lever, "/v1/requisition_fields").status, 200);
  ExpectLeverError(Get(*lever, "/v1/requisitions?limit=10&offset=" + offset),
                   400, "BadRequestError", "Invalid offset token");
  EXPECT_EQ(Get(*lever, "/v1/requisitions?limit=10&offset=" + offset).status,
            200);
  EXPECT_EQ(lever->FaultCount(FaultKind::kBadToken), 1);
  EXPECT_EQ(lever->RequestCount("/v1/"), 5);
}

TEST(FakeLeverFaultsTest, ResetSendsNoStatusAtAll) {
  auto lever = StartLever(
      ScriptedOptions({{1, FaultKind::kReset}, {2, FaultKind::kReset}}));
  ASSERT_NE(lever, nullptr);
  const Outcome outcome = Get(*lever, "/v1/requisitions");
  EXPECT_EQ(outcome.error, httplib::Error::Read);
  EXPECT_EQ(outcome.status, 0);

  const CurlOutcome curled = CurlGet(*lever, "/v1/requisitions");
  EXPECT_THAT(curled.code, AnyOf(CURLE_RECV_ERROR, CURLE_GOT_NOTHING))
      << curl_easy_strerror(curled.code);
  EXPECT_EQ(curled.status, 0);  // no status line arrived
  EXPECT_EQ(curled.body, "");

  EXPECT_EQ(Get(*lever, "/v1/requisitions").status, 200);  // still serving
  EXPECT_EQ(lever->FaultCount(FaultKind::kReset), 2);
}

TEST(FakeLeverFaultsTest, TruncateDropsTheConnectionMidBody) {
  auto lever = StartLever(
      ScriptedOptions({{2, FaultKind::kTruncate}, {3, FaultKind::kTruncate}}));
  ASSERT_NE(lever, nullptr);
  const Outcome whole = Get(*lever, "/v1/requisitions?limit=5");
  ASSERT_EQ(whole.status, 200);

  EXPECT_EQ(Get(*lever, "/v1/requisitions?limit=5").error,
            httplib::Error::Read);

  const CurlOutcome curled = CurlGet(*lever, "/v1/requisitions?limit=5");
  EXPECT_EQ(curled.code, CURLE_PARTIAL_FILE) << curl_easy_strerror(curled.code);
  EXPECT_EQ(curled.status, 200);
  EXPECT_EQ(curled.body, whole.body.substr(0, whole.body.size() / 2));
  EXPECT_EQ(lever->FaultCount(FaultKind::kTruncate), 2);
}

// The summaries of `count` list requests to a fake with `options`.
std::vector<std::string> Summaries(const FakeLeverOptions& options, int count) {
  auto lever = StartLever(options);
  std::vector<std::string> summaries;
  if (lever == nullptr) return summaries;
  for (int request = 0; request < count; ++request) {
    summaries.push_back(Get(*lever, "/v1/requisitions?limit=2").Summary());
  }
  return summaries;
}

TEST(FakeLeverFaultsTest, SameSeedFailsTheSameRequests) {
  FakeLeverOptions options = Options();
  options.faults = {{FaultKind::kServiceUnavailable, 0.1},
                    {FaultKind::kReset, 0.05},
                    {FaultKind::kTooManyRequests, 0.05}};
  options.fault_seed = 5;
  const std::vector<std::string> first = Summaries(options, 200);
  const std::vector<std::string> second = Summaries(options, 200);
  options.fault_seed = 6;
  const std::vector<std::string> other = Summaries(options, 200);
  EXPECT_EQ(first, second);
  EXPECT_NE(first, other);

  // And the failing numbers are those the plan gives.
  const FaultPlan plan(options.faults, 5, {});
  for (int number = 1; number <= 200; ++number) {
    const std::optional<FaultKind> fault = plan.For(number);
    const std::string expected = !fault ? "200"
                                 : *fault == FaultKind::kReset
                                     ? "error"
                                     : std::string(FaultKindName(*fault));
    EXPECT_EQ(first[number - 1], expected) << number;
  }
}

TEST(FakeLeverFaultsTest, RandomFaultsComeAtTheirRate) {
  FakeLeverOptions options = Options();
  options.faults = {{FaultKind::kServiceUnavailable, 0.1},
                    {FaultKind::kTooManyRequests, 0.05},
                    {FaultKind::kReset, 0.025},
                    {FaultKind::kTruncate, 0.025}};
  options.fault_seed = 2024;
  auto lever = StartLever(options);
  ASSERT_NE(lever, nullptr);
  constexpr int kRequests = 2000;
  std::map<std::string, int> seen;
  for (int request = 0; request < kRequests; ++request) {
    ++seen[Get(*lever, "/v1/requisitions?limit=3").Summary()];
  }
  const auto expect_near = [](int count, double chance) {
    EXPECT_NEAR(count, chance * kRequests, 0.4 * chance * kRequests);
  };
  expect_near(seen["503"], 0.1);
  expect_near(seen["429"], 0.05);
  expect_near(seen["error"], 0.05);
  expect_near(lever->FaultCount(FaultKind::kReset), 0.025);
  expect_near(lever->FaultCount(FaultKind::kTruncate), 0.025);
  EXPECT_EQ(seen["503"], lever->FaultCount(FaultKind::kServiceUnavailable));
  EXPECT_EQ(seen["error"], lever->FaultCount(FaultKind::kReset) +
                               lever->FaultCount(FaultKind::kTruncate));
  EXPECT_EQ(seen["200"] + seen["503"] + seen["429"] + seen["error"], kRequests);
  EXPECT_EQ(lever->RequestCount("/v1/"), kRequests);
}

TEST(FakeLeverFaultsTest, StatsCountFaultsAndResets) {
  auto lever = StartLever(ScriptedOptions({{1, FaultKind::kReset},
                                           {2, FaultKind::kServiceUnavailable},
                                           {3, FaultKind::kServiceUnavailable},
                                           {4, FaultKind::kBadToken}}));
  ASSERT_NE(lever, nullptr);
  for (int request = 0; request < 5; ++request) {
    Get(*lever, "/v1/requisitions");
  }
  const Outcome stats = Get(*lever, "/_stats");
  ASSERT_EQ(stats.status, 200);
  EXPECT_EQ(stats.content_type, kJson);
  EXPECT_EQ(stats.body, lever->StatsJson());
  const rapidjson::Document json = Parse(stats.body);
  ASSERT_TRUE(json.IsObject()) << stats.body;
  EXPECT_EQ(json["total"].GetInt64(), 5);
  EXPECT_EQ(json["requests"]["GET /v1/requisitions reset"].GetInt64(), 1);
  EXPECT_EQ(json["requests"]["GET /v1/requisitions 503"].GetInt64(), 2);
  EXPECT_EQ(json["requests"]["GET /v1/requisitions 200"].GetInt64(), 2);
  EXPECT_EQ(json["faults"]["reset"].GetInt64(), 1);
  EXPECT_EQ(json["faults"]["503"].GetInt64(), 2);
  EXPECT_EQ(json["faults"]["badtoken"].GetInt64(), 0);
  EXPECT_EQ(json["faults"].MemberCount(), std::size(kAllFaultKinds));
  EXPECT_EQ(json["rate_limited"].GetInt64(), 0);
}

TEST(FakeLeverFaultsTest, LatencyDelaysEachAnswer) {
  FakeLeverOptions options = Options();
  options.latency_ms = 60;
  auto lever = StartLever(options);
  ASSERT_NE(lever, nullptr);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Get(*lever, "/v1/requisitions").status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(60));
}

}  // namespace
}  // namespace leverconnect::testing

#include "lib/lever/lever_client.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/lever_client_fixture.h"

namespace leverconnect::lever {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using LeverClientTest = testing::LeverClientFixture;

constexpr char kOnePage[] =
    R"({"data":[{"id":"a"},{"id":"b"}],"hasNext":true,"next":"%5B1%2C%22b%22%5D"})";

TEST_F(LeverClientTest, SendsTheKeyAsBasicUserAndTheTokenVerbatim) {
  http_.Answer(200, kOnePage);
  LeverClient client = MakeClient();
  RequisitionQuery query;
  query.limit = 50;
  query.offset = "%5B0%2C%22x%22%5D";
  query.status = "on Hold";
  query.created_at_start_ms = 10;
  query.created_at_end_ms = 20;
  auto page = client.ListRequisitions(query, {});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_TRUE(page->has_next);
  EXPECT_EQ(page->next, "%5B1%2C%22b%22%5D");
  EXPECT_EQ(page->requisitions().Size(), 2u);

  ASSERT_EQ(http_.requests().size(), 1u);
  const http::Request sent = http_.requests()[0];
  EXPECT_EQ(sent.url,
            "https://lever.test/v1/requisitions?limit=50"
            "&offset=%5B0%2C%22x%22%5D&status=on%20Hold"
            "&created_at_start=10&created_at_end=20");
  EXPECT_EQ(sent.basic_auth_user, "secret-key");
  EXPECT_EQ(sent.basic_auth_password, "");
  EXPECT_THAT(sent.url, Not(HasSubstr("secret-key")));
}

TEST_F(LeverClientTest, RetriesServerErrorsAndHonoursRetryAfter) {
  http_.Answer(503, "<html>busy</html>");
  http_.Answer(429, R"({"code":"TooManyRequests","message":"slow down"})",
               {{"retry-after", "2"}});
  http_.Answer(200, kOnePage);
  LeverClient client = MakeClient();
  auto page = client.ListRequisitions({}, {});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(client.stats().requests, 3);
  EXPECT_EQ(client.stats().retries, 2);
  EXPECT_EQ(client.stats().rate_limited, 1);
  EXPECT_EQ(clock_.sleeps(), (std::vector<absl::Duration>{
                                 absl::Milliseconds(100), absl::Seconds(2)}));
}

TEST_F(LeverClientTest, GivesUpAfterTheLastAttemptWithUnavailable) {
  for (int i = 0; i < 3; ++i) http_.Answer(502, "");
  LeverClient client = MakeClient();
  auto page = client.ListRequisitions({}, {});
  EXPECT_EQ(page.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(page.status().message(), HasSubstr("after 3 attempts"));
  EXPECT_THAT(page.status().message(), HasSubstr("HTTP 502"));
  EXPECT_THAT(page.status().message(), HasSubstr("an empty body"));
}

TEST_F(LeverClientTest, NeverRetriesOtherClientErrors) {
  http_.Answer(401,
               R"({"code":"UnauthorizedError","message":"Invalid API key"})");
  LeverClient client = MakeClient();
  auto page = client.ListRequisitions({}, {});
  EXPECT_EQ(page.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(page.status().message(), HasSubstr("Lever rejected the API key"));
  EXPECT_THAT(page.status().message(), HasSubstr("Invalid API key"));
  EXPECT_EQ(http_.requests().size(), 1u);
}

TEST_F(LeverClientTest, ForbiddenNamesTheMissingPermission) {
  http_.Answer(403, R"({"code":"ForbiddenError","message":"no"})");
  LeverClient client = MakeClient();
  auto fields = client.ListRequisitionFields({});
  EXPECT_EQ(fields.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(fields.status().message(),
              HasSubstr("lacks the \"list requisition fields\" permission"));
}

TEST_F(LeverClientTest, NotFoundPointsAtTheBaseUrl) {
  http_.Answer(404, R"({"code":"NotFoundError","message":"nope"})");
  LeverClient client = MakeClient();
  auto missing = client.ListRequisitions({}, {});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(missing.status().message(), HasSubstr("base URL"));
  EXPECT_EQ(http_.requests().size(), 1u);
}

TEST_F(LeverClientTest, DataThatIsNotAListIsAClearError) {
  for (int i = 0; i < 3; ++i) http_.Answer(200, R"({"data":{"id":"a"}})");
  LeverClient client = MakeClient();
  auto object = client.ListRequisitions({}, {});
  EXPECT_EQ(object.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(object.status().message(), HasSubstr("\"data\" is not a list"));
}

// Pages are parsed in place, which rewrites the strings of the body: the
// error quotes the body as Lever sent it all the same.
TEST_F(LeverClientTest, ACutShortPageIsQuotedAsItCame) {
  const std::string cut = R"({"data":[{"id":"a\u00e9","name":"x\"y"},{"id)";
  for (int i = 0; i < 3; ++i) http_.Answer(200, cut);
  LeverClient client = MakeClient();
  auto page = client.ListRequisitions({}, {});
  EXPECT_EQ(page.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(page.status().message(),
              HasSubstr("not a JSON object: \"" + cut + "\""));
}

// The strings of a page point into its body: they stay readable as long
// as the page, wherever it moves.
TEST_F(LeverClientTest, APageKeepsItsStringsWhenMoved) {
  http_.Answer(200, R"({"data":[{"id":"\u0041b"}],"hasNext":false})");
  LeverClient client = MakeClient();
  auto page = client.ListRequisitions({}, {});
  ASSERT_TRUE(page.ok()) << page.status();
  RequisitionPage moved = *std::move(page);
  page = absl::UnknownError("gone");
  EXPECT_STREQ(moved.requisitions()[0]["id"].GetString(), "Ab");
}

TEST_F(LeverClientTest, TheDeadlineStopsRetrying) {
  http_.Answer(503, "");
  http_.Answer(503, "");
  LeverClient client = MakeClient();
  CallContext context;
  context.deadline = clock_.Now() + absl::Milliseconds(50);
  auto page = client.ListRequisitions({}, context);
  EXPECT_EQ(page.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(http_.requests().size(), 1u);
  EXPECT_LE(http_.requests()[0].timeout, absl::Milliseconds(50));
}

TEST_F(LeverClientTest, CancellationStopsBeforeTheNextAttempt) {
  LeverClient client = MakeClient();
  CallContext context;
  context.cancelled = [] { return true; };
  auto page = client.ListRequisitions({}, context);
  EXPECT_EQ(page.status().code(), absl::StatusCode::kCancelled);
  EXPECT_TRUE(http_.requests().empty());
}

TEST_F(LeverClientTest, FieldsFollowNextTokens) {
  http_.Answer(200, R"({"data":[{"id":"a"}],"hasNext":true,"next":"t1"})");
  http_.Answer(200, R"({"data":[{"id":"b"}],"hasNext":false})");
  LeverClient client = MakeClient();
  auto fields = client.ListRequisitionFields({});
  ASSERT_TRUE(fields.ok()) << fields.status();
  ASSERT_EQ(fields->Size(), 2u);
  EXPECT_STREQ((*fields)[1]["id"].GetString(), "b");
  EXPECT_EQ(http_.requests()[1].url,
            "https://lever.test/v1/requisition_fields?offset=t1");
}

// The recorded users page: one user, and a percent-encoded `next`.
std::string RecordedUsersPage() {
  std::ifstream file(std::string(LEVERCONNECT_RECORDED_DIR) +
                     "/list_users_page_with_next.json");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST_F(LeverClientTest, UsersFollowNextToTheLastPage) {
  const std::string first_page = RecordedUsersPage();
  ASSERT_THAT(first_page, HasSubstr("\"hasNext\": true"));
  http_.Answer(200, first_page);
  http_.Answer(200, R"({"data":[
      {"id":"u2","name":"Grace Hopper","email":"grace@example.com",
       "deactivatedAt":1700000000000},
      {"name":"no id"}, {"id":7,"name":"numeric id"}, "not an object",
      {"id":"u3","name":null},
      {"id":"u2","name":"Grace again"}],"hasNext":false})");
  LeverClient client = MakeClient();
  absl::StatusOr<UserDirectory> users = client.ListUsers({});
  ASSERT_TRUE(users.ok()) << users.status();

  ASSERT_EQ(http_.requests().size(), 2u);
  EXPECT_EQ(http_.requests()[0].url,
            "https://lever.test/v1/users?limit=100&includeDeactivated=true");
  EXPECT_EQ(http_.requests()[1].url,
            "https://lever.test/v1/users?limit=100&includeDeactivated=true"
            "&offset=%5B1733206956064%2C%22c21d911f-8292-49b7-b135-"
            "f7cc233b43fd%22%5D");
  EXPECT_EQ(http_.requests()[1].basic_auth_user, "secret-key");
  ASSERT_EQ(users->size(), 3u);
  const LeverUser& recorded = users->at("e0a9f3e3-bd9b-4eb1-8d2c-0d9a572bf641");
  EXPECT_EQ(recorded.name, "<redacted>");
  EXPECT_EQ(recorded.email, "<redacted>");
  EXPECT_EQ(users->at("u2").name, "Grace Hopper");
  EXPECT_EQ(users->at("u2").email, "grace@example.com");
  EXPECT_EQ(users->at("u3").name, std::nullopt);
  EXPECT_EQ(users->at("u3").email, std::nullopt);
}

TEST_F(LeverClientTest, UsersAreRetriedLikeEveryEndpoint) {
  http_.Answer(503, "");
  http_.Answer(429, "{}", {{"retry-after", "1"}});
  http_.Answer(200, R"({"data":[{"id":"u1","name":"Ada"}]})");
  LeverClient client = MakeClient();
  absl::StatusOr<UserDirectory> users = client.ListUsers({});
  ASSERT_TRUE(users.ok()) << users.status();
  EXPECT_EQ(users->size(), 1u);
  EXPECT_EQ(client.stats().retries, 2);
  EXPECT_EQ(client.stats().rate_limited, 1);
}

TEST_F(LeverClientTest, UsersWithoutThePermissionNameIt) {
  http_.Answer(403, R"({"code":"ForbiddenError","message":"no users"})");
  http_.Answer(401, R"({"code":"UnauthorizedError","message":"bad key"})");
  LeverClient client = MakeClient();
  absl::StatusOr<UserDirectory> forbidden = client.ListUsers({});
  EXPECT_EQ(forbidden.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(forbidden.status().message(),
              HasSubstr("lacks the \"list users\" permission"));
  EXPECT_THAT(forbidden.status().message(), Not(HasSubstr("secret-key")));
  EXPECT_TRUE(IsMissingPermission(forbidden.status()));
  EXPECT_EQ(http_.requests().size(), 1u);

  // A rejected key is not a missing permission.
  absl::StatusOr<UserDirectory> rejected = client.ListUsers({});
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(IsMissingPermission(rejected.status()));
}

TEST_F(LeverClientTest, ProbeAsksOnceWithLimitOne) {
  http_.Answer(503, "");
  LeverClient client = MakeClient();
  ProbeResult probe = client.Probe(kListRequisitions, {});
  EXPECT_EQ(probe.http_status, 503);
  EXPECT_EQ(probe.status.code(), absl::StatusCode::kUnavailable);
  ASSERT_EQ(http_.requests().size(), 1u);
  EXPECT_EQ(http_.requests()[0].url,
            "https://lever.test/v1/requisitions?limit=1");
}

}  // namespace
}  // namespace leverconnect::lever

namespace leverconnect::lever {
namespace {

using ::testing::HasSubstr;

class LeverClientFaultTest : public ::testing::Test {
 protected:
  LeverClient MakeClient(
      std::shared_ptr<ratelimit::TokenBucket> budget = nullptr) {
    LeverClient::Options options;
    options.base_url = "https://lever.test/v1";
    options.api_key = "secret-key";
    options.retry.max_attempts = 4;
    options.retry.initial_backoff = absl::Milliseconds(100);
    options.budget = std::move(budget);
    return LeverClient(
        http_, clock_, [] { return 1.0; }, options);
  }

  testing::ScriptedHttp http_;
  testing::FakeClock clock_;
};

TEST_F(LeverClientFaultTest, AnswersThatAreNotWhatTheyClaimAreRetried) {
  http_.Answer(200, "<html>Sign in</html>");
  http_.Answer(200, "");
  http_.Answer(200, R"({"data":[{"id":"a"}],"hasNe)");
  http_.Answer(200, R"({"data":[{"id":"a"}],"hasNext":false})");
  LeverClient client = MakeClient();
  auto page = client.ListRequisitions({}, {});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(client.stats().retries_by_cause.at("malformed"), 3);
}

TEST_F(LeverClientFaultTest, PersistentlyMalformedAnswersNameEndpointAndBody) {
  for (int i = 0; i < 4; ++i) http_.Answer(200, "<html>Sign in</html>");
  LeverClient client = MakeClient();
  auto page = client.ListRequisitions({}, {});
  EXPECT_EQ(page.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(page.status().message(),
              HasSubstr("GET /requisitions with HTTP 200 but the body is not "
                        "a JSON object: \"<html>Sign in</html>\""));
}

TEST_F(LeverClientFaultTest, RetriesAreCountedByCause) {
  http_.Answer(429, "{}");
  http_.Fail(absl::UnavailableError("connection reset"));
  http_.Fail(absl::DeadlineExceededError("timed out"));
  http_.Answer(504, "");
  http_.Answer(200, R"({"data":[]})");
  LeverClient client = MakeClient();
  client.ListRequisitionFields({}).IgnoreError();
  EXPECT_EQ(client.stats().retries, 3);
  EXPECT_EQ(client.stats().retries_by_cause,
            (std::map<std::string, int, std::less<>>{
                {"network", 1}, {"rate_limited", 1}, {"timeout", 1}}));
}

TEST_F(LeverClientFaultTest, RejectedCursorIsRecognisable) {
  http_.Answer(
      400, R"({"code":"BadRequestError","message":"Invalid offset token"})");
  http_.Answer(400, R"({"code":"BadRequestError","message":"limit too big"})");
  LeverClient client = MakeClient();
  auto rejected = client.ListRequisitions({}, {});
  EXPECT_TRUE(IsInvalidOffsetToken(rejected.status()));
  auto other = client.ListRequisitions({}, {});
  EXPECT_FALSE(other.ok());
  EXPECT_FALSE(IsInvalidOffsetToken(other.status()));
  EXPECT_EQ(http_.requests().size(), 2u);
}

TEST_F(LeverClientFaultTest, EveryAttemptTakesATokenFromTheBudget) {
  auto budget = std::make_shared<ratelimit::TokenBucket>(
      ratelimit::BucketOptions{/*rate=*/2, /*burst=*/1}, clock_);
  http_.Answer(503, "");
  http_.Answer(200, R"({"data":[]})");
  LeverClient client = MakeClient(budget);
  ASSERT_TRUE(client.ListRequisitionFields({}).ok());
  // The retry came 100 ms after the first attempt; the budget made it wait
  // for the rest of the half second a token takes.
  EXPECT_EQ(client.stats().budget_wait, absl::Milliseconds(400));
}

TEST_F(LeverClientFaultTest, DeadlineWhileWaitingOnTheBudgetSendsNothing) {
  auto budget = std::make_shared<ratelimit::TokenBucket>(
      ratelimit::BucketOptions{/*rate=*/1, /*burst=*/1}, clock_);
  ASSERT_TRUE(budget->Acquire(absl::InfiniteFuture(), nullptr).ok());
  LeverClient client = MakeClient(budget);
  CallContext context;
  context.deadline = clock_.Now() + absl::Milliseconds(300);
  auto page = client.ListRequisitions({}, context);
  EXPECT_EQ(page.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(page.status().message(), HasSubstr("request budget"));
  EXPECT_TRUE(http_.requests().empty());
}

}  // namespace
}  // namespace leverconnect::lever

namespace leverconnect::lever {
namespace {

TEST(ValidateBaseUrlTest, HttpsAlwaysAndPlainHttpOnlyToLoopback) {
  for (const char* url :
       {"https://api.lever.co/v1", "https://api.eu.lever.co/v1",
        "http://127.0.0.1:8080/v1", "http://127.9.9.9/v1",
        "http://localhost:1/v1", "http://[::1]:99/v1"}) {
    EXPECT_TRUE(ValidateBaseUrl(url).ok()) << url;
  }
  for (const char* url :
       {"http://api.lever.co/v1", "http://10.0.0.1/v1",
        "http://127.0.0.1.evil.example/v1", "http://localhost.example/v1",
        "http://user@api.lever.co/v1", "ftp://api.lever.co", "api.lever.co",
        "https://", "http://:80/v1"}) {
    EXPECT_EQ(ValidateBaseUrl(url).code(), absl::StatusCode::kInvalidArgument)
        << url;
  }
}

}  // namespace
}  // namespace leverconnect::lever

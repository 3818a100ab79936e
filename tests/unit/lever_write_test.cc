// LeverClient's writes: create, update, the write probe, and a create
// whose answer was lost.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/http/http_client.h"
#include "lib/lever/lever_client.h"
#include "tests/unit/lever_client_fixture.h"

namespace leverconnect::lever {
namespace {

using ::testing::HasSubstr;

constexpr char kCreated[] =
    R"({"data":{"id":"new-1","requisitionCode":"R-1","name":"Diver"}})";
constexpr char kFoundByCode[] =
    R"({"data":[{"id":"new-1","requisitionCode":"R-1"}],"hasNext":false})";
constexpr char kNoneByCode[] = R"({"data":[],"hasNext":false})";

class LeverWriteTest : public testing::LeverClientFixture {
 protected:
  // The method and URL of each request sent.
  std::vector<std::string> Sent() const {
    std::vector<std::string> sent;
    for (const http::Request& request : http_.requests()) {
      sent.push_back(request.method + " " + request.url);
    }
    return sent;
  }
};

TEST_F(LeverWriteTest, CreatePostsTheBodyAsJson) {
  http_.Answer(201, kCreated);
  LeverClient client = MakeClient();
  auto created = client.CreateRequisition("R-1", R"({"name":"Diver"})", {});
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_STREQ(created->requisition["id"].GetString(), "new-1");
  EXPECT_FALSE(created->found_after_lost_answer);
  ASSERT_EQ(http_.requests().size(), 1u);
  const http::Request sent = http_.requests()[0];
  EXPECT_EQ(sent.method, "POST");
  EXPECT_EQ(sent.url, "https://lever.test/v1/requisitions");
  EXPECT_EQ(sent.body, R"({"name":"Diver"})");
  EXPECT_EQ(sent.basic_auth_user, "secret-key");
  // Never on a kept connection, which libcurl would re-send on by itself.
  EXPECT_TRUE(sent.fresh_connection);
  EXPECT_THAT(sent.headers,
              ::testing::Contains(std::pair<std::string, std::string>(
                  "Content-Type", "application/json")));
}

TEST_F(LeverWriteTest, ALostAnswerIsLookedUpAndNotSentAgain) {
  http_.Fail(absl::UnavailableError("POST /v1/requisitions: connection reset"));
  http_.Answer(200, kFoundByCode);
  LeverClient client = MakeClient();
  auto created = client.CreateRequisition("R-1", "{}", {});
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->found_after_lost_answer);
  EXPECT_STREQ(created->requisition["id"].GetString(), "new-1");
  EXPECT_THAT(Sent(), ::testing::ElementsAre(
                          "POST https://lever.test/v1/requisitions",
                          "GET https://lever.test/v1/requisitions?limit=2"
                          "&requisition_code=R-1"));
}

TEST_F(LeverWriteTest, ALostAnswerWithNothingFoundIsSentAgain) {
  http_.Answer(502, "<html>bad gateway</html>");
  http_.Answer(200, kNoneByCode);
  http_.Answer(201, kCreated);
  LeverClient client = MakeClient();
  auto created = client.CreateRequisition("R-1", "{}", {});
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_FALSE(created->found_after_lost_answer);
  EXPECT_EQ(http_.requests().size(), 3u);
}

TEST_F(LeverWriteTest, A503OrARequestNeverSentIsRetriedWithoutALookup) {
  http_.Answer(503, "busy");
  http_.Fail(http::MarkNotSent(absl::UnavailableError("refused")));
  http_.Answer(201, kCreated);
  LeverClient client = MakeClient();
  auto created = client.CreateRequisition("R-1", "{}", {});
  ASSERT_TRUE(created.ok()) << created.status();
  for (const std::string& sent : Sent()) EXPECT_THAT(sent, HasSubstr("POST"));
}

TEST_F(LeverWriteTest, AFailedLookupLeavesTheCreateUnknown) {
  http_.Fail(absl::DeadlineExceededError("timed out"));
  for (int i = 0; i < 3; ++i) http_.Answer(500, "");
  LeverClient client = MakeClient();
  auto created = client.CreateRequisition("R-1", "{}", {});
  EXPECT_EQ(created.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(MayHaveCreated(created.status()));
  EXPECT_THAT(created.status().message(),
              HasSubstr("may or may not have created requisition \"R-1\""));
  // One POST only: never another before the code is known to be free.
  int posts = 0;
  for (const std::string& sent : Sent()) posts += sent.rfind("POST", 0) == 0;
  EXPECT_EQ(posts, 1);
}

TEST_F(LeverWriteTest, RefusalsOfAWriteHaveTheirOwnCodes) {
  http_.Answer(409, R"({"code":"ConflictError","message":"code taken"})");
  http_.Answer(400,
               R"({"code":"BadRequestError","message":"name is required"})");
  http_.Answer(403, R"({"code":"ForbiddenError","message":"no"})");
  http_.Answer(404, R"({"code":"NotFoundError","message":"gone"})");
  LeverClient client = MakeClient();
  EXPECT_EQ(client.CreateRequisition("R-1", "{}", {}).status().code(),
            absl::StatusCode::kAlreadyExists);
  const absl::Status refused =
      client.CreateRequisition("R-1", "{}", {}).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("name is required"));
  const absl::Status forbidden =
      client.UpdateRequisition("id-1", "{}", {}).status();
  EXPECT_EQ(forbidden.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(IsMissingPermission(forbidden));
  EXPECT_THAT(forbidden.message(), HasSubstr("\"write requisitions\""));
  EXPECT_EQ(client.UpdateRequisition("id-1", "{}", {}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(http_.requests().size(), 4u);
}

TEST_F(LeverWriteTest, UpdatesAreRetriedAndReadsOfOneRequisitionToo) {
  http_.Answer(500, "");
  http_.Answer(200, R"({"data":{"id":"id-1","updatedAt":5}})");
  http_.Answer(200, R"({"data":{"id":"id-1","updatedAt":5}})");
  LeverClient client = MakeClient();
  auto updated = client.UpdateRequisition("id-1", R"({"name":"x"})", {});
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ((*updated)["updatedAt"].GetInt(), 5);
  auto read = client.GetRequisition("id-1", {});
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_THAT(Sent(), ::testing::ElementsAre(
                          "PUT https://lever.test/v1/requisitions/id-1",
                          "PUT https://lever.test/v1/requisitions/id-1",
                          "GET https://lever.test/v1/requisitions/id-1"));
}

TEST_F(LeverWriteTest, TheWriteProbeChangesNothingAndReadsTheAnswer) {
  http_.Answer(404, R"({"code":"NotFoundError","message":"no such"})");
  http_.Answer(403, R"({"code":"ForbiddenError","message":"no"})");
  LeverClient client = MakeClient();
  const ProbeResult granted = client.Probe(kWriteRequisitions, {});
  EXPECT_TRUE(granted.status.ok()) << granted.status;
  EXPECT_EQ(granted.http_status, 404);
  const ProbeResult denied = client.Probe(kWriteRequisitions, {});
  EXPECT_EQ(denied.status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(http_.requests()[0].method, "PUT");
  EXPECT_EQ(http_.requests()[0].url,
            "https://lever.test/v1/requisitions/"
            "00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(http_.requests()[0].body, "{}");
}

}  // namespace
}  // namespace leverconnect::lever

// fake-lever's write endpoints: POST, PUT and DELETE /v1/requisitions, in
// Lever's write shape, with its permission, uniqueness and draft rules.
#include <httplib.h>

#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "tests/fakes/fake_lever.h"

namespace leverconnect::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kWriter[] = "writer-key";
constexpr char kReader[] = "reader-key";

struct Reply {
  int status = 0;
  std::string body;
  rapidjson::Document json;
};

class FakeLeverWriteTest : public ::testing::Test {
 protected:
  void Start(bool drafts = false) {
    FakeLeverOptions options;
    options.api_keys[kWriter] = {"requisitions:read", "requisitions:write"};
    options.api_keys[kReader] = {"requisitions:read"};
    options.drafts = drafts;
    auto lever = FakeLever::Start(options);
    ASSERT_TRUE(lever.ok()) << lever.status();
    lever_ = std::move(*lever);
  }

  Reply Send(const std::string& method, const std::string& path,
             const std::string& body = "", const char* key = kWriter) {
    httplib::Client client("127.0.0.1", lever_->port());
    client.set_basic_auth(key, "");
    httplib::Result result =
        method == "POST"     ? client.Post(path, body, "application/json")
        : method == "PUT"    ? client.Put(path, body, "application/json")
        : method == "DELETE" ? client.Delete(path)
                             : client.Get(path);
    Reply reply;
    if (!result) return reply;
    reply.status = result->status;
    reply.body = result->body;
    reply.json.Parse(reply.body.c_str());
    return reply;
  }

  std::unique_ptr<FakeLever> lever_;
};

TEST_F(FakeLeverWriteTest, CreateAnswersInTheWriteShapeAndReadsBack) {
  Start();
  Reply created =
      Send("POST", "/v1/requisitions",
           R"({"name":"Diver","requisitionCode":"R-1","headcountTotal":2,)"
           R"("team":"Ops","customFields":{"cost_center":"CC-1"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  const rapidjson::Value& data = created.json["data"];
  EXPECT_TRUE(data.HasMember("creatorUserId"));
  EXPECT_TRUE(data.HasMember("stateHistory"));
  EXPECT_TRUE(data.HasMember("postingIds"));
  EXPECT_FALSE(data.HasMember("approval"));
  EXPECT_STREQ(data["status"].GetString(), "open");
  const std::string id = data["id"].GetString();

  Reply read = Send("GET", "/v1/requisitions/" + id);
  ASSERT_EQ(read.status, 200);
  EXPECT_STREQ(read.json["data"]["requisitionCode"].GetString(), "R-1");
  EXPECT_EQ(read.json["data"]["headcountTotal"].GetInt(), 2);
  EXPECT_TRUE(read.json["data"]["postings"].IsArray());
  EXPECT_TRUE(read.json["data"].HasMember("approval"));
  Reply listed = Send("GET", "/v1/requisitions?requisition_code=R-1");
  EXPECT_EQ(listed.json["data"].Size(), 1u);
}

TEST_F(FakeLeverWriteTest, WritesNeedThePermissionAValidBodyAndAFreeCode) {
  Start();
  Reply forbidden =
      Send("POST", "/v1/requisitions", R"({"name":"x"})", kReader);
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_STREQ(forbidden.json["code"].GetString(), "ForbiddenError");
  EXPECT_EQ(Send("POST", "/v1/requisitions", "{}").status, 400);
  EXPECT_EQ(Send("POST", "/v1/requisitions",
                 R"({"name":"x","headcountTotal":"many"})")
                .status,
            400);
  ASSERT_EQ(Send("POST", "/v1/requisitions",
                 R"({"name":"x","requisitionCode":"R-1"})")
                .status,
            201);
  Reply taken = Send("POST", "/v1/requisitions",
                     R"({"name":"y","requisitionCode":"R-1"})");
  EXPECT_EQ(taken.status, 409);
  EXPECT_STREQ(taken.json["code"].GetString(), "ConflictError");
  EXPECT_EQ(lever_->RequisitionCount(), 1u);
}

TEST_F(FakeLeverWriteTest, PutReplacesTheWholeRecordAndMovesUpdatedAt) {
  Start();
  Reply created = Send("POST", "/v1/requisitions",
                       R"({"name":"x","requisitionCode":"R-1","team":"Ops",)"
                       R"("location":"Oslo"})");
  const std::string id = created.json["data"]["id"].GetString();
  const std::int64_t before = created.json["data"]["updatedAt"].GetInt64();
  Reply replaced = Send("PUT", "/v1/requisitions/" + id,
                        R"({"name":"y","requisitionCode":"R-1","team":"Ops"})");
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_GT(replaced.json["data"]["updatedAt"].GetInt64(), before);
  Reply read = Send("GET", "/v1/requisitions/" + id);
  EXPECT_STREQ(read.json["data"]["name"].GetString(), "y");
  EXPECT_TRUE(read.json["data"]["location"].IsNull());  // left out: cleared
  EXPECT_EQ(Send("PUT", "/v1/requisitions/nope", R"({"name":"y"})").status,
            404);
}

TEST_F(FakeLeverWriteTest, DeleteAnswers204WithAnEmptyBody) {
  Start();
  Reply created =
      Send("POST", "/v1/requisitions", R"({"name":"x","requisitionCode":"D"})");
  const std::string id = created.json["data"]["id"].GetString();
  Reply deleted = Send("DELETE", "/v1/requisitions/" + id);
  EXPECT_EQ(deleted.status, 204);
  EXPECT_EQ(deleted.body, "");
  EXPECT_EQ(Send("GET", "/v1/requisitions/" + id).status, 404);
  EXPECT_EQ(Send("DELETE", "/v1/requisitions/" + id).status, 404);
}

TEST_F(FakeLeverWriteTest, DraftsModeAndEditsMadeInLever) {
  Start(/*drafts=*/true);
  Reply created = Send("POST", "/v1/requisitions",
                       R"({"name":"x","requisitionCode":"R-1",)"
                       R"("status":"open"})");
  EXPECT_STREQ(created.json["data"]["status"].GetString(), "draft");
  const std::string id = created.json["data"]["id"].GetString();
  ASSERT_TRUE(lever_->EditRequisition(id, R"({"team":"Sonar"})").ok());
  const std::optional<std::string> edited = lever_->RequisitionByCode("R-1");
  ASSERT_TRUE(edited.has_value());
  EXPECT_THAT(*edited, HasSubstr("\"team\":\"Sonar\""));
  EXPECT_EQ(lever_->EditRequisition("nope", "{}").code(),
            absl::StatusCode::kNotFound);
}

TEST_F(FakeLeverWriteTest, TheLostFaultMakesTheWriteThenResets) {
  FakeLeverOptions options;
  options.api_keys[kWriter] = {"requisitions:read", "requisitions:write"};
  options.fault_script = {{1, FaultKind::kLost}};
  auto lever = FakeLever::Start(options);
  ASSERT_TRUE(lever.ok());
  lever_ = std::move(*lever);
  Reply lost = Send("POST", "/v1/requisitions",
                    R"({"name":"x","requisitionCode":"R-1"})");
  EXPECT_EQ(lost.status, 0);  // no answer
  EXPECT_EQ(lever_->RequisitionCount(), 1u);
  EXPECT_EQ(lever_->FaultCount(FaultKind::kLost), 1);
}

}  // namespace
}  // namespace leverconnect::testing

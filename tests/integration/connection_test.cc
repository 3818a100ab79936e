// ConnectionService end to end, and the API key's secrecy across a run.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "tests/integration/test_environment.h"

namespace leverconnect::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

v1::CreateConnectionRequest ValidCreate(const std::string& id) {
  v1::CreateConnectionRequest request;
  request.set_connection_id(id);
  v1::Connection* connection = request.mutable_connection();
  connection->set_api_key(kFullKey);
  connection->set_environment(v1::ENVIRONMENT_SANDBOX);
  connection->add_allowed_applications("planning");
  return request;
}

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeLeverOptions options;
    options.generate = 20;
    auto started = TestEnvironment::Start(options);
    ASSERT_TRUE(started.ok()) << started.status();
    environment_ = std::move(*started);
  }

  client::Client& client() { return environment_->client(); }

  std::unique_ptr<TestEnvironment> environment_;
};

TEST_F(ConnectionTest, CreateChecksTheKeyAndHidesIt) {
  auto created = client().CreateConnection(ValidCreate("acme"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->name(), "connections/acme");
  EXPECT_EQ(created->display_name(), "acme");
  EXPECT_EQ(created->environment(), v1::ENVIRONMENT_SANDBOX);
  EXPECT_EQ(created->api_key(), "");
  EXPECT_EQ(created->api_key_hint(), "0001");
  EXPECT_EQ(created->state(), v1::Connection::STATE_ACTIVE);
  EXPECT_FALSE(created->etag().empty());
  EXPECT_EQ(environment_->lever().RequestCount("/v1/requisitions"), 1);

  v1::GetConnectionRequest get;
  get.set_name("connections/acme");
  auto read = client().GetConnection(get);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->api_key(), "");
  EXPECT_EQ(read->etag(), created->etag());

  auto again = client().CreateConnection(ValidCreate("acme"));
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST_F(ConnectionTest, BadCreatesNameTheField) {
  struct Case {
    std::string what;
    std::function<void(v1::CreateConnectionRequest&)> spoil;
    absl::StatusCode code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"empty key", [](auto& r) { r.mutable_connection()->clear_api_key(); },
       absl::StatusCode::kInvalidArgument, "connection.api_key is required"},
      {"unknown environment",
       [](auto& r) {
         r.mutable_connection()->set_environment(
             static_cast<v1::Environment>(7));
       },
       absl::StatusCode::kInvalidArgument,
       "connection.environment 7 is not a known environment"},
      {"no environment",
       [](auto& r) { r.mutable_connection()->clear_environment(); },
       absl::StatusCode::kInvalidArgument,
       "connection.environment is required"},
      {"empty name", [](auto& r) { r.clear_connection_id(); },
       absl::StatusCode::kInvalidArgument, "connection_id is required"},
      {"bad name", [](auto& r) { r.set_connection_id("Acme Corp"); },
       absl::StatusCode::kInvalidArgument, "connection_id \"Acme Corp\""},
      {"no application",
       [](auto& r) { r.mutable_connection()->clear_allowed_applications(); },
       absl::StatusCode::kInvalidArgument,
       "connection.allowed_applications must name at least one application"},
      {"rejected key",
       [](auto& r) { r.mutable_connection()->set_api_key("not-a-lever-key"); },
       absl::StatusCode::kFailedPrecondition, "Lever rejected the API key"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    auto request = ValidCreate("acme");
    c.spoil(request);
    auto created = client().CreateConnection(request);
    EXPECT_EQ(created.status().code(), c.code);
    EXPECT_THAT(created.status().message(), HasSubstr(c.message));
  }
  v1::ListConnectionsRequest list;
  auto listed = client().ListConnections(list);
  ASSERT_TRUE(listed.ok());
  EXPECT_THAT(listed->connections(), SizeIs(0));
}

TEST_F(ConnectionTest, UnknownConnectionIsNotFound) {
  v1::GetConnectionRequest get;
  get.set_name("connections/missing");
  auto read = client().GetConnection(get);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(read.status().message(), HasSubstr("missing"));

  v1::TestConnectionRequest test;
  test.set_name("connections/missing");
  EXPECT_EQ(client().TestConnection(test).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ConnectionTest, RepeatedRequestIdReturnsTheFirstConnection) {
  auto request = ValidCreate("first");
  request.set_request_id("req-1");
  auto first = client().CreateConnection(request);
  ASSERT_TRUE(first.ok());
  // The repeat is answered from the store: Lever is not asked again, so it
  // succeeds even while Lever is unreachable.
  const std::int64_t lever_requests =
      environment_->lever().RequestCount("/v1/");
  auto repeated = client().CreateConnection(request);
  ASSERT_TRUE(repeated.ok()) << repeated.status();
  EXPECT_EQ(repeated->name(), "connections/first");
  EXPECT_EQ(repeated->etag(), first->etag());
  EXPECT_EQ(environment_->lever().RequestCount("/v1/"), lever_requests);

  request.set_connection_id("second");
  auto reused = client().CreateConnection(request);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(reused.status().message(),
              HasSubstr("request_id \"req-1\" already created "
                        "connections/first"));

  // A request id is echoed escaped, so it cannot forge lines.
  request.set_request_id("evil\n{\"message\":\"audit\"}");
  ASSERT_TRUE(client().CreateConnection(request).ok());
  request.set_connection_id("third");
  reused = client().CreateConnection(request);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(reused.status().message().find('\n'), absl::string_view::npos)
      << reused.status();
}

TEST_F(ConnectionTest, ARequestIdRepeatedWithOtherSettingsIsRefused) {
  auto request = ValidCreate("first");
  request.set_request_id("req-1");
  ASSERT_TRUE(client().CreateConnection(request).ok());

  auto other = request;
  other.mutable_connection()->add_allowed_applications("reporting");
  other.mutable_connection()->set_display_name("Other name");
  auto refused = client().CreateConnection(other);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("request_id \"req-1\" was first sent for "
                        "connections/first with another display_name, "
                        "allowed_applications; use a new request_id"));

  // Another key: named, never shown.
  other = request;
  other.mutable_connection()->set_api_key(kWriteKey);
  refused = client().CreateConnection(other);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("with another api_key"));
  EXPECT_THAT(refused.status().message(), Not(HasSubstr(kWriteKey)));

  // Once the connection was updated, its settings say nothing about the
  // first request: the repeat returns the connection as it is now.
  v1::UpdateConnectionRequest update;
  update.mutable_connection()->set_name("connections/first");
  update.mutable_connection()->set_display_name("Renamed");
  update.mutable_update_mask()->add_paths("display_name");
  ASSERT_TRUE(client().UpdateConnection(update).ok());
  auto repeated = client().CreateConnection(request);
  ASSERT_TRUE(repeated.ok()) << repeated.status();
  EXPECT_EQ(repeated->display_name(), "Renamed");
}

TEST_F(ConnectionTest, KeysArePermissionCheckedBeforeTheyAreStored) {
  auto create = ValidCreate("partial");
  create.mutable_connection()->set_api_key(kNoFieldsKey);
  auto created = client().CreateConnection(create);
  EXPECT_EQ(created.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(created.status().message(),
              HasSubstr("lacks the \"list requisition fields\" permission"));

  ASSERT_TRUE(client().CreateConnection(ValidCreate("full")).ok());
  v1::RotateApiKeyRequest rotate;
  rotate.set_name("connections/full");
  rotate.set_api_key(kNoFieldsKey);
  auto rotated = client().RotateApiKey(rotate);
  EXPECT_EQ(rotated.status().code(), absl::StatusCode::kFailedPrecondition);
  v1::TestConnectionRequest test;
  test.set_name("connections/full");
  EXPECT_TRUE(client().TestConnection(test)->ready());
}

TEST(ConnectionEnvironmentTest, MovingToAnotherEnvironmentRechecksTheKey) {
  // The sandbox is another Lever tenant, which does not know the key.
  FakeLeverOptions sandbox_options;
  sandbox_options.api_keys["someone-elses-key-000"] = {"requisitions:read"};
  auto sandbox = FakeLever::Start(sandbox_options);
  ASSERT_TRUE(sandbox.ok());
  server::LeverSettings settings = FastLeverSettings();
  settings.base_urls[v1::ENVIRONMENT_SANDBOX] = (*sandbox)->base_url();
  FakeLeverOptions options;
  options.generate = 5;
  auto environment = TestEnvironment::Start(options, settings);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());

  v1::UpdateConnectionRequest update;
  update.mutable_connection()->set_name("connections/c");
  update.mutable_connection()->set_environment(v1::ENVIRONMENT_SANDBOX);
  update.mutable_update_mask()->add_paths("environment");
  auto moved = (*environment)->client().UpdateConnection(update);
  EXPECT_EQ(moved.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(moved.status().message(),
              HasSubstr("Lever rejected the API key"));

  v1::GetConnectionRequest get;
  get.set_name("connections/c");
  EXPECT_EQ((*environment)->client().GetConnection(get)->environment(),
            v1::ENVIRONMENT_PRODUCTION);
}

TEST_F(ConnectionTest, ListPagesAndFiltersByApplication) {
  for (const char* id : {"a", "b", "c", "d", "e"}) {
    auto request = ValidCreate(id);
    if (std::string(id) == "c") {
      request.mutable_connection()->add_allowed_applications("reporting");
    }
    ASSERT_TRUE(client().CreateConnection(request).ok());
  }
  v1::ListConnectionsRequest list;
  list.set_page_size(2);
  std::vector<std::string> names;
  do {
    auto page = client().ListConnections(list);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& connection : page->connections()) {
      names.push_back(connection.name());
    }
    list.set_page_token(page->next_page_token());
  } while (!list.page_token().empty());
  EXPECT_EQ(names, (std::vector<std::string>{"connections/a", "connections/b",
                                             "connections/c", "connections/d",
                                             "connections/e"}));

  v1::ListConnectionsRequest filtered;
  filtered.set_application("reporting");
  auto page = client().ListConnections(filtered);
  ASSERT_TRUE(page.ok());
  ASSERT_THAT(page->connections(), SizeIs(1));
  EXPECT_EQ(page->connections(0).name(), "connections/c");

  v1::ListConnectionsRequest negative;
  negative.set_page_size(-1);
  EXPECT_EQ(client().ListConnections(negative).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ConnectionTest, UpdateHonoursTheMaskAndTheEtag) {
  auto created = client().CreateConnection(ValidCreate("acme"));
  ASSERT_TRUE(created.ok());

  v1::UpdateConnectionRequest update;
  update.mutable_connection()->set_name("connections/acme");
  update.mutable_connection()->set_display_name("Acme Corp");
  update.mutable_connection()->set_environment(v1::ENVIRONMENT_PRODUCTION);
  update.mutable_update_mask()->add_paths("display_name");
  update.set_etag(created->etag());
  auto updated = client().UpdateConnection(update);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->display_name(), "Acme Corp");
  EXPECT_EQ(updated->environment(), v1::ENVIRONMENT_SANDBOX);
  EXPECT_NE(updated->etag(), created->etag());

  auto stale = client().UpdateConnection(update);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);

  update.set_etag(updated->etag());
  update.mutable_update_mask()->set_paths(0, "api_key");
  auto bad_path = client().UpdateConnection(update);
  EXPECT_EQ(bad_path.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_path.status().message(), HasSubstr("\"api_key\""));

  v1::DeleteConnectionRequest remove;
  remove.set_name("connections/acme");
  remove.set_etag(created->etag());
  EXPECT_EQ(client().DeleteConnection(remove).code(),
            absl::StatusCode::kAborted);
  remove.set_etag(updated->etag());
  EXPECT_TRUE(client().DeleteConnection(remove).ok());
  EXPECT_EQ(client().DeleteConnection(remove).code(),
            absl::StatusCode::kNotFound);
}

TEST_F(ConnectionTest, TestConnectionReportsEachPermission) {
  ASSERT_TRUE(environment_->CreateConnection("full", kFullKey, "app").ok());
  ASSERT_TRUE(
      environment_->CreateConnection("partial", kNoFieldsKey, "app").ok());
  ASSERT_TRUE(
      environment_->CreateConnection("rejected", "lvr_unknown_key_99", "app")
          .ok());
  v1::TestConnectionRequest test;

  test.set_name("connections/full");
  auto full = client().TestConnection(test);
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_TRUE(full->ready());
  EXPECT_TRUE(full->api_key_accepted());
  ASSERT_THAT(full->checks(), SizeIs(3));
  EXPECT_EQ(full->checks(0).permission(), "list requisitions");
  EXPECT_EQ(full->checks(0).result(), v1::PermissionCheck::RESULT_GRANTED);
  EXPECT_EQ(full->checks(1).permission(), "list requisition fields");
  EXPECT_EQ(full->checks(1).http_status(), 200);
  // The key may read but not write; imports need no more.
  EXPECT_EQ(full->checks(2).permission(), "write requisitions");
  EXPECT_EQ(full->checks(2).result(), v1::PermissionCheck::RESULT_DENIED);
  EXPECT_FALSE(full->may_write());

  test.set_name("connections/partial");
  auto partial = client().TestConnection(test);
  ASSERT_TRUE(partial.ok());
  EXPECT_FALSE(partial->ready());
  EXPECT_TRUE(partial->api_key_accepted());
  EXPECT_EQ(partial->checks(0).result(), v1::PermissionCheck::RESULT_GRANTED);
  EXPECT_EQ(partial->checks(1).result(), v1::PermissionCheck::RESULT_DENIED);
  EXPECT_EQ(partial->checks(1).http_status(), 403);

  test.set_name("connections/rejected");
  auto rejected = client().TestConnection(test);
  ASSERT_TRUE(rejected.ok());
  EXPECT_FALSE(rejected->api_key_accepted());
  EXPECT_EQ(rejected->checks(0).result(), v1::PermissionCheck::RESULT_DENIED);
  EXPECT_EQ(rejected->checks(0).http_status(), 401);
  EXPECT_THAT(rejected->checks(0).detail(),
              HasSubstr("Lever rejected the API key"));
}

TEST_F(ConnectionTest, RotateApiKeyChecksTheNewKeyFirst) {
  ASSERT_TRUE(environment_->CreateConnection("c", kNoFieldsKey, "app").ok());
  v1::RotateApiKeyRequest rotate;
  rotate.set_name("connections/c");
  rotate.set_api_key("lvr_unknown_key_99");
  auto refused = client().RotateApiKey(rotate);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);

  rotate.set_api_key(kFullKey);
  auto rotated = client().RotateApiKey(rotate);
  ASSERT_TRUE(rotated.ok()) << rotated.status();
  EXPECT_EQ(rotated->api_key_hint(), "0001");
  v1::TestConnectionRequest test;
  test.set_name("connections/c");
  auto tested = client().TestConnection(test);
  ASSERT_TRUE(tested.ok());
  EXPECT_TRUE(tested->ready());
}

// A key nobody would mistake for anything else, so that finding it
// anywhere is a leak.
constexpr char kDistinctiveKey[] = "lvr_SECRET_7f3c9a1e5b2d4068";

TEST(SecretTest, ApiKeyNeverReachesTheDatabaseOrTheLogs) {
  FakeLeverOptions options;
  options.generate = 30;
  options.api_keys[kDistinctiveKey] = {"requisitions:read",
                                       "requisition_fields:read"};
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  client::Client& client = (*environment)->client();

  v1::CreateConnectionRequest create;
  create.set_connection_id("secret");
  create.mutable_connection()->set_api_key(kDistinctiveKey);
  create.mutable_connection()->set_environment(v1::ENVIRONMENT_PRODUCTION);
  create.mutable_connection()->add_allowed_applications("app");
  auto created = client.CreateConnection(create);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->DebugString().find(kDistinctiveKey), std::string::npos);

  v1::TestConnectionRequest test;
  test.set_name("connections/secret");
  auto tested = client.TestConnection(test);
  ASSERT_TRUE(tested.ok());
  EXPECT_EQ(tested->DebugString().find(kDistinctiveKey), std::string::npos);
  std::vector<v1::Row> rows;
  v1::StreamRequisitionsRequest request;
  request.set_connection("connections/secret");
  request.set_application("app");
  ASSERT_TRUE((*environment)->Import(request, &rows).ok());
  EXPECT_THAT(rows, SizeIs(30));
  v1::RotateApiKeyRequest rotate;
  rotate.set_name("connections/secret");
  rotate.set_api_key(kDistinctiveKey);
  ASSERT_TRUE(client.RotateApiKey(rotate).ok());
  create.mutable_connection()->set_api_key(std::string(kDistinctiveKey) + "x");
  EXPECT_FALSE(client.CreateConnection(create).ok());

  const std::string state = (*environment)->state_dir();
  const std::string stored = ReadFile(state + "/leverconnect.db") +
                             ReadFile(state + "/leverconnect.db-wal");
  EXPECT_GT(stored.size(), 0u);
  EXPECT_EQ(stored.find(kDistinctiveKey), std::string::npos);
  EXPECT_EQ(stored.find("7f3c9a1e5b2d"), std::string::npos);

  const std::vector<std::string> lines = (*environment)->LogLines();
  EXPECT_GT(lines.size(), 5u);
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find("7f3c9a1e5b2d"), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace leverconnect::testing

namespace leverconnect::testing {
namespace {

TEST(ServerTest, ASecondServerOnTheSamePortFailsToStart) {
  FakeLeverOptions options;
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  server::ServerOptions second;
  second.listen_address =
      absl::StrCat("127.0.0.1:", (*environment)->server().port());
  second.state_dir = (*environment)->state_dir() + "/second";
  second.no_auth = true;
  auto secret_box = crypto::SecretBox::FromEncodedKey(std::string(64, 'a'));
  ASSERT_TRUE(secret_box.ok());
  auto started = server::Server::Start(second, std::move(*secret_box));
  EXPECT_EQ(started.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(started.status().message(), HasSubstr("cannot listen on"));
}

}  // namespace
}  // namespace leverconnect::testing

namespace leverconnect::testing {
namespace {

TEST(AuditTest, EveryConnectionChangeAndImportLeavesAnAuditLine) {
  FakeLeverOptions options;
  options.generate = 3;
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  client::Client& client = (*environment)->client();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());
  v1::UpdateConnectionRequest update;
  update.mutable_connection()->set_name("connections/c");
  update.mutable_connection()->set_display_name("C");
  update.mutable_update_mask()->add_paths("display_name");
  ASSERT_TRUE(client.UpdateConnection(update).ok());
  std::vector<v1::Row> rows;
  v1::StreamRequisitionsRequest import;
  import.set_connection("connections/c");
  import.set_application("app");
  ASSERT_TRUE((*environment)->Import(import, &rows).ok());
  import.set_application("elsewhere");
  EXPECT_FALSE((*environment)->Import(import, &rows).ok());
  v1::DeleteConnectionRequest remove;
  remove.set_name("connections/c");
  ASSERT_TRUE(client.DeleteConnection(remove).ok());

  std::vector<std::string> audits;
  for (const std::string& line : (*environment)->LogLines()) {
    if (line.find("\"audit\":true") == std::string::npos) continue;
    const std::string principal =
        absl::StrCat("\"principal\":\"", kAdminId, "\"");
    EXPECT_THAT(line, HasSubstr(principal));
    EXPECT_THAT(line, HasSubstr("\"resource\":\"connections/c\""));
    EXPECT_EQ(line.find(kFullKey), std::string::npos);
    EXPECT_EQ(line.find(kAdminToken), std::string::npos);
    const std::size_t action = line.find("\"action\":");
    audits.push_back(line.substr(action, line.find('}') - action));
  }
  EXPECT_THAT(audits,
              ::testing::ElementsAre(
                  "\"action\":\"CreateConnection\",\"resource\":\"connections/"
                  "c\",\"outcome\":\"OK\"",
                  "\"action\":\"UpdateConnection\",\"resource\":\"connections/"
                  "c\",\"outcome\":\"OK\"",
                  "\"action\":\"StreamRequisitions\",\"resource\":"
                  "\"connections/c\",\"outcome\":\"started\"",
                  "\"action\":\"StreamRequisitions\",\"resource\":"
                  "\"connections/c\",\"outcome\":\"OK\"",
                  "\"action\":\"StreamRequisitions\",\"resource\":"
                  "\"connections/c\",\"outcome\":\"PERMISSION_DENIED\"",
                  "\"action\":\"DeleteConnection\",\"resource\":\"connections/"
                  "c\",\"outcome\":\"OK\""));
}

TEST(ServerLimitsTest, PlainHttpToLeverOffLoopbackIsRefusedAtStart) {
  FakeLeverOptions options;
  server::LeverSettings settings = FastLeverSettings();
  settings.base_urls[v1::ENVIRONMENT_SANDBOX] =
      "http://api.sandbox.lever.co/v1";
  auto environment = TestEnvironment::Start(options, settings);
  EXPECT_EQ(environment.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(environment.status().message(), HasSubstr("use https://"));
}

TEST(ServerLimitsTest, OversizedRequestsAreRefusedUnread) {
  FakeLeverOptions options;
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  v1::CreateConnectionRequest create;
  create.set_connection_id("big");
  create.mutable_connection()->set_display_name(std::string(2 << 20, 'x'));
  auto created = (*environment)->client().CreateConnection(create);
  EXPECT_EQ(created.status().code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace leverconnect::testing

namespace leverconnect::testing {
namespace {

class HostileInputTest : public ConnectionTest {};

TEST_F(HostileInputTest, DisplayNamesMustBePrintableAndNotBlank) {
  auto create = ValidCreate("acme");
  create.mutable_connection()->set_display_name("bad\x1b[2Jname");
  auto created = client().CreateConnection(create);
  EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(created.status().message(), HasSubstr("control characters"));
  create.mutable_connection()->set_display_name("   ");
  created = client().CreateConnection(create);
  EXPECT_THAT(created.status().message(), HasSubstr("is blank"));
}

TEST_F(HostileInputTest, EchoedInputCannotForgeLinesOrTerminalSequences) {
  v1::GetConnectionRequest get;
  get.set_name("bad\n{\"message\":\"audit\"}\x1b[31m");
  auto read = client().GetConnection(get);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(read.status().message().find('\n'), absl::string_view::npos);
  EXPECT_EQ(read.status().message().find('\x1b'), absl::string_view::npos);
  EXPECT_THAT(read.status().message(), HasSubstr("bad\\n{"));
}

TEST_F(HostileInputTest, ConnectionIdsDoNotEndWithAHyphen) {
  auto created = client().CreateConnection(ValidCreate("acme-"));
  EXPECT_EQ(created.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(created.status().message(), HasSubstr("not ending with '-'"));
}

// Bytes that are no request of the method, on every method of every
// service: INVALID_ARGUMENT naming the request type, where gRPC itself
// would answer INTERNAL or UNIMPLEMENTED with no message.
TEST_F(HostileInputTest, RequestsThatDoNotDecodeAreInvalidArgumentEverywhere) {
  auto channel = grpc::CreateChannel(environment_->address(),
                                     grpc::InsecureChannelCredentials());
  int methods = 0;
  for (const char* name :
       {"leverconnect.v1.ConnectionService", "leverconnect.v1.ImportService",
        "leverconnect.v1.ImportRunService",
        "leverconnect.v1.WriteBackService"}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
            name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      const std::string path =
          absl::StrCat("/", service->full_name(), "/", method->name());
      // Field 1 announces 100 bytes and holds 3.
      std::vector<std::string> inputs = {
          std::string("\x0a\x64"
                      "abc")};
      const google::protobuf::FieldDescriptor* first =
          method->input_type()->FindFieldByNumber(1);
      if (first != nullptr &&
          first->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
        inputs.push_back(std::string("\x0a\x02\xff\xfe"));  // not UTF-8
      }
      for (const std::string& input : inputs) {
        SCOPED_TRACE(path);
        const grpc::Status status =
            RawUnaryCall(channel, path, input, kAdminToken);
        EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
            << status.error_message();
        EXPECT_THAT(status.error_message(),
                    HasSubstr(absl::StrCat("not an encoded ",
                                           method->input_type()->name())));
      }
      ++methods;
    }
  }
  EXPECT_EQ(methods, 16);
}

TEST_F(HostileInputTest, ARequestIdWhoseConnectionWasDeletedSaysSo) {
  auto create = ValidCreate("gone");
  create.set_request_id("req-gone");
  ASSERT_TRUE(client().CreateConnection(create).ok());
  v1::DeleteConnectionRequest remove;
  remove.set_name("connections/gone");
  ASSERT_TRUE(client().DeleteConnection(remove).ok());
  auto again = client().CreateConnection(create);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.status().message(),
              HasSubstr("which has since been deleted; use a new request_id"));
}

}  // namespace
}  // namespace leverconnect::testing

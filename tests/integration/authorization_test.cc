// Who may call what, end to end: every RPC against every kind of caller,
// what members see of connections, and what the server refuses at start.
#include <stdlib.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_environment.h"

namespace leverconnect::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::StatusCode kOk = absl::StatusCode::kOk;
constexpr absl::StatusCode kUnauthenticated =
    absl::StatusCode::kUnauthenticated;
constexpr absl::StatusCode kDenied = absl::StatusCode::kPermissionDenied;

// The callers of the matrix, in its column order.
enum Column {
  kNoToken,
  kBadToken,
  kOtherMember,
  kGrantedMember,
  kAdmin,
  kColumns
};

const std::array<const char*, kColumns> kColumnTitles = {
    "no token", "bad token", "member of another application",
    "member of the granted application", "admin"};

// A token no principal has.
constexpr char kUnknownToken[] = "tok_unknown_0c5a91d3e7";

// What each caller sends: its token, and the application it imports for.
struct CallerSetup {
  std::string token;
  std::string application;
};

const std::array<CallerSetup, kColumns> kCallers = {{
    {"", "planning"},
    {kUnknownToken, "planning"},
    {kReportingMemberToken, "reporting"},
    {kPlanningMemberToken, "planning"},
    {kAdminToken, "planning"},
}};

// The connection every cell works on: allows "planning" only.
constexpr char kGranted[] = "connections/granted";

struct MatrixRow {
  std::string rpc;
  std::array<absl::StatusCode, kColumns> expected;
};

// The authorization matrix. The README carries the same table (written
// by this test to $LEVERCONNECT_AUTH_TABLE).
// clang-format off
const std::vector<MatrixRow> kMatrix = {
    // RPC
    // no token        bad token         other     granted   admin
    {"CreateConnection",
     {kUnauthenticated, kUnauthenticated, kDenied, kDenied, kOk}},
    {"GetConnection",
     {kUnauthenticated, kUnauthenticated, kDenied, kOk,     kOk}},
    {"ListConnections",
     {kUnauthenticated, kUnauthenticated, kOk,     kOk,     kOk}},
    {"UpdateConnection",
     {kUnauthenticated, kUnauthenticated, kDenied, kDenied, kOk}},
    {"DeleteConnection",
     {kUnauthenticated, kUnauthenticated, kDenied, kDenied, kOk}},
    {"TestConnection",
     {kUnauthenticated, kUnauthenticated, kDenied, kOk,     kOk}},
    {"RotateApiKey",
     {kUnauthenticated, kUnauthenticated, kDenied, kDenied, kOk}},
    {"GetRequisitionSchema",
     {kUnauthenticated, kUnauthenticated, kDenied, kOk,     kOk}},
    {"StreamRequisitions",
     {kUnauthenticated, kUnauthenticated, kDenied, kOk,     kOk}},
    {"StartImport",
     {kUnauthenticated, kUnauthenticated, kDenied, kOk,     kOk}},
    {"GetImport",
     {kUnauthenticated, kUnauthenticated, kDenied, kOk,     kOk}},
    {"ListImports",
     {kUnauthenticated, kUnauthenticated, kDenied, kOk,     kOk}},
    {"CancelImport",
     {kUnauthenticated, kUnauthenticated, kDenied, kOk,     kOk}},
    {"WatchImport",
     {kUnauthenticated, kUnauthenticated, kDenied, kOk,     kOk}},
    {"PlanRequisitionChanges",
     {kUnauthenticated, kUnauthenticated, kDenied, kOk,     kOk}},
    {"ApplyRequisitionChanges",
     {kUnauthenticated, kUnauthenticated, kDenied, kOk,     kOk}},
};
// clang-format on

using Call = std::function<absl::Status(client::Client&, const CallerSetup&)>;

// A run of kGranted for "planning", which every cell on a run reads.
std::string& GrantedRun() {
  static auto* const name = new std::string;
  return *name;
}

// One call of each RPC, on kGranted.
std::map<std::string, Call> Calls() {
  static int created = 0;
  std::map<std::string, Call> calls;
  calls["CreateConnection"] = [](client::Client& client, const CallerSetup&) {
    v1::CreateConnectionRequest request;
    request.set_connection_id(absl::StrCat("created-", ++created));
    request.set_skip_key_check(true);
    request.mutable_connection()->set_api_key(kFullKey);
    request.mutable_connection()->set_environment(v1::ENVIRONMENT_PRODUCTION);
    request.mutable_connection()->add_allowed_applications("planning");
    return client.CreateConnection(request).status();
  };
  calls["GetConnection"] = [](client::Client& client, const CallerSetup&) {
    v1::GetConnectionRequest request;
    request.set_name(kGranted);
    return client.GetConnection(request).status();
  };
  calls["ListConnections"] = [](client::Client& client, const CallerSetup&) {
    return client.ListConnections({}).status();
  };
  calls["UpdateConnection"] = [](client::Client& client, const CallerSetup&) {
    v1::UpdateConnectionRequest request;
    request.mutable_connection()->set_name(kGranted);
    request.mutable_connection()->set_display_name("Granted");
    request.mutable_update_mask()->add_paths("display_name");
    return client.UpdateConnection(request).status();
  };
  calls["DeleteConnection"] = [](client::Client& client, const CallerSetup&) {
    v1::DeleteConnectionRequest request;
    request.set_name(kGranted);
    return client.DeleteConnection(request);
  };
  calls["TestConnection"] = [](client::Client& client, const CallerSetup&) {
    v1::TestConnectionRequest request;
    request.set_name(kGranted);
    return client.TestConnection(request).status();
  };
  calls["RotateApiKey"] = [](client::Client& client, const CallerSetup&) {
    v1::RotateApiKeyRequest request;
    request.set_name(kGranted);
    request.set_api_key(kFullKey);
    return client.RotateApiKey(request).status();
  };
  calls["GetRequisitionSchema"] = [](client::Client& client,
                                     const CallerSetup& caller) {
    v1::GetRequisitionSchemaRequest request;
    request.set_connection(kGranted);
    request.set_application(caller.application);
    return client.GetRequisitionSchema(request).status();
  };
  calls["StreamRequisitions"] = [](client::Client& client,
                                   const CallerSetup& caller) {
    v1::StreamRequisitionsRequest request;
    request.set_connection(kGranted);
    request.set_application(caller.application);
    return client.StreamRequisitions(request, {}).status();
  };
  calls["StartImport"] = [](client::Client& client, const CallerSetup& caller) {
    v1::StartImportRequest request;
    request.set_parent(kGranted);
    request.set_application(caller.application);
    request.mutable_destination()->set_configuration_id("cfg");
    return client.StartImport(request).status();
  };
  calls["GetImport"] = [](client::Client& client, const CallerSetup&) {
    v1::GetImportRequest request;
    request.set_name(GrantedRun());
    return client.GetImport(request).status();
  };
  calls["ListImports"] = [](client::Client& client, const CallerSetup&) {
    v1::ListImportsRequest request;
    request.set_parent(kGranted);
    return client.ListImports(request).status();
  };
  calls["CancelImport"] = [](client::Client& client, const CallerSetup&) {
    v1::CancelImportRequest request;
    request.set_name(GrantedRun());
    return client.CancelImport(request).status();
  };
  calls["WatchImport"] = [](client::Client& client, const CallerSetup&) {
    v1::WatchImportRequest request;
    request.set_name(GrantedRun());
    return client.WatchImport(request, nullptr).status();
  };
  // One row with a field no requisition has: INVALID, so that the calls
  // that are let through read Lever but never write to it.
  auto invalid_row = [](auto& request) {
    v1::PlannedRequisition* row = request.add_rows();
    row->set_requisition_code("AUTH-1");
    (*row->mutable_fields())["colour"].set_string_value("blue");
  };
  calls["PlanRequisitionChanges"] = [invalid_row](client::Client& client,
                                                  const CallerSetup& caller) {
    v1::PlanRequisitionChangesRequest request;
    request.set_connection(kGranted);
    request.set_application(caller.application);
    invalid_row(request);
    return client.PlanRequisitionChanges(request).status();
  };
  calls["ApplyRequisitionChanges"] = [invalid_row](client::Client& client,
                                                   const CallerSetup& caller) {
    v1::ApplyRequisitionChangesRequest request;
    request.set_connection(kGranted);
    request.set_application(caller.application);
    invalid_row(request);
    return client.ApplyRequisitionChanges(request).status();
  };
  return calls;
}

std::string MatrixAsMarkdown() {
  std::string table = "| RPC |";
  for (const char* title : kColumnTitles)
    absl::StrAppend(&table, " ", title, " |");
  absl::StrAppend(&table, "\n| --- |");
  for (int column = 0; column < kColumns; ++column) {
    absl::StrAppend(&table, " --- |");
  }
  for (const MatrixRow& row : kMatrix) {
    absl::StrAppend(&table, "\n| `", row.rpc, "` |");
    for (absl::StatusCode code : row.expected) {
      absl::StrAppend(&table, " `", absl::StatusCodeToString(code), "` |");
    }
  }
  return table +
         "\n`ListConnections` shows a member only the connections granted to "
         "one of its applications, and of their allowed applications (there "
         "and in `GetConnection`) only its own; `ListImports` only the runs "
         "of its own applications, and `GetImport`, `CancelImport` and "
         "`WatchImport` refuse a member a run of another application.\n";
}

class AuthorizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeLeverOptions options;
    options.generate = 5;
    // Runs may start; their pushes find no Pigment, which no cell needs.
    auto started = TestEnvironment::Start(
        options, FastLeverSettings(), {}, [](server::ServerOptions& server) {
          server.runs.pigment_url = "http://127.0.0.1:9";
          server.runs.pigment_import_key = "pigment-key";
          server.runs.pigment_retry.initial_backoff = absl::Milliseconds(1);
        });
    ASSERT_TRUE(started.ok()) << started.status();
    environment_ = std::move(*started);
  }

  client::Client& admin() { return environment_->client(); }

  // Creates connection `id` allowing `applications`, as the admin.
  void Create(const std::string& id,
              const std::vector<std::string>& applications) {
    v1::CreateConnectionRequest request;
    request.set_connection_id(id);
    request.set_skip_key_check(true);
    request.mutable_connection()->set_api_key(kFullKey);
    request.mutable_connection()->set_environment(v1::ENVIRONMENT_PRODUCTION);
    request.mutable_connection()->set_write_back_enabled(true);
    for (const std::string& application : applications) {
      request.mutable_connection()->add_allowed_applications(application);
    }
    auto created = admin().CreateConnection(request);
    ASSERT_TRUE(created.ok()) << created.status();
  }

  // Makes sure kGranted exists, as a cell before may have deleted it.
  // Creates kGranted unless it exists, with one finished run of its own
  // (GrantedRun()): deleting the connection deletes its runs.
  void EnsureGranted() {
    v1::GetConnectionRequest get;
    get.set_name(kGranted);
    if (admin().GetConnection(get).ok() && !GrantedRun().empty()) return;
    if (!admin().GetConnection(get).ok()) Create("granted", {"planning"});
    v1::StartImportRequest start;
    start.set_parent(kGranted);
    start.set_application("planning");
    start.mutable_destination()->set_configuration_id("cfg");
    absl::StatusOr<v1::ImportRun> run = admin().StartImport(start);
    ASSERT_TRUE(run.ok()) << run.status();
    GrantedRun() = run->name();
    // Finished first, so that cancelling it is OK whenever a cell does.
    v1::WatchImportRequest watch;
    watch.set_name(run->name());
    ASSERT_TRUE(admin().WatchImport(watch, nullptr).ok());
  }

  // The names `client` lists, through every page of `page_size`.
  std::vector<std::string> ListNames(client::Client& client,
                                     int page_size = 0) {
    std::vector<std::string> names;
    v1::ListConnectionsRequest request;
    request.set_page_size(page_size);
    do {
      auto page = client.ListConnections(request);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const auto& connection : page->connections()) {
        names.push_back(connection.name());
      }
      request.set_page_token(page->next_page_token());
    } while (!request.page_token().empty());
    return names;
  }

  std::unique_ptr<TestEnvironment> environment_;
};

TEST_F(AuthorizationTest, EveryRpcAgainstEveryCaller) {
  std::map<std::string, Call> calls = Calls();
  ASSERT_EQ(calls.size(), kMatrix.size());
  GrantedRun().clear();
  for (const MatrixRow& row : kMatrix) {
    ASSERT_EQ(calls.count(row.rpc), 1u) << row.rpc;
    for (int column = 0; column < kColumns; ++column) {
      SCOPED_TRACE(absl::StrCat(row.rpc, " by ", kColumnTitles[column]));
      EnsureGranted();
      auto client = environment_->ClientWithToken(kCallers[column].token);
      const absl::Status status = calls[row.rpc](*client, kCallers[column]);
      EXPECT_EQ(status.code(), row.expected[column]) << status;
    }
  }

  if (const char* path = std::getenv("LEVERCONNECT_AUTH_TABLE")) {
    std::ofstream(path) << MatrixAsMarkdown();
  }
}

TEST_F(AuthorizationTest, UnauthenticatedCallsSayWhatIsMissing) {
  v1::GetConnectionRequest get;
  get.set_name(kGranted);
  auto anonymous = environment_->ClientWithToken("");
  const absl::Status none = anonymous->GetConnection(get).status();
  EXPECT_EQ(none.code(), kUnauthenticated);
  EXPECT_EQ(none.message(),
            "no credentials: send 'authorization: Bearer <token>' or a client "
            "certificate");

  auto unknown = environment_->ClientWithToken(kUnknownToken);
  const absl::Status bad = unknown->GetConnection(get).status();
  EXPECT_EQ(bad.code(), kUnauthenticated);
  EXPECT_EQ(bad.message(), "the token is not known");
}

TEST_F(AuthorizationTest, TheBearerSchemeIsCaseInsensitive) {
  Create("granted", {"planning"});
  auto stub = v1::ConnectionService::NewStub(grpc::CreateChannel(
      environment_->address(), grpc::InsecureChannelCredentials()));
  const std::vector<std::pair<std::string, absl::StatusCode>> cases = {
      {absl::StrCat("bearer ", kAdminToken), kOk},
      {absl::StrCat("BEARER ", kAdminToken), kOk},
      {absl::StrCat("Bearer   ", kAdminToken, " "), kOk},
      {absl::StrCat("Basic ", kAdminToken), kUnauthenticated},
      {kAdminToken, kUnauthenticated},
      {"Bearer ", kUnauthenticated},
  };
  for (const auto& [authorization, code] : cases) {
    SCOPED_TRACE(authorization);
    grpc::ClientContext context;
    context.AddMetadata("authorization", authorization);
    v1::GetConnectionRequest request;
    request.set_name(kGranted);
    v1::Connection response;
    const grpc::Status status =
        stub->GetConnection(&context, request, &response);
    EXPECT_EQ(static_cast<int>(status.error_code()), static_cast<int>(code))
        << status.error_message();
    EXPECT_THAT(status.error_message(), Not(HasSubstr(kAdminToken)));
  }
}

TEST_F(AuthorizationTest, MembersListOnlyTheirConnections) {
  Create("a-planning", {"planning"});
  Create("b-reporting", {"reporting"});
  Create("c-finance", {"finance"});
  Create("d-shared", {"reporting", "app"});
  Create("e-finance", {"finance"});
  auto planner = environment_->ClientWithToken(kPlanningMemberToken);
  auto reporter = environment_->ClientWithToken(kReportingMemberToken);

  EXPECT_THAT(ListNames(admin()),
              ElementsAre("connections/a-planning", "connections/b-reporting",
                          "connections/c-finance", "connections/d-shared",
                          "connections/e-finance"));
  EXPECT_THAT(ListNames(*planner),
              ElementsAre("connections/a-planning", "connections/d-shared"));
  EXPECT_THAT(ListNames(*reporter),
              ElementsAre("connections/b-reporting", "connections/d-shared"));
  // Pages of one: each page holds a connection, the last ends the listing.
  EXPECT_THAT(ListNames(*planner, 1),
              ElementsAre("connections/a-planning", "connections/d-shared"));

  v1::ListConnectionsRequest filtered;
  filtered.set_application("app");
  auto page = planner->ListConnections(filtered);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->connections_size(), 1);
  EXPECT_EQ(page->connections(0).name(), "connections/d-shared");
  filtered.set_application("finance");
  const absl::Status foreign = planner->ListConnections(filtered).status();
  EXPECT_EQ(foreign.code(), kDenied);
  EXPECT_EQ(foreign.message(),
            "principal \"planning-sync\" does not act for application "
            "\"finance\"");
}

// The allowed applications of `connection`, as `client` sees them through
// GetConnection and ListConnections (which must agree).
std::vector<std::string> SeenApplications(client::Client& client,
                                          const std::string& connection) {
  v1::GetConnectionRequest get;
  get.set_name(connection);
  absl::StatusOr<v1::Connection> got = client.GetConnection(get);
  EXPECT_TRUE(got.ok()) << got.status();
  if (!got.ok()) return {};
  std::vector<std::string> applications(got->allowed_applications().begin(),
                                        got->allowed_applications().end());
  absl::StatusOr<v1::ListConnectionsResponse> listed =
      client.ListConnections({});
  EXPECT_TRUE(listed.ok()) << listed.status();
  if (!listed.ok()) return {};
  for (const v1::Connection& item : listed->connections()) {
    if (item.name() != connection) continue;
    EXPECT_THAT(std::vector<std::string>(item.allowed_applications().begin(),
                                         item.allowed_applications().end()),
                ElementsAreArray(applications));
  }
  return applications;
}

TEST_F(AuthorizationTest, MembersSeeOnlyTheirOwnApplicationsOfAConnection) {
  Create("shared", {"reporting", "app", "finance", "planning"});
  auto planner = environment_->ClientWithToken(kPlanningMemberToken);
  auto reporter = environment_->ClientWithToken(kReportingMemberToken);
  EXPECT_THAT(SeenApplications(admin(), "connections/shared"),
              ElementsAre("reporting", "app", "finance", "planning"));
  EXPECT_THAT(SeenApplications(*planner, "connections/shared"),
              ElementsAre("app", "planning"));
  EXPECT_THAT(SeenApplications(*reporter, "connections/shared"),
              ElementsAre("reporting"));
}

TEST_F(AuthorizationTest, MissingAndUngrantedConnectionsLookTheSame) {
  // The calls name kGranted: first missing, then granted to another
  // application.
  auto planner = environment_->ClientWithToken(kPlanningMemberToken);
  const CallerSetup setup{kPlanningMemberToken, "planning"};
  auto ask = [&](const std::string& rpc) {
    return Calls()[rpc](*planner, setup);
  };
  const std::vector<std::string> rpcs = {
      "GetConnection",          "TestConnection",
      "GetRequisitionSchema",   "StreamRequisitions",
      "PlanRequisitionChanges", "ApplyRequisitionChanges"};
  std::vector<absl::Status> missing;
  for (const std::string& rpc : rpcs) missing.push_back(ask(rpc));
  Create("granted", {"finance"});
  for (std::size_t i = 0; i < rpcs.size(); ++i) {
    SCOPED_TRACE(rpcs[i]);
    const absl::Status ungranted = ask(rpcs[i]);
    EXPECT_EQ(missing[i].code(), kDenied);
    EXPECT_EQ(missing[i], ungranted);
    EXPECT_EQ(ungranted.message(),
              "principal \"planning-sync\" may not use connection "
              "\"connections/granted\"");
  }

  v1::GetConnectionRequest get;
  get.set_name("connections/absent");
  const absl::Status absent = admin().GetConnection(get).status();
  EXPECT_EQ(absent.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(absent.message(), "connection \"connections/absent\" not found");
}

TEST_F(AuthorizationTest, HealthAnswersWithoutCredentials) {
  auto channel = grpc::CreateChannel(environment_->address(),
                                     grpc::InsecureChannelCredentials());
  for (const char* service : {"", "liveness", "readiness"}) {
    SCOPED_TRACE(service);
    absl::StatusOr<int> status = HealthStatus(channel, service);
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_EQ(*status, 1);  // SERVING
  }
}

TEST_F(AuthorizationTest, LogLinesNameThePrincipalAndNeverAToken) {
  Create("granted", {"planning"});
  auto planner = environment_->ClientWithToken(kPlanningMemberToken);
  auto unknown = environment_->ClientWithToken(kUnknownToken);
  v1::GetConnectionRequest get;
  get.set_name(kGranted);
  ASSERT_TRUE(planner->GetConnection(get).ok());
  ASSERT_FALSE(unknown->GetConnection(get).ok());

  bool member_line = false;
  bool unauthenticated_line = false;
  for (const std::string& line : environment_->LogLines()) {
    member_line |= absl::StrContains(line, "\"caller\":\"planning-sync\"");
    unauthenticated_line |=
        absl::StrContains(line, "\"caller\":\"(unauthenticated)\"");
    for (const char* token : {kAdminToken, kPlanningMemberToken,
                              kReportingMemberToken, kUnknownToken}) {
      EXPECT_THAT(line, Not(HasSubstr(token)));
    }
  }
  EXPECT_TRUE(member_line);
  EXPECT_TRUE(unauthenticated_line);
}

// Settings Server::Start refuses, each with the reason.
TEST(ServerSecurityOptionsTest, RefusedAtStart) {
  std::string state = ::testing::TempDir() + "leverconnect-options-XXXXXX";
  ASSERT_NE(mkdtemp(state.data()), nullptr);
  struct Case {
    std::string what;
    std::function<void(server::ServerOptions&)> change;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"no principals", [](auto&) {},
       "--principals-file is required: it says who may call"},
      {"plaintext off loopback",
       [](auto& options) {
         options.no_auth = true;
         options.listen_address = "0.0.0.0:0";
       },
       "refusing to listen in plaintext on 0.0.0.0:0, which is not a "
       "loopback address"},
      {"a missing principals file",
       [&](auto& options) { options.principals_file = state + "/absent.json"; },
       "cannot read principals file " + state + "/absent.json"},
      {"a certificate without its key",
       [](auto& options) {
         options.no_auth = true;
         options.tls_certificate_file = "server.pem";
       },
       "--tls-cert and --tls-key go together"},
      {"a client CA without TLS",
       [](auto& options) {
         options.no_auth = true;
         options.client_ca_file = "ca.pem";
       },
       "--client-ca needs --tls-cert and --tls-key"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    server::ServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.state_dir = state;
    c.change(options);
    auto secret_box = crypto::SecretBox::FromEncodedKey(std::string(64, 'a'));
    ASSERT_TRUE(secret_box.ok());
    auto started = server::Server::Start(options, std::move(*secret_box));
    ASSERT_FALSE(started.ok());
    EXPECT_THAT(started.status().message(), HasSubstr(c.message));
  }

  server::ServerOptions allowed;
  allowed.listen_address = "0.0.0.0:0";
  allowed.state_dir = state;
  allowed.no_auth = true;
  allowed.allow_plaintext = true;
  auto secret_box = crypto::SecretBox::FromEncodedKey(std::string(64, 'a'));
  ASSERT_TRUE(secret_box.ok());
  auto started = server::Server::Start(allowed, std::move(*secret_box));
  ASSERT_TRUE(started.ok()) << started.status();
  (*started)->Shutdown(absl::ZeroDuration());
  std::error_code ignored;
  std::filesystem::remove_all(state, ignored);
}

}  // namespace
}  // namespace leverconnect::testing

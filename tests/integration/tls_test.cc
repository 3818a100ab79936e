// TLS and mutual TLS with certificates made at test time: who gets in,
// who the server takes them for, and that health checking stays reachable.
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_certificates.h"
#include "tests/integration/test_environment.h"

namespace leverconnect::testing {
namespace {

using ::testing::HasSubstr;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = ::testing::TempDir() + "leverconnect-tls-XXXXXX";
    ASSERT_NE(mkdtemp(folder_.data()), nullptr);
    auto authority = TestCertificateAuthority::Create("leverconnect test CA");
    ASSERT_TRUE(authority.ok()) << authority.status();
    authority_ =
        std::make_unique<TestCertificateAuthority>(std::move(*authority));
    auto server =
        authority_->IssueServer("localhost", {"localhost"}, {"127.0.0.1"});
    ASSERT_TRUE(server.ok()) << server.status();
    ASSERT_TRUE(WriteFile(folder_ + "/server.pem", server->certificate));
    ASSERT_TRUE(WriteFile(folder_ + "/server.key", server->key));
    ASSERT_TRUE(WriteFile(folder_ + "/ca.pem", authority_->certificate()));
  }

  void TearDown() override {
    environment_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }

  // Starts the server with TLS, mutual when `mutual`, and a plaintext
  // health port. Its own client is the admin, with a certificate the
  // directory does not know: the token decides.
  void StartServer(bool mutual) {
    TransportSecurity security;
    security.certificate_file = folder_ + "/server.pem";
    security.key_file = folder_ + "/server.key";
    if (mutual) security.client_ca_file = folder_ + "/ca.pem";
    security.health_port = true;
    security.client = ClientOf("admin-laptop.test");
    FakeLeverOptions lever;
    lever.generate = 3;
    auto started = TestEnvironment::Start(lever, FastLeverSettings(), security);
    ASSERT_TRUE(started.ok()) << started.status();
    environment_ = std::move(*started);
    ASSERT_TRUE(
        environment_->CreateConnection("granted", kFullKey, "planning").ok());
  }

  // Options of a client trusting the test CA and presenting a certificate
  // from it for `common_name` (none when empty).
  client::ClientOptions ClientOf(const std::string& common_name) {
    client::ClientOptions options;
    options.root_certificates = authority_->certificate();
    if (common_name.empty()) return options;
    auto issued = authority_->IssueClient(common_name);
    EXPECT_TRUE(issued.ok()) << issued.status();
    if (!issued.ok()) return options;
    options.client_certificate = issued->certificate;
    options.client_key = issued->key;
    return options;
  }

  static absl::Status Get(client::Client& client) {
    v1::GetConnectionRequest request;
    request.set_name("connections/granted");
    return client.GetConnection(request, {absl::Seconds(10)}).status();
  }

  static absl::Status Create(client::Client& client) {
    v1::CreateConnectionRequest request;
    request.set_connection_id("another");
    request.set_skip_key_check(true);
    request.mutable_connection()->set_api_key(kFullKey);
    request.mutable_connection()->set_environment(v1::ENVIRONMENT_PRODUCTION);
    request.mutable_connection()->add_allowed_applications("planning");
    return client.CreateConnection(request, {absl::Seconds(10)}).status();
  }

  std::string folder_;
  std::unique_ptr<TestCertificateAuthority> authority_;
  std::unique_ptr<TestEnvironment> environment_;
};

TEST_F(TlsTest, MutualTlsRefusesAClientWithoutACertificate) {
  StartServer(/*mutual=*/true);
  client::ClientOptions options = ClientOf("");
  options.token = kAdminToken;
  auto client = environment_->Connect(options);
  EXPECT_EQ(Get(*client).code(), absl::StatusCode::kUnavailable);

  auto plaintext = environment_->ClientWithToken(kAdminToken);
  EXPECT_EQ(Get(*plaintext).code(), absl::StatusCode::kUnavailable);
}

TEST_F(TlsTest, MutualTlsRefusesACertificateFromAnotherAuthority) {
  StartServer(/*mutual=*/true);
  auto stranger = TestCertificateAuthority::Create("someone else's CA");
  ASSERT_TRUE(stranger.ok());
  auto issued = stranger->IssueClient(kPlanningMemberCommonName);
  ASSERT_TRUE(issued.ok());
  client::ClientOptions options = ClientOf("");
  options.client_certificate = issued->certificate;
  options.client_key = issued->key;
  auto client = environment_->Connect(options);
  EXPECT_EQ(Get(*client).code(), absl::StatusCode::kUnavailable);
}

TEST_F(TlsTest, MutualTlsServesACertificateFromTheAuthorityAsItsPrincipal) {
  StartServer(/*mutual=*/true);
  auto member = environment_->Connect(ClientOf(kPlanningMemberCommonName));
  EXPECT_TRUE(Get(*member).ok()) << Get(*member);
  const absl::Status create = Create(*member);
  EXPECT_EQ(create.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(create.message(), HasSubstr("principal \"planning-sync\""));

  auto unknown = environment_->Connect(ClientOf("stranger.test"));
  const absl::Status refused = Get(*unknown);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(refused.message(), "the client certificate is not known");
}

TEST_F(TlsTest, ATokenOverMutualTlsWinsOverTheCertificate) {
  StartServer(/*mutual=*/true);
  client::ClientOptions options = ClientOf(kPlanningMemberCommonName);
  options.token = kAdminToken;
  auto admin = environment_->Connect(options);
  EXPECT_TRUE(Create(*admin).ok()) << Create(*admin);

  options.token = "tok_nobody_knows_this_one";
  auto unknown = environment_->Connect(options);
  EXPECT_EQ(Get(*unknown).code(), absl::StatusCode::kUnauthenticated);
}

TEST_F(TlsTest, ATokenOverTlsIsServed) {
  StartServer(/*mutual=*/false);
  client::ClientOptions options = ClientOf("");
  options.token = kPlanningMemberToken;
  auto member = environment_->Connect(options);
  EXPECT_TRUE(Get(*member).ok()) << Get(*member);

  // Without mutual TLS a certificate identifies no one.
  auto certificate_only =
      environment_->Connect(ClientOf(kPlanningMemberCommonName));
  const absl::Status refused = Get(*certificate_only);
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(refused.message(), HasSubstr("no credentials"));

  auto stranger = TestCertificateAuthority::Create("someone else's CA");
  ASSERT_TRUE(stranger.ok());
  options.root_certificates = stranger->certificate();
  auto distrustful = environment_->Connect(options);
  EXPECT_EQ(Get(*distrustful).code(), absl::StatusCode::kUnavailable);
}

TEST_F(TlsTest, HealthAnswersOnItsPlaintextPortWithoutCredentials) {
  StartServer(/*mutual=*/true);
  ASSERT_NE(environment_->server().health_port(), 0);
  auto channel = grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", environment_->server().health_port()),
      grpc::InsecureChannelCredentials());
  for (const char* service : {"", "liveness", "readiness"}) {
    SCOPED_TRACE(service);
    absl::StatusOr<int> status = HealthStatus(channel, service);
    ASSERT_TRUE(status.ok()) << status.status();
    EXPECT_EQ(*status, 1);  // SERVING
  }

  // The health port serves nothing else.
  auto client = client::Client::Connect(
      absl::StrCat("127.0.0.1:", environment_->server().health_port()),
      client::ClientOptions{kAdminToken, "", "", ""});
  EXPECT_EQ(Get(*client).code(), absl::StatusCode::kUnimplemented);
}

}  // namespace
}  // namespace leverconnect::testing

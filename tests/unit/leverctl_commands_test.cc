// leverctl end to end, in-process: command lines in, requests to a fake
// server, output and exit codes out.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "absl/strings/str_cat.h"
#include "client/leverctl/app.h"
#include "client/leverctl/commands.h"
#include "client/testing/fake_server.h"

namespace leverconnect::leverctl {
namespace {

using ::leverconnect::testing::FakeServer;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

class LeverctlTest : public ::testing::Test {
 protected:
  LeverctlTest() {
    environment_.out = &out_;
    environment_.err = &err_;
    environment_.variable =
        [this](const std::string& name) -> std::optional<std::string> {
      auto found = variables_.find(name);
      if (found == variables_.end()) return std::nullopt;
      return found->second;
    };
    environment_.read_api_key = [this]() -> absl::StatusOr<std::string> {
      ++standard_input_reads_;
      return standard_input_;
    };
    environment_.connect = [this](const std::string& address,
                                  const client::ClientOptions& options) {
      addresses_.push_back(address);
      client_options_.push_back(options);
      return std::make_unique<client::Client>(server_.Channel(), options.token);
    };
  }

  ~LeverctlTest() override {
    for (const std::string& path : files_) std::remove(path.c_str());
  }

  // A path under the test's temporary directory, unique to this test.
  static std::string TestPath(const std::string& name) {
    const ::testing::TestInfo* test =
        ::testing::UnitTest::GetInstance()->current_test_info();
    return absl::StrCat(::testing::TempDir(), "leverctl_", test->name(), "_",
                        name);
  }

  // A path where no file is.
  static std::string MissingPath(const std::string& name) {
    return TestPath(name + ".missing");
  }

  // Writes `contents` to a file that lives as long as the test; returns its
  // path.
  std::string WriteFile(const std::string& name, const std::string& contents) {
    const std::string path = TestPath(name);
    std::ofstream(path, std::ios::binary) << contents;
    files_.push_back(path);
    return path;
  }

  // The "authorization" metadata of each call the server received, in
  // order; empty for a call without one.
  std::vector<std::string> Authorizations() const {
    std::vector<std::string> authorizations;
    for (const FakeServer::Call& call : server_.calls()) {
      authorizations.push_back(call.authorization);
    }
    return authorizations;
  }

  int Run(const std::vector<std::string>& arguments) {
    return RunLeverctl(arguments, environment_);
  }

  // Answers GetConnection, CreateConnection, UpdateConnection and
  // RotateApiKey with a connection named as asked.
  void EchoConnections() {
    server_.get_connection = [](const v1::GetConnectionRequest& request,
                                v1::Connection* connection) {
      connection->set_name(request.name());
      return grpc::Status::OK;
    };
    server_.create_connection = [](const v1::CreateConnectionRequest& request,
                                   v1::Connection* connection) {
      *connection = request.connection();
      connection->clear_api_key();
      connection->set_name("connections/" + request.connection_id());
      connection->set_api_key_hint(request.connection().api_key().substr(
          request.connection().api_key().size() - 4));
      return grpc::Status::OK;
    };
    server_.update_connection = [](const v1::UpdateConnectionRequest& request,
                                   v1::Connection* connection) {
      *connection = request.connection();
      return grpc::Status::OK;
    };
    server_.rotate_api_key = [](const v1::RotateApiKeyRequest& request,
                                v1::Connection* connection) {
      connection->set_name(request.name());
      return grpc::Status::OK;
    };
  }

  FakeServer server_;
  Environment environment_;
  std::ostringstream out_;
  std::ostringstream err_;
  std::map<std::string, std::string> variables_;
  std::string standard_input_;
  int standard_input_reads_ = 0;
  std::vector<std::string> addresses_;
  std::vector<client::ClientOptions> client_options_;
  std::vector<std::string> files_;
};

TEST_F(LeverctlTest, HelpGoesToStandardOutput) {
  EXPECT_EQ(Run({"--help"}), kSuccess);
  EXPECT_THAT(out_.str(), HasSubstr("Exit codes:"));
  EXPECT_EQ(err_.str(), "");

  out_.str("");
  EXPECT_EQ(Run({"requisitions", "import", "--help"}), kSuccess);
  EXPECT_THAT(out_.str(), HasSubstr("--created-after TIME"));
  EXPECT_THAT(server_.calls(), IsEmpty());
}

TEST_F(LeverctlTest, UsageErrorPointsAtTheHelp) {
  EXPECT_EQ(Run({"connections", "get", "x", "--page-size", "3"}), kUsageError);
  EXPECT_EQ(err_.str(),
            "leverctl: flag --page-size is not a flag of 'connections get'\n"
            "Run 'leverctl connections get --help' for usage.\n");
  EXPECT_EQ(out_.str(), "");
  EXPECT_THAT(server_.calls(), IsEmpty());
}

TEST_F(LeverctlTest, ServerErrorShowsCodeAndMessage) {
  server_.get_connection = [](const v1::GetConnectionRequest&,
                              v1::Connection*) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "connection 'x' not found");
  };
  EXPECT_EQ(Run({"connections", "get", "x"}), kServerError);
  EXPECT_EQ(err_.str(), "leverctl: NOT_FOUND: connection 'x' not found\n");
  EXPECT_EQ(server_.LastRequest<v1::GetConnectionRequest>().name(),
            "connections/x");
}

TEST_F(LeverctlTest, UnreachableServerGetsAHintWithTheAddress) {
  server_.get_connection = [](const v1::GetConnectionRequest&,
                              v1::Connection*) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "failed to connect to all addresses; last error: "
                        "UNKNOWN: Connection refused");
  };
  variables_["LEVERCONNECT_SERVER"] = "leverconnect:7000";
  EXPECT_EQ(Run({"connections", "get", "x"}), kServerError);
  EXPECT_EQ(err_.str(),
            "leverctl: UNAVAILABLE: failed to connect to all addresses; last "
            "error: UNKNOWN: Connection refused\n"
            "leverctl: is a leverconnect server running at leverconnect:7000? "
            "Set --server or LEVERCONNECT_SERVER.\n");
}

TEST_F(LeverctlTest, UnavailableFromTheServerItselfGetsNoHint) {
  server_.get_connection = [](const v1::GetConnectionRequest&,
                              v1::Connection*) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "Lever is down");
  };
  EXPECT_EQ(Run({"connections", "get", "x"}), kServerError);
  EXPECT_EQ(err_.str(), "leverctl: UNAVAILABLE: Lever is down\n");
}

// A port on the loopback that refuses connections while the object lives:
// bound, never listening.
class RefusingPort {
 public:
  RefusingPort() : socket_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    if (::bind(socket_, generic, length) == 0 &&
        ::getsockname(socket_, generic, &length) == 0) {
      port_ = ntohs(address.sin_port);
    }
  }
  ~RefusingPort() { ::close(socket_); }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;

  int port() const { return port_; }

 private:
  int socket_;
  int port_ = 0;
};

TEST_F(LeverctlTest, RealUnreachableServerGetsTheHint) {
  RefusingPort refusing;
  ASSERT_NE(refusing.port(), 0);
  const std::string address = "127.0.0.1:" + std::to_string(refusing.port());
  environment_.connect = [](const std::string& address,
                            const client::ClientOptions& options) {
    return client::Client::Connect(address, options);
  };
  EXPECT_EQ(Run({"connections", "list", "--server", address}), kServerError);
  EXPECT_THAT(err_.str(), StartsWith("leverctl: UNAVAILABLE: "));
  EXPECT_THAT(err_.str(),
              HasSubstr("\nleverctl: is a leverconnect server running at " +
                        address + "? Set --server or LEVERCONNECT_SERVER.\n"));
}

TEST_F(LeverctlTest, ServerFromFlagThenVariableThenDefault) {
  EchoConnections();
  Run({"connections", "get", "x"});
  variables_["LEVERCONNECT_SERVER"] = "leverconnect:7000";
  Run({"connections", "get", "x"});
  Run({"--server", "localhost:9", "connections", "get", "x"});
  EXPECT_THAT(addresses_, ElementsAre("127.0.0.1:50051", "leverconnect:7000",
                                      "localhost:9"));
}

TEST_F(LeverctlTest, CreateSendsTheConnectionAndTheKeyFromTheVariable) {
  EchoConnections();
  variables_["LEVER_API_KEY"] = "lever-key-1234";
  EXPECT_EQ(Run({"connections", "create", "acme-prod", "--environment",
                 "sandbox", "--application", "pigment-planning",
                 "--application=finance", "--display-name", "Acme",
                 "--request-id", "r-1", "--skip-key-check", "-o", "json"}),
            kSuccess);

  const auto request = server_.LastRequest<v1::CreateConnectionRequest>();
  EXPECT_EQ(request.connection_id(), "acme-prod");
  EXPECT_EQ(request.request_id(), "r-1");
  EXPECT_TRUE(request.skip_key_check());
  EXPECT_EQ(request.connection().api_key(), "lever-key-1234");
  EXPECT_EQ(request.connection().environment(), v1::ENVIRONMENT_SANDBOX);
  EXPECT_EQ(request.connection().display_name(), "Acme");
  EXPECT_THAT(request.connection().allowed_applications(),
              ElementsAre("pigment-planning", "finance"));
  EXPECT_EQ(standard_input_reads_, 0);
  EXPECT_EQ(out_.str(),
            "{\"name\":\"connections/acme-prod\",\"display_name\":\"Acme\","
            "\"environment\":\"ENVIRONMENT_SANDBOX\","
            "\"allowed_applications\":[\"pigment-planning\",\"finance\"],"
            "\"api_key_hint\":\"1234\"}\n");
  EXPECT_THAT(out_.str(), ::testing::Not(HasSubstr("lever-key")));
}

TEST_F(LeverctlTest, CreateReadsTheKeyFromStandardInputWithoutLineEnd) {
  EchoConnections();
  standard_input_ = "lever-key-5678\r\n";
  EXPECT_EQ(Run({"connections", "create", "acme-prod", "--environment",
                 "production", "--application", "pigment-planning"}),
            kSuccess);
  EXPECT_EQ(standard_input_reads_, 1);
  const auto request = server_.LastRequest<v1::CreateConnectionRequest>();
  EXPECT_EQ(request.connection().api_key(), "lever-key-5678");
  EXPECT_FALSE(request.skip_key_check());
  EXPECT_THAT(out_.str(), StartsWith("Name:          connections/acme-prod\n"));
}

TEST_F(LeverctlTest, EmptyKeyFromStandardInputIsRefusedLocally) {
  standard_input_ = "\n";
  EXPECT_EQ(Run({"connections", "create", "acme-prod", "--environment",
                 "production", "--application", "a"}),
            kUsageError);
  EXPECT_EQ(err_.str(),
            "leverctl: the Lever API key read from standard input is empty\n"
            "Run 'leverctl connections create --help' for usage.\n");
  EXPECT_THAT(server_.calls(), IsEmpty());
}

TEST_F(LeverctlTest, EmptyKeyFromTheVariableIsRefusedLocally) {
  variables_["LEVER_API_KEY"] = "";
  standard_input_ = "a-key-that-is-not-read";
  EXPECT_EQ(Run({"connections", "rotate-key", "acme-prod"}), kUsageError);
  EXPECT_THAT(err_.str(),
              StartsWith("leverctl: the Lever API key in LEVER_API_KEY is "
                         "empty\n"));
  EXPECT_EQ(standard_input_reads_, 0);
  EXPECT_THAT(server_.calls(), IsEmpty());
}

TEST_F(LeverctlTest, KeyOnTheCommandLineIsRefused) {
  EXPECT_EQ(Run({"connections", "create", "acme-prod", "--environment",
                 "production", "--application", "a", "--api-key", "secret"}),
            kUsageError);
  EXPECT_THAT(err_.str(), HasSubstr("never taken from the command line"));
  EXPECT_EQ(standard_input_reads_, 0);
  EXPECT_THAT(server_.calls(), IsEmpty());
}

// PEM blocks as leverctl sees them: it checks the shape, the TLS library
// the contents.
constexpr char kCertificate[] =
    "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
constexpr char kPrivateKey[] =
    "-----BEGIN PRIVATE KEY-----\nMIIEfake\n-----END PRIVATE KEY-----\n";

TEST_F(LeverctlTest, TokenFromTheVariableIsSentAsBearerOnEveryCall) {
  server_.list_connections = [](const v1::ListConnectionsRequest& request,
                                v1::ListConnectionsResponse* response) {
    if (request.page_token().empty()) response->set_next_page_token("2");
    return grpc::Status::OK;
  };
  variables_["LEVERCONNECT_TOKEN"] = "tok-from-env-1234";
  EXPECT_EQ(Run({"connections", "list"}), kSuccess);
  EXPECT_THAT(Authorizations(), ElementsAre("Bearer tok-from-env-1234",
                                            "Bearer tok-from-env-1234"));
  EXPECT_THAT(out_.str() + err_.str(), Not(HasSubstr("tok-from-env")));
}

TEST_F(LeverctlTest, TokenFromTheFileIsSentWithoutItsLineEnd) {
  EchoConnections();
  const std::string unix_file = WriteFile("unix", "tok-from-file\n");
  const std::string dos_file = WriteFile("dos", "tok-from-dos-file \r\n");
  EXPECT_EQ(Run({"--token-file", unix_file, "connections", "get", "x"}),
            kSuccess);
  EXPECT_EQ(Run({"connections", "get", "x", "--token-file=" + dos_file}),
            kSuccess);
  EXPECT_THAT(Authorizations(),
              ElementsAre("Bearer tok-from-file", "Bearer tok-from-dos-file"));
}

TEST_F(LeverctlTest, TokenFromTheVariableWinsOverTheFile) {
  EchoConnections();
  variables_["LEVERCONNECT_TOKEN"] = "tok-from-env";
  const std::string file = WriteFile("token", "tok-from-file\n");
  EXPECT_EQ(Run({"--token-file", file, "connections", "get", "x"}), kSuccess);
  EXPECT_THAT(Authorizations(), ElementsAre("Bearer tok-from-env"));
}

TEST_F(LeverctlTest, NoTokenSendsNoAuthorization) {
  EchoConnections();
  variables_["LEVERCONNECT_TOKEN"] = "";
  EXPECT_EQ(Run({"connections", "get", "x"}), kSuccess);
  EXPECT_THAT(Authorizations(), ElementsAre(""));
  ASSERT_EQ(client_options_.size(), 1u);
  EXPECT_EQ(client_options_[0].token, "");
}

TEST_F(LeverctlTest, TokenOnTheCommandLineIsRefusedWithoutShowingIt) {
  EXPECT_EQ(Run({"connections", "get", "x", "--token", "s3cr3t-tok"}),
            kUsageError);
  EXPECT_EQ(Run({"--token=s3cr3t-tok", "connections", "list"}), kUsageError);
  EXPECT_EQ(err_.str(),
            "leverctl: the token is never taken from the command line, where "
            "other users can see it in the process list and the shell keeps "
            "it in its history; set LEVERCONNECT_TOKEN or give --token-file "
            "PATH\n"
            "Run 'leverctl connections get --help' for usage.\n"
            "leverctl: the token is never taken from the command line, where "
            "other users can see it in the process list and the shell keeps "
            "it in its history; set LEVERCONNECT_TOKEN or give --token-file "
            "PATH\n"
            "Run 'leverctl connections list --help' for usage.\n");
  EXPECT_THAT(out_.str() + err_.str(), Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(addresses_, IsEmpty());
  EXPECT_THAT(server_.calls(), IsEmpty());
}

TEST_F(LeverctlTest, UnreadableTokenFileIsAUsageErrorNamingThePath) {
  const std::string missing = MissingPath("token");
  EXPECT_EQ(Run({"connections", "get", "x", "--token-file", missing}),
            kUsageError);
  EXPECT_EQ(err_.str(), "leverctl: cannot read the --token-file file '" +
                            missing +
                            "': No such file or directory\n"
                            "Run 'leverctl connections get --help' for "
                            "usage.\n");
  EXPECT_THAT(addresses_, IsEmpty());
  EXPECT_THAT(server_.calls(), IsEmpty());
}

TEST_F(LeverctlTest, EmptyTokenFileIsAUsageError) {
  const std::string file = WriteFile("token", " \n");
  EXPECT_EQ(Run({"connections", "get", "x", "--token-file", file}),
            kUsageError);
  EXPECT_THAT(err_.str(),
              StartsWith("leverctl: the token in the --token-file file '" +
                         file + "' is empty\n"));
  EXPECT_THAT(server_.calls(), IsEmpty());
}

TEST_F(LeverctlTest, TokenThatCannotBeSentIsRefusedWithoutShowingIt) {
  variables_["LEVERCONNECT_TOKEN"] = "s3cr3t one";
  EXPECT_EQ(Run({"connections", "get", "x"}), kUsageError);
  EXPECT_THAT(err_.str(),
              StartsWith("leverctl: the token in LEVERCONNECT_TOKEN has a "
                         "space, a line break or a non-ASCII character "
                         "inside\n"));
  EXPECT_THAT(err_.str(), Not(HasSubstr("s3cr3t")));
  EXPECT_THAT(server_.calls(), IsEmpty());
}

TEST_F(LeverctlTest, UnauthenticatedGetsAHintAboutTheToken) {
  server_.get_connection = [](const v1::GetConnectionRequest&,
                              v1::Connection*) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown token");
  };
  variables_["LEVERCONNECT_TOKEN"] = "s3cr3t-tok";
  EXPECT_EQ(Run({"connections", "get", "x"}), kServerError);
  EXPECT_EQ(err_.str(),
            "leverctl: UNAUTHENTICATED: unknown token\n"
            "leverctl: set LEVERCONNECT_TOKEN or --token-file to a token the "
            "server knows\n");
  EXPECT_THAT(out_.str(), IsEmpty());
}

TEST_F(LeverctlTest, UnauthenticatedWithAClientCertificateMentionsIt) {
  server_.get_connection = [](const v1::GetConnectionRequest&,
                              v1::Connection*) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "who are you?");
  };
  EXPECT_EQ(Run({"connections", "get", "x", "--ca-cert",
                 WriteFile("ca", kCertificate), "--client-cert",
                 WriteFile("cert", kCertificate), "--client-key",
                 WriteFile("key", kPrivateKey)}),
            kServerError);
  EXPECT_EQ(err_.str(),
            "leverctl: UNAUTHENTICATED: who are you?\n"
            "leverctl: set LEVERCONNECT_TOKEN or --token-file to a token the "
            "server knows, or --client-cert and --client-key to a "
            "certificate it trusts\n");
}

TEST_F(LeverctlTest, PermissionDeniedKeepsTheServerMessageAlone) {
  server_.delete_connection = [](const v1::DeleteConnectionRequest&,
                                 google::protobuf::Empty*) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "only an admin may delete a connection");
  };
  variables_["LEVERCONNECT_TOKEN"] = "member-tok";
  EXPECT_EQ(Run({"connections", "delete", "x"}), kServerError);
  EXPECT_EQ(err_.str(),
            "leverctl: PERMISSION_DENIED: only an admin may delete a "
            "connection\n");
}

TEST_F(LeverctlTest, CertificatesFromFlagsReachTheClient) {
  EchoConnections();
  const std::string ca = WriteFile("ca", absl::StrCat("ca ", kCertificate));
  const std::string cert = WriteFile("cert", kCertificate);
  const std::string key = WriteFile("key", kPrivateKey);
  variables_["LEVERCONNECT_CA_CERT"] = MissingPath("ca");
  EXPECT_EQ(Run({"connections", "get", "x", "--ca-cert", ca, "--client-cert",
                 cert, "--client-key", key}),
            kSuccess);
  ASSERT_EQ(client_options_.size(), 1u);
  EXPECT_EQ(client_options_[0].root_certificates,
            absl::StrCat("ca ", kCertificate));
  EXPECT_EQ(client_options_[0].client_certificate, kCertificate);
  EXPECT_EQ(client_options_[0].client_key, kPrivateKey);
  EXPECT_THAT(out_.str() + err_.str(), Not(HasSubstr("PRIVATE KEY")));
}

TEST_F(LeverctlTest, CertificatesFromVariablesReachTheClient) {
  EchoConnections();
  variables_["LEVERCONNECT_CA_CERT"] = WriteFile("ca", kCertificate);
  EXPECT_EQ(Run({"connections", "get", "x"}), kSuccess);
  variables_["LEVERCONNECT_CLIENT_CERT"] = WriteFile("cert", kCertificate);
  variables_["LEVERCONNECT_CLIENT_KEY"] = WriteFile("key", kPrivateKey);
  EXPECT_EQ(Run({"connections", "get", "x"}), kSuccess);
  ASSERT_EQ(client_options_.size(), 2u);
  EXPECT_EQ(client_options_[0].root_certificates, kCertificate);
  EXPECT_EQ(client_options_[0].client_certificate, "");
  EXPECT_EQ(client_options_[0].client_key, "");
  EXPECT_EQ(client_options_[1].client_certificate, kCertificate);
  EXPECT_EQ(client_options_[1].client_key, kPrivateKey);
}

TEST_F(LeverctlTest, NoTlsUnlessRootCertificatesAreGiven) {
  EchoConnections();
  EXPECT_EQ(Run({"connections", "get", "x"}), kSuccess);
  ASSERT_EQ(client_options_.size(), 1u);
  EXPECT_EQ(client_options_[0].root_certificates, "");
  EXPECT_EQ(client_options_[0].client_certificate, "");
}

TEST_F(LeverctlTest, ClientCertificateWithoutKeyIsAUsageError) {
  const std::string ca = WriteFile("ca", kCertificate);
  const std::string cert = WriteFile("cert", kCertificate);
  EXPECT_EQ(
      Run({"connections", "get", "x", "--ca-cert", ca, "--client-cert", cert}),
      kUsageError);
  EXPECT_EQ(err_.str(),
            "leverctl: --client-cert needs --client-key (or "
            "LEVERCONNECT_CLIENT_KEY): a client certificate goes with its "
            "private key\n"
            "Run 'leverctl connections get --help' for usage.\n");
  EXPECT_THAT(addresses_, IsEmpty());
}

TEST_F(LeverctlTest, KeyWithoutClientCertificateIsAUsageError) {
  variables_["LEVERCONNECT_CA_CERT"] = WriteFile("ca", kCertificate);
  variables_["LEVERCONNECT_CLIENT_KEY"] = WriteFile("key", kPrivateKey);
  EXPECT_EQ(Run({"connections", "get", "x"}), kUsageError);
  EXPECT_THAT(err_.str(),
              StartsWith("leverctl: LEVERCONNECT_CLIENT_KEY needs "
                         "--client-cert (or LEVERCONNECT_CLIENT_CERT): a "
                         "private key goes with its client certificate\n"));
  EXPECT_THAT(addresses_, IsEmpty());
}

TEST_F(LeverctlTest, ClientCertificateWithoutRootCertificatesIsAUsageError) {
  EXPECT_EQ(Run({"connections", "get", "x", "--client-cert",
                 WriteFile("cert", kCertificate), "--client-key",
                 WriteFile("key", kPrivateKey)}),
            kUsageError);
  EXPECT_THAT(err_.str(),
              StartsWith("leverctl: --client-cert needs --ca-cert (or "
                         "LEVERCONNECT_CA_CERT): mutual TLS needs the root "
                         "certificates that sign the server's "
                         "certificate\n"));
  EXPECT_THAT(addresses_, IsEmpty());
}

TEST_F(LeverctlTest, UnreadableCertificateFileIsAUsageErrorNamingThePath) {
  const std::string missing = MissingPath("ca");
  EXPECT_EQ(Run({"connections", "get", "x", "--ca-cert", missing}),
            kUsageError);
  variables_["LEVERCONNECT_CA_CERT"] = WriteFile("ca", kCertificate);
  variables_["LEVERCONNECT_CLIENT_CERT"] = WriteFile("cert", kCertificate);
  variables_["LEVERCONNECT_CLIENT_KEY"] = ::testing::TempDir();
  EXPECT_EQ(Run({"connections", "get", "x"}), kUsageError);
  EXPECT_EQ(err_.str(),
            "leverctl: cannot read the --ca-cert file '" + missing +
                "': No such file or directory\n"
                "Run 'leverctl connections get --help' for usage.\n"
                "leverctl: cannot read the LEVERCONNECT_CLIENT_KEY file '" +
                ::testing::TempDir() +
                "': Is a directory\n"
                "Run 'leverctl connections get --help' for usage.\n");
  EXPECT_THAT(addresses_, IsEmpty());
}

TEST_F(LeverctlTest, CertificateFileWithoutPemIsAUsageError) {
  const std::string key = WriteFile("key", "s3cr3t key bytes");
  EXPECT_EQ(Run({"connections", "get", "x", "--ca-cert",
                 WriteFile("ca", kCertificate), "--client-cert",
                 WriteFile("cert", kCertificate), "--client-key", key}),
            kUsageError);
  EXPECT_THAT(err_.str(),
              StartsWith("leverctl: the --client-key file '" + key +
                         "' holds no PEM block (-----BEGIN ...)\n"));
  EXPECT_THAT(err_.str(), Not(HasSubstr("s3cr3t")));
}

TEST_F(LeverctlTest, HelpDocumentsTheTokenAndTlsFlagsAndVariables) {
  EXPECT_EQ(Run({"--help"}), kSuccess);
  for (const char* text :
       {"--token-file PATH", "--ca-cert PATH", "--client-cert PATH",
        "--client-key PATH", "  LEVERCONNECT_TOKEN ", "  LEVERCONNECT_CA_CERT ",
        "  LEVERCONNECT_CLIENT_CERT ", "  LEVERCONNECT_CLIENT_KEY "}) {
    EXPECT_THAT(out_.str(), HasSubstr(text));
  }
}

TEST_F(LeverctlTest, ListFollowsPageTokensToTheEnd) {
  server_.list_connections = [](const v1::ListConnectionsRequest& request,
                                v1::ListConnectionsResponse* response) {
    const std::string& token = request.page_token();
    response->add_connections()->set_name(
        "connections/c" + std::to_string(token.empty() ? 1 : token[0] - '0'));
    if (token.empty()) response->set_next_page_token("2");
    if (token == "2") response->set_next_page_token("3");
    return grpc::Status::OK;
  };
  EXPECT_EQ(Run({"connections", "list", "--application", "finance",
                 "--page-size", "1", "-o", "csv"}),
            kSuccess);
  EXPECT_EQ(out_.str(),
            "name,display_name,environment,allowed_applications,state,"
            "api_key_hint,create_time,update_time,etag,write_back_enabled\r\n"
            "connections/c1,,unspecified,,unspecified,,,,,false\r\n"
            "connections/c2,,unspecified,,unspecified,,,,,false\r\n"
            "connections/c3,,unspecified,,unspecified,,,,,false\r\n");
  EXPECT_EQ(server_.calls().size(), 3u);
  const auto last = server_.LastRequest<v1::ListConnectionsRequest>();
  EXPECT_EQ(last.page_size(), 1);
  EXPECT_EQ(last.application(), "finance");
}

TEST_F(LeverctlTest, ListPageSizeMustBePositiveAndLargeOnesAreSent) {
  EXPECT_EQ(Run({"connections", "list", "--page-size", "0"}), kUsageError);
  EXPECT_THAT(err_.str(), StartsWith("leverctl: --page-size: '0' is not a "
                                     "whole number above 0\n"));
  EXPECT_THAT(server_.calls(), IsEmpty());

  server_.list_connections = [](const v1::ListConnectionsRequest&,
                                v1::ListConnectionsResponse*) {
    return grpc::Status::OK;
  };
  EXPECT_EQ(Run({"connections", "list", "--page-size", "5000"}), kSuccess);
  EXPECT_EQ(server_.LastRequest<v1::ListConnectionsRequest>().page_size(),
            5000);
}

TEST_F(LeverctlTest, ListTableJoinsApplicationsLikeGet) {
  server_.list_connections = [](const v1::ListConnectionsRequest&,
                                v1::ListConnectionsResponse* response) {
    v1::Connection* connection = response->add_connections();
    connection->set_name("connections/acme-prod");
    connection->add_allowed_applications("a");
    connection->add_allowed_applications("b");
    return grpc::Status::OK;
  };
  server_.get_connection = [](const v1::GetConnectionRequest& request,
                              v1::Connection* connection) {
    connection->set_name(request.name());
    connection->add_allowed_applications("a");
    connection->add_allowed_applications("b");
    return grpc::Status::OK;
  };
  EXPECT_EQ(Run({"connections", "list"}), kSuccess);
  EXPECT_THAT(out_.str(), HasSubstr("   a, b\n"));
  out_.str("");
  EXPECT_EQ(Run({"connections", "get", "acme-prod"}), kSuccess);
  EXPECT_THAT(out_.str(), HasSubstr("Applications:  a, b\n"));
  out_.str("");
  EXPECT_EQ(Run({"connections", "list", "-o", "csv"}), kSuccess);
  EXPECT_THAT(out_.str(), HasSubstr(",a|b,"));
}

TEST_F(LeverctlTest, UpdateMaskNamesTheFlagsGiven) {
  EchoConnections();
  EXPECT_EQ(
      Run({"connections", "update", "acme-prod", "--application", "a",
           "--application", "b", "--display-name", "New", "--etag", "e7"}),
      kSuccess);
  const auto request = server_.LastRequest<v1::UpdateConnectionRequest>();
  EXPECT_EQ(request.connection().name(), "connections/acme-prod");
  EXPECT_EQ(request.etag(), "e7");
  EXPECT_THAT(request.update_mask().paths(),
              ElementsAre("display_name", "allowed_applications"));
  EXPECT_THAT(request.connection().allowed_applications(),
              ElementsAre("a", "b"));
}

TEST_F(LeverctlTest, UpdateWithNothingToChangeIsAUsageError) {
  EXPECT_EQ(Run({"connections", "update", "acme-prod", "--etag", "e7"}),
            kUsageError);
  EXPECT_THAT(err_.str(), HasSubstr("nothing to update"));
  EXPECT_THAT(server_.calls(), IsEmpty());
}

TEST_F(LeverctlTest, DeleteSendsTheEtag) {
  server_.delete_connection = [](const v1::DeleteConnectionRequest&,
                                 google::protobuf::Empty*) {
    return grpc::Status::OK;
  };
  EXPECT_EQ(Run({"connections", "delete", "acme-prod", "--etag=e3"}), kSuccess);
  const auto request = server_.LastRequest<v1::DeleteConnectionRequest>();
  EXPECT_EQ(request.name(), "connections/acme-prod");
  EXPECT_EQ(request.etag(), "e3");
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(), "deleted connections/acme-prod\n");
}

TEST_F(LeverctlTest, DeleteAsJsonPrintsAnEmptyObject) {
  server_.delete_connection = [](const v1::DeleteConnectionRequest&,
                                 google::protobuf::Empty*) {
    return grpc::Status::OK;
  };
  EXPECT_EQ(Run({"connections", "delete", "acme-prod", "-o", "json"}),
            kSuccess);
  EXPECT_EQ(out_.str(), "{}\n");
  EXPECT_EQ(err_.str(), "deleted connections/acme-prod\n");

  out_.str("");
  err_.str("");
  EXPECT_EQ(Run({"connections", "delete", "acme-prod", "-o", "csv"}), kSuccess);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(), "deleted connections/acme-prod\n");
}

TEST_F(LeverctlTest, FailedDeletePrintsNothingOnStandardOutput) {
  server_.delete_connection = [](const v1::DeleteConnectionRequest&,
                                 google::protobuf::Empty*) {
    return grpc::Status(grpc::StatusCode::ABORTED, "etag mismatch");
  };
  EXPECT_EQ(Run({"connections", "delete", "acme-prod", "-o", "json"}),
            kServerError);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(), "leverctl: ABORTED: etag mismatch\n");
}

TEST_F(LeverctlTest, TestExitsWithThreeWhenNotReady) {
  server_.test_connection = [](const v1::TestConnectionRequest&,
                               v1::TestConnectionResponse* response) {
    v1::PermissionCheck* check = response->add_checks();
    check->set_permission("list requisitions");
    check->set_result(v1::PermissionCheck::RESULT_DENIED);
    check->set_http_status(403);
    response->set_api_key_accepted(true);
    return grpc::Status::OK;
  };
  EXPECT_EQ(Run({"connections", "test", "acme-prod"}), kNotReady);
  EXPECT_THAT(out_.str(), HasSubstr("list requisitions"));
  EXPECT_THAT(out_.str(), HasSubstr("denied"));
  EXPECT_EQ(err_.str(),
            "connections/acme-prod is not ready: not granted: "
            "'list requisitions'\n");
}

TEST_F(LeverctlTest, TestTableShowsTheWholeDetail) {
  const std::string detail =
      "Lever answered 403: the key lacks the permission "
      "'Requisitions: read (including confidential)'";
  server_.test_connection = [detail](const v1::TestConnectionRequest&,
                                     v1::TestConnectionResponse* response) {
    v1::PermissionCheck* check = response->add_checks();
    check->set_permission(
        "list confidential requisitions of every team, one by one");
    check->set_result(v1::PermissionCheck::RESULT_DENIED);
    check->set_detail(detail);
    response->set_api_key_accepted(true);
    return grpc::Status::OK;
  };
  EXPECT_EQ(Run({"connections", "test", "acme-prod"}), kNotReady);
  EXPECT_THAT(out_.str(), HasSubstr("   " + detail + "\n"));
  EXPECT_THAT(out_.str(),
              HasSubstr("list confidential requisitions of every…"));
}

TEST_F(LeverctlTest, TestExitsWithZeroWhenReady) {
  server_.test_connection = [](const v1::TestConnectionRequest&,
                               v1::TestConnectionResponse* response) {
    response->set_api_key_accepted(true);
    response->set_ready(true);
    return grpc::Status::OK;
  };
  EXPECT_EQ(Run({"connections", "test", "acme-prod", "-o", "json"}), kSuccess);
  EXPECT_EQ(out_.str(), "{\"api_key_accepted\":true,\"ready\":true}\n");
}

TEST_F(LeverctlTest, RotateKeySendsTheNewKey) {
  EchoConnections();
  variables_["LEVER_API_KEY"] = "new-key";
  EXPECT_EQ(Run({"connections", "rotate-key", "acme-prod", "--etag", "e1"}),
            kSuccess);
  const auto request = server_.LastRequest<v1::RotateApiKeyRequest>();
  EXPECT_EQ(request.name(), "connections/acme-prod");
  EXPECT_EQ(request.api_key(), "new-key");
  EXPECT_EQ(request.etag(), "e1");
}

TEST_F(LeverctlTest, CallsOtherThanImportTimeOutAfterThirtySeconds) {
  EchoConnections();
  Run({"connections", "get", "x"});
  Run({"connections", "get", "x", "--timeout", "5m"});
  Run({"connections", "get", "x", "--timeout=0"});
  const std::vector<FakeServer::Call> calls = server_.calls();
  ASSERT_EQ(calls.size(), 3u);
  // gRPC may round a deadline up a little on its way.
  EXPECT_LT(absl::AbsDuration(calls[0].time_left - absl::Seconds(30)),
            absl::Seconds(5));
  EXPECT_LT(absl::AbsDuration(calls[1].time_left - absl::Minutes(5)),
            absl::Seconds(5));
  EXPECT_EQ(calls[2].time_left, absl::InfiniteDuration());
}

TEST_F(LeverctlTest, SchemaAsTable) {
  server_.get_requisition_schema = [](const v1::GetRequisitionSchemaRequest&,
                                      v1::RequisitionSchema* schema) {
    v1::Column* column = schema->add_columns();
    column->set_name("headcount_total");
    column->set_label("Headcount total");
    column->set_type(v1::COLUMN_TYPE_INTEGER);
    column->set_source(v1::COLUMN_SOURCE_STANDARD);
    return grpc::Status::OK;
  };
  EXPECT_EQ(Run({"requisitions", "schema", "--connection", "acme-prod",
                 "--application", "pigment-planning"}),
            kSuccess);
  EXPECT_EQ(out_.str(),
            "NAME              LABEL             TYPE      SOURCE\n"
            "headcount_total   Headcount total   integer   standard\n");
  const auto request = server_.LastRequest<v1::GetRequisitionSchemaRequest>();
  EXPECT_EQ(request.connection(), "connections/acme-prod");
  EXPECT_EQ(request.application(), "pigment-planning");
}

// Schema (id, headcount_total), pages of `rows_per_page` rows, a summary.
void ScriptImport(FakeServer& server, std::vector<int> rows_per_page,
                  bool with_summary = true) {
  server.stream_requisitions = [rows_per_page, with_summary](
                                   const v1::StreamRequisitionsRequest&,
                                   FakeServer::StreamWriter* writer) {
    v1::StreamRequisitionsResponse schema;
    schema.mutable_schema()->add_columns()->set_name("id");
    schema.mutable_schema()->add_columns()->set_name("headcount_total");
    writer->Write(schema);
    int64_t rows = 0;
    for (size_t page = 0; page < rows_per_page.size(); ++page) {
      v1::StreamRequisitionsResponse batch;
      batch.mutable_batch()->set_page(static_cast<int>(page) + 1);
      for (int i = 0; i < rows_per_page[page]; ++i, ++rows) {
        v1::Row* row = batch.mutable_batch()->add_rows();
        row->set_requisition_id("r" + std::to_string(rows));
        row->add_cells()->set_string_value("r" + std::to_string(rows));
        row->add_cells()->set_integer_value(rows);
      }
      writer->Write(batch);
    }
    if (!with_summary) return grpc::Status::OK;
    v1::StreamRequisitionsResponse summary;
    summary.mutable_summary()->set_rows(rows);
    summary.mutable_summary()->set_pages(rows_per_page.size());
    summary.mutable_summary()->set_retries(1);
    summary.mutable_summary()->mutable_elapsed()->set_seconds(1);
    summary.mutable_summary()->mutable_elapsed()->set_nanos(234000000);
    writer->Write(summary);
    return grpc::Status::OK;
  };
}

TEST_F(LeverctlTest, ImportStreamsRowsAndSummarizesOnStandardError) {
  ScriptImport(server_, {2, 1});
  EXPECT_EQ(Run({"requisitions", "import", "--connection", "acme-prod",
                 "--application", "pigment-planning", "-o", "csv"}),
            kSuccess);
  EXPECT_EQ(out_.str(), "id,headcount_total\r\nr0,0\r\nr1,1\r\nr2,2\r\n");
  EXPECT_EQ(err_.str(), "imported 3 rows in 2 pages (1 retry) in 1.234s\n");
  EXPECT_EQ(server_.calls().at(0).time_left, absl::InfiniteDuration());
}

TEST_F(LeverctlTest, ImportAsJsonLines) {
  ScriptImport(server_, {1});
  EXPECT_EQ(Run({"requisitions", "import", "--connection", "acme-prod",
                 "--application", "a", "--output=json"}),
            kSuccess);
  EXPECT_EQ(out_.str(), "{\"id\":\"r0\",\"headcount_total\":0}\n");
  EXPECT_EQ(err_.str(), "imported 1 row in 1 page (1 retry) in 1.234s\n");
}

TEST_F(LeverctlTest, ImportSendsTheFilter) {
  ScriptImport(server_, {});
  EXPECT_EQ(Run({"requisitions",
                 "import",
                 "--connection",
                 "acme-prod",
                 "--application",
                 "a",
                 "--status",
                 "open",
                 "--status",
                 "onHold",
                 "--confidentiality",
                 "all",
                 "--created-after",
                 "2024-01-01",
                 "--created-before",
                 "2024-01-31T09:00:00+01:00",
                 "--code",
                 "ENG-1",
                 "--columns",
                 "id, name",
                 "--columns=requisition_code",
                 "--page-size",
                 "25"}),
            kSuccess);
  const auto request = server_.LastRequest<v1::StreamRequisitionsRequest>();
  EXPECT_EQ(request.connection(), "connections/acme-prod");
  EXPECT_EQ(request.application(), "a");
  EXPECT_THAT(request.filter().statuses(), ElementsAre("open", "onHold"));
  EXPECT_EQ(request.filter().confidentiality(), "all");
  EXPECT_EQ(request.filter().created_after().seconds(), 1704067200);
  EXPECT_EQ(request.filter().created_before().seconds(), 1706688000);
  EXPECT_THAT(request.filter().requisition_codes(), ElementsAre("ENG-1"));
  EXPECT_THAT(request.columns(), ElementsAre("id", "name", "requisition_code"));
  EXPECT_EQ(request.page_size(), 25);
}

TEST_F(LeverctlTest, ImportPageSizeMustBeOneToHundred) {
  for (const char* page_size : {"0", "101", "500", "-3", "ten"}) {
    err_.str("");
    EXPECT_EQ(Run({"requisitions", "import", "--connection", "acme-prod",
                   "--application", "a", "--page-size", page_size}),
              kUsageError)
        << page_size;
    EXPECT_EQ(err_.str(),
              "leverctl: --page-size must be between 1 and 100\n"
              "Run 'leverctl requisitions import --help' for usage.\n")
        << page_size;
  }
  EXPECT_THAT(server_.calls(), IsEmpty());

  ScriptImport(server_, {});
  for (const char* page_size : {"1", "100"}) {
    EXPECT_EQ(Run({"requisitions", "import", "--connection", "acme-prod",
                   "--application", "a", "--page-size", page_size}),
              kSuccess);
    EXPECT_EQ(server_.LastRequest<v1::StreamRequisitionsRequest>().page_size(),
              std::stoi(page_size));
  }
}

TEST_F(LeverctlTest, ImportWithABadDateIsAUsageError) {
  EXPECT_EQ(Run({"requisitions", "import", "--connection", "acme-prod",
                 "--application", "a", "--created-after", "last week"}),
            kUsageError);
  EXPECT_THAT(err_.str(), StartsWith("leverctl: --created-after: cannot read "
                                     "'last week' as a time"));
  EXPECT_THAT(server_.calls(), IsEmpty());
}

TEST_F(LeverctlTest, ImportWithoutSummaryFails) {
  ScriptImport(server_, {1}, /*with_summary=*/false);
  EXPECT_EQ(Run({"requisitions", "import", "--connection", "acme-prod",
                 "--application", "a", "-o", "csv"}),
            kServerError);
  EXPECT_EQ(out_.str(), "id,headcount_total\r\nr0,0\r\n");
  EXPECT_EQ(err_.str(),
            "leverctl: DATA_LOSS: stream ended without a summary\n");
}

TEST_F(LeverctlTest, ImportShowsRowWarnings) {
  server_.stream_requisitions = [](const v1::StreamRequisitionsRequest&,
                                   FakeServer::StreamWriter* writer) {
    v1::StreamRequisitionsResponse message;
    message.mutable_schema()->add_columns()->set_name("custom.level");
    writer->Write(message);
    message.Clear();
    v1::Row* row = message.mutable_batch()->add_rows();
    row->set_requisition_id("r9");
    row->add_cells()->set_double_value(9);
    row->add_warnings("custom.level: number field held the string \"9\"");
    writer->Write(message);
    message.Clear();
    message.mutable_summary()->set_rows(1);
    message.mutable_summary()->set_pages(1);
    message.mutable_summary()->set_rows_with_warnings(1);
    writer->Write(message);
    return grpc::Status::OK;
  };
  EXPECT_EQ(Run({"requisitions", "import", "--connection", "acme-prod",
                 "--application", "a"}),
            kSuccess);
  EXPECT_EQ(out_.str(), "custom.level\n9\n");
  EXPECT_EQ(err_.str(),
            "warning: requisition r9: custom.level: number field held the "
            "string \"9\"\n"
            "imported 1 row in 1 page (0 retries) in 0.000s; 1 row with "
            "warnings\n");
}

TEST_F(LeverctlTest, ImportAsCsvStopsAtASchemaTooWideForCsv) {
  server_.stream_requisitions = [](const v1::StreamRequisitionsRequest&,
                                   FakeServer::StreamWriter* writer) {
    v1::StreamRequisitionsResponse message;
    for (int i = 0; i <= 500; ++i) {
      message.mutable_schema()->add_columns()->set_name("custom.f" +
                                                        std::to_string(i));
    }
    writer->Write(message);
    message.Clear();
    message.mutable_batch()->add_rows()->set_requisition_id("r1");
    writer->Write(message);
    return grpc::Status::OK;
  };
  EXPECT_EQ(Run({"requisitions", "import", "--connection", "acme-prod",
                 "--application", "a", "-o", "csv"}),
            kServerError);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(),
            "leverctl: INVALID_ARGUMENT: cannot write the rows as CSV: "
            "columns: 501 given, at most 500 allowed\n");
}

}  // namespace
}  // namespace leverconnect::leverctl

namespace leverconnect::leverctl {
namespace {

TEST(ImportSummaryTextTest, NamesWhatSlowedTheImportDown) {
  v1::ImportSummary summary;
  summary.set_rows(3000);
  summary.set_pages(30);
  summary.set_retries(3);
  summary.mutable_elapsed()->set_seconds(4);
  (*summary.mutable_retries_by_cause())["rate_limited"] = 2;
  (*summary.mutable_retries_by_cause())["network"] = 1;
  summary.set_rate_limited(2);
  summary.set_listing_restarts(1);
  summary.mutable_budget_wait()->set_seconds(1);
  summary.mutable_budget_wait()->set_nanos(500000000);
  summary.mutable_backoff_wait()->set_nanos(250000000);
  EXPECT_EQ(ImportSummaryText(summary),
            "imported 3000 rows in 30 pages (3 retries) in 4.000s; retries: "
            "network 1, rate_limited 2; 2 answered 429; listing restarted 1 "
            "time; waited 1.500s for the request budget; 0.250s between "
            "retries");
}

}  // namespace
}  // namespace leverconnect::leverctl

namespace leverconnect::leverctl {
namespace {

TEST_F(LeverctlTest, ReadModeChoosesHowLeverIsRead) {
  ScriptImport(server_, {1});
  EXPECT_EQ(Run({"requisitions", "import", "--connection", "c", "--application",
                 "a", "--read-mode", "one-cursor"}),
            kSuccess);
  EXPECT_EQ(server_.LastRequest<v1::StreamRequisitionsRequest>().read_mode(),
            v1::READ_MODE_ONE_CURSOR);
  EXPECT_EQ(Run({"requisitions", "import", "--connection", "c", "--application",
                 "a", "--read-mode", "sideways"}),
            kUsageError);
  EXPECT_THAT(err_.str(), HasSubstr("--read-mode must be parallel or "
                                    "one-cursor"));
}

TEST_F(LeverctlTest, ImportShowsSummaryWarningsOnStandardError) {
  server_.stream_requisitions = [](const v1::StreamRequisitionsRequest&,
                                   FakeServer::StreamWriter* writer) {
    v1::StreamRequisitionsResponse message;
    message.mutable_schema()->add_columns()->set_name("creator_name");
    writer->Write(message);
    message.Clear();
    v1::Row* row = message.mutable_batch()->add_rows();
    row->set_requisition_id("r1");
    row->add_cells()->set_null_value({});
    writer->Write(message);
    message.Clear();
    message.mutable_summary()->set_rows(1);
    message.mutable_summary()->set_pages(1);
    message.mutable_summary()->add_warnings("user columns are empty");
    writer->Write(message);
    return grpc::Status::OK;
  };
  EXPECT_EQ(Run({"requisitions", "import", "--connection", "acme-prod",
                 "--application", "a", "-o", "csv"}),
            kSuccess);
  EXPECT_EQ(out_.str(), "creator_name\r\n\r\n");
  EXPECT_EQ(err_.str(),
            "warning: user columns are empty\n"
            "imported 1 row in 1 page (0 retries) in 0.000s\n");
}

}  // namespace
}  // namespace leverconnect::leverctl

namespace leverconnect::leverctl {
namespace {

// requisitions plan | apply against a scripted server.
class LeverctlWriteBackTest : public LeverctlTest {
 protected:
  LeverctlWriteBackTest() {
    // Plans every row as an update of "old" to the planned name, except
    // the code "BAD", which is invalid.
    server_.plan_requisition_changes =
        [](const v1::PlanRequisitionChangesRequest& request,
           v1::PlanRequisitionChangesResponse* response) {
          for (const v1::PlannedRequisition& row : request.rows()) {
            v1::RequisitionChange* change = response->add_changes();
            change->set_requisition_code(row.requisition_code());
            if (row.requisition_code() == "BAD") {
              change->set_action(v1::RequisitionChange::ACTION_INVALID);
              change->set_reason("headcount_total: \"x\" is not an integer");
              continue;
            }
            change->set_action(v1::RequisitionChange::ACTION_UPDATE);
            change->mutable_lever_updated_at()->set_seconds(1700000000);
            v1::FieldChange* field = change->add_changes();
            field->set_field("name");
            field->mutable_old_value()->set_string_value("old");
            *field->mutable_new_value() = row.fields().at("name");
          }
          return grpc::Status::OK;
        };
    server_.apply_requisition_changes =
        [this](const v1::ApplyRequisitionChangesRequest& request,
               v1::ApplyRequisitionChangesResponse* response) {
          for (const v1::PlannedRequisition& row : request.rows()) {
            v1::RequisitionWriteResult* result = response->add_results();
            result->set_requisition_code(row.requisition_code());
            result->set_outcome(outcome_);
            result->set_lever_id("lever-1");
          }
          return grpc::Status::OK;
        };
  }

  std::vector<std::string> Methods() const {
    std::vector<std::string> methods;
    for (const FakeServer::Call& call : server_.calls()) {
      methods.push_back(call.method);
    }
    return methods;
  }

  std::vector<std::string> Flags(const std::string& file) {
    return {"--connection", "acme",   "--application",
            "planning",     "--file", file};
  }

  v1::RequisitionWriteResult::Outcome outcome_ =
      v1::RequisitionWriteResult::OUTCOME_UPDATED;
};

// As Pigment exports: a byte order mark, ';', CRLF, quoted fields.
constexpr char kPigmentExport[] =
    "\xEF\xBB\xBF"
    "Code;Title;Notes;Ignored\r\n"
    "R-1;\"Engineer; senior\";;x\r\n"
    "R-2;Diver;\"\";y\r\n";

TEST_F(LeverctlWriteBackTest, PlanReadsPigmentsCsvAndPrintsTheDiff) {
  std::vector<std::string> arguments = {"requisitions", "plan"};
  for (const std::string& flag : Flags(WriteFile("plan.csv", kPigmentExport))) {
    arguments.push_back(flag);
  }
  for (const char* map : {"Code=requisition_code", "Title=name",
                          "Notes=internal_notes", "Ignored="}) {
    arguments.push_back("--map");
    arguments.push_back(map);
  }
  EXPECT_EQ(Run(arguments), kSuccess) << err_.str();

  const auto request = server_.LastRequest<v1::PlanRequisitionChangesRequest>();
  EXPECT_EQ(request.connection(), "connections/acme");
  EXPECT_EQ(request.application(), "planning");
  ASSERT_EQ(request.rows_size(), 2);
  const v1::PlannedRequisition& first = request.rows(0);
  EXPECT_EQ(first.requisition_code(), "R-1");
  EXPECT_EQ(first.fields().at("name").string_value(), "Engineer; senior");
  EXPECT_TRUE(first.fields().at("internal_notes").has_null_value());
  EXPECT_EQ(first.fields().count("Ignored"), 0u);
  EXPECT_EQ(first.fields().size(), 2u);
  EXPECT_EQ(request.rows(1).fields().at("internal_notes").string_value(), "");

  EXPECT_THAT(out_.str(), HasSubstr("CODE   ACTION   FIELD   OLD   NEW / "
                                    "REASON"));
  EXPECT_THAT(out_.str(), HasSubstr("R-1    update   name    old   Engineer; "
                                    "senior"));
  EXPECT_THAT(err_.str(),
              HasSubstr("plan: 0 to create, 2 to update, 0 unchanged, 0 "
                        "invalid"));
  EXPECT_THAT(Methods(), ElementsAre("PlanRequisitionChanges"));
}

TEST_F(LeverctlWriteBackTest, PlanExitsFiveForAnInvalidRow) {
  std::vector<std::string> arguments = {"requisitions", "plan", "--separator",
                                        ","};
  for (const std::string& flag :
       Flags(WriteFile("plan.csv", "requisition_code,name\nR-1,A\nBAD,B\n"))) {
    arguments.push_back(flag);
  }
  EXPECT_EQ(Run(arguments), kNotApplied);
  EXPECT_THAT(out_.str(),
              HasSubstr("headcount_total: \"x\" is not an integer"));
}

TEST_F(LeverctlWriteBackTest, BadFilesAreUsageErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"name;location\nA;B\n", "no column holds the requisition code"},
      {"requisition_code;name\n", "holds no rows"},
      {"requisition_code;name\nR-1;A;extra\n", "record 2 of the --file has 3"},
      {"requisition_code;name\nR-1;\"open\n", "is not CSV"},
  };
  for (const auto& [contents, message] : cases) {
    SCOPED_TRACE(contents);
    err_.str("");
    std::vector<std::string> arguments = {"requisitions", "plan"};
    for (const std::string& flag : Flags(WriteFile("bad.csv", contents))) {
      arguments.push_back(flag);
    }
    EXPECT_EQ(Run(arguments), kUsageError);
    EXPECT_THAT(err_.str(), HasSubstr(message));
  }
  EXPECT_TRUE(server_.calls().empty());
}

TEST_F(LeverctlWriteBackTest, ApplyWithYesSendsWhatThePlanSaw) {
  std::vector<std::string> arguments = {"requisitions", "apply", "--yes"};
  for (const std::string& flag :
       Flags(WriteFile("plan.csv", "requisition_code;name\r\nR-1;New\r\n"))) {
    arguments.push_back(flag);
  }
  EXPECT_EQ(Run(arguments), kSuccess) << err_.str();
  EXPECT_THAT(Methods(),
              ElementsAre("PlanRequisitionChanges", "ApplyRequisitionChanges"));
  const auto request =
      server_.LastRequest<v1::ApplyRequisitionChangesRequest>();
  ASSERT_EQ(request.rows_size(), 1);
  EXPECT_EQ(request.rows(0).lever_updated_at().seconds(), 1700000000);
  EXPECT_EQ(request.rows(0).fields().at("name").string_value(), "New");
  EXPECT_THAT(out_.str(), HasSubstr("R-1    updated   lever-1"));
  EXPECT_THAT(err_.str(), HasSubstr("applied: updated 1"));
}

TEST_F(LeverctlWriteBackTest, ApplyAsksOnATerminalAndNeedsYesElsewhere) {
  const std::string file =
      WriteFile("plan.csv", "requisition_code;name\nR-1;New\n");
  std::vector<std::string> arguments = {"requisitions", "apply"};
  for (const std::string& flag : Flags(file)) arguments.push_back(flag);

  EXPECT_EQ(Run(arguments), kUsageError);
  EXPECT_THAT(err_.str(), HasSubstr("give --yes"));

  std::vector<std::string> questions;
  std::string answer = "n";
  environment_.input_is_terminal = true;
  environment_.ask = [&](const std::string& question) {
    questions.push_back(question);
    return answer;
  };
  EXPECT_EQ(Run(arguments), kDeclined);
  EXPECT_THAT(questions,
              ElementsAre("Write 1 change to Lever through connection acme? "
                          "[y/N] "));
  EXPECT_THAT(err_.str(), HasSubstr("nothing was written"));
  EXPECT_THAT(Methods(),
              ::testing::Not(::testing::Contains("ApplyRequisitionChanges")));

  answer = "yes\n";
  outcome_ = v1::RequisitionWriteResult::OUTCOME_CONFLICT;
  EXPECT_EQ(Run(arguments), kNotApplied);
  EXPECT_THAT(Methods(), ::testing::Contains("ApplyRequisitionChanges"));
}

}  // namespace
}  // namespace leverconnect::leverctl

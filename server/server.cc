#include "server/server.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "lib/auth/principal_directory.h"
#include "lib/auth/transport_policy.h"
#include "lib/lever/lever_client.h"
#include "lib/log/log.h"
#include "server/connection_service.h"
#include "server/import_run_service.h"
#include "server/import_service.h"
#include "server/write_back_service.h"

namespace leverconnect::server {
namespace {

// The largest request the server reads (RESOURCE_EXHAUSTED above it).
constexpr int kMaxRequestBytes = 1 << 20;

// Imports are long streams with quiet gaps while Lever rate-limits; pings
// keep idle proxies from cutting them.
constexpr int kKeepaliveMilliseconds = 30000;
constexpr int kKeepaliveTimeoutMilliseconds = 10000;

absl::Status MakeStateDir(const std::string& path) {
  if (mkdir(path.c_str(), 0700) == 0 || errno == EEXIST) {
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot create the state directory ", path, ": ", std::strerror(errno)));
}

void SetHealth(grpc::Server* server, bool serving) {
  if (server == nullptr) return;
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  if (health == nullptr) return;
  for (const char* service : {"", "liveness", "readiness"}) {
    health->SetServingStatus(service, serving);
  }
}

// Options that contradict each other, or plaintext where it is refused.
absl::Status CheckSecurityOptions(const ServerOptions& options) {
  if (options.no_auth && !options.principals_file.empty()) {
    return absl::InvalidArgumentError(
        "--no-auth and --principals-file exclude each other");
  }
  if (!options.no_auth && options.principals_file.empty()) {
    return absl::InvalidArgumentError(
        "--principals-file is required: it says who may call (or --no-auth, "
        "for local experiments only)");
  }
  if (options.tls_certificate_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
  }
  const bool tls = !options.tls_certificate_file.empty();
  if (!options.client_ca_file.empty() && !tls) {
    return absl::InvalidArgumentError(
        "--client-ca needs --tls-cert and --tls-key");
  }
  for (const auto& [environment, url] : options.lever.base_urls) {
    absl::Status valid = lever::ValidateBaseUrl(url);
    if (!valid.ok()) return valid;
  }
  if (tls) return absl::OkStatus();
  return auth::CheckPlaintextListener(options.listen_address,
                                      options.allow_plaintext);
}

absl::StatusOr<std::unique_ptr<Authenticator>> MakeAuthenticator(
    const ServerOptions& options) {
  if (options.no_auth) {
    log::Log(log::Severity::kWarning,
             "AUTHENTICATION IS OFF (--no-auth): every caller is an admin "
             "named \"anonymous\"; use this for local experiments only",
             {{"address", options.listen_address}});
    return std::make_unique<Authenticator>(Authenticator::TrustEveryone());
  }
  absl::StatusOr<auth::PrincipalDirectory> directory =
      auth::PrincipalDirectory::Load(options.principals_file);
  if (!directory.ok()) return directory.status();
  log::Log(log::Severity::kInfo, "principals loaded",
           {{"file", options.principals_file},
            {"principals", static_cast<std::int64_t>(directory->size())}});
  return std::make_unique<Authenticator>(std::move(*directory),
                                         !options.client_ca_file.empty());
}

absl::StatusOr<std::string> ReadPemFile(const std::string& path,
                                        absl::string_view flag) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  if (in) content << in.rdbuf();
  if (!in || content.str().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot read the ", flag, " file ", path, ": ",
                     in ? "it is empty" : std::strerror(errno)));
  }
  return content.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeCredentials(
    const ServerOptions& options) {
  if (options.tls_certificate_file.empty()) {
    return grpc::InsecureServerCredentials();
  }
  absl::StatusOr<std::string> certificate =
      ReadPemFile(options.tls_certificate_file, "--tls-cert");
  if (!certificate.ok()) return certificate.status();
  absl::StatusOr<std::string> key =
      ReadPemFile(options.tls_key_file, "--tls-key");
  if (!key.ok()) return key.status();
  const bool mutual = !options.client_ca_file.empty();
  grpc::SslServerCredentialsOptions tls(
      mutual ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
             : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  tls.pem_key_cert_pairs.push_back({std::move(*key), std::move(*certificate)});
  if (mutual) {
    absl::StatusOr<std::string> authorities =
        ReadPemFile(options.client_ca_file, "--client-ca");
    if (!authorities.ok()) return authorities.status();
    tls.pem_root_certs = std::move(*authorities);
  }
  return grpc::SslServerCredentials(tls);
}

void SetKeepalive(grpc::ServerBuilder& builder) {
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             kKeepaliveMilliseconds);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             kKeepaliveTimeoutMilliseconds);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      kKeepaliveMilliseconds / 2);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // A second server on the same port must fail, not share the traffic.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
}

// A plaintext server on `address` with gRPC health checking only.
absl::StatusOr<std::unique_ptr<grpc::Server>> StartHealthServer(
    const std::string& address, int* port) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, grpc::InsecureServerCredentials(), port);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || *port == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", address, " for health checking"));
  }
  return server;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerOptions& options, crypto::SecretBox secret_box) {
  absl::Status secure = CheckSecurityOptions(options);
  if (!secure.ok()) return secure;
  absl::StatusOr<std::unique_ptr<Authenticator>> authenticator =
      MakeAuthenticator(options);
  if (!authenticator.ok()) return authenticator.status();
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeCredentials(options);
  if (!credentials.ok()) return credentials.status();

  absl::Status made = MakeStateDir(options.state_dir);
  if (!made.ok()) return made;
  absl::StatusOr<std::unique_ptr<storage::ConnectionStore>> store =
      storage::OpenSqliteConnectionStore(
          storage::StateDatabasePath(options.state_dir));
  if (!store.ok()) return store.status();

  std::unique_ptr<Server> server(new Server);
  server->core_ = std::make_unique<ServiceCore>(
      std::move(*store), std::move(secret_box), http::MakeCurlHttpClient(),
      retry::SystemClock(), options.lever);
  server->authenticator_ = std::move(*authenticator);
  server->connection_service_ = std::make_unique<ConnectionService>(
      *server->core_, *server->authenticator_);
  server->import_service_ = std::make_unique<ImportService>(
      *server->core_, *server->authenticator_, options.max_concurrent_imports);
  server->write_back_service_ = std::make_unique<WriteBackService>(
      *server->core_, *server->authenticator_);
  absl::Status runs = server->StartRunner(options);
  if (!runs.ok()) return runs;

  absl::Status listening = server->Listen(options, *credentials);
  if (!listening.ok()) return listening;
  return server;
}

absl::Status Server::Listen(
    const ServerOptions& options,
    const std::shared_ptr<grpc::ServerCredentials>& credentials) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address, credentials, &port_);
  SetKeepalive(builder);
  // Requests are small; a larger one is refused before it is parsed.
  builder.SetMaxReceiveMessageSize(kMaxRequestBytes);
  builder.RegisterService(connection_service_.get());
  builder.RegisterService(import_service_.get());
  builder.RegisterService(import_run_service_.get());
  builder.RegisterService(write_back_service_.get());
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", options.listen_address,
        options.tls_certificate_file.empty()
            ? ""
            : " (or the TLS certificate, key or client CA is not valid PEM)"));
  }
  if (!options.health_listen_address.empty()) {
    absl::StatusOr<std::unique_ptr<grpc::Server>> health =
        StartHealthServer(options.health_listen_address, &health_port_);
    if (!health.ok()) return health.status();
    health_server_ = std::move(*health);
  }

  SetHealth(server_.get(), true);
  SetHealth(health_server_.get(), true);
  log::Log(log::Severity::kInfo, "server listening",
           {{"address", options.listen_address},
            {"port", port_},
            {"tls", !options.tls_certificate_file.empty()},
            {"mutual_tls", !options.client_ca_file.empty()},
            {"health_port", health_port_}});
  return absl::OkStatus();
}

absl::Status Server::StartRunner(const ServerOptions& options) {
  ImportRunnerOptions runs = options.runs;
  if (runs.spool_dir.empty()) runs.spool_dir = options.state_dir + "/spool";
  if (!runs.pigment_import_key.empty()) {
    absl::Status url = pigment::ValidatePigmentBaseUrl(runs.pigment_url);
    if (!url.ok()) return url;
  }
  absl::StatusOr<std::unique_ptr<storage::ImportRunStore>> store =
      storage::OpenSqliteImportRunStore(
          storage::StateDatabasePath(options.state_dir));
  if (!store.ok()) return store.status();
  runner_ = std::make_unique<ImportRunner>(*core_, std::move(*store),
                                           std::move(runs));
  absl::Status started = runner_->Start();
  if (!started.ok()) return started;
  import_run_service_ =
      std::make_unique<ImportRunService>(*core_, *authenticator_, *runner_);
  return absl::OkStatus();
}

Server::~Server() {
  Shutdown(absl::ZeroDuration());
  if (runner_ != nullptr) runner_->Stop();
}

void Server::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  SetHealth(server_.get(), false);
  SetHealth(health_server_.get(), false);
  log::Log(log::Severity::kInfo, "server shutting down",
           {{"grace_ms", absl::ToInt64Milliseconds(grace)}});
  runner_->Stop();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  if (health_server_ != nullptr) {
    health_server_->Shutdown(absl::ToChronoTime(absl::Now()));
    health_server_->Wait();
  }
  log::Log(log::Severity::kInfo, "server stopped");
}

void Server::Wait() { server_->Wait(); }

}  // namespace leverconnect::server

#include "server/server.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <utility>
#include <vector>

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
#include "lib/storage/stores.h"
#include "server/connection_service.h"
#include "server/import_run_service.h"
#include "server/import_service.h"
#include "server/undecodable_requests.h"
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
  if (mkdir(path.c_str(), 0700) == 0) {
    ::chmod(path.c_str(), 0700);  // whatever the umask took away
    return absl::OkStatus();
  }
  if (errno == EEXIST) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot create the state directory ", path, ": ", std::strerror(errno)));
}

// Sets the health checking status of `services` on `server`, if any.
void SetHealth(grpc::Server* server,
               std::initializer_list<const char*> services, bool serving) {
  if (server == nullptr) return;
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  if (health == nullptr) return;
  for (const char* service : services) {
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

absl::StatusOr<storage::Stores> OpenStores(const ServerOptions& options) {
  storage::StoreOptions store_options;
  store_options.database_url = options.database_url;
  store_options.state_dir = options.state_dir;
  store_options.budget = options.lever.budget;
  store_options.database_wait = options.database_wait;
  absl::StatusOr<storage::Stores> stores = storage::OpenStores(store_options);
  if (!stores.ok()) return stores.status();
  log::Log(log::Severity::kInfo, "storage opened",
           {{"backend", stores->backend},
            {"database", stores->location},
            {"shared_request_budget", stores->budgets != nullptr}});
  return stores;
}

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
  absl::StatusOr<storage::Stores> stores = OpenStores(options);
  if (!stores.ok()) return stores.status();

  std::unique_ptr<Server> server(new Server);
  server->core_ = std::make_unique<ServiceCore>(
      std::move(stores->connections), std::move(secret_box),
      http::MakeCurlHttpClient(), retry::SystemClock(), options.lever,
      std::move(stores->budgets));
  server->authenticator_ = std::move(*authenticator);
  server->import_service_ = std::make_unique<ImportService>(
      *server->core_, *server->authenticator_, options.max_concurrent_imports);
  server->write_back_service_ = std::make_unique<WriteBackService>(
      *server->core_, *server->authenticator_);
  absl::Status runs =
      server->StartRunner(options, std::move(stores->import_runs));
  if (!runs.ok()) return runs;
  server->connection_service_ = std::make_unique<ConnectionService>(
      *server->core_, *server->authenticator_, *server->runner_);

  if (!options.metrics_listen_address.empty()) {
    absl::StatusOr<std::unique_ptr<metrics::MetricsEndpoint>> endpoint =
        metrics::MetricsEndpoint::Start(options.metrics_listen_address);
    if (!endpoint.ok()) return endpoint.status();
    server->metrics_ = std::move(*endpoint);
  }
  absl::Status listening = server->Listen(options, *credentials);
  if (!listening.ok()) return listening;
  server->StartHealthMonitor(options);
  return server;
}

void Server::StartHealthMonitor(const ServerOptions& options) {
  std::vector<ReadinessCheck> checks;
  ServiceCore* core = core_.get();
  checks.push_back({"store", options.store_check
                                 ? options.store_check
                                 : [core] { return core->store().Ping(); }});
  if (!options.master_key_file.empty()) {
    const std::string path = options.master_key_file;
    checks.push_back(
        {"master_keyring", [path] { return CheckFileReadable(path); }});
  }
  health_ = std::make_unique<HealthMonitor>(
      std::move(checks), [this](bool ready) { PublishReadiness(ready); },
      retry::SystemClock(), options.readiness_interval);
  health_->CheckNow().IgnoreError();  // logged and published
  health_->Start();
}

void Server::PublishReadiness(bool ready) {
  SetHealth(server_.get(), {"", "readiness"}, ready);
  SetHealth(health_server_.get(), {"", "readiness"}, ready);
}

absl::Status Server::CheckReadiness() {
  if (health_ == nullptr) return absl::UnavailableError("not started");
  return health_->CheckNow();
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
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(
      MakeUndecodableRequestInterceptorFactory("leverconnect.v1"));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
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

  // Readiness waits for the first checks (StartHealthMonitor).
  for (grpc::Server* server : {server_.get(), health_server_.get()}) {
    SetHealth(server, {"liveness"}, true);
    SetHealth(server, {"", "readiness"}, false);
  }
  log::Log(log::Severity::kInfo, "server listening",
           {{"address", options.listen_address},
            {"port", port_},
            {"tls", !options.tls_certificate_file.empty()},
            {"mutual_tls", !options.client_ca_file.empty()},
            {"health_port", health_port_},
            {"metrics_port", metrics_port()}});
  return absl::OkStatus();
}

absl::Status Server::StartRunner(
    const ServerOptions& options,
    std::unique_ptr<storage::ImportRunStore> store) {
  ImportRunnerOptions runs = options.runs;
  if (runs.spool_dir.empty()) runs.spool_dir = options.state_dir + "/spool";
  // Other replicas may hold runs in a shared database.
  runs.shared_store = runs.shared_store || !options.database_url.empty();
  if (!runs.pigment_import_key.empty()) {
    absl::Status url = pigment::ValidatePigmentBaseUrl(runs.pigment_url);
    if (!url.ok()) return url;
  }
  runner_ =
      std::make_unique<ImportRunner>(*core_, std::move(store), std::move(runs));
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
  const absl::Time start = absl::Now();
  if (health_ != nullptr) {
    health_->Drain();
  } else {
    PublishReadiness(false);
  }
  log::Log(log::Severity::kInfo, "server shutting down",
           {{"grace_ms", absl::ToInt64Milliseconds(grace)}});
  import_service_->Drain();
  runner_->Stop();
  server_->Shutdown(absl::ToChronoTime(start + grace));
  server_->Wait();
  if (health_server_ != nullptr) {
    health_server_->Shutdown(absl::ToChronoTime(absl::Now()));
    health_server_->Wait();
  }
  log::Log(log::Severity::kInfo, "server stopped",
           {{"elapsed_ms", absl::ToInt64Milliseconds(absl::Now() - start)}});
}

void Server::Wait() { server_->Wait(); }

}  // namespace leverconnect::server

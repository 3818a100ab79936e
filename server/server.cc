#include "server/server.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "lib/log/log.h"
#include "server/connection_service.h"
#include "server/import_service.h"

namespace leverconnect::server {
namespace {

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

void SetHealth(grpc::Server& server, bool serving) {
  grpc::HealthCheckServiceInterface* health = server.GetHealthCheckService();
  if (health == nullptr) return;
  for (const char* service : {"", "liveness", "readiness"}) {
    health->SetServingStatus(service, serving);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(
    const ServerOptions& options, crypto::SecretBox secret_box) {
  absl::Status made = MakeStateDir(options.state_dir);
  if (!made.ok()) return made;
  absl::StatusOr<std::unique_ptr<storage::ConnectionStore>> store =
      storage::OpenSqliteConnectionStore(options.state_dir +
                                         "/leverconnect.db");
  if (!store.ok()) return store.status();

  std::unique_ptr<Server> server(new Server);
  server->core_ = std::make_unique<ServiceCore>(
      std::move(*store), std::move(secret_box), http::MakeCurlHttpClient(),
      retry::SystemClock(), options.lever);
  server->connection_service_ =
      std::make_unique<ConnectionService>(*server->core_);
  server->import_service_ = std::make_unique<ImportService>(*server->core_);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen_address,
                           grpc::InsecureServerCredentials(), &server->port_);
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
  builder.RegisterService(server->connection_service_.get());
  builder.RegisterService(server->import_service_.get());
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address));
  }
  SetHealth(*server->server_, true);
  log::Log(log::Severity::kInfo, "server listening",
           {{"address", options.listen_address}, {"port", server->port_}});
  return server;
}

Server::~Server() { Shutdown(absl::ZeroDuration()); }

void Server::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  SetHealth(*server_, false);
  log::Log(log::Severity::kInfo, "server shutting down",
           {{"grace_ms", absl::ToInt64Milliseconds(grace)}});
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  log::Log(log::Severity::kInfo, "server stopped");
}

void Server::Wait() { server_->Wait(); }

}  // namespace leverconnect::server

// The leverconnect gRPC server: ConnectionService and ImportService, gRPC
// health checking ("", "liveness", "readiness") and reflection.
#ifndef LEVERCONNECT_SERVER_SERVER_H_
#define LEVERCONNECT_SERVER_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "lib/crypto/secret_box.h"
#include "server/service_core.h"

namespace leverconnect::server {

struct ServerOptions {
  // host:port; port 0 picks a free port (see Server::port()).
  std::string listen_address = "127.0.0.1:50051";
  // Folder of the SQLite database; created when missing.
  std::string state_dir = "state";
  LeverSettings lever;
};

class Server {
 public:
  // Opens the store, binds and starts serving. `secret_box` holds the
  // master keys that seal stored Lever keys.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerOptions& options, crypto::SecretBox secret_box);

  ~Server();

  // The bound port.
  int port() const { return port_; }

  // Marks health NOT_SERVING, stops accepting calls, cancels calls still
  // running after `grace`, and returns when all have ended.
  void Shutdown(absl::Duration grace);

  // Blocks until Shutdown has completed.
  void Wait();

 private:
  Server() = default;

  std::unique_ptr<ServiceCore> core_;
  std::unique_ptr<grpc::Service> connection_service_;
  std::unique_ptr<grpc::Service> import_service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace leverconnect::server

#endif  // LEVERCONNECT_SERVER_SERVER_H_

// The leverconnect gRPC server: ConnectionService, ImportService,
// ImportRunService and WriteBackService, gRPC health checking ("", "liveness",
// "readiness") and reflection.
//
// Callers of the two services authenticate with a bearer token or, under
// mutual TLS, a client certificate, as the principals file says (see
// server/caller.h). Health checking and reflection need no credentials;
// with mutual TLS a probe that cannot present a certificate uses the
// optional plaintext health port, which serves health checking only.
#ifndef LEVERCONNECT_SERVER_SERVER_H_
#define LEVERCONNECT_SERVER_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "lib/crypto/secret_box.h"
#include "server/caller.h"
#include "server/import_runner.h"
#include "server/service_core.h"

namespace leverconnect::server {

struct ServerOptions {
  // host:port; port 0 picks a free port (see Server::port()).
  std::string listen_address = "127.0.0.1:50051";
  // Folder of the SQLite database; created when missing.
  std::string state_dir = "state";
  LeverSettings lever;

  // Who may call (lib/auth/principal_directory.h). Required unless
  // `no_auth`.
  std::string principals_file;
  // Every caller is an admin named "anonymous"; the server logs a warning
  // at start. For local experiments only.
  bool no_auth = false;

  // PEM files of the server's certificate chain and private key: the
  // server speaks TLS when they are set.
  std::string tls_certificate_file;
  std::string tls_key_file;
  // PEM file of the certificate authorities that sign client certificates:
  // mutual TLS, where every connection must present one. Needs the two
  // above.
  std::string client_ca_file;
  // Allows plaintext on an address other than loopback, for when something
  // else encrypts the traffic. Without TLS and without it, Start refuses
  // such an address.
  bool allow_plaintext = false;

  // host:port of a second, plaintext listener that serves only gRPC health
  // checking, for probes that cannot do TLS; empty for none.
  std::string health_listen_address;
  // Most StreamRequisitions calls served at once; more are refused with
  // RESOURCE_EXHAUSTED. Each holds a thread and up to a few pages.
  int max_concurrent_imports = 64;
  // Import runs into Pigment. `runs.spool_dir`, when empty, is the "spool"
  // folder of `state_dir`.
  ImportRunnerOptions runs;
};

class Server {
 public:
  // Reads the principals file and the TLS files, opens the store, binds and
  // starts serving. `secret_box` holds the master keys that seal stored
  // Lever keys. Errors name the file or the option at fault.
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerOptions& options, crypto::SecretBox secret_box);

  ~Server();

  // The bound port.
  int port() const { return port_; }

  // The bound port of the health listener; 0 when there is none.
  int health_port() const { return health_port_; }

  // Marks health NOT_SERVING, ends import runs in progress as interrupted,
  // stops accepting calls, cancels calls still running after `grace`, and
  // returns when all have ended.
  void Shutdown(absl::Duration grace);

  // Blocks until Shutdown has completed.
  void Wait();

 private:
  Server() = default;

  // Builds and starts the gRPC servers: every service, health checking and
  // reflection on options.listen_address; health checking alone, in
  // plaintext, on options.health_listen_address when set.
  absl::Status Listen(
      const ServerOptions& options,
      const std::shared_ptr<grpc::ServerCredentials>& credentials);

  // Opens the run store and starts the import runner and its service.
  absl::Status StartRunner(const ServerOptions& options);

  std::unique_ptr<ServiceCore> core_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<grpc::Service> connection_service_;
  std::unique_ptr<grpc::Service> import_service_;
  std::unique_ptr<ImportRunner> runner_;
  std::unique_ptr<grpc::Service> import_run_service_;
  std::unique_ptr<grpc::Service> write_back_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;
  int port_ = 0;
  int health_port_ = 0;
  bool shut_down_ = false;
};

}  // namespace leverconnect::server

#endif  // LEVERCONNECT_SERVER_SERVER_H_

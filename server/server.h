// The leverconnect gRPC server: ConnectionService, ImportService,
// ImportRunService and WriteBackService, gRPC health checking ("",
// "liveness", "readiness") and reflection, and optionally Prometheus
// metrics over HTTP.
//
// Health: "liveness" is SERVING for as long as the process answers;
// "readiness" (and "") only while the store answers, the master key file
// can be read and the server is not shutting down, as checked every
// `readiness_interval` (see server/health_monitor.h).
//
// Callers of the two services authenticate with a bearer token or, under
// mutual TLS, a client certificate, as the principals file says (see
// server/caller.h). Health checking and reflection need no credentials;
// with mutual TLS a probe that cannot present a certificate uses the
// optional plaintext health port, which serves health checking only.
#ifndef LEVERCONNECT_SERVER_SERVER_H_
#define LEVERCONNECT_SERVER_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "lib/crypto/secret_box.h"
#include "lib/metrics/metrics_endpoint.h"
#include "lib/storage/import_run_store.h"
#include "lib/storage/stores.h"
#include "server/caller.h"
#include "server/health_monitor.h"
#include "server/import_runner.h"
#include "server/import_service.h"
#include "server/service_core.h"

namespace leverconnect::server {

struct ServerOptions {
  // host:port; port 0 picks a free port (see Server::port()).
  std::string listen_address = "127.0.0.1:50051";
  // Folder of the SQLite database and of the import runs' spool files;
  // created when missing.
  std::string state_dir = "state";
  // A PostgreSQL connection string (see lib/storage/stores.h): connections,
  // import runs and every API key's request budget then live in that
  // database, shared with the other replicas. Empty: SQLite in state_dir.
  std::string database_url;
  // How long a PostgreSQL statement waits for its answer; readiness's
  // ping waits at most 5 seconds (see storage::StoreOptions).
  absl::Duration database_wait = absl::Seconds(30);
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

  // host:port of the HTTP listener serving Prometheus metrics at /metrics;
  // empty for none.
  std::string metrics_listen_address;

  // Readiness. `store_check` tells whether the store answers; empty means
  // Ping of the connection store.
  std::function<absl::Status()> store_check;
  // The master key or keyring file: readiness is off while it cannot be
  // read (for example a Secret unmounted). Empty when the key came from
  // the environment.
  std::string master_key_file;
  // How often the readiness checks run.
  absl::Duration readiness_interval = absl::Seconds(2);
};

// Opens the stores `options` choose (database_url, else SQLite in
// state_dir, which must exist) and logs where they are, never the
// connection string.
absl::StatusOr<storage::Stores> OpenStores(const ServerOptions& options);

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

  // The bound port of the metrics listener; 0 when there is none.
  int metrics_port() const {
    return metrics_ == nullptr ? 0 : metrics_->port();
  }

  // Runs the readiness checks now (as the background thread does every
  // `readiness_interval`) and publishes the outcome; OK when ready.
  absl::Status CheckReadiness();

  // Marks readiness NOT_SERVING at once; makes running StreamRequisitions
  // calls stop at their next page and end UNAVAILABLE "server shutting
  // down; retry" (new ones too); ends import runs in progress as
  // interrupted; stops accepting calls; cancels calls still running after
  // `grace`; and returns when all have ended.
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

  // Starts the import runner on `store` and its service.
  absl::Status StartRunner(const ServerOptions& options,
                           std::unique_ptr<storage::ImportRunStore> store);

  // Runs the readiness checks once, publishes them, and starts the thread
  // that repeats them.
  void StartHealthMonitor(const ServerOptions& options);

  // Publishes `ready` as the status of "" and "readiness".
  void PublishReadiness(bool ready);

  std::unique_ptr<ServiceCore> core_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<grpc::Service> connection_service_;
  std::unique_ptr<ImportService> import_service_;
  std::unique_ptr<ImportRunner> runner_;
  std::unique_ptr<grpc::Service> import_run_service_;
  std::unique_ptr<grpc::Service> write_back_service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;
  std::unique_ptr<HealthMonitor> health_;
  std::unique_ptr<metrics::MetricsEndpoint> metrics_;
  int port_ = 0;
  int health_port_ = 0;
  bool shut_down_ = false;
};

}  // namespace leverconnect::server

#endif  // LEVERCONNECT_SERVER_SERVER_H_

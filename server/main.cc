// leverconnect-server: serves ConnectionService and ImportService until
// SIGTERM or SIGINT, then shuts down gracefully.
#include <pthread.h>
#include <signal.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "google/protobuf/stubs/logging.h"
#include "grpc/support/log.h"
#include "lib/log/log.h"
#include "lib/storage/connection_store.h"
#include "server/rekey.h"
#include "server/server.h"

namespace {

using leverconnect::log::Log;
using leverconnect::log::Severity;

constexpr char kUsage[] = R"(Usage: leverconnect-server [flags]
       leverconnect-server --rekey (--state-dir DIR | --database URL)
                           --master-keyring-file PATH

Serves leverconnect.v1.ConnectionService, ImportService, ImportRunService
and WriteBackService over gRPC, with gRPC health checking and reflection.
Stops gracefully on SIGTERM or SIGINT.

Flags:
  --listen HOST:PORT           address to listen on (default 127.0.0.1:50051;
                               port 0 picks a free port)
  --port-file PATH             write the bound port to PATH once listening
  --state-dir DIR              folder of the SQLite database and of the
                               import runs' spool files (default state)
  --database URL               keep connections, import runs and the Lever
                               request budgets in this PostgreSQL database,
                               shared by every replica: a libpq connection
                               string, postgresql://USER@HOST:PORT/DB?... or
                               "host=... dbname=..."; default: SQLite in
                               --state-dir. Leave the password out of it
                               (PGPASSWORD, ~/.pgpass) or pass the whole
                               string with --database-url-file or the
                               environment variable LEVERCONNECT_DATABASE_URL
  --database-url-file PATH     file holding the --database connection string
                               (for a mounted secret)
  --database-wait DURATION     how long a PostgreSQL statement waits for the
                               database's answer before its connection is
                               dropped and the call fails UNAVAILABLE, e.g.
                               30s (default 30s, at least 1s); a call waits
                               as long for a free connection; readiness
                               pings on a connection of its own, at most 5s
  --master-key-file PATH       file with the 32-byte master key that encrypts
                               stored Lever keys (raw, 64 hex digits or
                               base64); else the environment variable
                               LEVERCONNECT_MASTER_KEY holds it
  --master-keyring-file PATH   instead of --master-key-file: a keyring, one
                               master key version per line as VERSION:KEY
                               (KEY 64 hex digits or base64); seals with the
                               highest version, opens with any
  --rekey                      do not serve: re-encrypt every stored Lever
                               key under the keyring's highest version, print
                               how many, and exit (1 if any key could not be
                               opened; those are left unchanged)
  --principals-file PATH       who may call: a JSON file of principals (id,
                               role admin or member, applications, SHA-256
                               of the bearer token, client certificate
                               common names); required unless --no-auth
  --no-auth                    trust every caller as an admin named
                               "anonymous"; for local experiments only
  --tls-cert PATH              PEM certificate chain of the server: TLS
  --tls-key PATH               PEM private key of --tls-cert
  --client-ca PATH             PEM certificate authorities that sign client
                               certificates: mutual TLS, every connection
                               must present one (needs --tls-cert)
  --allow-plaintext            listen without TLS on an address other than
                               loopback (when something else encrypts the
                               traffic); refused otherwise
  --health-listen HOST:PORT    also serve gRPC health checking alone, in
                               plaintext, here (for probes that cannot
                               present TLS or client certificates)
  --lever-production-url URL   Lever API of the production environment
                               (default https://api.lever.co/v1)
  --lever-sandbox-url URL      Lever API of the sandbox environment
                               (default https://api.sandbox.lever.co/v1)
  --lever-rate N               requests per second allowed to each Lever API
                               key, shared by every use of the key (default 9,
                               a little under Lever's 10)
  --lever-burst N              requests one key may send at once after a
                               quiet spell (default 18; Lever allows 20)
  --max-imports N              most imports streamed at once; more are
                               refused with RESOURCE_EXHAUSTED (default 64)
  --pigment-url URL            Pigment's API (default https://pigment.app)
  --pigment-key-file PATH      file holding the Pigment import API key that
                               import runs push with; else the environment
                               variable LEVERCONNECT_PIGMENT_KEY holds it.
                               Without either, StartImport is refused
  --max-runs N                 import runs into Pigment executed at once
                               (default 2)
  --max-queued-runs N          import runs waiting for a worker; more are
                               refused with RESOURCE_EXHAUSTED (default 100)
  --pigment-max-wait DURATION  how long a run waits for Pigment to finish
                               its import, e.g. 30m (default 30m)
  --metrics-listen HOST:PORT   serve Prometheus metrics over plain HTTP at
                               http://HOST:PORT/metrics (default: none)
  --log-level LEVEL            debug, info, warning or error (default info)
  --shutdown-grace DURATION    how long running calls may finish after
                               SIGTERM, e.g. 20s (default 20s); keep it
                               shorter than the pod's termination grace
  --help                       print this text
)";

struct Flags {
  std::map<std::string, std::string> values = {
      {"listen", "127.0.0.1:50051"},
      {"port-file", ""},
      {"state-dir", "state"},
      {"database", ""},
      {"database-url-file", ""},
      {"database-wait", "30s"},
      {"master-key-file", ""},
      {"master-keyring-file", ""},
      {"principals-file", ""},
      {"tls-cert", ""},
      {"tls-key", ""},
      {"client-ca", ""},
      {"health-listen", ""},
      {"metrics-listen", ""},
      {"lever-production-url", "https://api.lever.co/v1"},
      {"lever-sandbox-url", "https://api.sandbox.lever.co/v1"},
      {"max-imports", "64"},
      {"pigment-url", "https://pigment.app"},
      {"pigment-key-file", ""},
      {"max-runs", "2"},
      {"max-queued-runs", "100"},
      {"pigment-max-wait", "30m"},
      {"lever-rate", "9"},
      {"lever-burst", "18"},
      {"log-level", "info"},
      {"shutdown-grace", "20s"},
  };
  bool rekey = false;
  bool no_auth = false;
  bool allow_plaintext = false;
};

// Fills `flags` from argv; false (after printing why) on a bad flag.
bool ParseFlags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (arg == "--rekey") {
      flags.rekey = true;
      continue;
    }
    if (arg == "--no-auth") {
      flags.no_auth = true;
      continue;
    }
    if (arg == "--allow-plaintext") {
      flags.allow_plaintext = true;
      continue;
    }
    if (!absl::StartsWith(arg, "--")) {
      std::fprintf(stderr, "leverconnect-server: unexpected argument %s\n",
                   arg.c_str());
      return false;
    }
    std::string name = arg.substr(2);
    std::string value;
    const std::size_t equals = name.find('=');
    const bool inline_value = equals != std::string::npos;
    if (inline_value) {
      value = name.substr(equals + 1);
      name = name.substr(0, equals);
    }
    auto known = flags.values.find(name);
    if (known == flags.values.end()) {
      std::fprintf(stderr,
                   "leverconnect-server: unknown flag --%s (see --help)\n",
                   name.c_str());
      return false;
    }
    if (!inline_value && i + 1 >= argc) {
      std::fprintf(stderr, "leverconnect-server: --%s needs a value\n",
                   name.c_str());
      return false;
    }
    if (!inline_value) value = argv[++i];
    known->second = value;
  }
  return true;
}

absl::StatusOr<leverconnect::crypto::SecretBox> LoadMasterKey(
    const std::string& path, const std::string& keyring_path) {
  using leverconnect::crypto::SecretBox;
  if (!path.empty() && !keyring_path.empty()) {
    return absl::InvalidArgumentError(
        "pass --master-key-file or --master-keyring-file, not both");
  }
  if (!keyring_path.empty()) return SecretBox::FromKeyringFile(keyring_path);
  if (!path.empty()) return SecretBox::FromKeyFile(path);
  const char* encoded = std::getenv("LEVERCONNECT_MASTER_KEY");
  if (encoded == nullptr || *encoded == '\0') {
    return absl::FailedPreconditionError(
        "no master key: pass --master-key-file or --master-keyring-file, or "
        "set LEVERCONNECT_MASTER_KEY");
  }
  return leverconnect::crypto::SecretBox::FromEncodedKey(encoded);
}

// The secret in the file at `path` (named by `flag`), else in the
// environment variable `variable`; empty when neither holds one.
// Surrounding whitespace is dropped. Errors name the file, never its text.
absl::StatusOr<std::string> LoadSecret(const std::string& path,
                                       const char* flag, const char* variable) {
  std::string secret;
  if (!path.empty()) {
    std::ifstream file(path, std::ios::binary);
    std::stringstream content;
    content << file.rdbuf();
    if (!file) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read ", flag, " '", path, "'"));
    }
    secret = std::string(absl::StripAsciiWhitespace(content.str()));
    if (secret.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat(flag, " '", path, "' is empty"));
    }
    return secret;
  }
  const char* from_environment = std::getenv(variable);
  if (from_environment != nullptr) {
    secret = std::string(absl::StripAsciiWhitespace(from_environment));
  }
  return secret;
}

// The database connection string: --database, else the file named by
// --database-url-file, else LEVERCONNECT_DATABASE_URL; empty (SQLite) when
// none holds one.
absl::StatusOr<std::string> LoadDatabaseUrl(const std::string& url,
                                            const std::string& path) {
  if (!url.empty() && !path.empty()) {
    return absl::InvalidArgumentError(
        "pass --database or --database-url-file, not both");
  }
  if (!url.empty()) return url;
  return LoadSecret(path, "--database-url-file", "LEVERCONNECT_DATABASE_URL");
}

// Logs the version numbers of the master keys; never a key.
void LogMasterKeys(const leverconnect::crypto::SecretBox& secret_box) {
  const std::string versions = absl::StrJoin(secret_box.versions(), ",");
  Log(Severity::kInfo, "master keys loaded",
      {{"versions", versions},
       {"newest", static_cast<std::int64_t>(secret_box.newest_version())}});
}

// Re-encrypts the connections of the store `options` choose; an SQLite
// file must exist already.
absl::StatusOr<leverconnect::server::RekeyResult> RekeyStore(
    const leverconnect::server::ServerOptions& options,
    const leverconnect::crypto::SecretBox& secret_box) {
  const std::string path =
      leverconnect::storage::StateDatabasePath(options.state_dir);
  if (options.database_url.empty() && !std::filesystem::exists(path)) {
    return absl::NotFoundError(
        absl::StrCat("no database at '", path, "'; is --state-dir right?"));
  }
  auto stores = leverconnect::server::OpenStores(options);
  if (!stores.ok()) return stores.status();
  return leverconnect::server::RekeyConnections(*stores->connections,
                                                secret_box);
}

// The --rekey mode; returns the exit code.
int Rekey(const leverconnect::server::ServerOptions& options,
          const leverconnect::crypto::SecretBox& secret_box) {
  auto result = RekeyStore(options, secret_box);
  if (!result.ok()) {
    Log(Severity::kError, "cannot re-encrypt", {{"error", result.status()}});
    return 1;
  }
  for (const auto& failure : result->failures) {
    std::fprintf(stderr, "%s\n",
                 leverconnect::server::DescribeFailure(failure).c_str());
  }
  std::printf("%s\n", leverconnect::server::RekeySummary(*result).c_str());
  return result->failures.empty() ? 0 : 1;
}

bool WritePortFile(const std::string& path, int port) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(temporary.c_str(), path.c_str()) == 0;
}

int Fail(const absl::Status& status) {
  Log(Severity::kError, "cannot start", {{"error", status}});
  return 1;
}

// Protobuf and gRPC write their own messages (for example about a request
// that does not parse); these keep the log one JSON object per line.
void LogProtobufMessage(google::protobuf::LogLevel level, const char* file,
                        int line, const std::string& message) {
  Log(level >= google::protobuf::LOGLEVEL_ERROR ? Severity::kWarning
                                                : Severity::kInfo,
      "protobuf", {{"detail", message}, {"file", file}, {"line", line}});
}

void LogGrpcMessage(gpr_log_func_args* args) {
  const Severity severity =
      args->severity == GPR_LOG_SEVERITY_ERROR  ? Severity::kError
      : args->severity == GPR_LOG_SEVERITY_INFO ? Severity::kInfo
                                                : Severity::kDebug;
  Log(severity, "grpc",
      {{"detail", args->message}, {"file", args->file}, {"line", args->line}});
}

}  // namespace

int main(int argc, char** argv) {
  google::protobuf::SetLogHandler(&LogProtobufMessage);
  gpr_set_log_function(&LogGrpcMessage);
  Flags flags;
  if (!ParseFlags(argc, argv, flags)) return 2;
  auto& values = flags.values;
  Severity severity;
  absl::Duration grace;
  leverconnect::server::ServerOptions options;
  auto& budget = options.lever.budget;
  const char* bad_flag = nullptr;
  if (!leverconnect::log::ParseSeverity(values["log-level"], &severity)) {
    bad_flag = "--log-level must be debug, info, warning or error";
  } else if (!absl::ParseDuration(values["shutdown-grace"], &grace) ||
             grace < absl::ZeroDuration()) {
    bad_flag = "--shutdown-grace must be a duration such as 20s";
  } else if (!absl::ParseDuration(values["database-wait"],
                                  &options.database_wait) ||
             options.database_wait < absl::Seconds(1) ||
             options.database_wait == absl::InfiniteDuration()) {
    bad_flag = "--database-wait must be a duration of at least 1s, such as 30s";
  } else if (!absl::SimpleAtoi(values["max-imports"],
                               &options.max_concurrent_imports) ||
             options.max_concurrent_imports < 1) {
    bad_flag = "--max-imports must be a whole number of at least 1";
  } else if (!absl::SimpleAtoi(values["max-runs"], &options.runs.workers) ||
             options.runs.workers < 1) {
    bad_flag = "--max-runs must be a whole number of at least 1";
  } else if (!absl::SimpleAtoi(values["max-queued-runs"],
                               &options.runs.max_queued) ||
             options.runs.max_queued < 1) {
    bad_flag = "--max-queued-runs must be a whole number of at least 1";
  } else if (!absl::ParseDuration(values["pigment-max-wait"],
                                  &options.runs.pigment_wait.max_wait) ||
             options.runs.pigment_wait.max_wait <= absl::ZeroDuration()) {
    bad_flag = "--pigment-max-wait must be a duration such as 30m";
  } else if (!absl::SimpleAtod(values["lever-rate"], &budget.rate) ||
             !(budget.rate > 0)) {
    bad_flag = "--lever-rate must be a number above 0";
  } else if (!absl::SimpleAtod(values["lever-burst"], &budget.burst) ||
             !(budget.burst >= 1)) {
    bad_flag = "--lever-burst must be a number of at least 1";
  }
  if (bad_flag != nullptr) {
    std::fprintf(stderr, "leverconnect-server: %s\n", bad_flag);
    return 2;
  }
  leverconnect::log::SetMinimumSeverity(severity);

  // Signals are taken by sigwait below, never by another thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<leverconnect::crypto::SecretBox> secret_box =
      LoadMasterKey(values["master-key-file"], values["master-keyring-file"]);
  if (!secret_box.ok()) return Fail(secret_box.status());
  LogMasterKeys(*secret_box);
  options.state_dir = values["state-dir"];
  absl::StatusOr<std::string> database_url =
      LoadDatabaseUrl(values["database"], values["database-url-file"]);
  if (!database_url.ok()) return Fail(database_url.status());
  options.database_url = std::move(*database_url);
  if (flags.rekey) {
    pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);  // let ^C stop it
    return Rekey(options, *secret_box);
  }
  options.listen_address = values["listen"];
  options.principals_file = values["principals-file"];
  options.no_auth = flags.no_auth;
  options.tls_certificate_file = values["tls-cert"];
  options.tls_key_file = values["tls-key"];
  options.client_ca_file = values["client-ca"];
  options.allow_plaintext = flags.allow_plaintext;
  options.health_listen_address = values["health-listen"];
  options.metrics_listen_address = values["metrics-listen"];
  options.master_key_file = values["master-keyring-file"].empty()
                                ? values["master-key-file"]
                                : values["master-keyring-file"];
  options.lever.base_urls[leverconnect::v1::ENVIRONMENT_PRODUCTION] =
      values["lever-production-url"];
  options.lever.base_urls[leverconnect::v1::ENVIRONMENT_SANDBOX] =
      values["lever-sandbox-url"];
  absl::StatusOr<std::string> pigment_key =
      LoadSecret(values["pigment-key-file"], "--pigment-key-file",
                 "LEVERCONNECT_PIGMENT_KEY");
  if (!pigment_key.ok()) return Fail(pigment_key.status());
  options.runs.pigment_import_key = std::move(*pigment_key);
  options.runs.pigment_url = values["pigment-url"];
  if (options.runs.pigment_import_key.empty()) {
    Log(Severity::kWarning,
        "no Pigment import key: import runs into Pigment are refused",
        {{"hint", "pass --pigment-key-file or set LEVERCONNECT_PIGMENT_KEY"}});
  }
  auto server =
      leverconnect::server::Server::Start(options, std::move(*secret_box));
  if (!server.ok()) return Fail(server.status());
  if (!values["port-file"].empty() &&
      !WritePortFile(values["port-file"], (*server)->port())) {
    return Fail(absl::FailedPreconditionError("cannot write --port-file"));
  }

  int received = 0;
  sigwait(&signals, &received);
  Log(Severity::kInfo, "signal received", {{"signal", received}});
  (*server)->Shutdown(grace);
  return 0;
}

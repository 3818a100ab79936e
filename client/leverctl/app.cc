#include "client/leverctl/app.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "client/leverctl/argument_values.h"
#include "client/leverctl/commands.h"
#include "client/leverctl/session.h"

namespace leverconnect::leverctl {
namespace {

constexpr absl::string_view kDescription =
    "leverctl manages the Lever connections of a leverconnect server, "
    "imports\n"
    "Lever requisitions through them as typed rows, and runs imports of "
    "them\n"
    "into Pigment.\n";

constexpr absl::string_view kEpilogue =
    "The Lever API key (connections create, connections rotate-key) is read "
    "from\n"
    "LEVER_API_KEY when it is set, else from standard input (one line; on a\n"
    "terminal leverctl asks for it without echo). It is never taken from a "
    "flag.\n"
    "\n"
    "The token that identifies you to the server is read from "
    "LEVERCONNECT_TOKEN\n"
    "when it is set and not empty, else from the file named by --token-file\n"
    "(surrounding whitespace removed), and sent as \"authorization: Bearer\n"
    "<token>\". It is never taken from a flag, and never printed. --ca-cert "
    "turns\n"
    "TLS on; --client-cert and --client-key add a client certificate (mutual "
    "TLS).\n"
    "\n"
    "Environment:\n"
    "  LEVERCONNECT_SERVER       the server when --server is not given\n"
    "  LEVERCONNECT_TOKEN        the token; used instead of --token-file\n"
    "  LEVERCONNECT_CA_CERT      the file of --ca-cert when it is not given\n"
    "  LEVERCONNECT_CLIENT_CERT  the file of --client-cert when it is not "
    "given\n"
    "  LEVERCONNECT_CLIENT_KEY   the file of --client-key when it is not "
    "given\n"
    "  LEVER_API_KEY             the Lever API key for create and rotate-key\n"
    "\n"
    "Exit codes:\n"
    "  0   success\n"
    "  1   the server returned an error, shown as \"leverctl: CODE: "
    "message\"\n"
    "  2   usage error: a flag, argument, value or file is wrong or missing\n"
    "  3   connections test: the connection is not ready\n"
    "  4   imports start --wait, imports watch: the run failed or was "
    "cancelled\n"
    "  5   requisitions plan, apply: a row is invalid, or was not written\n"
    "      (conflict, failed, not attempted)\n"
    "  6   requisitions apply: the confirmation was declined; nothing was "
    "written\n"
    "\n"
    "Run 'leverctl <group> <command> --help' for the flags of a command.\n";

constexpr absl::string_view kApiKeyRefusal =
    "the Lever API key is never taken from the command line, where other "
    "users can see it in the process list and the shell keeps it in its "
    "history; set LEVER_API_KEY or pipe the key on standard input";

constexpr absl::string_view kTokenRefusal =
    "the token is never taken from the command line, where other users can "
    "see it in the process list and the shell keeps it in its history; set "
    "LEVERCONNECT_TOKEN or give --token-file PATH";

std::vector<FlagSpec> GlobalFlags() {
  return {
      {"server", "HOST:PORT",
       "the leverconnect server; default $LEVERCONNECT_SERVER, else "
       "127.0.0.1:50051"},
      {"output", "FORMAT", "table, csv or json (default table)", false, false,
       'o'},
      {"timeout", "DURATION",
       "give up a call after this long, e.g. 30s or 5m; 0 waits forever "
       "(default 30s; none for requisitions import)"},
      {"token-file", "PATH",
       "read the token from this file when LEVERCONNECT_TOKEN is not set"},
      {"ca-cert", "PATH",
       "PEM root certificates that sign the server's certificate; turns TLS "
       "on (default $LEVERCONNECT_CA_CERT)"},
      {"client-cert", "PATH",
       "PEM client certificate for mutual TLS; needs --client-key and "
       "--ca-cert (default $LEVERCONNECT_CLIENT_CERT)"},
      {"client-key", "PATH",
       "PEM private key of --client-cert (default $LEVERCONNECT_CLIENT_KEY)"},
      {"help", "", "show help", false, false, 'h'},
  };
}

// The spec the parser reads and, index for index, what runs each command.
struct Tool {
  CommandLineSpec spec;
  std::vector<Command> commands;
};

const Tool& Leverctl() {
  static const Tool* const tool = [] {
    auto* built = new Tool;
    built->commands = ConnectionCommands();
    for (Command& command : RequisitionCommands()) {
      built->commands.push_back(std::move(command));
    }
    for (Command& command : WriteBackCommands()) {
      built->commands.push_back(std::move(command));
    }
    for (Command& command : ImportRunCommands()) {
      built->commands.push_back(std::move(command));
    }
    CommandLineSpec& spec = built->spec;
    spec.program = "leverctl";
    spec.description = kDescription;
    spec.epilogue = kEpilogue;
    spec.global_flags = GlobalFlags();
    spec.refused_flags = {{"api-key", kApiKeyRefusal},
                          {"api_key", kApiKeyRefusal},
                          {"lever-api-key", kApiKeyRefusal},
                          {"token", kTokenRefusal},
                          {"bearer-token", kTokenRefusal}};
    spec.groups = {{"connections", "Lever API keys and who may use them"},
                   {"requisitions",
                    "read Lever requisitions, and write planned ones back"},
                   {"imports", "import runs into Pigment, in the background"}};
    for (const Command& command : built->commands) {
      spec.commands.push_back(command.spec);
    }
    return built;
  }();
  return *tool;
}

// Files leverctl reads are small: a token, certificates, a key. A limit
// keeps a wrong path such as /dev/zero from reading forever.
constexpr size_t kMaxFileSize = 1 << 20;

// A file named by a flag or, when the flag is absent, by an environment
// variable.
struct FileSetting {
  std::string source;  // what named it: "--ca-cert" or "LEVERCONNECT_CA_CERT"
  std::string path;    // empty when neither names a file

  bool given() const { return !path.empty(); }
};

FileSetting FileFrom(const Invocation& invocation,
                     const Environment& environment, absl::string_view flag,
                     const std::string& variable) {
  if (invocation.Has(flag)) {
    return {absl::StrCat("--", flag), invocation.Value(flag)};
  }
  return {variable, environment.variable(variable).value_or("")};
}

// "the --ca-cert file '/etc/ca.pem'", for messages.
std::string FileDescription(const FileSetting& file) {
  return absl::StrCat("the ", file.source, " file '", file.path, "'");
}

absl::Status FileError(const FileSetting& file, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(FileDescription(file), " ", problem));
}

absl::Status UnreadableFile(const FileSetting& file, int error) {
  return absl::InvalidArgumentError(absl::StrCat(
      "cannot read ", FileDescription(file), ": ", std::strerror(error)));
}

// The contents of the file `file` names; INVALID_ARGUMENT naming the source
// and the path when it cannot be read.
absl::StatusOr<std::string> ReadFile(const FileSetting& file) {
  const int descriptor = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) return UnreadableFile(file, errno);
  std::string contents;
  char buffer[4096];
  ssize_t size = 0;
  while (contents.size() <= kMaxFileSize &&
         (size = ::read(descriptor, buffer, sizeof(buffer))) != 0) {
    if (size < 0 && errno == EINTR) continue;
    if (size < 0) break;
    contents.append(buffer, static_cast<size_t>(size));
  }
  const int read_error = size < 0 ? errno : 0;
  ::close(descriptor);
  if (read_error != 0) return UnreadableFile(file, read_error);
  if (contents.size() > kMaxFileSize) {
    return FileError(file, "is larger than 1 MiB");
  }
  return contents;
}

// ReadFile, and the contents must hold a PEM block.
absl::StatusOr<std::string> ReadPemFile(const FileSetting& file) {
  absl::StatusOr<std::string> contents = ReadFile(file);
  if (contents.ok() && !absl::StrContains(*contents, "-----BEGIN ")) {
    return FileError(file, "holds no PEM block (-----BEGIN ...)");
  }
  return contents;
}

// `token` without surrounding whitespace; INVALID_ARGUMENT naming `source`
// (never showing the token) when nothing is left or it could not be sent.
absl::StatusOr<std::string> CheckedToken(absl::string_view token,
                                         absl::string_view source) {
  token = absl::StripAsciiWhitespace(token);
  if (token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the token ", source, " is empty"));
  }
  for (const char c : token) {
    if (!absl::ascii_isgraph(static_cast<unsigned char>(c))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the token ", source,
          " has a space, a line break or a non-ASCII character inside"));
    }
  }
  return std::string(token);
}

// The token from LEVERCONNECT_TOKEN when it is set and not empty, else from
// the file of --token-file, else empty: no token.
absl::StatusOr<std::string> ResolveToken(const Invocation& invocation,
                                         const Environment& environment) {
  const std::string variable =
      environment.variable("LEVERCONNECT_TOKEN").value_or("");
  if (!variable.empty()) return CheckedToken(variable, "in LEVERCONNECT_TOKEN");
  const FileSetting file = {"--token-file", invocation.Value("token-file")};
  if (!file.given()) return std::string();
  absl::StatusOr<std::string> contents = ReadFile(file);
  if (!contents.ok()) return contents.status();
  return CheckedToken(*contents, absl::StrCat("in ", FileDescription(file)));
}

// What is missing when only one of a client certificate and its key, or a
// client certificate without root certificates, is given.
absl::Status CheckTlsFiles(const FileSetting& ca, const FileSetting& cert,
                           const FileSetting& key) {
  if (cert.given() && !key.given()) {
    return absl::InvalidArgumentError(absl::StrCat(
        cert.source,
        " needs --client-key (or LEVERCONNECT_CLIENT_KEY): a client "
        "certificate goes with its private key"));
  }
  if (key.given() && !cert.given()) {
    return absl::InvalidArgumentError(absl::StrCat(
        key.source,
        " needs --client-cert (or LEVERCONNECT_CLIENT_CERT): a private key "
        "goes with its client certificate"));
  }
  if (cert.given() && !ca.given()) {
    return absl::InvalidArgumentError(absl::StrCat(
        cert.source,
        " needs --ca-cert (or LEVERCONNECT_CA_CERT): mutual TLS needs the "
        "root certificates that sign the server's certificate"));
  }
  return absl::OkStatus();
}

// Reads the PEM file `file` names into `pem`, when it names one.
absl::Status ReadPemInto(const FileSetting& file, std::string& pem) {
  if (!file.given()) return absl::OkStatus();
  absl::StatusOr<std::string> contents = ReadPemFile(file);
  if (!contents.ok()) return contents.status();
  pem = *std::move(contents);
  return absl::OkStatus();
}

// The certificates of --ca-cert, --client-cert and --client-key, or of their
// variables, into `options`.
absl::Status ResolveTls(const Invocation& invocation,
                        const Environment& environment,
                        client::ClientOptions& options) {
  const FileSetting ca =
      FileFrom(invocation, environment, "ca-cert", "LEVERCONNECT_CA_CERT");
  const FileSetting cert = FileFrom(invocation, environment, "client-cert",
                                    "LEVERCONNECT_CLIENT_CERT");
  const FileSetting key = FileFrom(invocation, environment, "client-key",
                                   "LEVERCONNECT_CLIENT_KEY");
  absl::Status status = CheckTlsFiles(ca, cert, key);
  if (status.ok()) status = ReadPemInto(ca, options.root_certificates);
  if (status.ok()) status = ReadPemInto(cert, options.client_certificate);
  if (status.ok()) status = ReadPemInto(key, options.client_key);
  return status;
}

absl::StatusOr<client::ClientOptions> ResolveClientOptions(
    const Invocation& invocation, const Environment& environment) {
  client::ClientOptions options;
  absl::Status tls = ResolveTls(invocation, environment, options);
  if (!tls.ok()) return tls;
  absl::StatusOr<std::string> token = ResolveToken(invocation, environment);
  if (!token.ok()) return token.status();
  options.token = *std::move(token);
  return options;
}

std::string ResolveServer(const Invocation& invocation,
                          const Environment& environment) {
  std::string server = invocation.Value("server");
  if (server.empty()) {
    server = environment.variable("LEVERCONNECT_SERVER").value_or("");
  }
  return server.empty() ? std::string(kDefaultServer) : server;
}

absl::StatusOr<client::OutputFormat> ResolveFormat(
    const Invocation& invocation) {
  if (!invocation.Has("output")) return client::OutputFormat::kTable;
  std::optional<client::OutputFormat> format =
      client::ParseOutputFormat(invocation.Value("output"));
  if (!format.has_value()) {
    return absl::InvalidArgumentError(
        "--output: '" + invocation.Value("output") +
        "' is not a format; use table, csv or json");
  }
  return *format;
}

absl::StatusOr<client::CallOptions> ResolveCallOptions(
    const Invocation& invocation, absl::Duration default_timeout) {
  client::CallOptions options;
  options.timeout = default_timeout;
  if (!invocation.Has("timeout")) return options;
  absl::StatusOr<absl::Duration> timeout =
      ParseTimeout(invocation.Value("timeout"));
  if (!timeout.ok()) return timeout.status();
  options.timeout = *timeout;
  return options;
}

struct GlobalOptions {
  std::string server;
  client::OutputFormat format = client::OutputFormat::kTable;
  client::CallOptions call_options;
  client::ClientOptions client_options;  // holds the token: never print it
};

absl::StatusOr<GlobalOptions> ResolveGlobalOptions(
    const Invocation& invocation, const Environment& environment,
    absl::Duration default_timeout) {
  GlobalOptions options;
  options.server = ResolveServer(invocation, environment);
  absl::StatusOr<client::OutputFormat> format = ResolveFormat(invocation);
  if (!format.ok()) return format.status();
  options.format = *format;
  absl::StatusOr<client::CallOptions> call_options =
      ResolveCallOptions(invocation, default_timeout);
  if (!call_options.ok()) return call_options.status();
  options.call_options = *call_options;
  absl::StatusOr<client::ClientOptions> client_options =
      ResolveClientOptions(invocation, environment);
  if (!client_options.ok()) return client_options.status();
  options.client_options = *std::move(client_options);
  return options;
}

}  // namespace

const CommandLineSpec& LeverctlSpec() { return Leverctl().spec; }

int RunLeverctl(const std::vector<std::string>& arguments,
                Environment& environment) {
  const Tool& tool = Leverctl();
  const Invocation invocation = ParseCommandLine(tool.spec, arguments);
  const std::string help_command = HelpCommandFor(tool.spec, invocation);
  if (!invocation.error.empty()) {
    PrintUsageError(invocation.error, help_command, *environment.err);
    return kUsageError;
  }
  if (invocation.help) {
    *environment.out << HelpFor(tool.spec, invocation);
    return kSuccess;
  }

  const Command& command = tool.commands[invocation.command_index];
  absl::StatusOr<GlobalOptions> options =
      ResolveGlobalOptions(invocation, environment, command.default_timeout);
  if (!options.ok()) {
    PrintUsageError(options.status().message(), help_command, *environment.err);
    return kUsageError;
  }

  const client::ClientOptions& client_options = options->client_options;
  Session session(
      environment, help_command, options->format, options->call_options,
      options->server,
      /*client_certificate=*/!client_options.client_certificate.empty(),
      environment.connect(options->server, client_options));
  return command.run(invocation, session);
}

}  // namespace leverconnect::leverctl

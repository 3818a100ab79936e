#include "client/leverctl/app.h"

#include <utility>

#include "absl/status/statusor.h"
#include "client/leverctl/argument_values.h"
#include "client/leverctl/commands.h"
#include "client/leverctl/session.h"

namespace leverconnect::leverctl {
namespace {

constexpr absl::string_view kDescription =
    "leverctl manages the Lever connections of a leverconnect server and "
    "imports\n"
    "Lever requisitions through them as typed rows.\n";

constexpr absl::string_view kEpilogue =
    "The Lever API key (connections create, connections rotate-key) is read "
    "from\n"
    "LEVER_API_KEY when it is set, else from standard input (one line; on a\n"
    "terminal leverctl asks for it without echo). It is never taken from a "
    "flag.\n"
    "\n"
    "Environment:\n"
    "  LEVERCONNECT_SERVER   the server when --server is not given\n"
    "  LEVER_API_KEY         the Lever API key for create and rotate-key\n"
    "\n"
    "Exit codes:\n"
    "  0   success\n"
    "  1   the server returned an error, shown as \"leverctl: CODE: "
    "message\"\n"
    "  2   usage error: a flag, argument or value is wrong or missing\n"
    "  3   connections test: the connection is not ready\n"
    "\n"
    "Run 'leverctl <group> <command> --help' for the flags of a command.\n";

constexpr absl::string_view kApiKeyRefusal =
    "the Lever API key is never taken from the command line, where other "
    "users can see it in the process list and the shell keeps it in its "
    "history; set LEVER_API_KEY or pipe the key on standard input";

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
    CommandLineSpec& spec = built->spec;
    spec.program = "leverctl";
    spec.description = kDescription;
    spec.epilogue = kEpilogue;
    spec.global_flags = GlobalFlags();
    spec.refused_flags = {{"api-key", kApiKeyRefusal},
                          {"api_key", kApiKeyRefusal},
                          {"lever-api-key", kApiKeyRefusal}};
    spec.groups = {
        {"connections", "Lever API keys and who may use them"},
        {"requisitions", "read Lever requisitions through a connection"}};
    for (const Command& command : built->commands) {
      spec.commands.push_back(command.spec);
    }
    return built;
  }();
  return *tool;
}

struct GlobalOptions {
  std::string server;
  client::OutputFormat format = client::OutputFormat::kTable;
  client::CallOptions call_options;
};

absl::StatusOr<GlobalOptions> ResolveGlobalOptions(
    const Invocation& invocation, const Environment& environment,
    absl::Duration default_timeout) {
  GlobalOptions options;
  options.server = invocation.Value("server");
  if (options.server.empty()) {
    options.server =
        environment.variable("LEVERCONNECT_SERVER").value_or(kDefaultServer);
  }
  if (options.server.empty()) options.server = kDefaultServer;

  if (invocation.Has("output")) {
    std::optional<client::OutputFormat> format =
        client::ParseOutputFormat(invocation.Value("output"));
    if (!format.has_value()) {
      return absl::InvalidArgumentError(
          "--output: '" + invocation.Value("output") +
          "' is not a format; use table, csv or json");
    }
    options.format = *format;
  }

  options.call_options.timeout = default_timeout;
  if (invocation.Has("timeout")) {
    absl::StatusOr<absl::Duration> timeout =
        ParseTimeout(invocation.Value("timeout"));
    if (!timeout.ok()) return timeout.status();
    options.call_options.timeout = *timeout;
  }
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

  Session session(environment, help_command, options->format,
                  options->call_options, options->server,
                  environment.connect(options->server));
  return command.run(invocation, session);
}

}  // namespace leverconnect::leverctl

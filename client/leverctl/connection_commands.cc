// leverctl connections create | list | get | update | delete | test |
// rotate-key.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/leverctl/api_key.h"
#include "client/leverctl/argument_values.h"
#include "client/leverctl/commands.h"

namespace leverconnect::leverctl {
namespace {

using client::OutputFormat;

FlagSpec EtagFlag() {
  return ValueFlag("etag", "ETAG",
                   "fail with ABORTED if the connection changed since this "
                   "etag was read");
}

// --write-back enabled|disabled.
absl::StatusOr<bool> ParseWriteBack(absl::string_view text) {
  if (text == "enabled" || text == "disabled") return text == "enabled";
  return absl::InvalidArgumentError("--write-back must be enabled or disabled");
}

FlagSpec WriteBackFlag() {
  return ValueFlag("write-back", "enabled|disabled",
                   "whether 'requisitions apply' may create and update "
                   "requisitions in Lever through the connection (default "
                   "disabled)");
}

int CreateConnection(const Invocation& invocation, Session& session) {
  v1::CreateConnectionRequest request;
  request.set_connection_id(ConnectionId(invocation.argument));
  request.set_request_id(invocation.Value("request-id"));
  request.set_skip_key_check(invocation.Enabled("skip-key-check"));
  v1::Connection& connection = *request.mutable_connection();
  connection.set_display_name(invocation.Value("display-name"));
  for (const std::string& application : invocation.Values("application")) {
    connection.add_allowed_applications(application);
  }

  absl::StatusOr<v1::Environment> environment =
      ParseEnvironment(invocation.Value("environment"));
  if (!environment.ok()) {
    return session.UsageError(environment.status().message());
  }
  connection.set_environment(*environment);
  if (invocation.Has("write-back")) {
    absl::StatusOr<bool> write_back =
        ParseWriteBack(invocation.Value("write-back"));
    if (!write_back.ok()) {
      return session.UsageError(write_back.status().message());
    }
    connection.set_write_back_enabled(*write_back);
  }

  absl::StatusOr<std::string> api_key = ReadApiKey(session.environment());
  if (!api_key.ok()) return session.UsageError(api_key.status().message());
  connection.set_api_key(*std::move(api_key));

  absl::StatusOr<v1::Connection> created =
      session.client().CreateConnection(request, session.call_options());
  if (!created.ok()) return session.ServerError(created.status());
  return session.Finish(
      client::PrintConnection(*created, session.format(), session.out()));
}

int ListConnections(const Invocation& invocation, Session& session) {
  v1::ListConnectionsRequest request;
  request.set_application(invocation.Value("application"));
  if (invocation.Has("page-size")) {
    absl::StatusOr<int> page_size =
        ParsePositiveInteger("page-size", invocation.Value("page-size"));
    if (!page_size.ok())
      return session.UsageError(page_size.status().message());
    request.set_page_size(*page_size);
  }

  std::vector<v1::Connection> connections;
  do {
    absl::StatusOr<v1::ListConnectionsResponse> page =
        session.client().ListConnections(request, session.call_options());
    if (!page.ok()) return session.ServerError(page.status());
    for (v1::Connection& connection : *page->mutable_connections()) {
      connections.push_back(std::move(connection));
    }
    if (!page->next_page_token().empty() &&
        page->next_page_token() == request.page_token()) {
      return session.ServerError(
          absl::InternalError("the server returned the same page token twice"));
    }
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());

  if (connections.empty() && session.format() == OutputFormat::kTable) {
    session.err() << "no connections\n";
    return kSuccess;
  }
  return session.Finish(
      client::PrintConnections(connections, session.format(), session.out()));
}

int GetConnection(const Invocation& invocation, Session& session) {
  v1::GetConnectionRequest request;
  request.set_name(ConnectionName(invocation.argument));
  absl::StatusOr<v1::Connection> connection =
      session.client().GetConnection(request, session.call_options());
  if (!connection.ok()) return session.ServerError(connection.status());
  return session.Finish(
      client::PrintConnection(*connection, session.format(), session.out()));
}

// Sets the fields the flags name and their update_mask paths; a usage
// error when a value is wrong.
absl::Status FillUpdate(const Invocation& invocation,
                        v1::UpdateConnectionRequest& request) {
  v1::Connection& connection = *request.mutable_connection();
  google::protobuf::FieldMask& mask = *request.mutable_update_mask();
  if (invocation.Has("display-name")) {
    connection.set_display_name(invocation.Value("display-name"));
    mask.add_paths("display_name");
  }
  if (invocation.Has("environment")) {
    absl::StatusOr<v1::Environment> environment =
        ParseEnvironment(invocation.Value("environment"));
    if (!environment.ok()) return environment.status();
    connection.set_environment(*environment);
    mask.add_paths("environment");
  }
  if (invocation.Has("application")) {
    for (const std::string& application : invocation.Values("application")) {
      connection.add_allowed_applications(application);
    }
    mask.add_paths("allowed_applications");
  }
  if (invocation.Has("write-back")) {
    absl::StatusOr<bool> write_back =
        ParseWriteBack(invocation.Value("write-back"));
    if (!write_back.ok()) return write_back.status();
    connection.set_write_back_enabled(*write_back);
    mask.add_paths("write_back_enabled");
  }
  if (mask.paths().empty()) {
    return absl::InvalidArgumentError(
        "nothing to update: give --display-name, --environment, "
        "--application or --write-back");
  }
  return absl::OkStatus();
}

int UpdateConnection(const Invocation& invocation, Session& session) {
  v1::UpdateConnectionRequest request;
  request.mutable_connection()->set_name(ConnectionName(invocation.argument));
  request.set_etag(invocation.Value("etag"));
  absl::Status filled = FillUpdate(invocation, request);
  if (!filled.ok()) return session.UsageError(filled.message());

  absl::StatusOr<v1::Connection> updated =
      session.client().UpdateConnection(request, session.call_options());
  if (!updated.ok()) return session.ServerError(updated.status());
  return session.Finish(
      client::PrintConnection(*updated, session.format(), session.out()));
}

int DeleteConnection(const Invocation& invocation, Session& session) {
  v1::DeleteConnectionRequest request;
  request.set_name(ConnectionName(invocation.argument));
  request.set_etag(invocation.Value("etag"));
  absl::Status deleted =
      session.client().DeleteConnection(request, session.call_options());
  if (!deleted.ok()) return session.ServerError(deleted);
  session.err() << "deleted " << request.name() << "\n";
  return session.Finish(client::PrintEmpty(session.format(), session.out()));
}

// Why a connection is not ready, for a person.
std::string NotReadyReason(const v1::TestConnectionResponse& result) {
  if (!result.api_key_accepted()) return "Lever rejected the API key";
  std::vector<std::string> missing;
  for (const v1::PermissionCheck& check : result.checks()) {
    if (check.result() == v1::PermissionCheck::RESULT_GRANTED) continue;
    missing.push_back(absl::StrCat("'", check.permission(), "'"));
  }
  return absl::StrCat("not granted: ", absl::StrJoin(missing, ", "));
}

int TestConnection(const Invocation& invocation, Session& session) {
  v1::TestConnectionRequest request;
  request.set_name(ConnectionName(invocation.argument));
  absl::StatusOr<v1::TestConnectionResponse> result =
      session.client().TestConnection(request, session.call_options());
  if (!result.ok()) return session.ServerError(result.status());

  absl::Status printed =
      client::PrintTestResult(*result, session.format(), session.out());
  if (!printed.ok()) return session.ServerError(printed);
  if (result->ready()) {
    session.err() << request.name() << " is ready\n";
    return kSuccess;
  }
  session.err() << request.name()
                << " is not ready: " << NotReadyReason(*result) << "\n";
  return kNotReady;
}

int RotateApiKey(const Invocation& invocation, Session& session) {
  v1::RotateApiKeyRequest request;
  request.set_name(ConnectionName(invocation.argument));
  request.set_etag(invocation.Value("etag"));
  absl::StatusOr<std::string> api_key = ReadApiKey(session.environment());
  if (!api_key.ok()) return session.UsageError(api_key.status().message());
  request.set_api_key(*std::move(api_key));

  absl::StatusOr<v1::Connection> rotated =
      session.client().RotateApiKey(request, session.call_options());
  if (!rotated.ok()) return session.ServerError(rotated.status());
  return session.Finish(
      client::PrintConnection(*rotated, session.format(), session.out()));
}

constexpr absl::Duration kTimeout = absl::Seconds(30);

// A command of the connections group, without flags or examples yet.
Command ConnectionCommand(absl::string_view name, absl::string_view argument,
                          absl::string_view summary,
                          int (*run)(const Invocation&, Session&)) {
  Command command{{}, kTimeout, run};
  command.spec.group = "connections";
  command.spec.name = name;
  command.spec.argument = argument;
  command.spec.summary = summary;
  return command;
}

Command CreateCommand() {
  Command command = ConnectionCommand(
      "create", "ID", "register a Lever connection", CreateConnection);
  command.spec.description =
      "Registers a Lever connection named ID (lowercase letters, digits and "
      "'-').\n"
      "The server checks the API key against Lever, unless --skip-key-check "
      "is\n"
      "given, then stores it encrypted; it is never shown again.\n"
      "\n"
      "The key is read from LEVER_API_KEY when it is set, else from standard "
      "input;\n"
      "on a terminal leverctl asks for it without echo. It is never taken "
      "from a\n"
      "flag.\n";
  command.spec.flags = {
      ValueFlag("environment", "ENV", "production or sandbox", true),
      ValueFlag("application", "APP",
                "an application allowed to import through the connection", true,
                true),
      ValueFlag("display-name", "TEXT", "name shown to people; default the ID"),
      ValueFlag("request-id", "ID",
                "idempotency key: repeating a create with the same one "
                "returns the first connection"),
      {"skip-key-check", "", "store the key without asking Lever first"},
      WriteBackFlag()};
  command.spec.examples = {
      "leverctl connections create acme-prod --environment production \\",
      "    --application pigment-planning < lever-key.txt"};
  return command;
}

Command ListCommand() {
  Command command =
      ConnectionCommand("list", "", "list connections", ListConnections);
  command.spec.description =
      "Lists connections in order of their id, every page of them.\n";
  command.spec.flags = {
      ValueFlag("application", "APP",
                "only connections that allow this application"),
      ValueFlag("page-size", "N",
                "connections asked for per call, 1 or more; the server "
                "lowers a value above 1000 to 1000 (default 50)")};
  command.spec.examples = {
      "leverctl connections list --application pigment-planning -o csv"};
  return command;
}

Command GetCommand() {
  Command command =
      ConnectionCommand("get", "ID", "show one connection", GetConnection);
  command.spec.description =
      "Shows one connection. The API key itself is never returned; the key "
      "hint\n"
      "is its last characters.\n";
  command.spec.examples = {"leverctl connections get acme-prod -o json"};
  return command;
}

Command UpdateCommand() {
  Command command = ConnectionCommand(
      "update", "ID",
      "change display name, environment, applications or write-back",
      UpdateConnection);
  command.spec.description =
      "Changes the fields given as flags and nothing else. --application\n"
      "replaces the whole list of allowed applications.\n";
  command.spec.flags = {
      ValueFlag("display-name", "TEXT", "new display name"),
      ValueFlag("environment", "ENV", "production or sandbox"),
      ValueFlag("application", "APP",
                "the new allowed applications, all of them", false, true),
      WriteBackFlag(), EtagFlag()};
  command.spec.examples = {
      "leverctl connections update acme-prod --display-name 'Acme (prod)'"};
  return command;
}

Command DeleteCommand() {
  Command command = ConnectionCommand(
      "delete", "ID", "remove a connection and its key", DeleteConnection);
  command.spec.description =
      "Removes a connection and its stored API key. The confirmation,\n"
      "\"deleted connections/ID\", goes to standard error; standard output "
      "gets {}\n"
      "with -o json and nothing with table or csv.\n";
  command.spec.flags = {EtagFlag()};
  command.spec.examples = {"leverctl connections delete acme-sandbox"};
  return command;
}

Command TestCommand() {
  Command command = ConnectionCommand(
      "test", "ID", "check the key's permissions in Lever", TestConnection);
  command.spec.description =
      "Asks Lever once per permission the connector needs and shows, for "
      "each,\n"
      "whether it is granted. Exits with 3 when the connection is not "
      "ready.\n";
  command.spec.examples = {"leverctl connections test acme-prod"};
  return command;
}

Command RotateKeyCommand() {
  Command command = ConnectionCommand(
      "rotate-key", "ID", "replace the Lever API key", RotateApiKey);
  command.spec.description =
      "Replaces the connection's API key. The server checks the new key "
      "against\n"
      "Lever first and keeps the old one when Lever rejects it or cannot be\n"
      "reached. The key is read like for create: LEVER_API_KEY, else "
      "standard\n"
      "input.\n";
  command.spec.flags = {EtagFlag()};
  command.spec.examples = {"LEVER_API_KEY=\"$(pass lever/acme)\" \\",
                           "    leverctl connections rotate-key acme-prod"};
  return command;
}

}  // namespace

std::vector<Command> ConnectionCommands() {
  return {CreateCommand(), ListCommand(), GetCommand(),      UpdateCommand(),
          DeleteCommand(), TestCommand(), RotateKeyCommand()};
}

}  // namespace leverconnect::leverctl

// leverctl imports start | get | list | cancel | watch.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "client/leverctl/argument_values.h"
#include "client/leverctl/commands.h"

namespace leverconnect::leverctl {
namespace {

using client::OutputFormat;

constexpr absl::string_view kImportsInfix = "/imports/";

// The run named by the argument: a full name, or an id with --connection.
absl::StatusOr<std::string> RunName(const Invocation& invocation) {
  if (absl::StrContains(invocation.argument, kImportsInfix)) {
    return invocation.argument;
  }
  if (!invocation.Has("connection")) {
    return absl::InvalidArgumentError(
        "give --connection with an import id, or the full name "
        "connections/ID/imports/ID");
  }
  return absl::StrCat(ConnectionName(invocation.Value("connection")),
                      kImportsInfix, invocation.argument);
}

FlagSpec RunConnectionFlag() {
  return ValueFlag("connection", "ID",
                   "the connection of the run (not needed with a full name)");
}

// "created_at:date=Opened on" -> column created_at, header "Opened on",
// written as a date.
absl::StatusOr<v1::CsvColumn> ParseColumn(absl::string_view text) {
  v1::CsvColumn column;
  absl::string_view source = text;
  const std::size_t equals = text.find('=');
  if (equals != absl::string_view::npos) {
    source = text.substr(0, equals);
    column.set_header(std::string(text.substr(equals + 1)));
    if (column.header().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--column \"", text,
          "\" has an empty header; leave out '=' to use the column's name"));
    }
  }
  if (absl::ConsumeSuffix(&source, ":date")) {
    column.set_date_format(v1::DATE_FORMAT_DATE);
  } else if (absl::ConsumeSuffix(&source, ":datetime")) {
    column.set_date_format(v1::DATE_FORMAT_DATE_TIME);
  }
  if (source.empty() || absl::StrContains(source, ':')) {
    return absl::InvalidArgumentError(
        absl::StrCat("--column \"", text,
                     "\" is not COLUMN[:date|:datetime][=HEADER], e.g. "
                     "created_at:date=Opened"));
  }
  column.set_column(std::string(source));
  return column;
}

absl::StatusOr<v1::StartImportRequest> StartRequest(
    const Invocation& invocation) {
  v1::StartImportRequest request;
  request.set_parent(ConnectionName(invocation.Value("connection")));
  request.set_application(invocation.Value("application"));
  request.set_request_id(invocation.Value("request-id"));
  request.mutable_destination()->set_configuration_id(
      invocation.Value("pigment-config"));
  absl::Status filled = FillFilter(invocation, *request.mutable_filter());
  if (!filled.ok()) return filled;
  v1::CsvFormat& csv = *request.mutable_csv();
  for (const std::string& text : invocation.Values("column")) {
    absl::StatusOr<v1::CsvColumn> column = ParseColumn(text);
    if (!column.ok()) return column.status();
    *csv.add_columns() = *std::move(column);
  }
  if (invocation.Has("separator")) {
    const std::string separator = invocation.Value("separator");
    if (separator != "," && separator != ";") {
      return absl::InvalidArgumentError("--separator must be , or ;");
    }
    csv.set_separator(separator);
  }
  csv.set_byte_order_mark(invocation.Enabled("bom"));
  csv.set_list_separator(invocation.Value("list-separator"));
  request.set_allow_empty(invocation.Enabled("allow-empty"));
  return request;
}

// Follows a run until it finishes, drawing its progress on a terminal (or
// one line per change of state elsewhere), then prints the run. Exits
// kRunFailed unless it succeeded.
int FollowRun(const std::string& name, Session& session) {
  const bool terminal = session.environment().show_progress;
  bool drawn = false;
  v1::ImportRunState last_state = v1::IMPORT_RUN_STATE_UNSPECIFIED;
  v1::WatchImportRequest request;
  request.set_name(name);
  absl::StatusOr<v1::ImportRun> run = session.client().WatchImport(
      request,
      [&](const v1::ImportRun& update) {
        if (terminal) {
          session.err() << "\r\033[K" << client::ImportRunProgressLine(update)
                        << std::flush;
          drawn = true;
        } else if (update.state() != last_state) {
          session.err() << client::ImportRunProgressLine(update) << "\n";
        }
        last_state = update.state();
        return true;
      },
      session.call_options());
  if (drawn) session.err() << "\r\033[K" << std::flush;
  if (!run.ok()) return session.ServerError(run.status());
  absl::Status printed =
      client::PrintImportRun(*run, session.format(), session.out());
  if (!printed.ok()) return session.ServerError(printed);
  if (run->state() == v1::IMPORT_RUN_STATE_SUCCEEDED ||
      run->state() == v1::IMPORT_RUN_STATE_SUCCEEDED_WITH_SKIPPED_ROWS) {
    return kSuccess;
  }
  return kRunFailed;
}

int StartImport(const Invocation& invocation, Session& session) {
  absl::StatusOr<v1::StartImportRequest> request = StartRequest(invocation);
  if (!request.ok()) return session.UsageError(request.status().message());
  absl::StatusOr<v1::ImportRun> run =
      session.client().StartImport(*request, session.call_options());
  if (!run.ok()) return session.ServerError(run.status());
  if (invocation.Enabled("wait")) return FollowRun(run->name(), session);
  return session.Finish(
      client::PrintImportRun(*run, session.format(), session.out()));
}

int GetImport(const Invocation& invocation, Session& session) {
  absl::StatusOr<std::string> name = RunName(invocation);
  if (!name.ok()) return session.UsageError(name.status().message());
  v1::GetImportRequest request;
  request.set_name(*name);
  absl::StatusOr<v1::ImportRun> run =
      session.client().GetImport(request, session.call_options());
  if (!run.ok()) return session.ServerError(run.status());
  return session.Finish(
      client::PrintImportRun(*run, session.format(), session.out()));
}

int CancelImport(const Invocation& invocation, Session& session) {
  absl::StatusOr<std::string> name = RunName(invocation);
  if (!name.ok()) return session.UsageError(name.status().message());
  v1::CancelImportRequest request;
  request.set_name(*name);
  absl::StatusOr<v1::ImportRun> run =
      session.client().CancelImport(request, session.call_options());
  if (!run.ok()) return session.ServerError(run.status());
  return session.Finish(
      client::PrintImportRun(*run, session.format(), session.out()));
}

int WatchImport(const Invocation& invocation, Session& session) {
  absl::StatusOr<std::string> name = RunName(invocation);
  if (!name.ok()) return session.UsageError(name.status().message());
  return FollowRun(*name, session);
}

absl::StatusOr<v1::ImportRunState> ParseState(absl::string_view text) {
  std::string wanted = absl::StrCat("IMPORT_RUN_STATE_", text);
  for (char& c : wanted) c = c == '-' ? '_' : absl::ascii_toupper(c);
  v1::ImportRunState state;
  if (text.empty() || !v1::ImportRunState_Parse(wanted, &state) ||
      state == v1::IMPORT_RUN_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "--state must be queued, extracting, pushing, waiting-for-pigment, "
        "succeeded, succeeded-with-skipped-rows, failed or cancelled");
  }
  return state;
}

int ListImports(const Invocation& invocation, Session& session) {
  v1::ListImportsRequest request;
  request.set_parent(ConnectionName(invocation.Value("connection")));
  request.set_application(invocation.Value("application"));
  if (invocation.Has("state")) {
    absl::StatusOr<v1::ImportRunState> state =
        ParseState(invocation.Value("state"));
    if (!state.ok()) return session.UsageError(state.status().message());
    request.set_state(*state);
  }
  int limit = 0;  // none
  if (invocation.Has("limit")) {
    absl::StatusOr<int> parsed =
        ParsePositiveInteger("limit", invocation.Value("limit"));
    if (!parsed.ok()) return session.UsageError(parsed.status().message());
    limit = *parsed;
  }
  std::vector<v1::ImportRun> runs;
  do {
    absl::StatusOr<v1::ListImportsResponse> page =
        session.client().ListImports(request, session.call_options());
    if (!page.ok()) return session.ServerError(page.status());
    for (v1::ImportRun& run : *page->mutable_imports()) {
      if (limit > 0 && static_cast<int>(runs.size()) == limit) break;
      runs.push_back(std::move(run));
    }
    if (!page->next_page_token().empty() &&
        page->next_page_token() == request.page_token()) {
      return session.ServerError(
          absl::InternalError("the server returned the same page token twice"));
    }
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty() &&
           (limit == 0 || static_cast<int>(runs.size()) < limit));

  if (runs.empty() && session.format() == OutputFormat::kTable) {
    session.err() << "no import runs\n";
    return kSuccess;
  }
  return session.Finish(
      client::PrintImportRuns(runs, session.format(), session.out()));
}

Command StartCommand() {
  // No timeout by default: --wait follows the run to its end.
  Command command{{}, absl::InfiniteDuration(), StartImport};
  CommandSpec& spec = command.spec;
  spec.group = "imports";
  spec.name = "start";
  spec.summary = "start an import run into Pigment";
  spec.description =
      "Starts a run that reads the requisitions of a connection into a CSV "
      "file on\n"
      "the server, pushes the file to the Pigment import configuration once "
      "it is\n"
      "complete, and waits for Pigment's report. Prints the queued run; with "
      "--wait,\n"
      "follows it (a progress line on a terminal) and prints the finished "
      "run.\n"
      "\n"
      "--column COLUMN[:date|:datetime][=HEADER] adds one column to the file, "
      "in\n"
      "order: a schema column ('leverctl requisitions schema'), how its "
      "timestamps\n"
      "are written, and its header, which must match the configuration. "
      "Without\n"
      "--column, every column of the schema is written under its own name.\n";
  spec.flags = ConnectionFlags();
  const std::vector<FlagSpec> filter = FilterFlags();
  spec.flags.insert(spec.flags.end(), filter.begin(), filter.end());
  const std::vector<FlagSpec> more = {
      ValueFlag("pigment-config", "ID",
                "the Pigment import configuration that receives the file",
                true),
      ValueFlag("column", "SPEC", "a column of the file (see above)", false,
                true),
      ValueFlag("separator", "SEP", ", (default) or ;"),
      {"bom", "", "start the file with a UTF-8 byte order mark"},
      ValueFlag("list-separator", "TEXT",
                "joins the elements of list cells (default |)"),
      ValueFlag("request-id", "ID",
                "a repeated start with the same id returns the first run"),
      {"allow-empty", "",
       "push the file even when no requisition matches (a file of headers "
       "alone clears a block imported with \"clear items prior to import\")"},
      {"wait", "", "follow the run until it finishes"},
  };
  spec.flags.insert(spec.flags.end(), more.begin(), more.end());
  spec.examples = {
      "leverctl imports start --connection acme-prod \\",
      "    --application pigment-planning --pigment-config 3f0c9a1e-... \\",
      "    --status open --column id=Requisition --column name=Title \\",
      "    --column headcount_total=Headcount \\",
      "    --column created_at:date=Opened --separator ';' --wait"};
  return command;
}

Command RunCommand(absl::string_view name, absl::string_view summary,
                   absl::string_view description,
                   int (*run)(const Invocation&, Session&),
                   absl::Duration timeout) {
  Command command{{}, timeout, run};
  CommandSpec& spec = command.spec;
  spec.group = "imports";
  spec.name = name;
  spec.argument = "ID";
  spec.summary = summary;
  spec.description = description;
  spec.flags = {RunConnectionFlag()};
  return command;
}

Command ListCommand() {
  Command command{{}, absl::Seconds(30), ListImports};
  CommandSpec& spec = command.spec;
  spec.group = "imports";
  spec.name = "list";
  spec.summary = "list the import runs of a connection, newest first";
  spec.description =
      "Lists the import runs of a connection, newest first. Members see only "
      "the\n"
      "runs of their own applications.\n";
  spec.flags = {
      ValueFlag("connection", "ID", "the connection", true),
      ValueFlag("state", "STATE",
                "only runs in this state: queued, extracting, pushing, "
                "waiting-for-pigment, succeeded, succeeded-with-skipped-rows, "
                "failed or cancelled"),
      ValueFlag("application", "APP", "only runs for this application"),
      ValueFlag("limit", "N", "at most N runs (default all)")};
  spec.examples = {
      "leverctl imports list --connection acme-prod --state failed"};
  return command;
}

}  // namespace

std::vector<Command> ImportRunCommands() {
  return {
      StartCommand(),
      RunCommand("get", "show an import run",
                 "Shows a run: its state, counts, Pigment's report with the "
                 "rows it skipped\n"
                 "(reason, column, samples), and the error of a failed run.\n",
                 GetImport, absl::Seconds(30)),
      ListCommand(),
      RunCommand("cancel", "cancel an import run",
                 "Cancels a run that is queued or extracting: nothing reaches "
                 "Pigment. Once\n"
                 "the file is pushed, Pigment's import cannot be stopped.\n",
                 CancelImport, absl::Seconds(30)),
      RunCommand("watch", "follow an import run until it finishes",
                 "Follows a run, drawing its progress (rows, pages, time "
                 "waiting on Lever)\n"
                 "on a terminal, and prints it once finished. Exits 4 when it "
                 "failed or was\n"
                 "cancelled.\n",
                 WatchImport, absl::InfiniteDuration()),
  };
}

}  // namespace leverconnect::leverctl

// leverctl requisitions plan | apply: planned requisitions from a CSV file
// (as Pigment exports it) compared with Lever, then written to it.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "client/leverctl/argument_values.h"
#include "client/leverctl/commands.h"
#include "lib/csv/csv_reader.h"

namespace leverconnect::leverctl {
namespace {

using Outcome = v1::RequisitionWriteResult;

// A plan is at most 1000 rows; this is far above what they take.
constexpr std::size_t kMaxPlanFileSize = 16 << 20;
constexpr absl::string_view kCodeField = "requisition_code";

// The column named `header` maps to this field; empty: ignored.
using Mapping = std::map<std::string, std::string, std::less<>>;

// --map COLUMN=FIELD, repeatable; "COLUMN=" ignores the column.
absl::StatusOr<Mapping> ParseMapping(const Invocation& invocation) {
  Mapping mapping;
  for (const std::string& entry : invocation.Values("map")) {
    const std::size_t equals = entry.rfind('=');
    if (equals == std::string::npos || equals == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--map \"", entry,
          "\" is not COLUMN=FIELD, e.g. \"Headcount=headcount_total\""));
    }
    mapping[entry.substr(0, equals)] = entry.substr(equals + 1);
  }
  return mapping;
}

absl::StatusOr<char> ParseSeparator(const Invocation& invocation) {
  if (!invocation.Has("separator")) return ';';
  const std::string separator = invocation.Value("separator");
  if (separator == ";" || separator == ",") return separator[0];
  return absl::InvalidArgumentError("--separator must be ; or ,");
}

absl::StatusOr<std::string> ReadPlanFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the --file '", path, "'"));
  }
  std::ostringstream contents;
  contents << file.rdbuf();
  if (contents.str().size() > kMaxPlanFileSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("the --file '", path, "' is larger than 16 MiB"));
  }
  return contents.str();
}

// The field of each column of `header`, "" for an ignored column: the
// mapped one, else the header itself. INVALID_ARGUMENT when no column
// holds the requisition code, or two hold one field.
absl::StatusOr<std::vector<std::string>> FieldsOf(
    const csv::CsvFieldRecord& header, const Mapping& mapping) {
  std::vector<std::string> fields;
  std::map<std::string, std::string> seen;
  for (const csv::CsvField& column : header) {
    const auto mapped = mapping.find(column.text);
    std::string field = std::string(absl::StripAsciiWhitespace(
        mapped == mapping.end() ? column.text : mapped->second));
    if (!field.empty() && !seen.emplace(field, column.text).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("columns \"", seen[field], "\" and \"", column.text,
                       "\" both map to the field ", field));
    }
    fields.push_back(std::move(field));
  }
  if (seen.count(std::string(kCodeField)) == 0) {
    return absl::InvalidArgumentError(
        "no column holds the requisition code: name one requisition_code, "
        "or map it with --map 'COLUMN=requisition_code'");
  }
  for (const auto& [header_text, field] : mapping) {
    const bool present = std::any_of(header.begin(), header.end(),
                                     [&](const csv::CsvField& column) {
                                       return column.text == header_text;
                                     });
    if (!present) {
      return absl::InvalidArgumentError(
          absl::StrCat("--map names the column \"", header_text,
                       "\", which the file's header does not have"));
    }
  }
  return fields;
}

// The rows of the plan file: one per record after the header. An empty
// field is a null (clears the field), "" an empty text; a column the file
// lacks is left as it is.
absl::StatusOr<std::vector<v1::PlannedRequisition>> ReadPlan(
    const Invocation& invocation) {
  absl::StatusOr<char> separator = ParseSeparator(invocation);
  if (!separator.ok()) return separator.status();
  absl::StatusOr<Mapping> mapping = ParseMapping(invocation);
  if (!mapping.ok()) return mapping.status();
  absl::StatusOr<std::string> text = ReadPlanFile(invocation.Value("file"));
  if (!text.ok()) return text.status();
  absl::StatusOr<std::vector<csv::CsvFieldRecord>> records =
      csv::ReadCsvFields(csv::WithoutByteOrderMark(*text), *separator);
  if (!records.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the --file is not CSV: ", records.status().message()));
  }
  if (records->size() < 2) {
    return absl::InvalidArgumentError(
        "the --file holds no rows under its header");
  }
  absl::StatusOr<std::vector<std::string>> fields =
      FieldsOf(records->front(), *mapping);
  if (!fields.ok()) return fields.status();

  std::vector<v1::PlannedRequisition> rows;
  for (std::size_t line = 1; line < records->size(); ++line) {
    const csv::CsvFieldRecord& record = (*records)[line];
    if (record.size() != fields->size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "record ", line + 1, " of the --file has ", record.size(),
          " fields; its header has ", fields->size()));
    }
    v1::PlannedRequisition& row = rows.emplace_back();
    for (std::size_t column = 0; column < record.size(); ++column) {
      const std::string& field = (*fields)[column];
      const csv::CsvField& cell = record[column];
      if (field.empty()) continue;
      if (field == kCodeField) {
        row.set_requisition_code(
            std::string(absl::StripAsciiWhitespace(cell.text)));
        continue;
      }
      v1::Value& value = (*row.mutable_fields())[field];
      if (cell.text.empty() && !cell.quoted) {
        value.set_null_value(google::protobuf::NULL_VALUE);
      } else {
        value.set_string_value(cell.text);
      }
    }
  }
  return rows;
}

// "2 to create, 1 to update, 3 unchanged, 1 invalid".
std::string PlanSummary(const v1::PlanRequisitionChangesResponse& plan) {
  int counts[v1::RequisitionChange::Action_ARRAYSIZE] = {};
  for (const v1::RequisitionChange& change : plan.changes()) {
    ++counts[change.action()];
  }
  return absl::StrCat(
      "plan: ", counts[v1::RequisitionChange::ACTION_CREATE], " to create, ",
      counts[v1::RequisitionChange::ACTION_UPDATE], " to update, ",
      counts[v1::RequisitionChange::ACTION_UNCHANGED], " unchanged, ",
      counts[v1::RequisitionChange::ACTION_INVALID], " invalid");
}

bool HasInvalid(const v1::PlanRequisitionChangesResponse& plan) {
  for (const v1::RequisitionChange& change : plan.changes()) {
    if (change.action() == v1::RequisitionChange::ACTION_INVALID) return true;
  }
  return false;
}

// Reads the file and asks the server for the plan, printing it. The rows
// and the plan, or the exit code to end with.
struct Planned {
  std::vector<v1::PlannedRequisition> rows;
  v1::PlanRequisitionChangesResponse plan;
};
absl::StatusOr<Planned> MakePlan(const Invocation& invocation, Session& session,
                                 int& exit_code) {
  absl::StatusOr<std::vector<v1::PlannedRequisition>> rows =
      ReadPlan(invocation);
  if (!rows.ok()) {
    exit_code = session.UsageError(rows.status().message());
    return rows.status();
  }
  v1::PlanRequisitionChangesRequest request;
  request.set_connection(ConnectionName(invocation.Value("connection")));
  request.set_application(invocation.Value("application"));
  for (const v1::PlannedRequisition& row : *rows) *request.add_rows() = row;
  absl::StatusOr<v1::PlanRequisitionChangesResponse> plan =
      session.client().PlanRequisitionChanges(request, session.call_options());
  absl::Status printed = plan.ok() ? client::PrintRequisitionChanges(
                                         *plan, session.format(), session.out())
                                   : plan.status();
  if (!printed.ok()) {
    exit_code = session.ServerError(printed);
    return printed;
  }
  session.err() << PlanSummary(*plan) << "\n";
  return Planned{*std::move(rows), *std::move(plan)};
}

int PlanChanges(const Invocation& invocation, Session& session) {
  int exit_code = kSuccess;
  absl::StatusOr<Planned> planned = MakePlan(invocation, session, exit_code);
  if (!planned.ok()) return exit_code;
  return HasInvalid(planned->plan) ? kNotApplied : kSuccess;
}

// Whether the person at the terminal agrees to `writes` writes; a usage
// error (in `exit_code`) when nobody can be asked and --yes is missing.
bool Confirmed(const Invocation& invocation, Session& session, int writes,
               int& exit_code) {
  if (invocation.Enabled("yes")) return true;
  Environment& environment = session.environment();
  if (!environment.input_is_terminal || !environment.ask) {
    exit_code = session.UsageError(
        "standard input is not a terminal, so nobody can confirm: give --yes "
        "to write to Lever without asking");
    return false;
  }
  const std::string answer =
      absl::AsciiStrToLower(absl::StripAsciiWhitespace(environment.ask(
          absl::StrCat("Write ", writes, writes == 1 ? " change" : " changes",
                       " to Lever through connection ",
                       invocation.Value("connection"), "? [y/N] "))));
  if (answer == "y" || answer == "yes") return true;
  session.err() << "nothing was written\n";
  exit_code = kDeclined;
  return false;
}

int ApplyChanges(const Invocation& invocation, Session& session) {
  int exit_code = kSuccess;
  absl::StatusOr<Planned> planned = MakePlan(invocation, session, exit_code);
  if (!planned.ok()) return exit_code;

  v1::ApplyRequisitionChangesRequest request;
  request.set_connection(ConnectionName(invocation.Value("connection")));
  request.set_application(invocation.Value("application"));
  int writes = 0;
  for (int index = 0; index < planned->plan.changes_size(); ++index) {
    const v1::RequisitionChange& change = planned->plan.changes(index);
    v1::PlannedRequisition& row = *request.add_rows();
    row = planned->rows[index];
    if (change.has_lever_updated_at()) {
      *row.mutable_lever_updated_at() = change.lever_updated_at();
    }
    writes += change.action() == v1::RequisitionChange::ACTION_CREATE ||
              change.action() == v1::RequisitionChange::ACTION_UPDATE;
  }
  if (writes == 0) {
    session.err() << "nothing to write\n";
    return HasInvalid(planned->plan) ? kNotApplied : kSuccess;
  }
  if (!Confirmed(invocation, session, writes, exit_code)) return exit_code;

  absl::StatusOr<v1::ApplyRequisitionChangesResponse> results =
      session.client().ApplyRequisitionChanges(request, session.call_options());
  if (!results.ok()) return session.ServerError(results.status());
  absl::Status printed =
      client::PrintWriteResults(*results, session.format(), session.out());
  if (!printed.ok()) return session.ServerError(printed);
  std::map<std::string, int> tally;
  bool all_applied = true;
  for (const Outcome& result : results->results()) {
    ++tally[client::OutcomeText(result.outcome())];
    all_applied &= result.outcome() == Outcome::OUTCOME_CREATED ||
                   result.outcome() == Outcome::OUTCOME_UPDATED ||
                   result.outcome() == Outcome::OUTCOME_UNCHANGED;
  }
  std::vector<std::string> parts;
  for (const auto& [outcome, count] : tally) {
    parts.push_back(absl::StrCat(outcome, " ", count));
  }
  session.err() << "applied: " << absl::StrJoin(parts, ", ") << "\n";
  return all_applied ? kSuccess : kNotApplied;
}

std::vector<FlagSpec> PlanFlags() {
  std::vector<FlagSpec> flags = ConnectionFlags();
  flags.push_back(ValueFlag("file", "PATH",
                            "the planned requisitions: CSV with a header row, "
                            "as Pigment exports it",
                            true));
  flags.push_back(ValueFlag("separator", "SEP", "; (the default) or ,"));
  flags.push_back(ValueFlag(
      "map", "COLUMN=FIELD",
      "read the file's COLUMN as requisition FIELD (requisition_code, name, "
      "headcount_total, custom.<field id>, ...); COLUMN= ignores the column; "
      "an unmapped column is read as the field of its own name",
      false, true));
  return flags;
}

constexpr absl::string_view kFileDescription =
    "The file is CSV as Pigment exports it: a header row, then one "
    "requisition\n"
    "per record; ';' separates fields unless --separator says ',', a byte "
    "order\n"
    "mark is skipped, fields may be quoted (RFC 4180). One column holds the\n"
    "requisition code, the key; the others hold the values of writable "
    "fields.\n"
    "An empty field clears the field in Lever, \"\" sets an empty text; a "
    "field\n"
    "the file has no column for is left as it is. Dates are YYYY-MM-DD or "
    "RFC\n"
    "3339 date-times; numbers use '.'; booleans are true or false.\n";

Command PlanCommand() {
  Command command{{}, absl::Minutes(5), PlanChanges};
  CommandSpec& spec = command.spec;
  spec.group = "requisitions";
  spec.name = "plan";
  spec.summary = "show what a plan file would change in Lever";
  static const std::string* const description = new std::string(absl::StrCat(
      "Compares each planned requisition with Lever and prints, per row, "
      "whether\n"
      "it would be created, updated (each changed field, old and new), left\n"
      "unchanged, or why it is invalid. Writes nothing. Write-back must be\n"
      "enabled on the connection.\n\n",
      kFileDescription));
  spec.description = *description;
  spec.flags = PlanFlags();
  spec.examples = {"leverctl requisitions plan --connection acme-prod \\",
                   "    --application pigment-planning --file plan.csv \\",
                   "    --map 'Code=requisition_code' --map 'Title=name'"};
  return command;
}

Command ApplyCommand() {
  Command command{{}, absl::Minutes(10), ApplyChanges};
  CommandSpec& spec = command.spec;
  spec.group = "requisitions";
  spec.name = "apply";
  spec.summary = "write a plan file to Lever, after confirmation";
  static const std::string* const description = new std::string(absl::StrCat(
      "Plans as 'requisitions plan' does and prints the plan, asks for\n"
      "confirmation on a terminal (--yes skips the question; without a "
      "terminal\n"
      "--yes is required), then creates and updates the requisitions and "
      "prints\n"
      "a result per row. A requisition changed in Lever since the plan is "
      "left\n"
      "alone and reported as a conflict; a create is never repeated into a\n"
      "duplicate. Applying the same file again writes nothing.\n\n",
      kFileDescription));
  spec.description = *description;
  spec.flags = PlanFlags();
  spec.flags.push_back({"yes", "", "write without asking for confirmation"});
  spec.examples = {"leverctl requisitions apply --connection acme-prod \\",
                   "    --application pigment-planning --file plan.csv --yes"};
  return command;
}

}  // namespace

std::vector<Command> WriteBackCommands() {
  return {PlanCommand(), ApplyCommand()};
}

}  // namespace leverconnect::leverctl

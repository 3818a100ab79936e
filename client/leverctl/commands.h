// The commands of leverctl: each a spec for the parser and the help, the
// timeout it uses when --timeout is not given, and the function that runs
// it.
#ifndef LEVERCONNECT_CLIENT_LEVERCTL_COMMANDS_H_
#define LEVERCONNECT_CLIENT_LEVERCTL_COMMANDS_H_

#include <vector>

#include "absl/time/time.h"
#include "client/leverctl/command_line.h"
#include "client/leverctl/session.h"
#include "leverconnect/v1/import.pb.h"

namespace leverconnect::leverctl {

struct Command {
  CommandSpec spec;
  absl::Duration default_timeout;
  // Returns an ExitCode.
  int (*run)(const Invocation& invocation, Session& session);
};

// A flag that takes a value, for the tables of commands.
inline FlagSpec ValueFlag(absl::string_view name, absl::string_view value_name,
                          absl::string_view help, bool required = false,
                          bool repeatable = false) {
  return {name, value_name, help, required, repeatable};
}

// connections create, list, get, update, delete, test, rotate-key.
std::vector<Command> ConnectionCommands();

// requisitions schema, import.
std::vector<Command> RequisitionCommands();

// imports start, get, list, cancel, watch.
std::vector<Command> ImportRunCommands();

// requisitions plan, apply.
std::vector<Command> WriteBackCommands();

// --connection and --application, both required.
std::vector<FlagSpec> ConnectionFlags();

// --status, --confidentiality, --created-after, --created-before, --code.
std::vector<FlagSpec> FilterFlags();

// Fills `filter` from the flags of FilterFlags(); INVALID_ARGUMENT for a
// time that does not parse.
absl::Status FillFilter(const Invocation& invocation,
                        v1::RequisitionFilter& filter);

// The line `requisitions import` ends with on standard error: rows, pages,
// retries and time, then whatever slowed the import down.
std::string ImportSummaryText(const v1::ImportSummary& summary);

}  // namespace leverconnect::leverctl

#endif  // LEVERCONNECT_CLIENT_LEVERCTL_COMMANDS_H_

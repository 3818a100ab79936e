// The command line of a tool with command groups, in the manner of kubectl:
//
//   tool [global flags] <group> <command> [ARGUMENT] [flags]
//
// Flags may come anywhere, before or after the words, as "--name value" or
// "--name=value"; a switch takes no value. A flag may be given once unless
// it is repeatable. "--" ends the flags. "tool help <group> <command>" is
// "tool <group> <command> --help".
//
// The parser checks the shape of the line only (known flags, values
// present, required flags, the argument); what a value means is up to the
// command.
#ifndef LEVERCONNECT_CLIENT_LEVERCTL_COMMAND_LINE_H_
#define LEVERCONNECT_CLIENT_LEVERCTL_COMMAND_LINE_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace leverconnect::leverctl {

struct FlagSpec {
  absl::string_view name;  // "application", given as --application
  // Shown in help, e.g. "APP". Empty for a switch such as --skip-key-check.
  absl::string_view value_name;
  absl::string_view help;
  bool required = false;
  bool repeatable = false;
  char short_name = '\0';  // 'o' for -o; '\0' for none

  bool is_switch() const { return value_name.empty(); }
};

// A flag the tool refuses on purpose, with the reason it shows.
struct RefusedFlag {
  absl::string_view name;
  absl::string_view reason;
};

struct CommandSpec {
  absl::string_view group;  // "connections"
  absl::string_view name;   // "create"
  // Name of the one positional argument, e.g. "ID"; empty when none.
  absl::string_view argument;
  absl::string_view summary;      // one line, for the list of commands
  absl::string_view description;  // a paragraph for --help
  std::vector<FlagSpec> flags;
  std::vector<absl::string_view> examples;
};

struct GroupSpec {
  absl::string_view name;
  absl::string_view summary;
};

// Everything the parser and the help know about a tool.
struct CommandLineSpec {
  absl::string_view program;      // "leverctl"
  absl::string_view description;  // top of the overview
  absl::string_view epilogue;     // end of the overview: environment, exits
  std::vector<FlagSpec> global_flags;  // must include the switch "help"
  std::vector<RefusedFlag> refused_flags;
  std::vector<GroupSpec> groups;
  std::vector<CommandSpec> commands;
};

// What a command line asks for.
struct Invocation {
  // As far as the words were understood: the group is empty when no group
  // was named; command_index is the index in CommandLineSpec::commands, or
  // -1 when no command was named.
  std::string group;
  int command_index = -1;

  bool help = false;     // --help, -h or "help": show help, run nothing
  std::string error;     // a usage error; then nothing else is reliable
  std::string argument;  // the positional argument, when the command has one
  // Values by flag name, global flags included, in the order given; a
  // switch has the value "true" or "false".
  std::map<std::string, std::vector<std::string>, std::less<>> flags;

  bool Has(absl::string_view flag) const;
  // The last value of `flag`; empty when absent.
  std::string Value(absl::string_view flag) const;
  // Every value of `flag`, in order; empty when absent.
  std::vector<std::string> Values(absl::string_view flag) const;
  // True for a switch given as --flag or --flag=true.
  bool Enabled(absl::string_view flag) const;
};

// Parses `arguments` (without the program name). Never fails: problems are
// in Invocation::error. When help is asked for, only the words are checked.
Invocation ParseCommandLine(const CommandLineSpec& spec,
                            const std::vector<std::string>& arguments);

// The overview: groups, commands, global flags, the epilogue.
std::string ProgramHelp(const CommandLineSpec& spec);

// The commands of one group. REQUIRES: `group` is one of spec.groups.
std::string GroupHelp(const CommandLineSpec& spec, absl::string_view group);

// Usage, description, flags and examples of one command.
std::string CommandHelp(const CommandLineSpec& spec,
                        const CommandSpec& command);

// The help text `invocation` asks for: a command's, a group's or the
// overview, depending on how many words it named.
std::string HelpFor(const CommandLineSpec& spec, const Invocation& invocation);

// "leverctl connections create --help", or shorter when the invocation got
// less far: where to read more after a usage error.
std::string HelpCommandFor(const CommandLineSpec& spec,
                           const Invocation& invocation);

}  // namespace leverconnect::leverctl

#endif  // LEVERCONNECT_CLIENT_LEVERCTL_COMMAND_LINE_H_

// Help texts of a CommandLineSpec. Parsing is in command_line.cc.
#include <algorithm>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client/leverctl/command_line.h"

namespace leverconnect::leverctl {
namespace {

constexpr size_t kLineWidth = 80;

// Lines of at most kLineWidth columns: `first` and then `text` from column
// `indent`, words carried over to lines that start at `indent`.
std::string Entry(std::string first, size_t indent, absl::string_view text) {
  std::string line = std::move(first);
  std::string result;
  bool line_has_words = false;
  for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    const bool fits =
        std::max(line.size() + 1, indent) + word.size() <= kLineWidth;
    if (line_has_words && !fits) {
      result += line + "\n";
      line.clear();
      line_has_words = false;
    }
    if (line.size() < indent) {
      line.resize(indent, ' ');
    } else {
      line += ' ';
    }
    line.append(word.data(), word.size());
    line_has_words = true;
  }
  return result + line + "\n";
}

std::string FlagTitle(const FlagSpec& flag, bool any_short) {
  std::string title = "  ";
  if (flag.short_name != '\0') {
    title += absl::StrCat("-", std::string(1, flag.short_name), ", ");
  } else if (any_short) {
    title += "    ";
  }
  absl::StrAppend(&title, "--", flag.name);
  if (!flag.is_switch()) absl::StrAppend(&title, " ", flag.value_name);
  return title;
}

std::string FlagText(const FlagSpec& flag) {
  std::string text(flag.help);
  if (flag.required) text += " (required)";
  if (flag.repeatable) text += " (repeatable)";
  return text;
}

// A titled list of flags, their descriptions aligned.
std::string FlagList(absl::string_view title,
                     const std::vector<FlagSpec>& flags) {
  const bool any_short =
      std::any_of(flags.begin(), flags.end(),
                  [](const FlagSpec& flag) { return flag.short_name != '\0'; });
  size_t indent = 0;
  for (const FlagSpec& flag : flags) {
    indent = std::max(indent, FlagTitle(flag, any_short).size() + 3);
  }
  std::string text = absl::StrCat(title, ":\n");
  for (const FlagSpec& flag : flags) {
    text += Entry(FlagTitle(flag, any_short), indent, FlagText(flag));
  }
  return text;
}

std::string CommandTitle(const CommandSpec& command, bool with_group) {
  std::string title = "  ";
  if (with_group) absl::StrAppend(&title, command.group, " ");
  absl::StrAppend(&title, command.name);
  if (!command.argument.empty()) absl::StrAppend(&title, " ", command.argument);
  return title;
}

// The commands of `group`, one line each.
std::string CommandList(const CommandLineSpec& spec, absl::string_view group,
                        bool with_group, size_t indent) {
  std::string text;
  for (const CommandSpec& command : spec.commands) {
    if (command.group != group) continue;
    text += Entry(CommandTitle(command, with_group), indent, command.summary);
  }
  return text;
}

size_t CommandColumn(const CommandLineSpec& spec, bool with_group) {
  size_t indent = 0;
  for (const CommandSpec& command : spec.commands) {
    indent = std::max(indent, CommandTitle(command, with_group).size() + 3);
  }
  return indent;
}

std::string UsageLine(const CommandLineSpec& spec, const CommandSpec& command) {
  std::string usage =
      absl::StrCat(spec.program, " ", command.group, " ", command.name);
  if (!command.argument.empty()) absl::StrAppend(&usage, " ", command.argument);
  for (const FlagSpec& flag : command.flags) {
    if (flag.required)
      absl::StrAppend(&usage, " --", flag.name, " ", flag.value_name);
  }
  return Entry("", 2, absl::StrCat(usage, " [flags]"));
}

}  // namespace

std::string ProgramHelp(const CommandLineSpec& spec) {
  std::string text =
      absl::StrCat(spec.description, "\nUsage:\n  ", spec.program,
                   " <group> <command> [ARGUMENT] [flags]\n");
  const size_t indent = CommandColumn(spec, true);
  for (const GroupSpec& group : spec.groups) {
    std::string heading(group.name);
    heading[0] = absl::ascii_toupper(heading[0]);
    absl::StrAppend(&text, "\n", heading, " (", group.summary, "):\n",
                    CommandList(spec, group.name, true, indent));
  }
  absl::StrAppend(&text, "\n", FlagList("Global flags", spec.global_flags),
                  "\n", spec.epilogue);
  return text;
}

std::string GroupHelp(const CommandLineSpec& spec, absl::string_view group) {
  std::string summary;
  for (const GroupSpec& candidate : spec.groups) {
    if (candidate.name == group) summary = std::string(candidate.summary);
  }
  summary[0] = absl::ascii_toupper(summary[0]);
  return absl::StrCat(
      summary, ".\n\nUsage:\n  ", spec.program, " ", group,
      " <command> [ARGUMENT] [flags]\n\nCommands:\n",
      CommandList(spec, group, false, CommandColumn(spec, false)), "\n",
      FlagList("Global flags", spec.global_flags), "\nRun '", spec.program, " ",
      group, " <command> --help' for the flags of a command.\n");
}

std::string CommandHelp(const CommandLineSpec& spec,
                        const CommandSpec& command) {
  std::string text =
      absl::StrCat(command.description, "\nUsage:\n", UsageLine(spec, command));
  if (!command.flags.empty()) {
    absl::StrAppend(&text, "\n", FlagList("Flags", command.flags));
  }
  absl::StrAppend(&text, "\n", FlagList("Global flags", spec.global_flags));
  if (!command.examples.empty()) {
    text += "\nExamples:\n";
    for (absl::string_view example : command.examples) {
      absl::StrAppend(&text, "  ", example, "\n");
    }
  }
  return text;
}

std::string HelpFor(const CommandLineSpec& spec, const Invocation& invocation) {
  if (invocation.command_index >= 0) {
    return CommandHelp(spec, spec.commands[invocation.command_index]);
  }
  if (!invocation.group.empty()) return GroupHelp(spec, invocation.group);
  return ProgramHelp(spec);
}

std::string HelpCommandFor(const CommandLineSpec& spec,
                           const Invocation& invocation) {
  std::string command(spec.program);
  if (!invocation.group.empty())
    absl::StrAppend(&command, " ", invocation.group);
  if (invocation.command_index >= 0) {
    absl::StrAppend(&command, " ",
                    spec.commands[invocation.command_index].name);
  }
  return command + " --help";
}

}  // namespace leverconnect::leverctl

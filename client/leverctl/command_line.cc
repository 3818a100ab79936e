// Parsing. The help texts are in help.cc.
#include "client/leverctl/command_line.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace leverconnect::leverctl {
namespace {

const FlagSpec* FindIn(const std::vector<FlagSpec>& flags,
                       absl::string_view name) {
  for (const FlagSpec& flag : flags) {
    if (flag.name == name) return &flag;
  }
  return nullptr;
}

bool LooksLikeFlag(absl::string_view argument) {
  return argument.size() > 1 && argument[0] == '-';
}

// One pass over the arguments, then checks against the command found.
class Parser {
 public:
  Parser(const CommandLineSpec& spec, const std::vector<std::string>& arguments)
      : spec_(spec), arguments_(arguments) {}

  // The words are resolved even after a bad flag, so that the usage error
  // can point at the command's help.
  Invocation Run() && {
    ScanArguments();
    if (ResolveWords() && invocation_.error.empty() && !invocation_.help) {
      CheckFlags();
    }
    return std::move(invocation_);
  }

 private:
  void ScanArguments();
  bool ReadFlag(size_t& index);
  bool StoreFlag(const FlagSpec& flag, std::optional<std::string> value,
                 size_t& index);
  bool ResolveWords();
  bool ResolveArgument(const CommandSpec& command);
  bool CheckFlags();
  const FlagSpec* FindFlag(absl::string_view name) const;
  const FlagSpec* FindShortFlag(char short_name) const;

  // Keeps the first error: later ones may follow from it.
  bool Fail(std::string message) {
    if (invocation_.error.empty()) invocation_.error = std::move(message);
    return false;
  }

  const CommandLineSpec& spec_;
  const std::vector<std::string>& arguments_;
  std::vector<std::string> words_;
  Invocation invocation_;
};

void Parser::ScanArguments() {
  bool flags_ended = false;
  for (size_t index = 0; index < arguments_.size(); ++index) {
    const std::string& argument = arguments_[index];
    if (!flags_ended && argument == "--") {
      flags_ended = true;
    } else if (!flags_ended && LooksLikeFlag(argument)) {
      ReadFlag(index);
    } else {
      words_.push_back(argument);
    }
  }
}

// Reads the flag at arguments_[index]; advances `index` past a value given
// as the next argument.
bool Parser::ReadFlag(size_t& index) {
  absl::string_view text = arguments_[index];
  std::optional<std::string> value;
  const FlagSpec* flag = nullptr;
  if (text.substr(0, 2) == "--") {
    text.remove_prefix(2);
    const size_t equals = text.find('=');
    if (equals != absl::string_view::npos) {
      value = std::string(text.substr(equals + 1));
      text = text.substr(0, equals);
    }
    for (const RefusedFlag& refused : spec_.refused_flags) {
      if (refused.name == text) return Fail(std::string(refused.reason));
    }
    flag = FindFlag(text);
  } else if (text.size() == 2) {
    flag = FindShortFlag(text[1]);
  }

  if (flag == nullptr) {
    const std::string& argument = arguments_[index];
    return Fail(
        absl::StrCat("unknown flag ", argument.substr(0, argument.find('='))));
  }
  return StoreFlag(*flag, std::move(value), index);
}

bool Parser::StoreFlag(const FlagSpec& flag, std::optional<std::string> value,
                       size_t& index) {
  if (flag.is_switch()) {
    if (value.has_value() && *value != "true" && *value != "false") {
      return Fail(absl::StrCat("flag --", flag.name,
                               " is a switch: give it alone, without a value"));
    }
    value = value.value_or("true");
  } else if (!value.has_value()) {
    if (index + 1 >= arguments_.size()) {
      return Fail(absl::StrCat("flag --", flag.name, " needs a value ",
                               flag.value_name));
    }
    value = arguments_[++index];
  }

  if (flag.name == "help") invocation_.help = *value == "true";
  invocation_.flags[std::string(flag.name)].push_back(*std::move(value));
  return true;
}

bool Parser::ResolveWords() {
  if (!words_.empty() && words_.front() == "help") {
    invocation_.help = true;
    words_.erase(words_.begin());
  }
  if (words_.empty()) {
    invocation_.help = true;  // a bare program name shows the overview
    return true;
  }

  std::vector<absl::string_view> group_names;
  for (const GroupSpec& group : spec_.groups) group_names.push_back(group.name);
  if (std::find(group_names.begin(), group_names.end(), words_[0]) ==
      group_names.end()) {
    return Fail(absl::StrCat("unknown command group '", words_[0],
                             "'; the groups are ",
                             absl::StrJoin(group_names, ", ")));
  }
  invocation_.group = words_[0];
  if (words_.size() == 1) {
    invocation_.help = true;  // a bare group shows its commands
    return true;
  }

  std::vector<absl::string_view> command_names;
  for (size_t i = 0; i < spec_.commands.size(); ++i) {
    const CommandSpec& command = spec_.commands[i];
    if (command.group != invocation_.group) continue;
    if (command.name == words_[1]) {
      invocation_.command_index = static_cast<int>(i);
      return ResolveArgument(command);
    }
    command_names.push_back(command.name);
  }
  return Fail(absl::StrCat("unknown command '", words_[0], " ", words_[1],
                           "'; the commands of ", words_[0], " are ",
                           absl::StrJoin(command_names, ", ")));
}

bool Parser::ResolveArgument(const CommandSpec& command) {
  const size_t given = words_.size() - 2;
  const size_t expected = command.argument.empty() ? 0 : 1;
  if (given > expected) {
    return Fail(
        absl::StrCat("unexpected argument '", words_[2 + expected], "'"));
  }
  if (invocation_.help) return true;
  if (given < expected) return Fail(absl::StrCat("missing ", command.argument));
  if (expected == 1) invocation_.argument = words_[2];
  return true;
}

bool Parser::CheckFlags() {
  const CommandSpec& command = spec_.commands[invocation_.command_index];
  for (const auto& [name, values] : invocation_.flags) {
    const FlagSpec* flag = FindIn(command.flags, name);
    if (flag == nullptr) flag = FindIn(spec_.global_flags, name);
    if (flag == nullptr) {
      return Fail(absl::StrCat("flag --", name, " is not a flag of '",
                               command.group, " ", command.name, "'"));
    }
    if (values.size() > 1 && !flag->repeatable) {
      return Fail(absl::StrCat("flag --", name, " is given more than once"));
    }
  }
  for (const FlagSpec& flag : command.flags) {
    if (flag.required && !invocation_.Has(flag.name)) {
      return Fail(absl::StrCat("missing --", flag.name, " ", flag.value_name));
    }
  }
  return true;
}

// Global flags first, then any command's: a flag name means the same
// everywhere, so whether it takes a value is known before the command is.
const FlagSpec* Parser::FindFlag(absl::string_view name) const {
  if (const FlagSpec* flag = FindIn(spec_.global_flags, name)) return flag;
  for (const CommandSpec& command : spec_.commands) {
    if (const FlagSpec* flag = FindIn(command.flags, name)) return flag;
  }
  return nullptr;
}

const FlagSpec* Parser::FindShortFlag(char short_name) const {
  for (const FlagSpec& flag : spec_.global_flags) {
    if (flag.short_name == short_name) return &flag;
  }
  return nullptr;
}

}  // namespace

bool Invocation::Has(absl::string_view flag) const {
  return flags.find(flag) != flags.end();
}

std::string Invocation::Value(absl::string_view flag) const {
  auto found = flags.find(flag);
  return found == flags.end() ? "" : found->second.back();
}

std::vector<std::string> Invocation::Values(absl::string_view flag) const {
  auto found = flags.find(flag);
  return found == flags.end() ? std::vector<std::string>{} : found->second;
}

bool Invocation::Enabled(absl::string_view flag) const {
  return Value(flag) == "true";
}

Invocation ParseCommandLine(const CommandLineSpec& spec,
                            const std::vector<std::string>& arguments) {
  return Parser(spec, arguments).Run();
}

}  // namespace leverconnect::leverctl

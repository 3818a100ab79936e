#include "tests/fakes/fake_main.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "absl/strings/numbers.h"

namespace leverconnect::testing {
namespace {

bool Contains(std::initializer_list<absl::string_view> names,
              absl::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

absl::Status ForEachFlag(
    int argc, char** argv, std::initializer_list<absl::string_view> with_value,
    std::initializer_list<absl::string_view> switches,
    const std::function<absl::Status(absl::string_view name,
                                     absl::string_view value)>& apply) {
  for (int index = 1; index < argc; ++index) {
    absl::string_view argument = argv[index];
    if (argument.substr(0, 2) != "--") {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument ", argument));
    }
    argument.remove_prefix(2);
    if (Contains(switches, argument)) {
      absl::Status applied = apply(argument, "");
      if (!applied.ok()) return applied;
      continue;
    }
    const std::size_t equals = argument.find('=');
    const absl::string_view name = argument.substr(0, equals);
    if (!Contains(with_value, name)) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    absl::string_view value;
    if (equals != absl::string_view::npos) {
      value = argument.substr(equals + 1);
    } else if (index + 1 < argc) {
      value = argv[++index];
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " needs a value"));
    }
    absl::Status applied = apply(name, value);
    if (!applied.ok()) return applied;
  }
  return absl::OkStatus();
}

absl::Status BadFlagValue(absl::string_view flag, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("bad value for --", flag, ": expected ", expected));
}

absl::Status ParseListenFlag(absl::string_view value, std::string& host,
                             int& port) {
  const std::size_t colon = value.rfind(':');
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(value.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return BadFlagValue("listen", "HOST:PORT");
  }
  absl::string_view address = value.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  host = std::string(address);
  return absl::OkStatus();
}

absl::Status WritePortFile(const std::string& path, int port) {
  const std::string temporary = absl::StrCat(path, ".tmp.", getpid());
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << port << "\n";
    file.close();
    if (!file) {
      return absl::UnavailableError(absl::StrCat("cannot write ", temporary));
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return absl::UnavailableError(absl::StrCat("cannot rename to ", path));
  }
  return absl::OkStatus();
}

sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int WaitForStopSignal(const sigset_t& signals) {
  int signal_number = 0;
  while (sigwait(&signals, &signal_number) != 0) {
  }
  return signal_number;
}

}  // namespace leverconnect::testing

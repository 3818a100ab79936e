// fake-lever: serves a fake Lever Data API until SIGINT or SIGTERM.
//
// Used by the demo, benchmarks and end-to-end tests that run the fake in
// its own process. See Usage() for the flags.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "lib/log/log.h"
#include "tests/fakes/fake_lever.h"

namespace leverconnect::testing {
namespace {

constexpr char kUsage[] =
    R"(Usage: fake-lever [flags]

Serves a fake Lever Data API (/v1/requisitions, /v1/requisitions/{id},
/v1/requisition_fields) over HTTP until SIGINT or SIGTERM.

  --listen HOST:PORT          where to listen (default 127.0.0.1:0, any port)
  --port-file PATH            once bound, write the port and a newline here
  --requisitions FILE         a Lever list page JSON {"data": [...]}
  --requisition-fields FILE   a Lever /requisition_fields JSON {"data": [...]}
  --generate N                serve N generated requisitions instead
  --seed S                    seed of the generated data (default 1)
  --api-key KEY=PERMISSION[,PERMISSION...]
                              a valid key and what it may do, for example
                              requisitions:read,requisition_fields:read;
                              repeat for more keys
  --help                      show this text
)";

struct Flags {
  FakeLeverOptions options;
  std::string port_file;
  bool help = false;
};

bool IsKnownFlag(absl::string_view name) {
  for (const char* known :
       {"listen", "port-file", "requisitions", "requisition-fields", "generate",
        "seed", "api-key"}) {
    if (name == known) return true;
  }
  return false;
}

absl::Status BadValue(absl::string_view flag, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("bad value for --", flag, ": expected ", expected));
}

absl::Status ParseListen(absl::string_view value, FakeLeverOptions& options) {
  const std::size_t colon = value.rfind(':');
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(value.substr(colon + 1), &options.port) ||
      options.port < 0 || options.port > 65535) {
    return BadValue("listen", "HOST:PORT");
  }
  absl::string_view host = value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  options.host = std::string(host);
  return absl::OkStatus();
}

// Never echoes the value: it holds a key.
absl::Status ParseApiKey(absl::string_view value, FakeLeverOptions& options) {
  const std::size_t equals = value.find('=');
  if (equals == absl::string_view::npos || equals == 0) {
    return BadValue("api-key", "KEY=PERMISSION[,PERMISSION...]");
  }
  std::set<std::string>& permissions =
      options.api_keys[std::string(value.substr(0, equals))];
  for (absl::string_view permission :
       absl::StrSplit(value.substr(equals + 1), ',', absl::SkipEmpty())) {
    permissions.emplace(std::string(permission));
  }
  return absl::OkStatus();
}

absl::Status ApplyFlag(absl::string_view name, absl::string_view value,
                       Flags& flags) {
  FakeLeverOptions& options = flags.options;
  if (name == "listen") return ParseListen(value, options);
  if (name == "api-key") return ParseApiKey(value, options);
  if (value.empty()) return BadValue(name, "a value");
  if (name == "port-file") {
    flags.port_file = std::string(value);
  } else if (name == "requisitions") {
    options.requisitions_file = std::string(value);
  } else if (name == "requisition-fields") {
    options.requisition_fields_file = std::string(value);
  } else if (name == "generate") {
    if (!absl::SimpleAtoi(value, &options.generate) || options.generate < 0) {
      return BadValue(name, "a count from 0");
    }
  } else if (name == "seed" && !absl::SimpleAtoi(value, &options.seed)) {
    return BadValue(name, "an unsigned integer");
  }
  return absl::OkStatus();
}

absl::StatusOr<Flags> ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int index = 1; index < argc; ++index) {
    absl::string_view argument = argv[index];
    if (argument.substr(0, 2) != "--") {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument ", argument));
    }
    argument.remove_prefix(2);
    if (argument == "help") {
      flags.help = true;
      continue;
    }
    const std::size_t equals = argument.find('=');
    const absl::string_view name = argument.substr(0, equals);
    if (!IsKnownFlag(name)) {
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
    absl::Status applied = ApplyFlag(name, value, flags);
    if (!applied.ok()) return applied;
  }
  return flags;
}

// Writes `port` to `path` through a temporary file and a rename, so a
// reader never sees a partial number.
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

// Blocks SIGINT and SIGTERM in this thread and every thread started after,
// so that WaitForStopSignal alone receives them.
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

int Run(const Flags& flags) {
  const sigset_t signals = BlockStopSignals();
  absl::StatusOr<std::unique_ptr<FakeLever>> lever =
      FakeLever::Start(flags.options);
  if (!lever.ok()) {
    log::Log(log::Severity::kError, "fake-lever failed to start",
             {{"status", lever.status()}});
    return 1;
  }
  const int port = (*lever)->port();
  if (!flags.port_file.empty()) {
    absl::Status written = WritePortFile(flags.port_file, port);
    if (!written.ok()) {
      log::Log(log::Severity::kError, "fake-lever cannot write the port file",
               {{"status", written}});
      return 1;
    }
  }
  log::Log(log::Severity::kInfo, "fake-lever listening",
           {{"port", port}, {"base_url", (*lever)->base_url()}});

  const int signal_number = WaitForStopSignal(signals);
  log::Log(log::Severity::kInfo, "fake-lever stopping",
           {{"signal", signal_number}});
  (*lever)->Stop();
  return 0;
}

}  // namespace
}  // namespace leverconnect::testing

int main(int argc, char** argv) {
  using leverconnect::testing::Flags;
  const absl::StatusOr<Flags> flags =
      leverconnect::testing::ParseFlags(argc, argv);
  if (!flags.ok()) {
    std::fprintf(stderr, "fake-lever: %s\nRun fake-lever --help for usage.\n",
                 std::string(flags.status().message()).c_str());
    return 2;
  }
  if (flags->help) {
    std::fputs(leverconnect::testing::kUsage, stdout);
    return 0;
  }
  return leverconnect::testing::Run(*flags);
}

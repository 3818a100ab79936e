// What the fakes' main() functions share: flag splitting, --listen,
// --port-file, and serving until SIGINT or SIGTERM.
#ifndef LEVERCONNECT_TESTS_FAKES_FAKE_MAIN_H_
#define LEVERCONNECT_TESTS_FAKES_FAKE_MAIN_H_

#include <signal.h>

#include <cstdio>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "lib/log/log.h"

namespace leverconnect::testing {

// Calls `apply(name, value)` for each flag of the command line, in order:
// "--name value" or "--name=value", or "--name" alone (value empty) for
// the names in `switches`. InvalidArgument for an argument that is not a
// flag, a name in neither list, a missing value, or what `apply` refuses.
absl::Status ForEachFlag(
    int argc, char** argv, std::initializer_list<absl::string_view> with_value,
    std::initializer_list<absl::string_view> switches,
    const std::function<absl::Status(absl::string_view name,
                                     absl::string_view value)>& apply);

// "bad value for --<flag>: expected <expected>".
absl::Status BadFlagValue(absl::string_view flag, absl::string_view expected);

// Reads --listen's HOST:PORT ([IPV6]:PORT allowed; port 0 to 65535).
absl::Status ParseListenFlag(absl::string_view value, std::string& host,
                             int& port);

// Writes `port` and a newline to `path` through a temporary file and a
// rename, so a reader never sees a partial number.
absl::Status WritePortFile(const std::string& path, int port);

// Blocks SIGINT and SIGTERM in this thread and every thread started after,
// so that WaitForStopSignal alone receives them.
sigset_t BlockStopSignals();

// Waits for SIGINT or SIGTERM; returns which.
int WaitForStopSignal(const sigset_t& signals);

// The end of a fake's main(): with `flags` (a struct with `options`,
// `port_file` and `help`), prints the usage on --help, else starts
// Fake::Start(flags.options), writes the port file, logs where it listens
// and serves until SIGINT or SIGTERM. Returns the exit code: 0, 1 when it
// cannot start, 2 for a usage error.
template <typename Fake, typename Flags>
int ServeFake(absl::string_view program, const char* usage,
              const absl::StatusOr<Flags>& flags) {
  const std::string name(program);
  if (!flags.ok()) {
    std::fprintf(stderr, "%s: %s\nRun %s --help for usage.\n", name.c_str(),
                 std::string(flags.status().message()).c_str(), name.c_str());
    return 2;
  }
  if (flags->help) {
    std::fputs(usage, stdout);
    return 0;
  }
  const sigset_t signals = BlockStopSignals();
  absl::StatusOr<std::unique_ptr<Fake>> fake = Fake::Start(flags->options);
  if (!fake.ok()) {
    log::Log(log::Severity::kError, absl::StrCat(name, " failed to start"),
             {{"status", fake.status()}});
    return 1;
  }
  const int port = (*fake)->port();
  if (!flags->port_file.empty()) {
    absl::Status written = WritePortFile(flags->port_file, port);
    if (!written.ok()) {
      log::Log(log::Severity::kError,
               absl::StrCat(name, " cannot write the port file"),
               {{"status", written}});
      return 1;
    }
  }
  log::Log(log::Severity::kInfo, absl::StrCat(name, " listening"),
           {{"port", port}, {"base_url", (*fake)->base_url()}});

  const int signal_number = WaitForStopSignal(signals);
  log::Log(log::Severity::kInfo, absl::StrCat(name, " stopping"),
           {{"signal", signal_number}});
  (*fake)->Stop();
  return 0;
}

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_FAKE_MAIN_H_

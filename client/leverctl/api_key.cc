#include "client/leverctl/api_key.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <iterator>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace leverconnect::leverctl {
namespace {

constexpr int kRestoredSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// The terminal settings to put back; written before echo goes off, read by
// the signal handler.
termios saved_terminal;
volatile sig_atomic_t echo_is_off = 0;

void RestoreEchoAndDie(int signal_number) {
  if (echo_is_off) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_terminal);
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

// Turns echo off on the terminal of standard input for its lifetime.
class EchoOff {
 public:
  EchoOff() {
    if (tcgetattr(STDIN_FILENO, &saved_terminal) != 0) return;
    struct sigaction action = {};
    action.sa_handler = RestoreEchoAndDie;
    for (size_t i = 0; i < std::size(kRestoredSignals); ++i) {
      sigaction(kRestoredSignals[i], &action, &previous_actions_[i]);
    }
    termios quiet = saved_terminal;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    echo_is_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    active_ = true;
  }

  ~EchoOff() {
    if (!active_) return;
    if (echo_is_off) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_terminal);
    echo_is_off = 0;
    for (size_t i = 0; i < std::size(kRestoredSignals); ++i) {
      sigaction(kRestoredSignals[i], &previous_actions_[i], nullptr);
    }
  }

  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  bool active_ = false;
  struct sigaction previous_actions_[std::size(kRestoredSignals)] = {};
};

// Removes a trailing LF, then a trailing CR.
std::string WithoutLineEnd(std::string text) {
  absl::string_view trimmed = text;
  absl::ConsumeSuffix(&trimmed, "\n");
  absl::ConsumeSuffix(&trimmed, "\r");
  return std::string(trimmed);
}

absl::StatusOr<std::string> ReadLine() {
  std::string line;
  std::getline(std::cin, line);
  if (std::cin.bad()) {
    return absl::InvalidArgumentError(
        "cannot read the Lever API key from standard input");
  }
  return line;
}

// The key without its line end; `source` says where it came from when it
// is empty.
absl::StatusOr<std::string> NonEmptyKey(std::string key,
                                        absl::string_view source) {
  std::string trimmed = WithoutLineEnd(std::move(key));
  if (trimmed.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the Lever API key ", source, " is empty"));
  }
  return trimmed;
}

}  // namespace

absl::StatusOr<std::string> ReadApiKey(const Environment& environment) {
  std::optional<std::string> key = environment.variable("LEVER_API_KEY");
  if (key.has_value()) return NonEmptyKey(*std::move(key), "in LEVER_API_KEY");
  absl::StatusOr<std::string> read = environment.read_api_key();
  if (!read.ok()) return read.status();
  return NonEmptyKey(*std::move(read), "read from standard input");
}

absl::StatusOr<std::string> ReadApiKeyFromStandardInput() {
  if (!isatty(STDIN_FILENO)) return ReadLine();

  std::cerr << "Lever API key: " << std::flush;
  absl::StatusOr<std::string> line;
  {
    EchoOff echo_off;
    line = ReadLine();
  }
  std::cerr << "\n";
  return line;
}

}  // namespace leverconnect::leverctl

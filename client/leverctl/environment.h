// What leverctl touches outside itself. main() wires the process's own
// streams, variables and network; tests wire strings and an in-process
// server, so that every command runs the same code in both.
#ifndef LEVERCONNECT_CLIENT_LEVERCTL_ENVIRONMENT_H_
#define LEVERCONNECT_CLIENT_LEVERCTL_ENVIRONMENT_H_

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "client/leverconnect_client.h"

namespace leverconnect::leverctl {

// What the process exit status means; documented in `leverctl --help`.
enum ExitCode : int {
  kSuccess = 0,
  kServerError = 1,  // the server answered with an error status
  kUsageError = 2,   // the command line or a value on it is wrong
  kNotReady = 3,     // connections test: a permission is missing
  kRunFailed = 4,    // imports start --wait, watch: the run failed or was
                     // cancelled
  kNotApplied = 5,   // requisitions plan, apply: a row is invalid, or was
                     // not written (conflict, failed, not attempted)
  kDeclined = 6,     // requisitions apply: the confirmation was declined;
                     // nothing was written
};

struct Environment {
  std::ostream* out = nullptr;  // results: rows, tables, JSON
  std::ostream* err = nullptr;  // errors, progress, summaries
  // The value of an environment variable, or nullopt when it is not set.
  std::function<std::optional<std::string>(const std::string& name)> variable;
  // Reads the Lever API key when LEVER_API_KEY is not set: one line of
  // standard input, asked for without echo on a terminal.
  std::function<absl::StatusOr<std::string>()> read_api_key;
  // A client of the server at "host:port" that sends the token and uses
  // the certificates of `options`.
  std::function<std::unique_ptr<client::Client>(
      const std::string& address, const client::ClientOptions& options)>
      connect;
  // Draw the progress of an import on `err` (it is a terminal).
  bool show_progress = false;
  // Whether standard input is a terminal, where `requisitions apply` asks
  // before writing.
  bool input_is_terminal = false;
  // Shows `question` to the person at the terminal and returns the line
  // they answer.
  std::function<std::string(const std::string& question)> ask;
};

}  // namespace leverconnect::leverctl

#endif  // LEVERCONNECT_CLIENT_LEVERCTL_ENVIRONMENT_H_

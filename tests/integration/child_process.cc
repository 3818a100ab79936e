#include "tests/integration/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <sys/wait.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace leverconnect::testing {

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    const std::vector<std::string>& argv, const std::string& log_path) {
  std::vector<char*> arguments;
  for (const std::string& argument : argv) {
    arguments.push_back(const_cast<char*>(argument.c_str()));
  }
  arguments.push_back(nullptr);
  const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (log < 0) return absl::InternalError("cannot open " + log_path);

  const pid_t pid = fork();
  if (pid < 0) {
    close(log);
    return absl::InternalError("fork failed");
  }
  if (pid == 0) {
    const int null = open("/dev/null", O_RDWR);
    dup2(null, STDIN_FILENO);
    dup2(null, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    execv(arguments[0], arguments.data());
    _exit(127);
  }
  close(log);
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid));
}

ChildProcess::~ChildProcess() {
  if (!reaped_) Stop(SIGKILL);
}

void ChildProcess::Stop(int signal) {
  if (reaped_) return;
  kill(pid_, signal);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  reaped_ = true;
}

bool ChildProcess::Running() {
  if (reaped_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) reaped_ = true;
  return !reaped_;
}

absl::Status WaitUntil(const std::function<bool()>& ready,
                       ChildProcess& process, absl::Duration limit,
                       const std::string& what) {
  const absl::Time give_up = absl::Now() + limit;
  while (!ready()) {
    if (!process.Running()) {
      return absl::FailedPreconditionError(
          absl::StrCat("the process ended while waiting for ", what));
    }
    if (absl::Now() > give_up) {
      return absl::DeadlineExceededError(
          absl::StrCat("waited ", absl::FormatDuration(limit), " for ", what));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> WaitForPortFile(const std::string& path,
                                    ChildProcess& process,
                                    absl::Duration limit) {
  int port = 0;
  absl::Status waited = WaitUntil(
      [&] {
        std::ifstream in(path);
        std::string text;
        std::getline(in, text);
        return absl::SimpleAtoi(absl::StripAsciiWhitespace(text), &port) &&
               port > 0;
      },
      process, limit, path);
  if (!waited.ok()) return waited;
  return port;
}

std::string ServerProcess::address() const {
  return absl::StrCat("127.0.0.1:", port);
}

absl::StatusOr<ServerProcess> ServerProcess::Start(
    const std::string& state_dir, const std::string& database_url,
    const std::string& lever_url, const std::vector<std::string>& extra) {
  // A fixed master key: the test needs no secrecy, only a valid key.
  const std::string key_file = state_dir + "/master.key";
  std::ofstream(key_file) << std::string(64, '7') << "\n";
  const std::string port_file = state_dir + "/server.port";
  std::remove(port_file.c_str());

  std::vector<std::string> argv = {LEVERCONNECT_SERVER_BINARY,
                                   "--no-auth",
                                   "--listen",
                                   "127.0.0.1:0",
                                   "--port-file",
                                   port_file,
                                   "--state-dir",
                                   state_dir,
                                   "--master-key-file",
                                   key_file,
                                   "--lever-production-url",
                                   lever_url,
                                   "--lever-sandbox-url",
                                   lever_url,
                                   "--log-level",
                                   "warning"};
  if (!database_url.empty()) {
    argv.push_back("--database");
    argv.push_back(database_url);
  }
  argv.insert(argv.end(), extra.begin(), extra.end());

  ServerProcess server;
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Start(argv, state_dir + "/server.log");
  if (!process.ok()) return process.status();
  server.process = std::move(*process);
  absl::StatusOr<int> port = WaitForPortFile(port_file, *server.process);
  if (!port.ok()) return port.status();
  server.port = *port;
  return server;
}

}  // namespace leverconnect::testing

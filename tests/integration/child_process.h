// Real programs started by a test, each in a process of its own, and the
// bounded waits for them to become ready. Nothing here sleeps to wait
// except between polls of a condition, and every wait has a limit.
#ifndef LEVERCONNECT_TESTS_INTEGRATION_CHILD_PROCESS_H_
#define LEVERCONNECT_TESTS_INTEGRATION_CHILD_PROCESS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace leverconnect::testing {

class ChildProcess {
 public:
  // Runs `argv` (argv[0] a path) with the test's environment, standard
  // error appended to `log_path`, standard input and output closed.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(
      const std::vector<std::string>& argv, const std::string& log_path);

  // Kills the process with SIGKILL when it is still running.
  ~ChildProcess();

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Sends `signal` and waits until the process has ended.
  void Stop(int signal);

  // Whether the process is still running.
  bool Running();

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}

  pid_t pid_;
  bool reaped_ = false;
};

// Polls `ready` every 10 ms until it returns true (OK), `process` ends
// (FAILED_PRECONDITION) or `limit` passes (DEADLINE_EXCEEDED).
absl::Status WaitUntil(const std::function<bool()>& ready,
                       ChildProcess& process, absl::Duration limit,
                       const std::string& what);

// The port a program wrote to `path` once listening, waiting as WaitUntil.
absl::StatusOr<int> WaitForPortFile(const std::string& path,
                                    ChildProcess& process,
                                    absl::Duration limit = absl::Seconds(30));

// A leverconnect-server started by a test: --no-auth on a free loopback
// port, its state (and log, server.log) in `state_dir`, its stores in
// `database_url` (SQLite in state_dir when empty), both Lever environments
// at `lever_url`, then `extra` flags.
struct ServerProcess {
  std::unique_ptr<ChildProcess> process;
  int port = 0;

  std::string address() const;

  static absl::StatusOr<ServerProcess> Start(
      const std::string& state_dir, const std::string& database_url,
      const std::string& lever_url, const std::vector<std::string>& extra = {});
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_INTEGRATION_CHILD_PROCESS_H_

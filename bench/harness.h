// What the end-to-end benchmarks share: child processes that cannot
// outlive the benchmark, a fake Lever and a leverconnect server started on
// loopback the way scripts/demo.sh starts them, one import timed from the
// client's side, and the numbers read back (fake-lever's /_stats, the
// server's peak memory).
//
//   bench::Workspace workspace;                      // a temporary folder
//   bench::FakeLeverConfig lever_config;
//   lever_config.generate = 10000;
//   bench::FakeLever lever(workspace, lever_config);  // started, port known
//   bench::Server server(workspace, lever, {});       // connection created
//   bench::ImportResult result =
//       server.Import(leverconnect::v1::READ_MODE_ONE_CURSOR);
//
// Every process started here is stopped by the destructor of the object
// that started it (SIGTERM, then SIGKILL after a grace period), and is
// asked by the kernel to die with the benchmark (PR_SET_PDEATHSIG) should
// the benchmark itself be killed. Failures to start anything throw
// std::runtime_error with the child's log attached.
#ifndef LEVERCONNECT_BENCH_HARNESS_H_
#define LEVERCONNECT_BENCH_HARNESS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <sys/types.h>

#include "leverconnect/v1/import.pb.h"

namespace leverconnect::client {
class Client;
class RowBatchView;
}  // namespace leverconnect::client

namespace leverconnect::bench {

// Where the binaries are: the build's own unless the environment names
// others (LEVERCONNECT_SERVER_BINARY, FAKE_LEVER_BINARY).
std::string ServerBinary();
std::string FakeLeverBinary();

// A temporary folder, removed with everything in it on destruction
// (unless BENCH_KEEP_WORKDIR=1, for reading the logs afterwards).
class Workspace {
 public:
  Workspace();
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  const std::string& path() const { return path_; }
  // A fresh name inside the folder: "<prefix>-<n><suffix>".
  std::string NewPath(const std::string& prefix,
                      const std::string& suffix = "");

 private:
  std::string path_;
  int counter_ = 0;
};

// One child process, its standard output and error going to `log_path`.
class ChildProcess {
 public:
  ChildProcess(const std::string& binary, const std::vector<std::string>& args,
               const std::string& log_path);
  ~ChildProcess();  // Stop()
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  // SIGTERM, up to 10 s to exit, then SIGKILL. Idempotent.
  void Stop();
  // Waits for `port_file` to hold a port; throws if the child exits first
  // or 30 s pass.
  int WaitForPort(const std::string& port_file);
  std::string LogTail() const;

 private:
  pid_t pid_ = -1;
  std::string log_path_;
};

// Reads VmHWM (peak resident set) or VmRSS of a process, in KiB; -1 when
// the process or the line is missing.
std::int64_t ReadStatusKiB(pid_t pid, const char* field);

// CPU time (user + system) a process has used so far, in seconds; -1 when
// it cannot be read. SelfCpuSeconds() is this process's.
double CpuSeconds(pid_t pid);
double SelfCpuSeconds();

struct FakeLeverConfig {
  int generate = 10000;
  double rate = 0;  // requests per second per key; 0 = no limit
  double burst = 0;
  int latency_ms = 0;
  int seed = 1;
};

// What fake-lever's GET /_stats reports.
struct LeverStats {
  std::int64_t total = 0;
  std::int64_t rate_limited = 0;
  std::int64_t max_requests_per_second = 0;
};

class FakeLever {
 public:
  FakeLever(Workspace& workspace, const FakeLeverConfig& config);
  ~FakeLever();

  int port() const { return port_; }
  pid_t pid() const { return process_->pid(); }
  const std::string& api_key() const { return api_key_; }
  std::string BaseUrl() const;  // "http://127.0.0.1:<port>/v1"
  LeverStats Stats() const;
  void Stop() { process_->Stop(); }

 private:
  std::string api_key_;
  std::unique_ptr<ChildProcess> process_;
  int port_ = 0;
};

struct ServerConfig {
  // Empty strings keep the server's defaults (9 and 18).
  std::string lever_rate;
  std::string lever_burst;
  std::string log_level = "warning";
};

// How the benchmark's client receives batches: as views of their bytes
// (StreamHandlers::on_rows), reading every cell once; or decoded into
// RowBatch messages (StreamHandlers::on_batch), reading none.
enum class Receiving { kViews, kMessages };

// Reads every cell of `batch` once, as a client that uses each value
// would, and returns a number drawn from all of them, so that no read can
// be left out by the compiler.
std::uint64_t ReadEveryCell(const client::RowBatchView& batch);

// The client's view of one StreamRequisitions call.
struct ImportResult {
  bool ok = false;
  std::string error;      // when !ok
  std::int64_t rows = 0;  // rows received
  std::int64_t batches = 0;
  // Encoded size of the batches received (for messages, estimated from a
  // sample of them).
  std::int64_t bytes = 0;
  std::uint64_t cells_read = 0;  // ReadEveryCell's sum, for views
  double seconds = 0;            // request sent to summary received
  double first_batch_seconds = 0;
  leverconnect::v1::ImportSummary summary;
};

// A leverconnect server on loopback with an admin caller, pointed at
// `lever` for both environments, and one connection ("bench", application
// "bench-app") holding the fake's API key (stored without a key check,
// so that no request reaches the fake before the import).
class Server {
 public:
  Server(Workspace& workspace, const FakeLever& lever,
         const ServerConfig& config);
  ~Server();

  pid_t pid() const { return process_->pid(); }
  // Imports every requisition with every column; gives up after
  // `timeout_seconds`.
  ImportResult Import(leverconnect::v1::ReadMode mode,
                      double timeout_seconds = 180,
                      Receiving receiving = Receiving::kViews);
  void Stop() { process_->Stop(); }

 private:
  std::unique_ptr<ChildProcess> process_;
  std::unique_ptr<client::Client> client_;
};

const char* ModeName(leverconnect::v1::ReadMode mode);

// Median of `values` (which it sorts); 0 when empty.
double Median(std::vector<double> values);

// Fixed-point text of `value` with `digits` decimals, and with thousands
// separators for integers ("12,345").
std::string Fixed(double value, int digits);
std::string Thousands(std::int64_t value);

// One line of machine facts for the top of a table: cores, CPU model.
std::string MachineLine();

}  // namespace leverconnect::bench

#endif  // LEVERCONNECT_BENCH_HARNESS_H_

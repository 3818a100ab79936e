#include "bench/harness.h"

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <rapidjson/document.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "client/leverconnect_client.h"
#include "client/row_view.h"
#include "lib/crypto/digest.h"

#ifndef LEVERCONNECT_BENCH_SERVER_BINARY
#define LEVERCONNECT_BENCH_SERVER_BINARY "leverconnect-server"
#endif
#ifndef LEVERCONNECT_BENCH_FAKE_LEVER_BINARY
#define LEVERCONNECT_BENCH_FAKE_LEVER_BINARY "fake-lever"
#endif

namespace leverconnect::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kApplication[] = "bench-app";
constexpr char kConnection[] = "bench";
// bench::Server::Import sizes one received batch in this many.
constexpr int kSizedBatchEvery = 8;

std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

std::string RandomHex(int bytes) {
  std::random_device device;
  std::string text;
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = 0; i < bytes; ++i) {
    const unsigned value = device() & 0xff;
    text += kDigits[value >> 4];
    text += kDigits[value & 0xf];
  }
  return text;
}

void WriteFile(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + path);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("cannot write " + path);
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Children still running, for the signal handler.
constexpr int kMaxChildren = 16;
volatile pid_t g_children[kMaxChildren] = {};

void Track(pid_t pid) {
  for (auto& slot : g_children) {
    if (slot == 0) {
      slot = pid;
      return;
    }
  }
}

void Untrack(pid_t pid) {
  for (auto& slot : g_children) {
    if (slot == pid) slot = 0;
  }
}

// Workspaces not yet removed, for the signal handler.
constexpr int kMaxWorkspaces = 4;
char g_workspaces[kMaxWorkspaces][512] = {};

void TrackWorkspace(const std::string& path) {
  for (auto& slot : g_workspaces) {
    if (slot[0] == '\0' && path.size() < sizeof(slot)) {
      std::memcpy(slot, path.c_str(), path.size() + 1);
      return;
    }
  }
}

void UntrackWorkspace(const std::string& path) {
  for (auto& slot : g_workspaces) {
    if (path == slot) slot[0] = '\0';
  }
}

// Async-signal-safe: kill and reap the children, remove the workspaces
// with rm -rf, exit.
extern "C" void KillChildrenAndExit(int signal_number) {
  for (auto& slot : g_children) {
    if (slot > 0) ::kill(slot, SIGKILL);
  }
  for (auto& slot : g_children) {
    if (slot > 0) ::waitpid(slot, nullptr, 0);
  }
  for (auto& slot : g_workspaces) {
    if (slot[0] == '\0') continue;
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::execl("/bin/rm", "rm", "-rf", "--", slot, static_cast<char*>(nullptr));
      ::_exit(127);
    }
    if (pid > 0) ::waitpid(pid, nullptr, 0);
  }
  ::_exit(128 + signal_number);
}

void InstallSignalHandlers() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  struct sigaction action = {};
  action.sa_handler = KillChildrenAndExit;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGHUP, &action, nullptr);
}

}  // namespace

std::string ServerBinary() {
  return EnvOr("LEVERCONNECT_SERVER_BINARY", LEVERCONNECT_BENCH_SERVER_BINARY);
}

std::string FakeLeverBinary() {
  return EnvOr("FAKE_LEVER_BINARY", LEVERCONNECT_BENCH_FAKE_LEVER_BINARY);
}

Workspace::Workspace() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "leverconnect-bench-XXXXXX")
          .string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed");
  }
  path_ = pattern;
  InstallSignalHandlers();
  TrackWorkspace(path_);
}

Workspace::~Workspace() {
  UntrackWorkspace(path_);
  if (EnvOr("BENCH_KEEP_WORKDIR", "0") == "1") {
    std::fprintf(stderr, "bench: kept %s\n", path_.c_str());
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string Workspace::NewPath(const std::string& prefix,
                               const std::string& suffix) {
  return path_ + "/" + prefix + "-" + std::to_string(++counter_) + suffix;
}

ChildProcess::ChildProcess(const std::string& binary,
                           const std::vector<std::string>& args,
                           const std::string& log_path)
    : log_path_(log_path) {
  InstallSignalHandlers();
  if (::access(binary.c_str(), X_OK) != 0) {
    throw std::runtime_error("not an executable: " + binary);
  }
  std::vector<std::string> argv_storage;
  argv_storage.push_back(binary);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_storage) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int log_fd =
      ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_path);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    throw std::runtime_error("fork failed");
  }
  if (pid == 0) {
    // Only async-signal-safe calls until exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log_fd);
  pid_ = pid;
  Track(pid);
}

ChildProcess::~ChildProcess() { Stop(); }

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  const pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    Untrack(pid_);
    pid_ = -1;
    return false;
  }
  return true;
}

void ChildProcess::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  Untrack(pid_);
  pid_ = -1;
}

int ChildProcess::WaitForPort(const std::string& port_file) {
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    const std::string text = ReadFile(port_file);
    if (!text.empty() && text.back() == '\n') return std::stoi(text);
    if (!Running()) {
      throw std::runtime_error("a child exited early; its log:\n" + LogTail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("timed out waiting for " + port_file + "; log:\n" +
                           LogTail());
}

std::string ChildProcess::LogTail() const {
  const std::string text = ReadFile(log_path_);
  return text.size() > 4000 ? text.substr(text.size() - 4000) : text;
}

std::int64_t ReadStatusKiB(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.compare(0, prefix.size(), prefix) == 0) {
      return std::stoll(line.substr(prefix.size()));
    }
  }
  return -1;
}

double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  // Fields after the command name, which ends with the last ')'.
  const std::size_t paren = text.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  double ticks = 0;
  // Fields 3.. of proc(5); utime is 14 and stime 15.
  for (int number = 3; number <= 15 && fields >> field; ++number) {
    if (number >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
  struct rusage usage = {};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
         usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

FakeLever::FakeLever(Workspace& workspace, const FakeLeverConfig& config)
    : api_key_("bench_" + RandomHex(12)) {
  const std::string port_file = workspace.NewPath("lever", ".port");
  const std::string key_grants =
      api_key_ + "=requisitions:read,requisition_fields:read,users:read";
  std::vector<std::string> args = {
      "--listen",    "127.0.0.1:0",
      "--port-file", port_file,
      "--generate",  std::to_string(config.generate),
      "--seed",      std::to_string(config.seed),
      "--api-key",   key_grants};
  if (config.rate > 0) {
    args.insert(args.end(), {"--rate", Fixed(config.rate, 3)});
    if (config.burst > 0) {
      args.insert(args.end(), {"--burst", Fixed(config.burst, 3)});
    }
  }
  if (config.latency_ms > 0) {
    args.insert(args.end(),
                {"--latency-ms", std::to_string(config.latency_ms)});
  }
  process_ = std::make_unique<ChildProcess>(
      FakeLeverBinary(), args, workspace.NewPath("fake-lever", ".log"));
  port_ = process_->WaitForPort(port_file);
}

FakeLever::~FakeLever() = default;

std::string FakeLever::BaseUrl() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/v1";
}

LeverStats FakeLever::Stats() const {
  httplib::Client http("127.0.0.1", port_);
  http.set_connection_timeout(5);
  http.set_read_timeout(5);
  httplib::Result answer = http.Get("/_stats");
  if (!answer || answer->status != 200) {
    throw std::runtime_error("GET /_stats failed");
  }
  rapidjson::Document stats;
  stats.Parse(answer->body.c_str());
  LeverStats result;
  if (stats.IsObject()) {
    auto read = [&stats](const char* name) -> std::int64_t {
      auto member = stats.FindMember(name);
      return member != stats.MemberEnd() && member->value.IsInt64()
                 ? member->value.GetInt64()
                 : -1;
    };
    result.total = read("total");
    result.rate_limited = read("rate_limited");
    result.max_requests_per_second = read("max_requests_per_second");
  }
  return result;
}

Server::Server(Workspace& workspace, const FakeLever& lever,
               const ServerConfig& config) {
  const std::string token = "lct_" + RandomHex(24);
  const std::string principals = workspace.NewPath("principals", ".json");
  WriteFile(principals,
            "{\"principals\": [{\"id\": \"bench-admin\", \"role\": \"admin\", "
            "\"token_sha256\": \"" +
                crypto::Sha256Hex(token) + "\"}]}\n");
  const std::string master_key = workspace.NewPath("master", ".key");
  WriteFile(master_key, RandomHex(32) + "\n");
  const std::string port_file = workspace.NewPath("server", ".port");
  std::vector<std::string> args = {"--listen",
                                   "127.0.0.1:0",
                                   "--port-file",
                                   port_file,
                                   "--state-dir",
                                   workspace.NewPath("state"),
                                   "--master-key-file",
                                   master_key,
                                   "--principals-file",
                                   principals,
                                   "--lever-production-url",
                                   lever.BaseUrl(),
                                   "--lever-sandbox-url",
                                   lever.BaseUrl(),
                                   "--log-level",
                                   config.log_level};
  if (!config.lever_rate.empty()) {
    args.insert(args.end(), {"--lever-rate", config.lever_rate});
  }
  if (!config.lever_burst.empty()) {
    args.insert(args.end(), {"--lever-burst", config.lever_burst});
  }
  process_ = std::make_unique<ChildProcess>(
      ServerBinary(), args, workspace.NewPath("server", ".log"));
  const int port = process_->WaitForPort(port_file);

  client::ClientOptions options;
  options.token = token;
  client_ =
      client::Client::Connect("127.0.0.1:" + std::to_string(port), options);
  v1::CreateConnectionRequest create;
  create.set_connection_id(kConnection);
  create.set_skip_key_check(true);
  v1::Connection& connection = *create.mutable_connection();
  connection.set_display_name("Benchmark (fake Lever)");
  connection.set_environment(v1::ENVIRONMENT_PRODUCTION);
  connection.add_allowed_applications(kApplication);
  connection.set_api_key(lever.api_key());
  absl::StatusOr<v1::Connection> created =
      client_->CreateConnection(create, {absl::Seconds(30)});
  if (!created.ok()) {
    throw std::runtime_error(
        "CreateConnection failed: " + created.status().ToString() +
        "\nserver log:\n" + process_->LogTail());
  }
}

Server::~Server() {
  client_.reset();
  process_->Stop();
}

ImportResult Server::Import(v1::ReadMode mode, double timeout_seconds,
                            Receiving receiving) {
  v1::StreamRequisitionsRequest request;
  request.set_connection(std::string("connections/") + kConnection);
  request.set_application(kApplication);
  request.set_read_mode(mode);
  ImportResult result;
  std::int64_t sized_rows = 0;
  std::int64_t sized_bytes = 0;
  const auto start = Clock::now();
  auto first_batch = [&] {
    if (result.batches++ > 0) return;
    result.first_batch_seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
  };
  client::StreamHandlers handlers;
  if (receiving == Receiving::kViews) {
    handlers.on_rows = [&](const client::RowBatchView& batch) {
      first_batch();
      result.cells_read += ReadEveryCell(batch);
      result.rows += static_cast<std::int64_t>(batch.rows().size());
      sized_rows += static_cast<std::int64_t>(batch.rows().size());
      sized_bytes += static_cast<std::int64_t>(batch.encoded_size());
      return true;
    };
  } else {
    handlers.on_batch = [&](const v1::RowBatch& batch) {
      // Sizing a batch walks every cell again, as much work as decoding a
      // good part of it: one batch in kSizedBatchEvery is sized, and the
      // total estimated from their bytes per row.
      if (result.batches % kSizedBatchEvery == 0) {
        sized_rows += batch.rows_size();
        sized_bytes += static_cast<std::int64_t>(batch.ByteSizeLong());
      }
      first_batch();
      result.rows += batch.rows_size();
      return true;
    };
  }
  absl::StatusOr<v1::ImportSummary> summary = client_->StreamRequisitions(
      request, handlers, {absl::Seconds(timeout_seconds)});
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (sized_rows > 0) {
    result.bytes = sized_bytes * result.rows / sized_rows;
  }
  result.ok = summary.ok();
  if (summary.ok()) {
    result.summary = *std::move(summary);
  } else {
    result.error = summary.status().ToString();
  }
  return result;
}

std::uint64_t ReadEveryCell(const client::RowBatchView& batch) {
  using Kind = client::CellView::Kind;
  std::uint64_t sum = 0;
  auto read = [&sum](const client::CellView& cell) {
    switch (cell.kind()) {
      case Kind::kNull:
        sum += 1;
        break;
      case Kind::kString:
        sum += cell.string_value().size();
        break;
      case Kind::kInteger:
        sum += static_cast<std::uint64_t>(cell.integer_value());
        break;
      case Kind::kDouble:
        sum += static_cast<std::uint64_t>(cell.double_value());
        break;
      case Kind::kBool:
        sum += cell.bool_value() ? 1 : 0;
        break;
      case Kind::kTimestamp:
        sum += static_cast<std::uint64_t>(cell.seconds() + cell.nanos());
        break;
      case Kind::kList:
        sum += cell.list_value().size();
        break;
    }
  };
  for (const client::RowView& row : batch.rows()) {
    sum += row.requisition_id().size() + row.warnings().size();
    for (const client::CellView& cell : row.cells()) {
      read(cell);
      for (const client::CellView& element : cell.list_value()) read(element);
    }
  }
  return sum;
}

const char* ModeName(v1::ReadMode mode) {
  switch (mode) {
    case v1::READ_MODE_ONE_CURSOR:
      return "ONE_CURSOR";
    case v1::READ_MODE_PARALLEL_WINDOWS:
      return "PARALLEL_WINDOWS";
    default:
      return "UNSPECIFIED";
  }
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle]
                                : (values[middle - 1] + values[middle]) / 2;
}

std::string Fixed(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", digits, value);
  return text;
}

std::string Thousands(std::int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string text;
  int count = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (count > 0 && count % 3 == 0) text += ',';
    text += *it;
    ++count;
  }
  if (value < 0) text += '-';
  return std::string(text.rbegin(), text.rend());
}

std::string MachineLine() {
  std::string model = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.compare(0, 10, "model name") == 0) {
      const std::size_t colon = line.find(':');
      if (colon != std::string::npos) model = line.substr(colon + 2);
      break;
    }
  }
  std::ifstream loadavg("/proc/loadavg");
  std::string load = "?";
  loadavg >> load;
  return std::to_string(std::thread::hardware_concurrency()) + " CPUs, " +
         model + ", load average " + load + " at start";
}

}  // namespace leverconnect::bench

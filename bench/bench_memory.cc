// bench_memory: the server's peak memory for an import, by size. For each
// size a fake-lever serves that many generated requisitions (no limit, no
// latency); for each read mode a fresh server process (--lever-rate 100000
// --lever-burst 100000) imports them all, every column, to this process,
// which reads and drops each batch as it arrives. The peak is VmHWM (the
// high-water mark of the resident set) from /proc/<pid>/status, read after
// the summary and before the server stops; "idle" is the same figure read
// just before the import.
//
//   bench_memory [--sizes 10000,100000] [--modes both|one_cursor|parallel]
//                [--timeout SECONDS]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench/flags.h"
#include "bench/harness.h"

namespace leverconnect::bench {
namespace {

constexpr char kUsage[] =
    "usage: bench_memory [--sizes N,N...] "
    "[--modes both|one_cursor|parallel] [--timeout SECONDS]\n";

struct Line {
  int size = 0;
  v1::ReadMode mode = v1::READ_MODE_UNSPECIFIED;
  ImportResult result;
  std::int64_t idle_kib = 0, peak_kib = 0, rss_after_kib = 0;
};

std::string MiB(std::int64_t kib) { return Fixed(kib / 1024.0, 1); }

int Main(int argc, char** argv) {
  const Flags flags(
      argc, argv,
      {{"sizes", "10000,100000"}, {"modes", "both"}, {"timeout", "60"}},
      kUsage);
  std::vector<int> sizes;
  std::stringstream list(flags.Get("sizes"));
  for (std::string item; std::getline(list, item, ',');) {
    sizes.push_back(std::stoi(item));
  }
  const std::vector<v1::ReadMode> modes =
      flags.Modes(v1::READ_MODE_ONE_CURSOR, v1::READ_MODE_PARALLEL_WINDOWS);
  ServerConfig server_config;
  server_config.lever_rate = "100000";
  server_config.lever_burst = "100000";

  std::vector<Line> lines;
  for (int size : sizes) {
    Workspace workspace;
    FakeLeverConfig lever_config;
    lever_config.generate = size;
    FakeLever lever(workspace, lever_config);
    for (v1::ReadMode mode : modes) {
      std::fprintf(stderr, "bench_memory: %d requisitions, %s ...\n", size,
                   ModeName(mode));
      Server server(workspace, lever, server_config);
      Line line;
      line.size = size;
      line.mode = mode;
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      line.idle_kib = ReadStatusKiB(server.pid(), "VmHWM");
      line.result = server.Import(mode, flags.Double("timeout"));
      line.peak_kib = ReadStatusKiB(server.pid(), "VmHWM");
      line.rss_after_kib = ReadStatusKiB(server.pid(), "VmRSS");
      server.Stop();
      if (!line.result.ok) {
        std::fprintf(stderr, "bench_memory: failed: %s\n",
                     line.result.error.c_str());
      }
      lines.push_back(line);
    }
  }

  std::printf("## 4. Peak server memory by import size (bench_memory)\n\n");
  std::printf(
      "%s; no limit, no latency; every column; a fresh server "
      "process per size and mode; VmHWM from /proc/<pid>/status.\n\n",
      MachineLine().c_str());
  std::printf(
      "| requisitions | read mode | rows | elapsed s | idle VmHWM "
      "MiB | peak VmHWM MiB | peak - idle MiB | VmRSS after MiB |\n");
  std::printf("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  bool failed = false;
  for (const Line& line : lines) {
    failed = failed || !line.result.ok || line.result.rows != line.size;
    std::printf("| %s | %s | %s | %s | %s | **%s** | %s | %s |\n",
                Thousands(line.size).c_str(), ModeName(line.mode),
                line.result.ok ? Thousands(line.result.rows).c_str() : "FAILED",
                Fixed(line.result.seconds, 2).c_str(),
                MiB(line.idle_kib).c_str(), MiB(line.peak_kib).c_str(),
                MiB(line.peak_kib - line.idle_kib).c_str(),
                MiB(line.rss_after_kib).c_str());
  }
  if (sizes.size() >= 2) {
    std::printf(
        "\n| read mode | peak at %s / peak at %s | target <= 1.5 "
        "|\n| --- | ---: | --- |\n",
        Thousands(sizes.back()).c_str(), Thousands(sizes.front()).c_str());
    for (v1::ReadMode mode : modes) {
      std::int64_t small = 0, large = 0;
      for (const Line& line : lines) {
        if (line.mode != mode) continue;
        if (line.size == sizes.front()) small = line.peak_kib;
        if (line.size == sizes.back()) large = line.peak_kib;
      }
      const double ratio = small > 0 ? static_cast<double>(large) / small : 0;
      std::printf("| %s | **%s** | %s |\n", ModeName(mode),
                  Fixed(ratio, 2).c_str(), ratio <= 1.5 ? "met" : "NOT met");
    }
  }
  std::printf("\n");
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace leverconnect::bench

int main(int argc, char** argv) {
  try {
    return leverconnect::bench::Main(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_memory: %s\n", error.what());
    return 1;
  }
}

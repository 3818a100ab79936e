// bench_import: a 10,000-requisition import through the real binaries,
// against fake-lever limiting the key like Lever (--rate 10 --burst 20)
// and answering every request after --latency-ms 300, with the server's
// default request budget (9/s, burst 18). Runs the one-cursor mode, then
// the parallel-windows mode, each with a fresh fake-lever and a fresh
// server, so that both start with full token buckets and no cached state.
//
//   bench_import [--count N] [--rate R] [--burst B] [--latency-ms MS]
//                [--modes both|one_cursor|parallel] [--timeout SECONDS]
//
// Prints rows per second (rows received by the client over the time from
// request to summary), the rate-limit bound (R requests a second of 100
// rows), the share of it reached, the 429s fake-lever sent (its /_stats
// "rate_limited"), and the elapsed time.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "bench/flags.h"
#include "bench/harness.h"
#include "google/protobuf/util/time_util.h"

namespace leverconnect::bench {
namespace {

constexpr char kUsage[] =
    "usage: bench_import [--count N] [--rate R] [--burst B] "
    "[--latency-ms MS] [--modes both|one_cursor|parallel] "
    "[--timeout SECONDS]\n";

struct Line {
  v1::ReadMode mode;
  ImportResult result;
  LeverStats stats;
};

double Seconds(const google::protobuf::Duration& duration) {
  return google::protobuf::util::TimeUtil::DurationToMilliseconds(duration) /
         1000.0;
}

int Main(int argc, char** argv) {
  const Flags flags(argc, argv,
                    {{"count", "10000"},
                     {"rate", "10"},
                     {"burst", "20"},
                     {"latency-ms", "300"},
                     {"modes", "both"},
                     {"timeout", "150"}},
                    kUsage);
  FakeLeverConfig lever_config;
  lever_config.generate = flags.Int("count");
  lever_config.rate = flags.Double("rate");
  lever_config.burst = flags.Double("burst");
  lever_config.latency_ms = flags.Int("latency-ms");
  constexpr int kRowsPerPage = 100;
  const double bound = lever_config.rate * kRowsPerPage;

  std::vector<Line> lines;
  for (v1::ReadMode mode :
       flags.Modes(v1::READ_MODE_ONE_CURSOR, v1::READ_MODE_PARALLEL_WINDOWS)) {
    Workspace workspace;
    FakeLever lever(workspace, lever_config);
    Server server(workspace, lever, ServerConfig{});
    std::fprintf(stderr, "bench_import: %s ...\n", ModeName(mode));
    Line line{mode, server.Import(mode, flags.Double("timeout")), {}};
    line.stats = lever.Stats();
    server.Stop();
    lever.Stop();
    if (!line.result.ok) {
      std::fprintf(stderr, "bench_import: %s failed: %s\n", ModeName(mode),
                   line.result.error.c_str());
    }
    lines.push_back(line);
  }

  std::printf(
      "## 2. Import against a rate-limited, slow Lever "
      "(bench_import)\n\n");
  std::printf(
      "%s; fake-lever --generate %d --rate %s --burst %s --latency-ms %d; "
      "server budget 9/s, burst 18 (defaults); every column; fresh "
      "fake-lever and server per mode.\n\n",
      MachineLine().c_str(), lever_config.generate,
      Fixed(lever_config.rate, 0).c_str(), Fixed(lever_config.burst, 0).c_str(),
      lever_config.latency_ms);
  std::printf(
      "| read mode | rows | elapsed s | rows/s | bound rows/s | share "
      "of bound | 429s sent by fake-lever | Lever requests | most "
      "requests in 1 s | server budget wait s | target (parallel: >= "
      "90%% and no 429) |\n");
  std::printf(
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
      "| ---: | --- |\n");
  for (const Line& line : lines) {
    const ImportResult& result = line.result;
    const double rate = result.seconds > 0 ? result.rows / result.seconds : 0;
    const double share = bound > 0 ? 100.0 * rate / bound : 0;
    std::string verdict = "reference";
    if (line.mode == v1::READ_MODE_PARALLEL_WINDOWS) {
      verdict =
          share >= 90.0 && line.stats.rate_limited == 0 ? "met" : "NOT met";
    }
    if (!result.ok) verdict = "FAILED: " + result.error;
    if (result.ok && result.rows != lever_config.generate) {
      verdict += " (rows != " + std::to_string(lever_config.generate) + ")";
    }
    std::printf("| %s | %s | %s | %s | %s | %s%% | %s | %s | %s | %s | %s |\n",
                ModeName(line.mode), Thousands(result.rows).c_str(),
                Fixed(result.seconds, 2).c_str(), Fixed(rate, 0).c_str(),
                Fixed(bound, 0).c_str(), Fixed(share, 1).c_str(),
                Thousands(line.stats.rate_limited).c_str(),
                Thousands(line.stats.total).c_str(),
                Thousands(line.stats.max_requests_per_second).c_str(),
                Fixed(Seconds(result.summary.budget_wait()), 2).c_str(),
                verdict.c_str());
  }
  std::printf("\n");
  for (const Line& line : lines) {
    if (!line.result.ok) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace leverconnect::bench

int main(int argc, char** argv) {
  try {
    return leverconnect::bench::Main(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_import: %s\n", error.what());
    return 1;
  }
}

// bench_throughput: rows per second from the server to a client over
// loopback when Lever sets no limit: fake-lever --generate 100000 with no
// rate limit and no latency, the server with --lever-rate 100000
// --lever-burst 100000. The client (this process) receives every column
// of every row, decodes each batch and counts it. One fake-lever and one
// server serve every run; modes alternate run by run.
//
//   bench_throughput [--count N] [--runs R] [--modes both|one_cursor|parallel]
//                    [--receiving views|messages] [--timeout SECONDS]
//
// By default the client receives each batch as a client::RowBatchView and
// reads every cell once; --receiving messages decodes each batch into
// RowBatch messages instead (StreamHandlers::on_batch) and reads none.
//
// The figure covers the whole pipeline on this machine: fake-lever serving
// pages, the server parsing, mapping and encoding them, gRPC, and the
// client decoding; all share the same cores.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include "bench/flags.h"
#include "bench/harness.h"

namespace leverconnect::bench {
namespace {

constexpr char kUsage[] =
    "usage: bench_throughput [--count N] [--runs R] "
    "[--modes both|one_cursor|parallel] [--receiving views|messages] "
    "[--timeout SECONDS]\n";

struct Runs {
  std::vector<double> rows_per_second, seconds, mib_per_second, first_batch;
  // CPU seconds per 100,000 rows: server, fake-lever, this client.
  std::vector<double> server_cpu, lever_cpu, client_cpu;
  std::int64_t rows = 0;
  std::string error;
};

int Main(int argc, char** argv) {
  const Flags flags(argc, argv,
                    {{"count", "100000"},
                     {"runs", "3"},
                     {"modes", "both"},
                     {"receiving", "views"},
                     {"timeout", "60"}},
                    kUsage);
  const int count = flags.Int("count");
  const int runs = flags.Int("runs");
  const std::vector<v1::ReadMode> modes =
      flags.Modes(v1::READ_MODE_ONE_CURSOR, v1::READ_MODE_PARALLEL_WINDOWS);
  const std::string receiving_flag = flags.Get("receiving");
  if (receiving_flag != "views" && receiving_flag != "messages") {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  const Receiving receiving =
      receiving_flag == "views" ? Receiving::kViews : Receiving::kMessages;

  Workspace workspace;
  FakeLeverConfig lever_config;
  lever_config.generate = count;
  FakeLever lever(workspace, lever_config);
  ServerConfig server_config;
  server_config.lever_rate = "100000";
  server_config.lever_burst = "100000";
  Server server(workspace, lever, server_config);

  // One warm-up import (connections, caches), not counted.
  server.Import(modes.front(), flags.Double("timeout"), receiving);
  std::map<v1::ReadMode, Runs> results;
  for (int run = 0; run < runs; ++run) {
    for (v1::ReadMode mode : modes) {
      std::fprintf(stderr, "bench_throughput: %s run %d ...\n", ModeName(mode),
                   run + 1);
      const double server_before = CpuSeconds(server.pid());
      const double lever_before = CpuSeconds(lever.pid());
      const double client_before = SelfCpuSeconds();
      const ImportResult result =
          server.Import(mode, flags.Double("timeout"), receiving);
      const double per = result.rows > 0 ? 100000.0 / result.rows : 0;
      const double server_cpu =
          (CpuSeconds(server.pid()) - server_before) * per;
      const double lever_cpu = (CpuSeconds(lever.pid()) - lever_before) * per;
      const double client_cpu = (SelfCpuSeconds() - client_before) * per;
      Runs& line = results[mode];
      if (!result.ok) {
        line.error = result.error;
        continue;
      }
      line.rows = result.rows;
      line.seconds.push_back(result.seconds);
      line.rows_per_second.push_back(result.rows / result.seconds);
      line.mib_per_second.push_back(result.bytes / result.seconds /
                                    (1024.0 * 1024.0));
      line.first_batch.push_back(result.first_batch_seconds * 1000);
      line.server_cpu.push_back(server_cpu);
      line.lever_cpu.push_back(lever_cpu);
      line.client_cpu.push_back(client_cpu);
    }
  }
  server.Stop();
  lever.Stop();

  std::printf(
      "## 3. Throughput to a client, no rate limit, no latency "
      "(bench_throughput)\n\n");
  std::printf(
      "%s; fake-lever --generate %d (no limit, no latency); server "
      "--lever-rate 100000 --lever-burst 100000; every column; the client "
      "receives %s; one warm-up import, then median of %d runs per "
      "mode.\n\n",
      MachineLine().c_str(), count,
      receiving == Receiving::kViews
          ? "views (RowBatchView) and reads every cell"
          : "messages (RowBatch) and reads no cell",
      runs);
  std::printf(
      "| read mode | rows | elapsed s | rows/s (median) | rows/s "
      "(min-max) | encoded MiB/s | first batch ms | target >= 200,000 "
      "rows/s | CPU s per 100k rows: server / fake-lever / client |\n");
  std::printf(
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: "
      "|\n");
  bool failed = false;
  for (v1::ReadMode mode : modes) {
    const Runs& line = results[mode];
    if (line.rows_per_second.empty()) {
      std::printf("| %s | | | | | | | FAILED: %s | |\n", ModeName(mode),
                  line.error.c_str());
      failed = true;
      continue;
    }
    const double median = Median(line.rows_per_second);
    std::vector<double> sorted = line.rows_per_second;
    std::sort(sorted.begin(), sorted.end());
    std::string verdict = median >= 200000 ? "met" : "NOT met";
    if (line.rows != count) {
      verdict += " (rows != " + std::to_string(count) + ")";
    }
    std::printf(
        "| %s | %s | %s | **%s** | %s-%s | %s | %s | %s | %s / %s / %s "
        "|\n",
        ModeName(mode), Thousands(line.rows).c_str(),
        Fixed(Median(line.seconds), 2).c_str(),
        Thousands(static_cast<std::int64_t>(median)).c_str(),
        Thousands(static_cast<std::int64_t>(sorted.front())).c_str(),
        Thousands(static_cast<std::int64_t>(sorted.back())).c_str(),
        Fixed(Median(line.mib_per_second), 1).c_str(),
        Fixed(Median(line.first_batch), 1).c_str(), verdict.c_str(),
        Fixed(Median(line.server_cpu), 2).c_str(),
        Fixed(Median(line.lever_cpu), 2).c_str(),
        Fixed(Median(line.client_cpu), 2).c_str());
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
    std::fprintf(stderr, "bench_throughput: %s\n", error.what());
    return 1;
  }
}

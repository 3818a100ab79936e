#include "lib/metrics/metrics.h"

#include <sstream>
#include <string>
#include <vector>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

namespace leverconnect::metrics {
namespace {

// Upper bounds of the call latency buckets, in seconds: unary calls take
// milliseconds, imports minutes.
const std::vector<double>& LatencyBuckets() {
  static const auto* buckets = new std::vector<double>{
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,   2.5,
      5,     10,   30,    60,   120, 300,  600, 1800};
  return *buckets;
}

// The families, registered once in the process registry.
struct Families {
  explicit Families(prometheus::Registry& registry)
      : rpcs(prometheus::BuildCounter()
                 .Name("leverconnect_grpc_server_handled_total")
                 .Help("gRPC calls finished, by method and status code")
                 .Register(registry)),
        rpc_seconds(prometheus::BuildHistogram()
                        .Name("leverconnect_grpc_server_handling_seconds")
                        .Help("Time from a gRPC call's start to its status")
                        .Register(registry)),
        lever_requests(prometheus::BuildCounter()
                           .Name("leverconnect_lever_requests_total")
                           .Help("Requests sent to Lever, by HTTP status "
                                 "(\"error\": no answer)")
                           .Register(registry)),
        lever_rate_limited(
            prometheus::BuildCounter()
                .Name("leverconnect_lever_rate_limited_total")
                .Help("429 Too Many Requests answers received from Lever")
                .Register(registry)
                .Add({})),
        lever_retries(prometheus::BuildCounter()
                          .Name("leverconnect_lever_retries_total")
                          .Help("Lever requests repeated, by cause")
                          .Register(registry)),
        lever_budget_wait(
            prometheus::BuildCounter()
                .Name("leverconnect_lever_budget_wait_seconds_total")
                .Help("Time spent waiting for the request budget of Lever "
                      "API keys")
                .Register(registry)
                .Add({})),
        rows(prometheus::BuildCounter()
                 .Name("leverconnect_rows_imported_total")
                 .Help("Requisition rows imported, by way (stream or "
                       "import_run)")
                 .Register(registry)),
        runs_active(prometheus::BuildGauge()
                        .Name("leverconnect_import_runs_active")
                        .Help("Import runs queued or in progress, by state")
                        .Register(registry)),
        runs_finished(prometheus::BuildCounter()
                          .Name("leverconnect_import_runs_total")
                          .Help("Import runs finished, by end state")
                          .Register(registry)) {}

  prometheus::Family<prometheus::Counter>& rpcs;
  prometheus::Family<prometheus::Histogram>& rpc_seconds;
  prometheus::Family<prometheus::Counter>& lever_requests;
  prometheus::Counter& lever_rate_limited;
  prometheus::Family<prometheus::Counter>& lever_retries;
  prometheus::Counter& lever_budget_wait;
  prometheus::Family<prometheus::Counter>& rows;
  prometheus::Family<prometheus::Gauge>& runs_active;
  prometheus::Family<prometheus::Counter>& runs_finished;
};

// Both live for the whole process, so that metrics may be counted from any
// thread until exit.
const std::shared_ptr<prometheus::Registry>& SharedRegistry() {
  static const auto* registry = new std::shared_ptr<prometheus::Registry>(
      std::make_shared<prometheus::Registry>());
  return *registry;
}

Families& Metrics() {
  static Families* families = new Families(*SharedRegistry());
  return *families;
}

std::string Label(absl::string_view text) { return std::string(text); }

}  // namespace

std::shared_ptr<prometheus::Registry> ProcessRegistry() {
  Metrics();  // every family appears, even before its first count
  return SharedRegistry();
}

void CountRpc(absl::string_view method, absl::StatusCode code,
              absl::Duration elapsed) {
  Families& metrics = Metrics();
  metrics.rpcs
      .Add({{"grpc_method", Label(method)},
            {"grpc_code", absl::StatusCodeToString(code)}})
      .Increment();
  metrics.rpc_seconds.Add({{"grpc_method", Label(method)}}, LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(elapsed));
}

void CountLeverRequest(int http_status) {
  Families& metrics = Metrics();
  const std::string status =
      http_status == 0 ? "error" : std::to_string(http_status);
  metrics.lever_requests.Add({{"status", status}}).Increment();
  if (http_status == 429) metrics.lever_rate_limited.Increment();
}

void CountLeverRetry(absl::string_view cause) {
  Metrics().lever_retries.Add({{"cause", Label(cause)}}).Increment();
}

void AddLeverBudgetWait(absl::Duration waited) {
  if (waited <= absl::ZeroDuration()) return;
  Metrics().lever_budget_wait.Increment(absl::ToDoubleSeconds(waited));
}

void CountRowsImported(absl::string_view via, std::int64_t rows) {
  if (rows <= 0) return;
  Metrics()
      .rows.Add({{"via", Label(via)}})
      .Increment(static_cast<double>(rows));
}

void MoveImportRun(absl::string_view from, absl::string_view to,
                   bool finished) {
  if (from == to) return;
  Families& metrics = Metrics();
  if (!from.empty())
    metrics.runs_active.Add({{"state", Label(from)}}).Decrement();
  if (finished) {
    metrics.runs_finished.Add({{"state", Label(to)}}).Increment();
  } else {
    metrics.runs_active.Add({{"state", Label(to)}}).Increment();
  }
}

std::string TextExposition() {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, ProcessRegistry()->Collect());
  return out.str();
}

}  // namespace leverconnect::metrics

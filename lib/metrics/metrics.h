// The server's Prometheus metrics, kept in one process-wide registry.
//
// Every function here is thread-safe and cheap enough to call per request.
// Labels hold only method names, status codes, retry causes and states:
// never a connection, a caller or anything secret. The names, as scraped:
//
//   leverconnect_grpc_server_handled_total{grpc_method, grpc_code}
//   leverconnect_grpc_server_handling_seconds{grpc_method}   (histogram)
//   leverconnect_lever_requests_total{status}  ("200", "429", "error", ...)
//   leverconnect_lever_rate_limited_total
//   leverconnect_lever_retries_total{cause}
//   leverconnect_lever_budget_wait_seconds_total
//   leverconnect_rows_imported_total{via}      ("stream", "import_run")
//   leverconnect_import_runs_active{state}     (gauge: queued, extracting,
//                                              pushing, waiting_for_pigment)
//   leverconnect_import_runs_total{state}      (finished runs by end state)
#ifndef LEVERCONNECT_LIB_METRICS_METRICS_H_
#define LEVERCONNECT_LIB_METRICS_METRICS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace leverconnect::metrics {

// The registry every metric below lives in, each family registered.
std::shared_ptr<prometheus::Registry> ProcessRegistry();

// One finished gRPC call of `method` ("StreamRequisitions").
void CountRpc(absl::string_view method, absl::StatusCode code,
              absl::Duration elapsed);

// One attempt sent to Lever and how it ended: the HTTP status, or 0 when
// no answer arrived (refused, reset, timed out, cancelled).
void CountLeverRequest(int http_status);

// One repeated Lever request, by retry::RetryCauseName of its cause.
void CountLeverRetry(absl::string_view cause);

// Time spent waiting for a Lever API key's request budget.
void AddLeverBudgetWait(absl::Duration waited);

// Rows handed to a caller's stream ("stream") or written into an import
// run's file ("import_run").
void CountRowsImported(absl::string_view via, std::int64_t rows);

// An import run moved from state `from` (empty for a new run) to `to`;
// states are lower-case words ("queued", "failed"). A `finished` state
// ends the run: it is counted in leverconnect_import_runs_total and leaves
// the active gauge.
void MoveImportRun(absl::string_view from, absl::string_view to, bool finished);

// The registry in Prometheus' text exposition format.
std::string TextExposition();

}  // namespace leverconnect::metrics

#endif  // LEVERCONNECT_LIB_METRICS_METRICS_H_

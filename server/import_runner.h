// Runs imports into Pigment in the background, on a bounded pool of
// workers, and keeps every run in the import run store.
//
// A run extracts the whole Lever result into a spool file first (written
// with mode 0600 under the spool folder, as "<name>.part" until complete),
// pushes it to Pigment only when it is complete, then polls Pigment until
// its import has finished and records Pigment's report. A failed or
// cancelled extraction pushes nothing, so Pigment never receives a partial
// file. Runs that an earlier process left unfinished (it crashed or was
// killed) are marked FAILED with the reason "interrupted" by Start().
//
// Thread-safe. Listeners registered by Watch are called with the run each
// time it changes, while an internal lock is held: they must not block or
// call back into the runner.
#ifndef LEVERCONNECT_SERVER_IMPORT_RUNNER_H_
#define LEVERCONNECT_SERVER_IMPORT_RUNNER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "leverconnect/v1/import_run.pb.h"
#include "lib/pigment/pigment_client.h"
#include "lib/retry/retry_policy.h"
#include "lib/storage/import_run_store.h"
#include "server/service_core.h"

namespace leverconnect::server {

struct ImportRunnerOptions {
  // Runs executed at once; each holds a thread.
  int workers = 2;
  // Runs waiting for a worker; StartImport beyond that is
  // RESOURCE_EXHAUSTED.
  int max_queued = 100;
  // Where runs write their files; created when missing.
  std::string spool_dir;

  // Pigment's base URL, e.g. "https://pigment.app".
  std::string pigment_url = "https://pigment.app";
  // Secret. Empty: the server starts no Pigment imports.
  std::string pigment_import_key;
  retry::RetryPolicyOptions pigment_retry;
  pigment::WaitOptions pigment_wait;

  // Counts are sent to watchers at most this often, and stored at most
  // every `store_interval`; state changes go out and are stored at once.
  absl::Duration publish_interval = absl::Milliseconds(250);
  absl::Duration store_interval = absl::Seconds(2);

  // Whether other servers keep runs in the same store (PostgreSQL with
  // several replicas). Then a server marks as interrupted only the runs
  // whose server stopped beating: each server touches its runs every
  // `heartbeat_interval`, and every server, every `heartbeat_interval`,
  // marks runs untouched for `stale_after` as interrupted. Otherwise every
  // unfinished run is marked at start.
  bool shared_store = false;
  absl::Duration heartbeat_interval = absl::Seconds(10);
  absl::Duration stale_after = absl::Minutes(1);
};

// A page of ListImports.
struct ImportRunList {
  std::vector<v1::ImportRun> runs;
  std::int64_t next_before_sequence = 0;  // 0: no more
};

class ImportRunner {
 public:
  // `core` must outlive the runner.
  ImportRunner(ServiceCore& core,
               std::unique_ptr<storage::ImportRunStore> store,
               ImportRunnerOptions options);
  ~ImportRunner();

  ImportRunner(const ImportRunner&) = delete;
  ImportRunner& operator=(const ImportRunner&) = delete;

  // Marks the runs an earlier process left unfinished as interrupted (with
  // a shared store, those no server beats for), empties the spool folder
  // and starts the workers.
  absl::Status Start();

  // With a shared store: touches every run this server holds, then marks
  // the stored runs no server touched for `stale_after` as interrupted.
  // Runs on a timer; public so that tests can drive it.
  void Beat();

  // Stops the workers: queued runs and runs in progress end FAILED with the
  // reason "interrupted" (extractions stop at the next page). Returns when
  // every worker has finished. Idempotent.
  void Stop();

  // Whether a Pigment import key was configured.
  bool accepts_runs() const { return !options_.pigment_import_key.empty(); }

  // Checks the request (ValidateStartImport), then stores and queues a new
  // run of connection `connection_id` for `creator`, or returns the run an
  // earlier request with the same request_id created for the same
  // application. RESOURCE_EXHAUSTED when the queue is full.
  absl::StatusOr<v1::ImportRun> Submit(const std::string& connection_id,
                                       const v1::StartImportRequest& request,
                                       const std::string& creator);

  absl::StatusOr<v1::ImportRun> Get(const std::string& connection_id,
                                    const std::string& run_id);

  absl::StatusOr<ImportRunList> List(const std::string& connection_id,
                                     const storage::ImportRunFilter& filter,
                                     int page_size,
                                     std::int64_t before_sequence);

  // OK when no run of connection `connection_id` is queued or running, in
  // this server or another sharing its store; else FAILED_PRECONDITION
  // naming them.
  absl::Status CheckNoneUnfinished(const std::string& connection_id);

  // Removes the runs of connection `connection_id`, which was deleted.
  absl::Status ForgetConnection(const std::string& connection_id);

  // See ImportRunService.CancelImport.
  absl::StatusOr<v1::ImportRun> Cancel(const std::string& connection_id,
                                       const std::string& run_id);

  using Listener = std::function<void(const v1::ImportRun&)>;

  // Registers `listener` for the run's changes and returns a handle for
  // Unwatch together with the run as it is now; no change between the two
  // is missed. A finished run gets no further calls.
  absl::StatusOr<std::pair<std::uint64_t, v1::ImportRun>> Watch(
      const std::string& connection_id, const std::string& run_id,
      Listener listener);

  // After Unwatch returns, the listener is not called again.
  void Unwatch(std::uint64_t handle);

 private:
  struct ActiveRun;
  class Execution;

  // Stores a new run and queues it, in a place Submit has reserved.
  absl::StatusOr<v1::ImportRun> Queue(const std::string& connection_id,
                                      const v1::StartImportRequest& request,
                                      const std::string& creator);

  void WorkerLoop();
  void HeartbeatLoop();

  // Marks `stored` (left unfinished) FAILED "interrupted": at once, or,
  // when `stale_before` is set, only if its stored update time is older.
  absl::Status Interrupt(const storage::StoredImportRun& stored,
                         std::optional<absl::Time> stale_before);
  // Runs one run from QUEUED to a finished state.
  void Execute(std::shared_ptr<ActiveRun> active);

  // Makes `run` the current state of `active`, tells the listeners and,
  // when `store` is true, stores it. Finished runs are stored before the
  // listeners hear of them, and leave the active set.
  void Publish(ActiveRun& active, v1::ImportRun run, bool store);
  absl::Status Store(const v1::ImportRun& run);
  void Notify(const v1::ImportRun& run) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // The stored run, or the live one when it is active.
  absl::StatusOr<v1::ImportRun> Load(const std::string& connection_id,
                                     const std::string& run_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  ServiceCore& core_;
  std::unique_ptr<storage::ImportRunStore> store_;
  const ImportRunnerOptions options_;

  absl::Mutex mu_;
  // Queued and running runs, by resource name.
  std::map<std::string, std::shared_ptr<ActiveRun>> active_
      ABSL_GUARDED_BY(mu_);
  std::deque<std::shared_ptr<ActiveRun>> queue_ ABSL_GUARDED_BY(mu_);
  // Places in queue_ promised to Submit calls still storing their run.
  int reserved_ ABSL_GUARDED_BY(mu_) = 0;
  std::multimap<std::string, std::pair<std::uint64_t, Listener>> listeners_
      ABSL_GUARDED_BY(mu_);
  std::uint64_t next_handle_ ABSL_GUARDED_BY(mu_) = 1;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
  std::thread heartbeat_;
};

// Checks a StartImport request's filter, CSV format and destination:
// INVALID_ARGUMENT naming the field. Custom columns are checked only when
// the run reads the account's fields.
absl::Status ValidateStartImport(const v1::StartImportRequest& request);

// Whether `state` is one a run ends in.
bool IsFinished(v1::ImportRunState state);

// "connections/{connection_id}/imports/{run_id}".
std::string ImportRunName(const std::string& connection_id,
                          const std::string& run_id);

// The two ids of an import run name; INVALID_ARGUMENT naming `field`
// otherwise.
absl::StatusOr<std::pair<std::string, std::string>> ParseImportRunName(
    absl::string_view name, absl::string_view field);

}  // namespace leverconnect::server

#endif  // LEVERCONNECT_SERVER_IMPORT_RUNNER_H_

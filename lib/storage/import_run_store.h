// Durable storage of import runs.
//
// The store keeps a run's indexed facts (connection, id, application,
// request id, state) beside an opaque payload that the server owns (the
// serialized leverconnect.v1.ImportRun). Implementations are thread-safe.
// Errors: NOT_FOUND for an unknown run, INTERNAL/UNAVAILABLE for the
// database itself; messages name the run, never its contents.
#ifndef LEVERCONNECT_LIB_STORAGE_IMPORT_RUN_STORE_H_
#define LEVERCONNECT_LIB_STORAGE_IMPORT_RUN_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace leverconnect::storage {

struct StoredImportRun {
  std::string connection_id;
  std::string run_id;  // the id in "connections/{c}/imports/{id}"
  std::string application;
  std::string request_id;  // empty when none was given; unique per
                           // connection and application
  int state = 0;           // a leverconnect.v1.ImportRunState value
  bool finished = false;   // whether `state` is a final one
  absl::Time create_time;
  absl::Time update_time;
  std::string payload;  // binary
  // Assigned by the store on creation; increases with every run created.
  std::int64_t sequence = 0;
};

struct ImportRunFilter {
  int state = 0;            // 0: any
  std::string application;  // empty: any
  // Only applications in this list, when it is not empty (a member's own).
  std::vector<std::string> applications;
};

struct ImportRunPage {
  std::vector<StoredImportRun> runs;  // newest first
  // The sequence to pass as `before_sequence` for the next page; 0 when
  // this is the last page.
  std::int64_t next_before_sequence = 0;
};

struct CreateRunResult {
  // False when `run.request_id` had already created a run on the same
  // connection; then `run` is that earlier run and nothing was written.
  bool created = false;
  StoredImportRun run;
};

class ImportRunStore {
 public:
  virtual ~ImportRunStore() = default;

  // Inserts `run` (its `sequence` is ignored and assigned). With a
  // non-empty request_id, a second run with the same connection,
  // application and request_id is not inserted: the first one is returned.
  // ALREADY_EXISTS when the run id is taken.
  virtual absl::StatusOr<CreateRunResult> Create(
      const StoredImportRun& run) = 0;

  // The run that `request_id` created on the connection for `application`,
  // if any.
  virtual absl::StatusOr<std::optional<StoredImportRun>> FindByRequestId(
      std::string_view connection_id, std::string_view application,
      std::string_view request_id) = 0;

  virtual absl::StatusOr<StoredImportRun> Get(std::string_view connection_id,
                                              std::string_view run_id) = 0;

  // Replaces state, finished, update_time and payload of the stored run.
  virtual absl::Status Update(const StoredImportRun& run) = 0;

  // Up to `page_size` runs of the connection that match `filter`, newest
  // first, starting below `before_sequence` (0: from the newest).
  virtual absl::StatusOr<ImportRunPage> List(std::string_view connection_id,
                                             const ImportRunFilter& filter,
                                             int page_size,
                                             std::int64_t before_sequence) = 0;

  // Sets the update time of an unfinished run to `now` and nothing else:
  // the heartbeat of a server still working on it. OK when the run is
  // finished or gone.
  virtual absl::Status Touch(std::string_view connection_id,
                             std::string_view run_id, absl::Time now) = 0;

  // Replaces the run as Update does, but only while it is unfinished and
  // its stored update time is before `stale_before`; returns whether it
  // did. For marking runs whose server stopped beating as interrupted,
  // without overwriting one that has moved on meanwhile.
  virtual absl::StatusOr<bool> UpdateIfStale(const StoredImportRun& run,
                                             absl::Time stale_before) = 0;

  // Removes every run of the connection, for a connection that was
  // deleted: a connection created later under the same id starts with no
  // runs and no request ids. OK when there was none.
  virtual absl::Status DeleteForConnection(std::string_view connection_id) = 0;

  // Every run not finished, on any connection, oldest first.
  virtual absl::StatusOr<std::vector<StoredImportRun>> ListUnfinished() = 0;

  // Checks cheaply that the database behind the store answers: OK, else
  // UNAVAILABLE (or INTERNAL) saying why, never naming a secret. After the
  // database comes back, the next call reconnects and succeeds. For
  // readiness checks.
  virtual absl::Status Ping() = 0;
};

// Opens (creating and migrating when needed) the SQLite state file at
// `path`; see sqlite_schema.h.
absl::StatusOr<std::unique_ptr<ImportRunStore>> OpenSqliteImportRunStore(
    const std::string& path);

}  // namespace leverconnect::storage

#endif  // LEVERCONNECT_LIB_STORAGE_IMPORT_RUN_STORE_H_

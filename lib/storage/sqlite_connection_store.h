// The embedded ConnectionStore: one SQLite file in WAL mode.
//
// Every write is one IMMEDIATE transaction with synchronous=FULL, so a
// returned success survives a crash. One process should own the file; the
// WAL does not work across hosts or on network filesystems. Thread-safe: a
// mutex serialises use of the single database handle.
#ifndef LEVERCONNECT_LIB_STORAGE_SQLITE_CONNECTION_STORE_H_
#define LEVERCONNECT_LIB_STORAGE_SQLITE_CONNECTION_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "lib/storage/connection_store.h"
#include "lib/storage/sqlite_database.h"
#include "lib/storage/sqlite_schema.h"

namespace leverconnect::storage {

// The settings the store's own handle runs with, for startup logs and tests.
struct SqliteSettings {
  std::string journal_mode;  // "wal"
  int synchronous = 0;       // 2 is FULL
  bool foreign_keys = false;
  int busy_timeout_ms = 0;
  int schema_version = 0;  // PRAGMA user_version
};

class SqliteConnectionStore : public ConnectionStore {
 public:
  // The schema version this build writes; newer files are refused.
  static constexpr int kSchemaVersion = kSqliteSchemaVersion;

  // See OpenSqliteConnectionStore. The path ":memory:" gives a private
  // in-memory database (no WAL, nothing durable), for tests only.
  static absl::StatusOr<std::unique_ptr<SqliteConnectionStore>> Open(
      const std::string& path);

  absl::StatusOr<CreateResult> Create(const StoredConnection& connection,
                                      std::string_view request_id) override;
  absl::StatusOr<StoredConnection> Get(std::string_view id) override;
  absl::StatusOr<std::optional<std::string>> FindRequest(
      std::string_view request_id) override;
  absl::StatusOr<ConnectionPage> List(int page_size, std::string_view after_id,
                                      std::string_view application) override;
  absl::Status Update(const StoredConnection& connection,
                      std::string_view expected_etag) override;
  absl::Status Delete(std::string_view id,
                      std::string_view expected_etag) override;
  absl::Status UpdateSealedApiKey(std::string_view id,
                                  std::string_view sealed_api_key,
                                  std::string_view expected_etag,
                                  std::string_view new_etag) override;
  absl::Status Ping() override;

  absl::StatusOr<SqliteSettings> ReadSettings();

 private:
  explicit SqliteConnectionStore(SqliteDatabase database);

  absl::Mutex mutex_;
  SqliteDatabase database_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace leverconnect::storage

#endif  // LEVERCONNECT_LIB_STORAGE_SQLITE_CONNECTION_STORE_H_

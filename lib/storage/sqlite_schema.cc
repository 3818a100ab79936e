#include "lib/storage/sqlite_schema.h"

#include <cstdint>
#include <iterator>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace leverconnect::storage {
namespace {

using Mode = SqliteTransaction::Mode;

// Schema migrations: entry N takes user_version N to N + 1, in one
// transaction with the version bump.
constexpr const char* kMigrations[] = {
    R"sql(
    CREATE TABLE connections (
      id TEXT PRIMARY KEY NOT NULL,
      display_name TEXT NOT NULL,
      environment INTEGER NOT NULL,
      sealed_api_key BLOB NOT NULL,
      api_key_hint TEXT NOT NULL,
      create_time_us INTEGER NOT NULL,
      update_time_us INTEGER NOT NULL,
      etag TEXT NOT NULL
    );
    CREATE TABLE connection_applications (
      connection_id TEXT NOT NULL
          REFERENCES connections (id) ON DELETE CASCADE,
      application TEXT NOT NULL,
      position INTEGER NOT NULL,
      PRIMARY KEY (connection_id, application)
    ) WITHOUT ROWID;
    CREATE TABLE request_ids (
      request_id TEXT PRIMARY KEY NOT NULL,
      connection_id TEXT NOT NULL,
      create_time_us INTEGER NOT NULL
    );
    PRAGMA user_version = 1;
    )sql",
    R"sql(
    CREATE TABLE import_runs (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      connection_id TEXT NOT NULL,
      run_id TEXT NOT NULL,
      application TEXT NOT NULL,
      request_id TEXT NOT NULL,
      state INTEGER NOT NULL,
      finished INTEGER NOT NULL,
      create_time_us INTEGER NOT NULL,
      update_time_us INTEGER NOT NULL,
      payload BLOB NOT NULL,
      UNIQUE (connection_id, run_id)
    );
    CREATE UNIQUE INDEX import_runs_by_request
      ON import_runs (connection_id, application, request_id)
      WHERE request_id != '';
    CREATE INDEX import_runs_unfinished ON import_runs (finished);
    PRAGMA user_version = 2;
    )sql",
    R"sql(
    ALTER TABLE connections
      ADD COLUMN write_back_enabled INTEGER NOT NULL DEFAULT 0;
    PRAGMA user_version = 3;
    )sql",
};
static_assert(std::size(kMigrations) == kSqliteSchemaVersion);

absl::Status Configure(SqliteDatabase& database, const std::string& path) {
  // busy_timeout first: switching to WAL may wait for another handle.
  absl::Status status = database.Execute("PRAGMA busy_timeout = 5000");
  if (!status.ok()) return status;
  absl::StatusOr<std::string> mode =
      database.QueryText("PRAGMA journal_mode = WAL");
  if (!mode.ok()) return mode.status();
  if (*mode != "wal" && path != ":memory:") {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot use WAL journal mode for '", path, "' (got '",
                     *mode, "'); is it on a network filesystem?"));
  }
  return database.Execute(
      "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");
}

absl::Status Migrate(SqliteDatabase& database, const std::string& path) {
  absl::StatusOr<SqliteTransaction> transaction =
      SqliteTransaction::Begin(database, Mode::kImmediate);
  if (!transaction.ok()) return transaction.status();
  absl::StatusOr<std::int64_t> version =
      database.QueryInteger("PRAGMA user_version");
  if (!version.ok()) return version.status();
  if (*version < 0 || *version > kSqliteSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "'", path, "' has schema version ", *version, "; this build knows ",
        kSqliteSchemaVersion, " and older"));
  }

  for (std::int64_t step = *version; step < kSqliteSchemaVersion; ++step) {
    absl::Status status = database.Execute(kMigrations[step]);
    if (!status.ok()) return status;
  }
  return transaction->Commit();
}

}  // namespace

absl::StatusOr<SqliteDatabase> OpenStateDatabase(const std::string& path) {
  absl::StatusOr<SqliteDatabase> database = SqliteDatabase::Open(path);
  if (!database.ok()) return database.status();
  absl::Status status = Configure(*database, path);
  if (status.ok()) status = Migrate(*database, path);
  if (!status.ok()) return status;
  return database;
}

absl::Status PingSqlite(SqliteDatabase& database) {
  return database.QueryInteger("PRAGMA user_version").status();
}

}  // namespace leverconnect::storage

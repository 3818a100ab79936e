#include "lib/storage/postgres_schema.h"

#include <cstdint>
#include <iterator>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace leverconnect::storage {
namespace {

// The advisory lock that serialises migrations, a constant of this program.
constexpr std::int64_t kMigrationLock = 0x6c657665722d7067;  // "lever-pg"

// Entry N takes the schema from version N to N + 1. Identifiers compare
// bytewise (COLLATE "C"), as in SQLite, so lists page in the same order
// whatever the database's locale.
constexpr const char* kMigrations[] = {
    R"sql(
    CREATE TABLE connections (
      id TEXT COLLATE "C" PRIMARY KEY,
      display_name TEXT NOT NULL,
      environment INTEGER NOT NULL,
      sealed_api_key BYTEA NOT NULL,
      api_key_hint TEXT NOT NULL,
      create_time_us BIGINT NOT NULL,
      update_time_us BIGINT NOT NULL,
      etag TEXT NOT NULL,
      write_back_enabled BOOLEAN NOT NULL DEFAULT FALSE
    );
    CREATE TABLE connection_applications (
      connection_id TEXT COLLATE "C" NOT NULL
          REFERENCES connections (id) ON DELETE CASCADE,
      application TEXT COLLATE "C" NOT NULL,
      position INTEGER NOT NULL,
      PRIMARY KEY (connection_id, application)
    );
    CREATE INDEX connection_applications_by_application
      ON connection_applications (application);
    CREATE TABLE request_ids (
      request_id TEXT COLLATE "C" PRIMARY KEY,
      connection_id TEXT COLLATE "C" NOT NULL,
      create_time_us BIGINT NOT NULL
    );
    )sql",
    R"sql(
    CREATE TABLE import_runs (
      seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      connection_id TEXT COLLATE "C" NOT NULL,
      run_id TEXT COLLATE "C" NOT NULL,
      application TEXT COLLATE "C" NOT NULL,
      request_id TEXT COLLATE "C" NOT NULL,
      state INTEGER NOT NULL,
      finished BOOLEAN NOT NULL,
      create_time_us BIGINT NOT NULL,
      update_time_us BIGINT NOT NULL,
      payload BYTEA NOT NULL,
      UNIQUE (connection_id, run_id)
    );
    CREATE UNIQUE INDEX import_runs_by_request
      ON import_runs (connection_id, application, request_id)
      WHERE request_id <> '';
    CREATE INDEX import_runs_unfinished ON import_runs (seq)
      WHERE NOT finished;
    )sql",
    R"sql(
    CREATE TABLE request_budgets (
      key_digest TEXT COLLATE "C" PRIMARY KEY,
      tokens DOUBLE PRECISION NOT NULL,
      refilled_at TIMESTAMPTZ NOT NULL
    );
    )sql",
};
static_assert(std::size(kMigrations) == kPostgresSchemaVersion);

absl::Status Migrate(PostgresConnection& database) {
  absl::StatusOr<PostgresResult> locked =
      database.Execute("SELECT pg_advisory_xact_lock($1::bigint)",
                       PostgresParams().Integer(kMigrationLock));
  if (!locked.ok()) return locked.status();
  absl::Status status = database.ExecuteScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "version INTEGER PRIMARY KEY, "
      "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
  if (!status.ok()) return status;
  absl::StatusOr<PostgresResult> current = database.Execute(
      "SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (!current.ok()) return current.status();
  const std::int64_t version = current->Integer(0, 0);
  if (version > kPostgresSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the PostgreSQL database has schema version ", version,
        "; this build knows ", kPostgresSchemaVersion, " and older"));
  }

  for (std::int64_t step = version; step < kPostgresSchemaVersion; ++step) {
    status = database.ExecuteScript(kMigrations[step]);
    if (!status.ok()) return status;
    absl::StatusOr<PostgresResult> recorded =
        database.Execute("INSERT INTO schema_migrations (version) VALUES ($1)",
                         PostgresParams().Integer(step + 1));
    if (!recorded.ok()) return recorded.status();
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status MigratePostgres(PostgresPool& pool) {
  return pool.Transaction(Migrate);
}

}  // namespace leverconnect::storage

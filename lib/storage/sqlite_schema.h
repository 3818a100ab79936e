// The server's SQLite state file: its settings and its schema, shared by
// every store kept in it (connections, import runs).
#ifndef LEVERCONNECT_LIB_STORAGE_SQLITE_SCHEMA_H_
#define LEVERCONNECT_LIB_STORAGE_SQLITE_SCHEMA_H_

#include <string>

#include "absl/status/statusor.h"
#include "lib/storage/sqlite_database.h"

namespace leverconnect::storage {

// The schema version this build writes; newer files are refused.
inline constexpr int kSqliteSchemaVersion = 3;

// Opens (creating when missing) the database at `path` with WAL,
// synchronous=FULL, foreign keys and a busy timeout, and migrates its
// schema to kSqliteSchemaVersion. Each store opens its own handle; SQLite
// serialises writers between them. The path ":memory:" gives a private
// in-memory database, for tests only.
absl::StatusOr<SqliteDatabase> OpenStateDatabase(const std::string& path);

// Reads the schema version: OK when the file still answers.
absl::Status PingSqlite(SqliteDatabase& database);

}  // namespace leverconnect::storage

#endif  // LEVERCONNECT_LIB_STORAGE_SQLITE_SCHEMA_H_

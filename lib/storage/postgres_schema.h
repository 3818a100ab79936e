// The schema of the server's PostgreSQL database, shared by the stores and
// the request budgets kept in it, and its migrations.
#ifndef LEVERCONNECT_LIB_STORAGE_POSTGRES_SCHEMA_H_
#define LEVERCONNECT_LIB_STORAGE_POSTGRES_SCHEMA_H_

#include "absl/status/status.h"
#include "lib/storage/postgres_database.h"

namespace leverconnect::storage {

// The schema version this build writes; a database at a newer version is
// refused.
inline constexpr int kPostgresSchemaVersion = 3;

// Brings the schema (in the first schema of the connection's search_path)
// to kPostgresSchemaVersion. Each applied version is a row of
// schema_migrations. All of it runs in one transaction holding an advisory
// lock, so replicas starting together migrate once, one after the other.
// FAILED_PRECONDITION when the database is newer than this build.
absl::Status MigratePostgres(PostgresPool& pool);

}  // namespace leverconnect::storage

#endif  // LEVERCONNECT_LIB_STORAGE_POSTGRES_SCHEMA_H_

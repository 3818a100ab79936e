// Opens the server's storage from one setting: SQLite in the state folder
// (one replica), or a shared PostgreSQL database (any number of replicas).
#ifndef LEVERCONNECT_LIB_STORAGE_STORES_H_
#define LEVERCONNECT_LIB_STORAGE_STORES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/ratelimit/token_bucket.h"
#include "lib/retry/clock.h"
#include "lib/storage/connection_store.h"
#include "lib/storage/import_run_store.h"

namespace leverconnect::storage {

struct StoreOptions {
  // A libpq connection string, postgresql://user@host:port/database?... or
  // "host=... dbname=..."; it may hold a password, so it is never logged.
  // Empty: SQLite in `state_dir`.
  std::string database_url;
  // The folder of the SQLite file, which must exist; unused with
  // PostgreSQL.
  std::string state_dir;
  // With PostgreSQL, the rate and burst of every key's shared request
  // budget, paced by `clock` (the system clock when null).
  ratelimit::BucketOptions budget;
  retry::Clock* clock = nullptr;
  // With PostgreSQL, how long a statement waits for the database's answer
  // before its connection is dropped and it fails UNAVAILABLE. Store pings
  // (readiness) wait at most 5 seconds, or this when shorter.
  absl::Duration database_wait = absl::Seconds(30);
};

struct Stores {
  std::unique_ptr<ConnectionStore> connections;
  std::unique_ptr<ImportRunStore> import_runs;
  // Every key's request budget, shared by the replicas, with PostgreSQL;
  // null with SQLite, where the budgets stay in the process.
  std::unique_ptr<ratelimit::BudgetSource> budgets;
  std::string backend;   // "sqlite" or "postgresql"
  std::string location;  // the file, or "host:port/database as user"
};

// Opens both stores on the database `options` names, creating and
// migrating its schema when needed. INVALID_ARGUMENT for a connection
// string that is not PostgreSQL's or does not parse; UNAVAILABLE when the
// database cannot be reached. Messages never hold the connection string.
absl::StatusOr<Stores> OpenStores(const StoreOptions& options);

}  // namespace leverconnect::storage

#endif  // LEVERCONNECT_LIB_STORAGE_STORES_H_

#include "lib/storage/stores.h"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/storage/postgres_database.h"
#include "lib/storage/postgres_request_budget.h"
#include "lib/storage/postgres_schema.h"
#include "lib/storage/postgres_stores.h"

namespace leverconnect::storage {
namespace {

absl::StatusOr<Stores> OpenSqliteStores(const StoreOptions& options) {
  Stores stores;
  stores.backend = "sqlite";
  stores.location = StateDatabasePath(options.state_dir);
  absl::StatusOr<std::unique_ptr<ConnectionStore>> connections =
      OpenSqliteConnectionStore(stores.location);
  if (!connections.ok()) return connections.status();
  absl::StatusOr<std::unique_ptr<ImportRunStore>> import_runs =
      OpenSqliteImportRunStore(stores.location);
  if (!import_runs.ok()) return import_runs.status();
  stores.connections = std::move(*connections);
  stores.import_runs = std::move(*import_runs);
  return stores;
}

absl::StatusOr<Stores> OpenPostgresStores(const StoreOptions& options) {
  if (!IsPostgresUrl(options.database_url)) {
    return absl::InvalidArgumentError(
        "the database URL must be a PostgreSQL connection string "
        "(postgresql://... or key=value pairs)");
  }
  PostgresWaits waits;
  waits.answer = options.database_wait;
  waits.ping = std::min(waits.ping, options.database_wait);
  absl::StatusOr<std::shared_ptr<PostgresPool>> pool =
      PostgresPool::Open(options.database_url, /*max_connections=*/4, waits);
  if (!pool.ok()) return pool.status();
  if (absl::Status migrated = MigratePostgres(**pool); !migrated.ok()) {
    return migrated;
  }

  Stores stores;
  stores.backend = "postgresql";
  stores.location = (*pool)->description();
  retry::Clock& clock =
      options.clock != nullptr ? *options.clock : retry::SystemClock();
  stores.connections = MakePostgresConnectionStore(*pool);
  stores.import_runs = MakePostgresImportRunStore(*pool);
  stores.budgets = MakePostgresBudgets(*pool, options.budget, clock);
  return stores;
}

}  // namespace

absl::StatusOr<Stores> OpenStores(const StoreOptions& options) {
  if (options.database_url.empty()) return OpenSqliteStores(options);
  return OpenPostgresStores(options);
}

}  // namespace leverconnect::storage

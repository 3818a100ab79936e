// The stores kept in a shared PostgreSQL database, for more than one
// replica: the same semantics as the SQLite stores (request ids, etags,
// ordering, paging, errors), with every write one transaction that
// PostgreSQL has made durable before it returns. Thread-safe; they borrow
// connections from the pool they share.
#ifndef LEVERCONNECT_LIB_STORAGE_POSTGRES_STORES_H_
#define LEVERCONNECT_LIB_STORAGE_POSTGRES_STORES_H_

#include <memory>

#include "lib/storage/connection_store.h"
#include "lib/storage/import_run_store.h"
#include "lib/storage/postgres_database.h"

namespace leverconnect::storage {

// REQUIRES: MigratePostgres(*pool) succeeded.
std::unique_ptr<ConnectionStore> MakePostgresConnectionStore(
    std::shared_ptr<PostgresPool> pool);

// REQUIRES: MigratePostgres(*pool) succeeded.
std::unique_ptr<ImportRunStore> MakePostgresImportRunStore(
    std::shared_ptr<PostgresPool> pool);

}  // namespace leverconnect::storage

#endif  // LEVERCONNECT_LIB_STORAGE_POSTGRES_STORES_H_

// Request budgets kept in the PostgreSQL database, so that every replica
// using one Lever API key draws from one budget.
//
// A key's budget is a row of request_budgets, named by the key's
// fingerprint (a digest, never the key): a token bucket that refills at
// `rate` per second up to `burst`, on the database server's clock. Each
// request takes one token in one UPDATE; as in ratelimit::TokenBucket, a
// request that finds none reserves the next one (leaving the bucket in
// debt) and sleeps until it is due, so requests of all replicas are served
// in the order they asked and together never exceed the rate. A single
// replica alone gets the whole budget. One round trip per request; at
// Lever's few requests a second that is little work for the database.
#ifndef LEVERCONNECT_LIB_STORAGE_POSTGRES_REQUEST_BUDGET_H_
#define LEVERCONNECT_LIB_STORAGE_POSTGRES_REQUEST_BUDGET_H_

#include <memory>

#include "lib/ratelimit/token_bucket.h"
#include "lib/retry/clock.h"
#include "lib/storage/postgres_database.h"

namespace leverconnect::storage {

// Budgets in the database behind `pool`, which must be migrated. The rate
// and burst of `options` apply to every take; replicas should agree on
// them. `clock` paces the waits and must outlive the source and its
// budgets. When the database cannot be reached, Acquire fails with
// UNAVAILABLE rather than sending requests outside the shared budget.
std::unique_ptr<ratelimit::BudgetSource> MakePostgresBudgets(
    std::shared_ptr<PostgresPool> pool, ratelimit::BucketOptions options,
    retry::Clock& clock);

}  // namespace leverconnect::storage

#endif  // LEVERCONNECT_LIB_STORAGE_POSTGRES_REQUEST_BUDGET_H_

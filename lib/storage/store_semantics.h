// What the SQLite and PostgreSQL stores share beyond their interfaces: the
// statuses they answer with and how a list page is cut, so both backends
// say and do the same.
#ifndef LEVERCONNECT_LIB_STORAGE_STORE_SEMANTICS_H_
#define LEVERCONNECT_LIB_STORAGE_STORE_SEMANTICS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "lib/storage/import_run_store.h"

namespace leverconnect::storage {

// Connections.
absl::Status ConnectionNotFound(std::string_view id);
absl::Status ConnectionExists(std::string_view id);
// ABORTED: the stored etag of `id` is no longer `expected_etag`.
absl::Status EtagMismatch(std::string_view id, std::string_view expected_etag);
// OK when `expected_etag` is empty or equals `stored_etag`.
absl::Status CheckEtag(std::string_view id, std::string_view stored_etag,
                       std::string_view expected_etag);

// Import runs.
absl::Status RunNotFound(std::string_view connection_id,
                         std::string_view run_id);
absl::Status RunIdTaken(std::string_view run_id);
absl::Status MissingRunKey();

// INVALID_ARGUMENT unless `page_size` is positive.
absl::Status CheckPageSize(int page_size);

// Lists read one row more than a page to learn whether another follows:
// drops that row and says whether it was there.
template <typename Row>
bool DropPeekedRow(std::vector<Row>& rows, int page_size) {
  if (rows.size() <= static_cast<std::size_t>(page_size)) return false;
  rows.pop_back();
  return true;
}

// The query ImportRunStore::List runs: `select` (the columns, through
// "FROM import_runs ") followed by the filter, newest first, with a limit.
// Parameters: 1 connection, 2 before_sequence, 3 state, 4 application,
// 5 limit, then one per entry of filter.applications; each written as
// `placeholder` followed by its number ("?" for SQLite, "$" for
// PostgreSQL). `integer_cast` follows integer parameters ("" or "::bigint").
std::string RunListQuery(std::string_view select, const ImportRunFilter& filter,
                         std::string_view placeholder,
                         std::string_view integer_cast);

}  // namespace leverconnect::storage

#endif  // LEVERCONNECT_LIB_STORAGE_STORE_SEMANTICS_H_

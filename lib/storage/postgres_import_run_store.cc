// ImportRunStore on PostgreSQL: the import_runs table, whose identity
// column gives each run its sequence.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/storage/import_run_store.h"
#include "lib/storage/postgres_database.h"
#include "lib/storage/postgres_stores.h"
#include "lib/storage/store_semantics.h"

namespace leverconnect::storage {
namespace {

// The columns ReadRuns expects, in order.
constexpr char kSelectRun[] =
    "SELECT seq, connection_id, run_id, application, request_id, state, "
    "finished, create_time_us, update_time_us, payload FROM import_runs ";

std::vector<StoredImportRun> ReadRuns(const PostgresResult& result) {
  std::vector<StoredImportRun> runs(result.rows());
  for (int row = 0; row < result.rows(); ++row) {
    StoredImportRun& run = runs[row];
    run.sequence = result.Integer(row, 0);
    run.connection_id = result.Text(row, 1);
    run.run_id = result.Text(row, 2);
    run.application = result.Text(row, 3);
    run.request_id = result.Text(row, 4);
    run.state = static_cast<int>(result.Integer(row, 5));
    run.finished = result.Bool(row, 6);
    run.create_time = absl::FromUnixMicros(result.Integer(row, 7));
    run.update_time = absl::FromUnixMicros(result.Integer(row, 8));
    run.payload = result.Bytes(row, 9);
  }
  return runs;
}

constexpr char kByRequest[] =
    "WHERE connection_id = $1 AND application = $2 AND request_id = $3";

// The run `where` picks with `params`, if any.
absl::StatusOr<std::optional<StoredImportRun>> SelectOne(
    PostgresConnection& database, const char* where,
    const PostgresParams& params) {
  absl::StatusOr<PostgresResult> result =
      database.Execute(absl::StrCat(kSelectRun, where), params);
  if (!result.ok()) return result.status();
  std::vector<StoredImportRun> runs = ReadRuns(*result);
  if (runs.empty()) return std::nullopt;
  return std::move(runs.front());
}

// After an insert that conflicted: the earlier run of the same request,
// else ALREADY_EXISTS for the taken run id.
absl::StatusOr<CreateRunResult> EarlierRun(PostgresConnection& database,
                                           const StoredImportRun& run) {
  if (!run.request_id.empty()) {
    absl::StatusOr<std::optional<StoredImportRun>> earlier =
        SelectOne(database, kByRequest,
                  PostgresParams()
                      .Text(run.connection_id)
                      .Text(run.application)
                      .Text(run.request_id));
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) return CreateRunResult{false, **earlier};
  }
  return RunIdTaken(run.run_id);
}

class PostgresImportRunStore : public ImportRunStore {
 public:
  explicit PostgresImportRunStore(std::shared_ptr<PostgresPool> pool)
      : pool_(std::move(pool)) {}

  absl::StatusOr<CreateRunResult> Create(const StoredImportRun& run) override {
    if (run.connection_id.empty() || run.run_id.empty()) {
      return MissingRunKey();
    }
    absl::StatusOr<CreateRunResult> result;
    absl::Status status = pool_->Transaction([&](PostgresConnection& db) {
      absl::StatusOr<PostgresResult> inserted = db.Execute(
          "INSERT INTO import_runs (connection_id, run_id, application, "
          "request_id, state, finished, create_time_us, update_time_us, "
          "payload) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
          "ON CONFLICT DO NOTHING RETURNING seq",
          PostgresParams()
              .Text(run.connection_id)
              .Text(run.run_id)
              .Text(run.application)
              .Text(run.request_id)
              .Integer(run.state)
              .Bool(run.finished)
              .Integer(absl::ToUnixMicros(run.create_time))
              .Integer(absl::ToUnixMicros(run.update_time))
              .Bytes(run.payload));
      if (!inserted.ok()) return inserted.status();
      if (inserted->rows() == 0) {
        result = EarlierRun(db, run);
        return result.status();
      }
      result = CreateRunResult{true, run};
      result->run.sequence = inserted->Integer(0, 0);
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return result;
  }

  absl::StatusOr<StoredImportRun> Get(std::string_view connection_id,
                                      std::string_view run_id) override {
    absl::StatusOr<PostgresResult> result = pool_->ExecuteRetryable(
        absl::StrCat(kSelectRun, "WHERE connection_id = $1 AND run_id = $2"),
        PostgresParams().Text(connection_id).Text(run_id));
    if (!result.ok()) return result.status();
    std::vector<StoredImportRun> runs = ReadRuns(*result);
    if (runs.empty()) return RunNotFound(connection_id, run_id);
    return std::move(runs.front());
  }

  absl::StatusOr<std::optional<StoredImportRun>> FindByRequestId(
      std::string_view connection_id, std::string_view application,
      std::string_view request_id) override {
    absl::StatusOr<PostgresResult> result = pool_->ExecuteRetryable(
        absl::StrCat(kSelectRun, kByRequest), PostgresParams()
                                                  .Text(connection_id)
                                                  .Text(application)
                                                  .Text(request_id));
    if (!result.ok()) return result.status();
    std::vector<StoredImportRun> runs = ReadRuns(*result);
    if (runs.empty()) return std::nullopt;
    return std::move(runs.front());
  }

  absl::Status Touch(std::string_view connection_id, std::string_view run_id,
                     absl::Time now) override {
    absl::StatusOr<PostgresResult> touched = pool_->ExecuteRetryable(
        "UPDATE import_runs SET update_time_us = $3 "
        "WHERE connection_id = $1 AND run_id = $2 AND NOT finished",
        PostgresParams()
            .Text(connection_id)
            .Text(run_id)
            .Integer(absl::ToUnixMicros(now)));
    return touched.status();
  }

  absl::StatusOr<bool> UpdateIfStale(const StoredImportRun& run,
                                     absl::Time stale_before) override {
    absl::StatusOr<PostgresResult> updated = pool_->ExecuteRetryable(
        "UPDATE import_runs SET state = $3, finished = $4, "
        "update_time_us = $5, payload = $6 "
        "WHERE connection_id = $1 AND run_id = $2 AND NOT finished "
        "AND update_time_us < $7",
        PostgresParams()
            .Text(run.connection_id)
            .Text(run.run_id)
            .Integer(run.state)
            .Bool(run.finished)
            .Integer(absl::ToUnixMicros(run.update_time))
            .Bytes(run.payload)
            .Integer(absl::ToUnixMicros(stale_before)));
    if (!updated.ok()) return updated.status();
    return updated->affected_rows() > 0;
  }

  absl::Status Update(const StoredImportRun& run) override {
    absl::StatusOr<PostgresResult> updated = pool_->ExecuteRetryable(
        "UPDATE import_runs SET state = $3, finished = $4, "
        "update_time_us = $5, payload = $6 "
        "WHERE connection_id = $1 AND run_id = $2",
        PostgresParams()
            .Text(run.connection_id)
            .Text(run.run_id)
            .Integer(run.state)
            .Bool(run.finished)
            .Integer(absl::ToUnixMicros(run.update_time))
            .Bytes(run.payload));
    if (!updated.ok()) return updated.status();
    if (updated->affected_rows() == 0) {
      return RunNotFound(run.connection_id, run.run_id);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<ImportRunPage> List(std::string_view connection_id,
                                     const ImportRunFilter& filter,
                                     int page_size,
                                     std::int64_t before_sequence) override {
    if (absl::Status valid = CheckPageSize(page_size); !valid.ok()) {
      return valid;
    }
    const std::string sql = RunListQuery(kSelectRun, filter, "$", "::bigint");
    PostgresParams params;
    params.Text(connection_id)
        .Integer(before_sequence)
        .Integer(filter.state)
        .Text(filter.application)
        .Integer(std::int64_t{page_size} + 1);  // one to peek
    for (const std::string& application : filter.applications) {
      params.Text(application);
    }
    absl::StatusOr<PostgresResult> result =
        pool_->ExecuteRetryable(sql, params);
    if (!result.ok()) return result.status();
    ImportRunPage page;
    page.runs = ReadRuns(*result);
    if (DropPeekedRow(page.runs, page_size)) {
      page.next_before_sequence = page.runs.back().sequence;
    }
    return page;
  }

  absl::Status DeleteForConnection(std::string_view connection_id) override {
    return pool_
        ->ExecuteRetryable("DELETE FROM import_runs WHERE connection_id = $1",
                           PostgresParams().Text(connection_id))
        .status();
  }

  absl::StatusOr<std::vector<StoredImportRun>> ListUnfinished() override {
    absl::StatusOr<PostgresResult> result = pool_->ExecuteRetryable(
        absl::StrCat(kSelectRun, "WHERE NOT finished ORDER BY seq"));
    if (!result.ok()) return result.status();
    return ReadRuns(*result);
  }

  absl::Status Ping() override { return pool_->Ping(); }

 private:
  const std::shared_ptr<PostgresPool> pool_;
};

}  // namespace

std::unique_ptr<ImportRunStore> MakePostgresImportRunStore(
    std::shared_ptr<PostgresPool> pool) {
  return std::make_unique<PostgresImportRunStore>(std::move(pool));
}

}  // namespace leverconnect::storage

// The embedded ImportRunStore: the import_runs table of the SQLite state
// file, behind its own handle and mutex. Every write is one IMMEDIATE
// transaction with synchronous=FULL.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/storage/import_run_store.h"
#include "lib/storage/sqlite_database.h"
#include "lib/storage/sqlite_schema.h"
#include "lib/storage/store_semantics.h"

namespace leverconnect::storage {
namespace {

using Mode = SqliteTransaction::Mode;

// The columns ReadRun expects, in order.
constexpr char kSelectRun[] =
    "SELECT seq, connection_id, run_id, application, request_id, state, "
    "finished, create_time_us, update_time_us, payload FROM import_runs ";

constexpr char kById[] = "WHERE connection_id = ?1 AND run_id = ?2";
constexpr char kByRequest[] =
    "WHERE connection_id = ?1 AND application = ?2 AND request_id = ?3";

StoredImportRun ReadRun(SqliteStatement& statement) {
  StoredImportRun run;
  run.sequence = statement.Integer(0);
  run.connection_id = statement.Text(1);
  run.run_id = statement.Text(2);
  run.application = statement.Text(3);
  run.request_id = statement.Text(4);
  run.state = static_cast<int>(statement.Integer(5));
  run.finished = statement.Integer(6) != 0;
  run.create_time = absl::FromUnixMicros(statement.Integer(7));
  run.update_time = absl::FromUnixMicros(statement.Integer(8));
  run.payload = statement.Blob(9);
  return run;
}

absl::StatusOr<std::vector<StoredImportRun>> ReadRuns(
    SqliteStatement& statement) {
  std::vector<StoredImportRun> runs;
  while (true) {
    absl::StatusOr<bool> row = statement.Step();
    if (!row.ok()) return row.status();
    if (!*row) return runs;
    runs.push_back(ReadRun(statement));
  }
}

// The run a statement binding `values` as ?1, ?2... selects, if any.
absl::StatusOr<std::optional<StoredImportRun>> SelectOne(
    SqliteDatabase& database, const char* where,
    std::initializer_list<std::string_view> values) {
  absl::StatusOr<SqliteStatement> statement =
      database.Prepare(absl::StrCat(kSelectRun, where));
  if (!statement.ok()) return statement.status();
  int index = 0;
  for (std::string_view value : values) statement->BindText(++index, value);
  absl::StatusOr<std::vector<StoredImportRun>> runs = ReadRuns(*statement);
  if (!runs.ok()) return runs.status();
  if (runs->empty()) return std::nullopt;
  return std::move(runs->front());
}

class SqliteImportRunStore : public ImportRunStore {
 public:
  explicit SqliteImportRunStore(SqliteDatabase database)
      : database_(std::move(database)) {}

  absl::StatusOr<CreateRunResult> Create(const StoredImportRun& run) override {
    if (run.connection_id.empty() || run.run_id.empty()) {
      return MissingRunKey();
    }
    absl::MutexLock lock(&mutex_);
    absl::StatusOr<SqliteTransaction> transaction =
        SqliteTransaction::Begin(database_, Mode::kImmediate);
    if (!transaction.ok()) return transaction.status();
    if (!run.request_id.empty()) {
      absl::StatusOr<std::optional<StoredImportRun>> earlier =
          SelectOne(database_, kByRequest,
                    {run.connection_id, run.application, run.request_id});
      if (!earlier.ok()) return earlier.status();
      if (earlier->has_value()) return CreateRunResult{false, **earlier};
    }
    absl::StatusOr<std::optional<StoredImportRun>> taken =
        SelectOne(database_, kById, {run.connection_id, run.run_id});
    if (!taken.ok()) return taken.status();
    if (taken->has_value()) return RunIdTaken(run.run_id);
    absl::StatusOr<SqliteStatement> insert = database_.Prepare(
        "INSERT INTO import_runs (connection_id, run_id, application, "
        "request_id, state, finished, create_time_us, update_time_us, "
        "payload) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (!insert.ok()) return insert.status();
    insert->BindText(1, run.connection_id);
    insert->BindText(2, run.run_id);
    insert->BindText(3, run.application);
    insert->BindText(4, run.request_id);
    insert->BindInteger(5, run.state);
    insert->BindInteger(6, run.finished ? 1 : 0);
    insert->BindInteger(7, absl::ToUnixMicros(run.create_time));
    insert->BindInteger(8, absl::ToUnixMicros(run.update_time));
    insert->BindBlob(9, run.payload);
    absl::Status status = insert->Run();
    absl::StatusOr<std::int64_t> sequence =
        status.ok() ? database_.QueryInteger("SELECT last_insert_rowid()")
                    : absl::StatusOr<std::int64_t>(status);
    if (!sequence.ok()) return sequence.status();
    if (status = transaction->Commit(); !status.ok()) return status;
    CreateRunResult result{true, run};
    result.run.sequence = *sequence;
    return result;
  }

  absl::StatusOr<StoredImportRun> Get(std::string_view connection_id,
                                      std::string_view run_id) override {
    absl::MutexLock lock(&mutex_);
    absl::StatusOr<std::optional<StoredImportRun>> run =
        SelectOne(database_, kById, {connection_id, run_id});
    if (!run.ok()) return run.status();
    if (!run->has_value()) return RunNotFound(connection_id, run_id);
    return std::move(**run);
  }

  absl::StatusOr<std::optional<StoredImportRun>> FindByRequestId(
      std::string_view connection_id, std::string_view application,
      std::string_view request_id) override {
    absl::MutexLock lock(&mutex_);
    return SelectOne(database_, kByRequest,
                     {connection_id, application, request_id});
  }

  absl::Status Update(const StoredImportRun& run) override {
    absl::MutexLock lock(&mutex_);
    absl::StatusOr<SqliteTransaction> transaction =
        SqliteTransaction::Begin(database_, Mode::kImmediate);
    if (!transaction.ok()) return transaction.status();
    absl::StatusOr<SqliteStatement> update = database_.Prepare(
        "UPDATE import_runs SET state = ?3, finished = ?4, "
        "update_time_us = ?5, payload = ?6 "
        "WHERE connection_id = ?1 AND run_id = ?2");
    if (!update.ok()) return update.status();
    update->BindText(1, run.connection_id);
    update->BindText(2, run.run_id);
    update->BindInteger(3, run.state);
    update->BindInteger(4, run.finished ? 1 : 0);
    update->BindInteger(5, absl::ToUnixMicros(run.update_time));
    update->BindBlob(6, run.payload);
    absl::Status status = update->Run();
    if (!status.ok()) return status;
    absl::StatusOr<std::int64_t> changed =
        database_.QueryInteger("SELECT changes()");
    if (!changed.ok()) return changed.status();
    if (*changed == 0) return RunNotFound(run.connection_id, run.run_id);
    return transaction->Commit();
  }

  absl::Status Touch(std::string_view connection_id, std::string_view run_id,
                     absl::Time now) override {
    absl::MutexLock lock(&mutex_);
    absl::StatusOr<SqliteStatement> touch = database_.Prepare(
        "UPDATE import_runs SET update_time_us = ?3 "
        "WHERE connection_id = ?1 AND run_id = ?2 AND finished = 0");
    if (!touch.ok()) return touch.status();
    touch->BindText(1, connection_id);
    touch->BindText(2, run_id);
    touch->BindInteger(3, absl::ToUnixMicros(now));
    return touch->Run();
  }

  absl::StatusOr<bool> UpdateIfStale(const StoredImportRun& run,
                                     absl::Time stale_before) override {
    absl::MutexLock lock(&mutex_);
    absl::StatusOr<SqliteStatement> update = database_.Prepare(
        "UPDATE import_runs SET state = ?3, finished = ?4, "
        "update_time_us = ?5, payload = ?6 "
        "WHERE connection_id = ?1 AND run_id = ?2 AND finished = 0 "
        "AND update_time_us < ?7");
    if (!update.ok()) return update.status();
    update->BindText(1, run.connection_id);
    update->BindText(2, run.run_id);
    update->BindInteger(3, run.state);
    update->BindInteger(4, run.finished ? 1 : 0);
    update->BindInteger(5, absl::ToUnixMicros(run.update_time));
    update->BindBlob(6, run.payload);
    update->BindInteger(7, absl::ToUnixMicros(stale_before));
    absl::Status status = update->Run();
    if (!status.ok()) return status;
    absl::StatusOr<std::int64_t> changed =
        database_.QueryInteger("SELECT changes()");
    if (!changed.ok()) return changed.status();
    return *changed > 0;
  }

  absl::StatusOr<ImportRunPage> List(std::string_view connection_id,
                                     const ImportRunFilter& filter,
                                     int page_size,
                                     std::int64_t before_sequence) override {
    if (absl::Status valid = CheckPageSize(page_size); !valid.ok()) {
      return valid;
    }
    const std::string sql = RunListQuery(kSelectRun, filter, "?", "");

    absl::MutexLock lock(&mutex_);
    absl::StatusOr<SqliteStatement> statement = database_.Prepare(sql);
    if (!statement.ok()) return statement.status();
    statement->BindText(1, connection_id);
    statement->BindInteger(2, before_sequence);
    statement->BindInteger(3, filter.state);
    statement->BindText(4, filter.application);
    statement->BindInteger(5, std::int64_t{page_size} + 1);  // one to peek
    for (std::size_t i = 0; i < filter.applications.size(); ++i) {
      statement->BindText(static_cast<int>(i + 6), filter.applications[i]);
    }
    absl::StatusOr<std::vector<StoredImportRun>> runs = ReadRuns(*statement);
    if (!runs.ok()) return runs.status();
    ImportRunPage page;
    if (DropPeekedRow(*runs, page_size)) {
      page.next_before_sequence = runs->back().sequence;
    }
    page.runs = std::move(*runs);
    return page;
  }

  absl::Status DeleteForConnection(std::string_view connection_id) override {
    absl::MutexLock lock(&mutex_);
    absl::StatusOr<SqliteStatement> remove =
        database_.Prepare("DELETE FROM import_runs WHERE connection_id = ?1");
    if (!remove.ok()) return remove.status();
    remove->BindText(1, connection_id);
    return remove->Run();
  }

  absl::StatusOr<std::vector<StoredImportRun>> ListUnfinished() override {
    absl::MutexLock lock(&mutex_);
    absl::StatusOr<SqliteStatement> statement = database_.Prepare(
        absl::StrCat(kSelectRun, "WHERE finished = 0 ORDER BY seq"));
    if (!statement.ok()) return statement.status();
    return ReadRuns(*statement);
  }

  absl::Status Ping() override {
    absl::MutexLock lock(&mutex_);
    return PingSqlite(database_);
  }

 private:
  absl::Mutex mutex_;
  SqliteDatabase database_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace

absl::StatusOr<std::unique_ptr<ImportRunStore>> OpenSqliteImportRunStore(
    const std::string& path) {
  absl::StatusOr<SqliteDatabase> database = OpenStateDatabase(path);
  if (!database.ok()) return database.status();
  return std::unique_ptr<ImportRunStore>(
      new SqliteImportRunStore(std::move(*database)));
}

}  // namespace leverconnect::storage

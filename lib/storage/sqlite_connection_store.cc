#include "lib/storage/sqlite_connection_store.h"

#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/storage/connection_store.h"
#include "lib/storage/sqlite_database.h"
#include "lib/storage/sqlite_schema.h"
#include "lib/storage/store_semantics.h"

namespace leverconnect::storage {
namespace {

using Mode = SqliteTransaction::Mode;

// Parameters ?1 to ?9 of the statements below, bound by BindConnection.
constexpr char kInsertConnection[] =
    "INSERT INTO connections (id, display_name, environment, sealed_api_key, "
    "api_key_hint, create_time_us, update_time_us, etag, write_back_enabled) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
constexpr char kUpdateConnection[] =
    "UPDATE connections SET display_name = ?2, environment = ?3, "
    "sealed_api_key = ?4, api_key_hint = ?5, create_time_us = ?6, "
    "update_time_us = ?7, etag = ?8, write_back_enabled = ?9 WHERE id = ?1";

// The columns ReadConnection expects, in order.
constexpr char kSelectConnection[] =
    "SELECT id, display_name, environment, sealed_api_key, api_key_hint, "
    "create_time_us, update_time_us, etag, write_back_enabled "
    "FROM connections ";

void BindConnection(const StoredConnection& connection,
                    SqliteStatement& statement) {
  statement.BindText(1, connection.id);
  statement.BindText(2, connection.display_name);
  statement.BindInteger(3, connection.environment);
  statement.BindBlob(4, connection.sealed_api_key);
  statement.BindText(5, connection.api_key_hint);
  statement.BindInteger(6, absl::ToUnixMicros(connection.create_time));
  statement.BindInteger(7, absl::ToUnixMicros(connection.update_time));
  statement.BindText(8, connection.etag);
  statement.BindInteger(9, connection.write_back_enabled ? 1 : 0);
}

StoredConnection ReadConnection(SqliteStatement& statement) {
  StoredConnection connection;
  connection.id = statement.Text(0);
  connection.display_name = statement.Text(1);
  connection.environment = static_cast<int>(statement.Integer(2));
  connection.sealed_api_key = statement.Blob(3);
  connection.api_key_hint = statement.Text(4);
  connection.create_time = absl::FromUnixMicros(statement.Integer(5));
  connection.update_time = absl::FromUnixMicros(statement.Integer(6));
  connection.etag = statement.Text(7);
  connection.write_back_enabled = statement.Integer(8) != 0;
  return connection;
}

// Runs `sql` with the connection's columns bound.
absl::Status WriteConnectionRow(SqliteDatabase& database, const char* sql,
                                const StoredConnection& connection) {
  absl::StatusOr<SqliteStatement> statement = database.Prepare(sql);
  if (!statement.ok()) return statement.status();
  BindConnection(connection, *statement);
  return statement->Run();
}

// Replaces the connection's applications, keeping the first position of
// any application listed twice.
absl::Status WriteApplications(SqliteDatabase& database,
                               const StoredConnection& connection) {
  absl::StatusOr<SqliteStatement> clear = database.Prepare(
      "DELETE FROM connection_applications WHERE connection_id = ?1");
  if (!clear.ok()) return clear.status();
  clear->BindText(1, connection.id);
  if (absl::Status status = clear->Run(); !status.ok()) return status;

  absl::StatusOr<SqliteStatement> insert = database.Prepare(
      "INSERT OR IGNORE INTO connection_applications "
      "(connection_id, application, position) VALUES (?1, ?2, ?3)");
  if (!insert.ok()) return insert.status();
  insert->BindText(1, connection.id);
  const auto& applications = connection.allowed_applications;
  for (std::size_t position = 0; position < applications.size(); ++position) {
    insert->Reset();
    insert->BindText(2, applications[position]);
    insert->BindInteger(3, static_cast<std::int64_t>(position));
    if (absl::Status status = insert->Run(); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status LoadApplications(SqliteDatabase& database,
                              StoredConnection& connection) {
  absl::StatusOr<SqliteStatement> statement = database.Prepare(
      "SELECT application FROM connection_applications "
      "WHERE connection_id = ?1 ORDER BY position");
  if (!statement.ok()) return statement.status();
  statement->BindText(1, connection.id);
  while (true) {
    absl::StatusOr<bool> row = statement->Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
    connection.allowed_applications.push_back(statement->Text(0));
  }
}

// The connection a request id created, if it was seen before.
absl::StatusOr<std::optional<std::string>> FindRequestIn(
    SqliteDatabase& database, std::string_view request_id) {
  absl::StatusOr<SqliteStatement> statement = database.Prepare(
      "SELECT connection_id FROM request_ids WHERE request_id = ?1");
  if (!statement.ok()) return statement.status();
  statement->BindText(1, request_id);
  absl::StatusOr<bool> row = statement->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::nullopt;
  return statement->Text(0);
}

absl::Status RecordRequest(SqliteDatabase& database,
                           std::string_view request_id,
                           const StoredConnection& connection) {
  absl::StatusOr<SqliteStatement> statement = database.Prepare(
      "INSERT INTO request_ids (request_id, connection_id, create_time_us) "
      "VALUES (?1, ?2, ?3)");
  if (!statement.ok()) return statement.status();
  statement->BindText(1, request_id);
  statement->BindText(2, connection.id);
  statement->BindInteger(3, absl::ToUnixMicros(connection.create_time));
  return statement->Run();
}

// The stored etag of connection `id`, or NOT_FOUND.
absl::StatusOr<std::string> ReadEtag(SqliteDatabase& database,
                                     std::string_view id) {
  absl::StatusOr<SqliteStatement> statement =
      database.Prepare("SELECT etag FROM connections WHERE id = ?1");
  if (!statement.ok()) return statement.status();
  statement->BindText(1, id);
  absl::StatusOr<bool> row = statement->Step();
  if (!row.ok()) return row.status();
  if (!*row) return ConnectionNotFound(id);
  return statement->Text(0);
}

// NOT_FOUND when `id` is absent; ABORTED when `expected_etag` is set and
// differs from the stored one.
absl::Status CheckStoredEtag(SqliteDatabase& database, std::string_view id,
                             std::string_view expected_etag) {
  absl::StatusOr<std::string> etag = ReadEtag(database, id);
  if (!etag.ok()) return etag.status();
  return CheckEtag(id, *etag, expected_etag);
}

absl::Status InsertNew(SqliteDatabase& database,
                       const StoredConnection& connection,
                       std::string_view request_id) {
  absl::StatusOr<std::string> etag = ReadEtag(database, connection.id);
  if (etag.ok()) return ConnectionExists(connection.id);
  if (!absl::IsNotFound(etag.status())) return etag.status();

  absl::Status status =
      WriteConnectionRow(database, kInsertConnection, connection);
  if (status.ok()) status = WriteApplications(database, connection);
  if (status.ok() && !request_id.empty()) {
    status = RecordRequest(database, request_id, connection);
  }
  return status;
}

// Reads the rows `statement` selects (kSelectConnection columns), then
// their applications.
absl::StatusOr<std::vector<StoredConnection>> ReadConnections(
    SqliteDatabase& database, SqliteStatement& statement) {
  std::vector<StoredConnection> connections;
  while (true) {
    absl::StatusOr<bool> row = statement.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    connections.push_back(ReadConnection(statement));
  }
  for (StoredConnection& connection : connections) {
    absl::Status status = LoadApplications(database, connection);
    if (!status.ok()) return status;
  }
  return connections;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ConnectionStore>> OpenSqliteConnectionStore(
    const std::string& path) {
  absl::StatusOr<std::unique_ptr<SqliteConnectionStore>> store =
      SqliteConnectionStore::Open(path);
  if (!store.ok()) return store.status();
  return std::unique_ptr<ConnectionStore>(std::move(*store));
}

std::string StateDatabasePath(const std::string& state_dir) {
  return state_dir + "/leverconnect.db";
}

absl::StatusOr<std::unique_ptr<SqliteConnectionStore>>
SqliteConnectionStore::Open(const std::string& path) {
  absl::StatusOr<SqliteDatabase> database = OpenStateDatabase(path);
  if (!database.ok()) return database.status();
  return std::unique_ptr<SqliteConnectionStore>(
      new SqliteConnectionStore(std::move(*database)));
}

SqliteConnectionStore::SqliteConnectionStore(SqliteDatabase database)
    : database_(std::move(database)) {}

absl::StatusOr<CreateResult> SqliteConnectionStore::Create(
    const StoredConnection& connection, std::string_view request_id) {
  if (connection.id.empty()) {
    return absl::InvalidArgumentError("connection id is empty");
  }
  absl::MutexLock lock(&mutex_);
  absl::StatusOr<SqliteTransaction> transaction =
      SqliteTransaction::Begin(database_, Mode::kImmediate);
  if (!transaction.ok()) return transaction.status();

  if (!request_id.empty()) {
    absl::StatusOr<std::optional<std::string>> earlier =
        FindRequestIn(database_, request_id);
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) return CreateResult{false, **earlier};
  }
  absl::Status status = InsertNew(database_, connection, request_id);
  if (status.ok()) status = transaction->Commit();
  if (!status.ok()) return status;
  return CreateResult{true, connection.id};
}

absl::StatusOr<StoredConnection> SqliteConnectionStore::Get(
    std::string_view id) {
  absl::MutexLock lock(&mutex_);
  absl::StatusOr<SqliteTransaction> transaction =
      SqliteTransaction::Begin(database_, Mode::kDeferred);
  if (!transaction.ok()) return transaction.status();
  absl::StatusOr<SqliteStatement> statement =
      database_.Prepare(absl::StrCat(kSelectConnection, "WHERE id = ?1"));
  if (!statement.ok()) return statement.status();
  statement->BindText(1, id);

  absl::StatusOr<std::vector<StoredConnection>> connections =
      ReadConnections(database_, *statement);
  if (!connections.ok()) return connections.status();
  if (connections->empty()) return ConnectionNotFound(id);
  if (absl::Status status = transaction->Commit(); !status.ok()) {
    return status;
  }
  return std::move(connections->front());
}

absl::StatusOr<ConnectionPage> SqliteConnectionStore::List(
    int page_size, std::string_view after_id, std::string_view application) {
  if (absl::Status valid = CheckPageSize(page_size); !valid.ok()) {
    return valid;
  }
  absl::MutexLock lock(&mutex_);
  absl::StatusOr<SqliteTransaction> transaction =
      SqliteTransaction::Begin(database_, Mode::kDeferred);
  if (!transaction.ok()) return transaction.status();
  absl::StatusOr<SqliteStatement> statement = database_.Prepare(absl::StrCat(
      kSelectConnection,
      "WHERE id > ?1 AND (?2 = '' OR EXISTS (SELECT 1 FROM "
      "connection_applications WHERE connection_id = connections.id AND "
      "application = ?2)) ORDER BY id LIMIT ?3"));
  if (!statement.ok()) return statement.status();
  statement->BindText(1, after_id);
  statement->BindText(2, application);
  statement->BindInteger(3, std::int64_t{page_size} + 1);  // one to peek

  absl::StatusOr<std::vector<StoredConnection>> connections =
      ReadConnections(database_, *statement);
  if (!connections.ok()) return connections.status();
  if (absl::Status status = transaction->Commit(); !status.ok()) {
    return status;
  }
  ConnectionPage page;
  page.has_more = DropPeekedRow(*connections, page_size);
  page.connections = std::move(*connections);
  return page;
}

absl::Status SqliteConnectionStore::Update(const StoredConnection& connection,
                                           std::string_view expected_etag) {
  absl::MutexLock lock(&mutex_);
  absl::StatusOr<SqliteTransaction> transaction =
      SqliteTransaction::Begin(database_, Mode::kImmediate);
  if (!transaction.ok()) return transaction.status();

  absl::Status status =
      CheckStoredEtag(database_, connection.id, expected_etag);
  if (status.ok()) {
    status = WriteConnectionRow(database_, kUpdateConnection, connection);
  }
  if (status.ok()) status = WriteApplications(database_, connection);
  if (status.ok()) status = transaction->Commit();
  return status;
}

absl::Status SqliteConnectionStore::Delete(std::string_view id,
                                           std::string_view expected_etag) {
  absl::MutexLock lock(&mutex_);
  absl::StatusOr<SqliteTransaction> transaction =
      SqliteTransaction::Begin(database_, Mode::kImmediate);
  if (!transaction.ok()) return transaction.status();

  absl::Status status = CheckStoredEtag(database_, id, expected_etag);
  if (!status.ok()) return status;
  absl::StatusOr<SqliteStatement> statement =
      database_.Prepare("DELETE FROM connections WHERE id = ?1");
  if (!statement.ok()) return statement.status();
  statement->BindText(1, id);
  status = statement->Run();  // applications go by ON DELETE CASCADE
  if (status.ok()) status = transaction->Commit();
  return status;
}

absl::Status SqliteConnectionStore::UpdateSealedApiKey(
    std::string_view id, std::string_view sealed_api_key,
    std::string_view expected_etag, std::string_view new_etag) {
  absl::MutexLock lock(&mutex_);
  absl::StatusOr<SqliteTransaction> transaction =
      SqliteTransaction::Begin(database_, Mode::kImmediate);
  if (!transaction.ok()) return transaction.status();

  absl::Status status = CheckStoredEtag(database_, id, expected_etag);
  if (!status.ok()) return status;
  absl::StatusOr<SqliteStatement> statement = database_.Prepare(
      "UPDATE connections SET sealed_api_key = ?2, etag = ?3 WHERE id = ?1");
  if (!statement.ok()) return statement.status();
  statement->BindText(1, id);
  statement->BindBlob(2, sealed_api_key);
  statement->BindText(3, new_etag);
  status = statement->Run();
  if (status.ok()) status = transaction->Commit();
  return status;
}

absl::StatusOr<std::optional<std::string>> SqliteConnectionStore::FindRequest(
    std::string_view request_id) {
  absl::MutexLock lock(&mutex_);
  return FindRequestIn(database_, request_id);
}

absl::Status SqliteConnectionStore::Ping() {
  absl::MutexLock lock(&mutex_);
  return PingSqlite(database_);
}

absl::StatusOr<SqliteSettings> SqliteConnectionStore::ReadSettings() {
  absl::MutexLock lock(&mutex_);
  SqliteSettings settings;
  absl::StatusOr<std::string> journal_mode =
      database_.QueryText("PRAGMA journal_mode");
  if (!journal_mode.ok()) return journal_mode.status();
  settings.journal_mode = *journal_mode;

  const std::pair<const char*, int*> integers[] = {
      {"PRAGMA synchronous", &settings.synchronous},
      {"PRAGMA busy_timeout", &settings.busy_timeout_ms},
      {"PRAGMA user_version", &settings.schema_version},
  };
  for (const auto& [pragma, value] : integers) {
    absl::StatusOr<std::int64_t> result = database_.QueryInteger(pragma);
    if (!result.ok()) return result.status();
    *value = static_cast<int>(*result);
  }
  absl::StatusOr<std::int64_t> foreign_keys =
      database_.QueryInteger("PRAGMA foreign_keys");
  if (!foreign_keys.ok()) return foreign_keys.status();
  settings.foreign_keys = *foreign_keys != 0;
  return settings;
}

}  // namespace leverconnect::storage

#include "lib/storage/sqlite_database.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <sqlite3.h>
#include <sys/stat.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace leverconnect::storage {
namespace {

absl::string_view ToAbsl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

bool IsTransient(int code) {
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
      return true;
    default:
      return false;
  }
}

std::string ColumnBytes(const void* bytes, int size) {
  if (bytes == nullptr || size <= 0) return std::string();
  return std::string(static_cast<const char*>(bytes),
                     static_cast<std::size_t>(size));
}

}  // namespace

absl::Status SqliteStatus(sqlite3* database, int code,
                          std::string_view operation) {
  // The handle's message describes its latest failure, which is `code`
  // unless something else ran since; otherwise use the generic text.
  const bool handle_knows =
      database != nullptr && (sqlite3_extended_errcode(database) == code ||
                              sqlite3_errcode(database) == code);
  const char* detail =
      handle_knows ? sqlite3_errmsg(database) : sqlite3_errstr(code);
  std::string message =
      absl::StrCat("sqlite ", ToAbsl(operation), " failed: ", detail);
  if (IsTransient(code)) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

// SqliteStatement

SqliteStatement::SqliteStatement(sqlite3_stmt* statement)
    : statement_(statement) {}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : statement_(std::exchange(other.statement_, nullptr)),
      bind_status_(std::move(other.bind_status_)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(statement_);
    statement_ = std::exchange(other.statement_, nullptr);
    bind_status_ = std::move(other.bind_status_);
  }
  return *this;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(statement_); }

void SqliteStatement::RecordBind(int code, int index) {
  if (code == SQLITE_OK || !bind_status_.ok()) return;
  bind_status_ = SqliteStatus(sqlite3_db_handle(statement_), code,
                              absl::StrCat("bind of parameter ", index));
}

void SqliteStatement::BindText(int index, std::string_view text) {
  // A null pointer would bind NULL, so an empty text points at "".
  const char* data = text.empty() ? "" : text.data();
  RecordBind(sqlite3_bind_text64(statement_, index, data, text.size(),
                                 SQLITE_TRANSIENT, SQLITE_UTF8),
             index);
}

void SqliteStatement::BindBlob(int index, std::string_view bytes) {
  // As for text: an empty blob must not become NULL.
  if (bytes.empty()) {
    RecordBind(sqlite3_bind_zeroblob(statement_, index, 0), index);
    return;
  }
  RecordBind(sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(),
                                 SQLITE_TRANSIENT),
             index);
}

void SqliteStatement::BindInteger(int index, std::int64_t value) {
  RecordBind(sqlite3_bind_int64(statement_, index, value), index);
}

absl::StatusOr<bool> SqliteStatement::Step() {
  if (!bind_status_.ok()) return bind_status_;
  const int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  return SqliteStatus(sqlite3_db_handle(statement_), code, "step");
}

absl::Status SqliteStatement::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

void SqliteStatement::Reset() {
  sqlite3_reset(statement_);  // repeats the last step's error, already seen
  bind_status_ = absl::OkStatus();
}

std::string SqliteStatement::Text(int column) {
  const unsigned char* text = sqlite3_column_text(statement_, column);
  return ColumnBytes(text, sqlite3_column_bytes(statement_, column));
}

std::string SqliteStatement::Blob(int column) {
  const void* bytes = sqlite3_column_blob(statement_, column);
  return ColumnBytes(bytes, sqlite3_column_bytes(statement_, column));
}

std::int64_t SqliteStatement::Integer(int column) {
  return sqlite3_column_int64(statement_, column);
}

// SqliteDatabase

SqliteDatabase::SqliteDatabase(sqlite3* database) : database_(database) {}

SqliteDatabase::SqliteDatabase(SqliteDatabase&& other) noexcept
    : database_(std::exchange(other.database_, nullptr)) {}

SqliteDatabase& SqliteDatabase::operator=(SqliteDatabase&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(database_);
    database_ = std::exchange(other.database_, nullptr);
  }
  return *this;
}

SqliteDatabase::~SqliteDatabase() { sqlite3_close_v2(database_); }

absl::StatusOr<SqliteDatabase> SqliteDatabase::Open(const std::string& path) {
  // The file holds sealed Lever keys and who may use them: it is made, or
  // kept, readable by its owner only. SQLite gives its -wal and -shm files
  // the database file's permissions.
  if (!path.empty() && path != ":memory:" && !absl::StartsWith(path, "file:")) {
    const int file = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (file >= 0) {
      ::fchmod(file, 0600);
      ::close(file);
    }
    // Companion files an earlier build left behind, after a crash, keep
    // their own bits; SQLite only gives new ones the database's.
    for (const char* suffix : {"-wal", "-shm", "-journal"}) {
      ::chmod((path + suffix).c_str(), 0600);
    }
  }
  sqlite3* handle = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
  const int code = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
  SqliteDatabase database(handle);  // closes the handle on every path
  if (code != SQLITE_OK) {
    return SqliteStatus(handle, code, absl::StrCat("open of '", path, "'"));
  }
  sqlite3_extended_result_codes(handle, 1);
  return database;
}

absl::StatusOr<SqliteStatement> SqliteDatabase::Prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  const int code =
      sqlite3_prepare_v3(database_, sql.data(), static_cast<int>(sql.size()), 0,
                         &statement, nullptr);
  if (code != SQLITE_OK) return SqliteStatus(database_, code, "prepare");
  if (statement == nullptr) return absl::InternalError("sqlite: empty SQL");
  return SqliteStatement(statement);
}

absl::Status SqliteDatabase::Execute(const char* sql) {
  const int code = sqlite3_exec(database_, sql, nullptr, nullptr, nullptr);
  if (code != SQLITE_OK) return SqliteStatus(database_, code, "exec");
  return absl::OkStatus();
}

absl::StatusOr<std::string> SqliteDatabase::QueryText(std::string_view sql) {
  absl::StatusOr<SqliteStatement> statement = Prepare(sql);
  if (!statement.ok()) return statement.status();
  absl::StatusOr<bool> row = statement->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError("sqlite query returned no row");
  return statement->Text(0);
}

absl::StatusOr<std::int64_t> SqliteDatabase::QueryInteger(
    std::string_view sql) {
  absl::StatusOr<SqliteStatement> statement = Prepare(sql);
  if (!statement.ok()) return statement.status();
  absl::StatusOr<bool> row = statement->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError("sqlite query returned no row");
  return statement->Integer(0);
}

bool SqliteDatabase::in_transaction() const {
  return sqlite3_get_autocommit(database_) == 0;
}

// SqliteTransaction

SqliteTransaction::SqliteTransaction(SqliteDatabase* database)
    : database_(database) {}

SqliteTransaction::SqliteTransaction(SqliteTransaction&& other) noexcept
    : database_(std::exchange(other.database_, nullptr)) {}

SqliteTransaction::~SqliteTransaction() {
  // A failed statement may already have rolled SQLite back by itself.
  if (database_ != nullptr && database_->in_transaction()) {
    database_->Execute("ROLLBACK").IgnoreError();
  }
}

absl::StatusOr<SqliteTransaction> SqliteTransaction::Begin(
    SqliteDatabase& database, Mode mode) {
  const char* begin = mode == Mode::kImmediate ? "BEGIN IMMEDIATE" : "BEGIN";
  if (absl::Status status = database.Execute(begin); !status.ok()) {
    return status;
  }
  return SqliteTransaction(&database);
}

absl::Status SqliteTransaction::Commit() {
  absl::Status status = database_->Execute("COMMIT");
  if (status.ok()) database_ = nullptr;
  return status;
}

}  // namespace leverconnect::storage

// Thin RAII wrappers over the SQLite C API, used by the SQLite stores.
//
// SqliteDatabase owns one sqlite3 handle, SqliteStatement one prepared
// statement, SqliteTransaction one open transaction (rolled back unless
// committed). Values always travel as bound parameters, never inside SQL
// text. None of these classes locks: the caller serialises use of a
// database and everything made from it. Errors become absl::Status:
// UNAVAILABLE for busy, locked, full, unopenable or I/O failures, INTERNAL
// otherwise, with SQLite's own message (which names tables and columns, not
// values).
#ifndef LEVERCONNECT_LIB_STORAGE_SQLITE_DATABASE_H_
#define LEVERCONNECT_LIB_STORAGE_SQLITE_DATABASE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct sqlite3;
struct sqlite3_stmt;

namespace leverconnect::storage {

// The status for SQLite result code `code` during `operation`; `database`
// (may be null) supplies the detailed message.
absl::Status SqliteStatus(sqlite3* database, int code,
                          std::string_view operation);

class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  ~SqliteStatement();

  // Parameters are numbered from 1. Text and blobs are copied, so the
  // arguments need not outlive the call. A failed bind is reported by the
  // next Step().
  void BindText(int index, std::string_view text);
  void BindBlob(int index, std::string_view bytes);
  void BindInteger(int index, std::int64_t value);

  // True when a row is available, false when the statement is done.
  absl::StatusOr<bool> Step();

  // Runs a statement that returns no rows.
  absl::Status Run();

  // Makes the statement ready to run again; bindings stay until rebound.
  void Reset();

  // Columns of the current row, numbered from 0. NULL reads as empty or 0.
  std::string Text(int column);
  std::string Blob(int column);
  std::int64_t Integer(int column);

 private:
  friend class SqliteDatabase;
  explicit SqliteStatement(sqlite3_stmt* statement);
  void RecordBind(int code, int index);

  sqlite3_stmt* statement_;
  absl::Status bind_status_;
};

class SqliteDatabase {
 public:
  // Opens or creates the file at `path`, serialized threading mode.
  static absl::StatusOr<SqliteDatabase> Open(const std::string& path);

  SqliteDatabase(SqliteDatabase&& other) noexcept;
  SqliteDatabase& operator=(SqliteDatabase&& other) noexcept;
  ~SqliteDatabase();

  // REQUIRES: `sql` is one statement.
  absl::StatusOr<SqliteStatement> Prepare(std::string_view sql);

  // Runs constant SQL, possibly several statements, that takes no values.
  absl::Status Execute(const char* sql);

  // Runs a PRAGMA (or any single-row query) and returns its first column.
  absl::StatusOr<std::string> QueryText(std::string_view sql);
  absl::StatusOr<std::int64_t> QueryInteger(std::string_view sql);

  // True between BEGIN and COMMIT or ROLLBACK.
  bool in_transaction() const;

 private:
  explicit SqliteDatabase(sqlite3* database);

  sqlite3* database_;
};

// One transaction on a database that must outlive it. Destroying an
// uncommitted transaction rolls it back.
class SqliteTransaction {
 public:
  enum class Mode { kDeferred, kImmediate };

  static absl::StatusOr<SqliteTransaction> Begin(SqliteDatabase& database,
                                                 Mode mode);

  SqliteTransaction(SqliteTransaction&& other) noexcept;
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  ~SqliteTransaction();

  absl::Status Commit();

 private:
  explicit SqliteTransaction(SqliteDatabase* database);

  SqliteDatabase* database_;  // null once committed or rolled back
};

}  // namespace leverconnect::storage

#endif  // LEVERCONNECT_LIB_STORAGE_SQLITE_DATABASE_H_

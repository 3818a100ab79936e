// Thin wrappers over libpq, used by the PostgreSQL stores and the shared
// request budget.
//
// PostgresPool keeps a few connections to one database and lends one per
// transaction or statement, reconnecting after the server went away.
// Values always travel as parameters, never inside SQL text. Errors become
// absl::Status: UNAVAILABLE when the server cannot be reached or refuses
// for now (connection failures, shutdown, serialization failures,
// deadlocks, lack of resources), INVALID_ARGUMENT for a connection string
// that does not parse, INTERNAL otherwise, with PostgreSQL's primary
// message (which names tables and constraints, not values). Nothing here
// ever puts the connection string, which may hold a password, in a status
// or a log line.
#ifndef LEVERCONNECT_LIB_STORAGE_POSTGRES_DATABASE_H_
#define LEVERCONNECT_LIB_STORAGE_POSTGRES_DATABASE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct pg_conn;
struct pg_result;

namespace leverconnect::storage {

// Whether `url` names a PostgreSQL database: a postgresql:// or
// postgres:// URI, or a libpq "key=value" connection string.
bool IsPostgresUrl(std::string_view url);

// Where `url` points, for logs and errors: "host:port/database as user",
// leaving out the password and every other option. INVALID_ARGUMENT,
// without echoing the text, when it does not parse.
absl::StatusOr<std::string> DescribePostgresUrl(const std::string& url);

// The parameters of one statement, $1, $2, ... in the order added.
class PostgresParams {
 public:
  PostgresParams& Text(std::string_view text);
  PostgresParams& Bytes(std::string_view bytes);  // for bytea
  PostgresParams& Integer(std::int64_t value);
  PostgresParams& Double(double value);
  PostgresParams& Bool(bool value);

  int size() const { return static_cast<int>(values_.size()); }

 private:
  friend class PostgresConnection;

  std::vector<std::string> values_;
  std::vector<int> formats_;  // 0 text, 1 binary
};

// The rows of one statement, in text form. Owns its PGresult.
class PostgresResult {
 public:
  PostgresResult(PostgresResult&& other) noexcept;
  PostgresResult& operator=(PostgresResult&& other) noexcept;
  ~PostgresResult();

  int rows() const;
  // Rows an INSERT, UPDATE or DELETE touched.
  std::int64_t affected_rows() const;

  // Columns numbered from 0. NULL reads as empty, 0 or false.
  bool IsNull(int row, int column) const;
  std::string Text(int row, int column) const;
  std::string Bytes(int row, int column) const;  // of a bytea column
  std::int64_t Integer(int row, int column) const;
  double Double(int row, int column) const;
  bool Bool(int row, int column) const;

 private:
  friend class PostgresConnection;
  explicit PostgresResult(pg_result* result);

  pg_result* result_;
};

// How long to wait for the database. A server that accepts connections but
// stops answering (stopped, partitioned, swapped out) holds a statement
// until its wait passes; the connection is then dropped and the statement
// fails UNAVAILABLE, and it may or may not have been carried out.
struct PostgresWaits {
  // For the answer to each statement.
  absl::Duration answer = absl::Seconds(30);
  // For the answer to Ping, which readiness asks every few seconds.
  absl::Duration ping = absl::Seconds(5);
};

// One connection. Not thread-safe: a pool lends it to one user at a time.
class PostgresConnection {
 public:
  // Connects with `url` (a libpq URI or key=value string). Each statement
  // then waits at most `answer_wait` for its answer; connecting waits as
  // long, from 2 to 10 seconds, unless the string sets connect_timeout.
  static absl::StatusOr<std::unique_ptr<PostgresConnection>> Connect(
      const std::string& url,
      absl::Duration answer_wait = PostgresWaits().answer);

  ~PostgresConnection();
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  // Runs one statement with `params`.
  absl::StatusOr<PostgresResult> Execute(std::string_view sql,
                                         const PostgresParams& params = {});
  // The same, waiting at most `wait` for the answer.
  absl::StatusOr<PostgresResult> ExecuteWithin(
      absl::Duration wait, std::string_view sql,
      const PostgresParams& params = {});

  // Runs constant SQL, possibly several statements, that takes no values.
  absl::Status ExecuteScript(const char* sql);

  // False once the connection to the server is lost, or was dropped after
  // the server did not answer in time.
  bool healthy() const;
  // True once the server went away (it restarted, say), but not when it
  // left a statement unanswered: only then is a statement worth trying
  // again at once on a new connection.
  bool lost() const { return !healthy() && !timed_out_; }

 private:
  PostgresConnection(pg_conn* connection, absl::Duration answer_wait);

  // Sends with `send` (a PQsend* call, 0 on failure), then collects the
  // results of the statement(s) sent, waiting at most `wait`: the first
  // failing result, else the last one.
  absl::StatusOr<PostgresResult> SendAndFinish(
      absl::Duration wait, const std::function<int(pg_conn*)>& send);
  // Waits until the socket is ready for `events` or `deadline` passes;
  // false when it passed.
  bool AwaitSocket(short events, absl::Time deadline);
  // Drops the connection after the server did not answer in time.
  absl::Status GiveUp(absl::Time started);

  pg_conn* connection_;
  const absl::Duration answer_wait_;
  bool timed_out_ = false;
};

class PostgresPool {
 public:
  // Connects once to check `url` and keeps that connection; at most
  // `max_connections` are open at a time.
  static absl::StatusOr<std::shared_ptr<PostgresPool>> Open(
      const std::string& url, int max_connections = 4,
      PostgresWaits waits = {});

  PostgresPool(const PostgresPool&) = delete;
  PostgresPool& operator=(const PostgresPool&) = delete;

  // Runs `work` inside BEGIN ... COMMIT on one connection; a failed `work`
  // rolls back and its status is returned. When a lent connection turns
  // out dead at BEGIN (the server restarted meanwhile), BEGIN is tried
  // once more on a new connection, since nothing was done yet.
  absl::Status Transaction(
      const std::function<absl::Status(PostgresConnection&)>& work);

  // Runs one statement on its own. The statement must be safe to run
  // twice: it is repeated once on a new connection when the lent one turns
  // out dead (but not when the server did not answer in time).
  absl::StatusOr<PostgresResult> ExecuteRetryable(
      std::string_view sql, const PostgresParams& params = {});

  // Asks the server a trivial question, on a connection kept for pings
  // alone; OK when it answers within waits.ping.
  absl::Status Ping();

  // "host:port/database as user", for logs.
  const std::string& description() const { return description_; }

 private:
  PostgresPool(std::string url, std::string description, int max_connections,
               PostgresWaits waits);

  absl::StatusOr<PostgresResult> ExecuteRetryable(absl::Duration wait,
                                                  std::string_view sql,
                                                  const PostgresParams& params);

  // A connection from the idle list, else a new one, waiting while
  // `max_connections` are lent out.
  absl::StatusOr<std::unique_ptr<PostgresConnection>> Borrow();
  bool CanBorrow() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);
  // Keeps a healthy connection for the next user; drops a dead one.
  void Return(std::unique_ptr<PostgresConnection> connection);
  // Drops every idle connection, after one of them was found dead: the
  // others most likely died with it.
  void DropIdle();

  const std::string url_;
  const std::string description_;
  const int max_connections_;
  const PostgresWaits waits_;
  absl::Mutex ping_mutex_;
  std::unique_ptr<PostgresConnection> ping_connection_
      ABSL_GUARDED_BY(ping_mutex_);
  absl::Mutex mutex_;
  std::vector<std::unique_ptr<PostgresConnection>> idle_
      ABSL_GUARDED_BY(mutex_);
  int open_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace leverconnect::storage

#endif  // LEVERCONNECT_LIB_STORAGE_POSTGRES_DATABASE_H_

#include "lib/storage/postgres_database.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <libpq-fe.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace leverconnect::storage {
namespace {

absl::string_view ToAbsl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

// The first line of a libpq message, which may end in a newline or go on
// with hints.
std::string FirstLine(const char* message) {
  if (message == nullptr) return std::string();
  std::string line(message);
  line = line.substr(0, line.find('\n'));
  return line;
}

// SQLSTATE classes and codes worth trying again later.
bool IsTransientState(absl::string_view state) {
  return absl::StartsWith(state, "08") ||  // connection exception
         absl::StartsWith(state, "40") ||  // serialization failure, deadlock
         absl::StartsWith(state, "53") ||  // insufficient resources
         absl::StartsWith(state, "57") ||  // shutdown, cancelled
         state == "55P03";                 // lock not available
}

absl::Status PostgresStatus(PGconn* connection, const PGresult* result,
                            std::string_view operation) {
  const char* state = result == nullptr
                          ? nullptr
                          : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  const char* primary =
      result == nullptr ? nullptr
                        : PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  const std::string detail = primary != nullptr
                                 ? std::string(primary)
                                 : FirstLine(PQerrorMessage(connection));
  std::string message =
      absl::StrCat("postgresql ", ToAbsl(operation), " failed: ", detail);
  if (state == nullptr || IsTransientState(state) ||
      PQstatus(connection) != CONNECTION_OK) {
    return absl::UnavailableError(std::move(message));
  }
  return absl::InternalError(std::move(message));
}

// The parsed options of `url`, or INVALID_ARGUMENT without its text (a
// malformed string may hold a password).
absl::StatusOr<std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)>>
ParseUrl(const std::string& url) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (error != nullptr) PQfreemem(error);
  if (options == nullptr) {
    return absl::InvalidArgumentError(
        "the PostgreSQL connection string does not parse (it is not shown, "
        "since it may hold a password)");
  }
  return std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)>(
      options, &PQconninfoFree);
}

void IgnoreNotice(void*, const char*) {}

}  // namespace

bool IsPostgresUrl(std::string_view url) {
  const absl::string_view text = ToAbsl(url);
  return absl::StartsWith(text, "postgresql://") ||
         absl::StartsWith(text, "postgres://") || absl::StrContains(text, '=');
}

absl::StatusOr<std::string> DescribePostgresUrl(const std::string& url) {
  auto options = ParseUrl(url);
  if (!options.ok()) return options.status();
  std::string host = "localhost", port = "5432", database, user;
  for (PQconninfoOption* option = options->get(); option->keyword != nullptr;
       ++option) {
    if (option->val == nullptr || *option->val == '\0') continue;
    const absl::string_view keyword = option->keyword;
    if (keyword == "host" || keyword == "hostaddr") host = option->val;
    if (keyword == "port") port = option->val;
    if (keyword == "dbname") database = option->val;
    if (keyword == "user") user = option->val;
  }
  std::string description = absl::StrCat(host, ":", port, "/", database);
  if (!user.empty()) absl::StrAppend(&description, " as ", user);
  return description;
}

// PostgresParams

PostgresParams& PostgresParams::Text(std::string_view text) {
  values_.emplace_back(text);
  formats_.push_back(0);
  return *this;
}

PostgresParams& PostgresParams::Bytes(std::string_view bytes) {
  values_.emplace_back(bytes);
  formats_.push_back(1);
  return *this;
}

PostgresParams& PostgresParams::Integer(std::int64_t value) {
  return Text(std::to_string(value));
}

PostgresParams& PostgresParams::Double(double value) {
  return Text(absl::StrCat(value));
}

PostgresParams& PostgresParams::Bool(bool value) {
  return Text(value ? "true" : "false");
}

// PostgresResult

PostgresResult::PostgresResult(PGresult* result) : result_(result) {}

PostgresResult::PostgresResult(PostgresResult&& other) noexcept
    : result_(std::exchange(other.result_, nullptr)) {}

PostgresResult& PostgresResult::operator=(PostgresResult&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

PostgresResult::~PostgresResult() { PQclear(result_); }

int PostgresResult::rows() const { return PQntuples(result_); }

std::int64_t PostgresResult::affected_rows() const {
  std::int64_t count = 0;
  return absl::SimpleAtoi(PQcmdTuples(result_), &count) ? count : 0;
}

bool PostgresResult::IsNull(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}

std::string PostgresResult::Text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     PQgetlength(result_, row, column));
}

std::string PostgresResult::Bytes(int row, int column) const {
  std::size_t length = 0;
  unsigned char* bytes = PQunescapeBytea(
      reinterpret_cast<const unsigned char*>(PQgetvalue(result_, row, column)),
      &length);
  if (bytes == nullptr) return std::string();
  std::string copy(reinterpret_cast<const char*>(bytes), length);
  PQfreemem(bytes);
  return copy;
}

std::int64_t PostgresResult::Integer(int row, int column) const {
  std::int64_t value = 0;
  return absl::SimpleAtoi(PQgetvalue(result_, row, column), &value) ? value : 0;
}

double PostgresResult::Double(int row, int column) const {
  double value = 0;
  return absl::SimpleAtod(PQgetvalue(result_, row, column), &value) ? value : 0;
}

bool PostgresResult::Bool(int row, int column) const {
  return PQgetvalue(result_, row, column)[0] == 't';
}

// PostgresConnection

PostgresConnection::PostgresConnection(PGconn* connection,
                                       absl::Duration answer_wait)
    : connection_(connection), answer_wait_(answer_wait) {}

PostgresConnection::~PostgresConnection() {
  if (connection_ != nullptr) PQfinish(connection_);
}

absl::StatusOr<std::unique_ptr<PostgresConnection>> PostgresConnection::Connect(
    const std::string& url, absl::Duration answer_wait) {
  if (auto parsed = ParseUrl(url); !parsed.ok()) return parsed.status();
  // Later keywords win, so the URL's own settings override these.
  // Connecting waits as long as an answer would, within libpq's 2 second
  // minimum and at most 10 seconds.
  const std::string connect_timeout = std::to_string(std::clamp<std::int64_t>(
      absl::ToInt64Seconds(absl::Ceil(answer_wait, absl::Seconds(1))), 2, 10));
  const char* keywords[] = {"connect_timeout", "fallback_application_name",
                            "dbname", nullptr};
  const char* values[] = {connect_timeout.c_str(), "leverconnect", url.c_str(),
                          nullptr};
  std::unique_ptr<PostgresConnection> connection(new PostgresConnection(
      PQconnectdbParams(keywords, values, /*expand_dbname=*/1), answer_wait));
  if (connection->connection_ == nullptr) {
    return absl::ResourceExhaustedError("postgresql: out of memory");
  }
  if (PQstatus(connection->connection_) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat("postgresql connect failed: ",
                     FirstLine(PQerrorMessage(connection->connection_))));
  }
  // The library stays silent: notices (such as what a DROP cascades to)
  // are not errors and would otherwise go to standard error.
  PQsetNoticeProcessor(connection->connection_, IgnoreNotice, nullptr);
  // Statements are sent and awaited without blocking, so that a server
  // that stops answering holds a caller only until its wait passes.
  if (PQsetnonblocking(connection->connection_, 1) != 0) {
    return absl::UnavailableError(
        absl::StrCat("postgresql connect failed: ",
                     FirstLine(PQerrorMessage(connection->connection_))));
  }
  return connection;
}

bool PostgresConnection::AwaitSocket(short events, absl::Time deadline) {
  while (true) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) return false;
    pollfd socket{PQsocket(connection_), events, 0};
    const int ready =
        poll(&socket, 1,
             static_cast<int>(absl::ToInt64Milliseconds(absl::Ceil(
                 std::min(left, absl::Seconds(1)), absl::Milliseconds(1)))));
    // Ready, or an error on the socket, which libpq reads next.
    if (ready > 0 || (ready < 0 && errno != EINTR)) return true;
  }
}

absl::Status PostgresConnection::GiveUp(absl::Time started) {
  timed_out_ = true;
  PQfinish(connection_);
  connection_ = nullptr;
  return absl::UnavailableError(absl::StrCat(
      "postgresql did not answer within ",
      absl::FormatDuration(
          absl::Trunc(absl::Now() - started, absl::Milliseconds(1))),
      "; the connection was dropped, and the statement may or may not have "
      "been carried out"));
}

absl::StatusOr<PostgresResult> PostgresConnection::SendAndFinish(
    absl::Duration wait, const std::function<int(PGconn*)>& send) {
  if (connection_ == nullptr) {
    return absl::UnavailableError("postgresql: the connection was dropped");
  }
  const absl::Time started = absl::Now();
  const absl::Time deadline = started + wait;
  if (send(connection_) == 0) {
    return PostgresStatus(connection_, nullptr, "statement");
  }
  // What libpq could not hand to the socket at once.
  while (true) {
    const int flushed = PQflush(connection_);
    if (flushed == 0) break;
    if (flushed < 0) return PostgresStatus(connection_, nullptr, "statement");
    if (!AwaitSocket(POLLOUT | POLLIN, deadline)) return GiveUp(started);
    if (PQconsumeInput(connection_) == 0) {
      return PostgresStatus(connection_, nullptr, "statement");
    }
  }
  std::optional<PostgresResult> kept;
  absl::Status failure;
  while (true) {
    while (PQisBusy(connection_) == 0) {
      PGresult* next = PQgetResult(connection_);
      if (next == nullptr) {
        if (!failure.ok()) return failure;
        if (!kept.has_value()) {
          return PostgresStatus(connection_, nullptr, "statement");
        }
        return std::move(*kept);
      }
      PostgresResult result(next);
      const ExecStatusType status = PQresultStatus(next);
      if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        kept.emplace(std::move(result));
      } else if (failure.ok()) {
        failure = PostgresStatus(connection_, next, "statement");
      }
    }
    if (!AwaitSocket(POLLIN, deadline)) return GiveUp(started);
    if (PQconsumeInput(connection_) == 0) {
      return PostgresStatus(connection_, nullptr, "statement");
    }
  }
}

absl::StatusOr<PostgresResult> PostgresConnection::Execute(
    std::string_view sql, const PostgresParams& params) {
  return ExecuteWithin(answer_wait_, sql, params);
}

absl::StatusOr<PostgresResult> PostgresConnection::ExecuteWithin(
    absl::Duration wait, std::string_view sql, const PostgresParams& params) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  for (const std::string& value : params.values_) {
    values.push_back(value.data());
    lengths.push_back(static_cast<int>(value.size()));
  }
  const std::string text(sql);
  return SendAndFinish(wait, [&](PGconn* connection) {
    return PQsendQueryParams(connection, text.c_str(), params.size(), nullptr,
                             values.data(), lengths.data(),
                             params.formats_.data(), /*text=*/0);
  });
}

absl::Status PostgresConnection::ExecuteScript(const char* sql) {
  return SendAndFinish(
             answer_wait_,
             [sql](PGconn* connection) { return PQsendQuery(connection, sql); })
      .status();
}

bool PostgresConnection::healthy() const {
  return connection_ != nullptr && PQstatus(connection_) == CONNECTION_OK;
}

// PostgresPool

absl::StatusOr<std::shared_ptr<PostgresPool>> PostgresPool::Open(
    const std::string& url, int max_connections, PostgresWaits waits) {
  absl::StatusOr<std::string> description = DescribePostgresUrl(url);
  if (!description.ok()) return description.status();
  absl::StatusOr<std::unique_ptr<PostgresConnection>> first =
      PostgresConnection::Connect(url, waits.answer);
  if (!first.ok()) {
    return absl::Status(
        first.status().code(),
        absl::StrCat(*description, ": ", first.status().message()));
  }
  std::shared_ptr<PostgresPool> pool(
      new PostgresPool(url, std::move(*description), max_connections, waits));
  absl::MutexLock lock(&pool->mutex_);
  pool->idle_.push_back(std::move(*first));
  pool->open_ = 1;
  return pool;
}

PostgresPool::PostgresPool(std::string url, std::string description,
                           int max_connections, PostgresWaits waits)
    : url_(std::move(url)),
      description_(std::move(description)),
      max_connections_(max_connections < 1 ? 1 : max_connections),
      waits_(waits) {}

absl::StatusOr<std::unique_ptr<PostgresConnection>> PostgresPool::Borrow() {
  // Behind statements the server does not answer, a caller waits for a
  // connection no longer than for an answer.
  if (!mutex_.LockWhenWithTimeout(
          absl::Condition(this, &PostgresPool::CanBorrow), waits_.answer)) {
    mutex_.Unlock();
    return absl::UnavailableError(absl::StrCat(
        "postgresql: all ", max_connections_, " connections stayed busy for ",
        absl::FormatDuration(waits_.answer)));
  }
  if (!idle_.empty()) {
    std::unique_ptr<PostgresConnection> connection = std::move(idle_.back());
    idle_.pop_back();
    mutex_.Unlock();
    return connection;
  }
  ++open_;
  mutex_.Unlock();

  absl::StatusOr<std::unique_ptr<PostgresConnection>> connection =
      PostgresConnection::Connect(url_, waits_.answer);
  if (!connection.ok()) {
    absl::MutexLock lock(&mutex_);
    --open_;
  }
  return connection;
}

bool PostgresPool::CanBorrow() const {
  return !idle_.empty() || open_ < max_connections_;
}

void PostgresPool::Return(std::unique_ptr<PostgresConnection> connection) {
  if (connection->healthy()) {
    absl::MutexLock lock(&mutex_);
    idle_.push_back(std::move(connection));
    return;
  }
  connection.reset();
  DropIdle();
  absl::MutexLock lock(&mutex_);
  --open_;
}

void PostgresPool::DropIdle() {
  std::vector<std::unique_ptr<PostgresConnection>> dropped;
  {
    absl::MutexLock lock(&mutex_);
    dropped.swap(idle_);
    open_ -= static_cast<int>(dropped.size());
  }
}

absl::Status PostgresPool::Transaction(
    const std::function<absl::Status(PostgresConnection&)>& work) {
  absl::StatusOr<std::unique_ptr<PostgresConnection>> connection = Borrow();
  if (!connection.ok()) return connection.status();
  absl::Status status = (*connection)->ExecuteScript("BEGIN");
  if (!status.ok() && (*connection)->lost()) {
    Return(std::move(*connection));
    connection = Borrow();
    if (!connection.ok()) return connection.status();
    status = (*connection)->ExecuteScript("BEGIN");
  }

  if (status.ok()) {
    status = work(**connection);
    if (status.ok()) {
      status = (*connection)->ExecuteScript("COMMIT");
    } else {
      (*connection)->ExecuteScript("ROLLBACK").IgnoreError();
    }
  }
  Return(std::move(*connection));
  return status;
}

absl::StatusOr<PostgresResult> PostgresPool::ExecuteRetryable(
    std::string_view sql, const PostgresParams& params) {
  return ExecuteRetryable(waits_.answer, sql, params);
}

absl::StatusOr<PostgresResult> PostgresPool::ExecuteRetryable(
    absl::Duration wait, std::string_view sql, const PostgresParams& params) {
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<std::unique_ptr<PostgresConnection>> connection = Borrow();
    if (!connection.ok()) return connection.status();
    absl::StatusOr<PostgresResult> result =
        (*connection)->ExecuteWithin(wait, sql, params);
    const bool retry = !result.ok() && (*connection)->lost();
    Return(std::move(*connection));
    if (!retry || attempt > 0) return result;
  }
}

absl::Status PostgresPool::Ping() {
  // On a connection of its own, so that the ping never waits behind calls
  // for one of the pool's.
  absl::MutexLock lock(&ping_mutex_);
  for (int attempt = 0;; ++attempt) {
    if (ping_connection_ == nullptr) {
      absl::StatusOr<std::unique_ptr<PostgresConnection>> connection =
          PostgresConnection::Connect(url_, waits_.ping);
      if (!connection.ok()) return connection.status();
      ping_connection_ = std::move(*connection);
    }
    absl::Status answered =
        ping_connection_->ExecuteWithin(waits_.ping, "SELECT 1").status();
    if (answered.ok()) return answered;
    const bool retry = ping_connection_->lost();
    if (!ping_connection_->healthy()) ping_connection_.reset();
    // A connection found dead (the server restarted) is replaced once.
    if (!retry || attempt > 0) return answered;
  }
}

}  // namespace leverconnect::storage

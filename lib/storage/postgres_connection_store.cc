// ConnectionStore on PostgreSQL. Concurrent writers meet in PostgreSQL
// itself: inserts use ON CONFLICT so that a racing create waits for the
// other one and then sees it, and etag checks lock the row they read.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/storage/connection_store.h"
#include "lib/storage/postgres_database.h"
#include "lib/storage/postgres_stores.h"
#include "lib/storage/store_semantics.h"

namespace leverconnect::storage {
namespace {

// Selects the connections that `where` picks (parameters from $1, the
// last one the row limit), each with its applications: one row per
// application in order, or a single row with a NULL application.
std::string SelectConnections(std::string_view where, int limit_parameter) {
  return absl::StrCat(
      "WITH picked AS (SELECT * FROM connections ",
      absl::string_view(where.data(), where.size()), " ORDER BY id LIMIT $",
      limit_parameter,
      ") SELECT p.id, p.display_name, p.environment, p.sealed_api_key, "
      "p.api_key_hint, p.create_time_us, p.update_time_us, p.etag, "
      "p.write_back_enabled, a.application FROM picked p LEFT JOIN "
      "connection_applications a "
      "ON a.connection_id = p.id ORDER BY p.id, a.position");
}

std::vector<StoredConnection> ReadConnections(const PostgresResult& result) {
  std::vector<StoredConnection> connections;
  for (int row = 0; row < result.rows(); ++row) {
    if (connections.empty() || connections.back().id != result.Text(row, 0)) {
      StoredConnection& connection = connections.emplace_back();
      connection.id = result.Text(row, 0);
      connection.display_name = result.Text(row, 1);
      connection.environment = static_cast<int>(result.Integer(row, 2));
      connection.sealed_api_key = result.Bytes(row, 3);
      connection.api_key_hint = result.Text(row, 4);
      connection.create_time = absl::FromUnixMicros(result.Integer(row, 5));
      connection.update_time = absl::FromUnixMicros(result.Integer(row, 6));
      connection.etag = result.Text(row, 7);
      connection.write_back_enabled = result.Bool(row, 8);
    }
    if (!result.IsNull(row, 9)) {
      connections.back().allowed_applications.push_back(result.Text(row, 9));
    }
  }
  return connections;
}

PostgresParams ConnectionParams(const StoredConnection& connection) {
  PostgresParams params;
  params.Text(connection.id)
      .Text(connection.display_name)
      .Integer(connection.environment)
      .Bytes(connection.sealed_api_key)
      .Text(connection.api_key_hint)
      .Integer(absl::ToUnixMicros(connection.create_time))
      .Integer(absl::ToUnixMicros(connection.update_time))
      .Text(connection.etag)
      .Bool(connection.write_back_enabled);
  return params;
}

// Replaces the connection's applications, keeping the first position of
// any application listed twice.
absl::Status WriteApplications(PostgresConnection& database,
                               const StoredConnection& connection) {
  absl::StatusOr<PostgresResult> cleared = database.Execute(
      "DELETE FROM connection_applications WHERE connection_id = $1",
      PostgresParams().Text(connection.id));
  if (!cleared.ok()) return cleared.status();
  const auto& applications = connection.allowed_applications;
  for (std::size_t position = 0; position < applications.size(); ++position) {
    absl::StatusOr<PostgresResult> inserted = database.Execute(
        "INSERT INTO connection_applications (connection_id, application, "
        "position) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        PostgresParams()
            .Text(connection.id)
            .Text(applications[position])
            .Integer(static_cast<std::int64_t>(position)));
    if (!inserted.ok()) return inserted.status();
  }
  return absl::OkStatus();
}

// Locks the row of connection `id` until the transaction ends and checks
// its etag: NOT_FOUND, ABORTED or OK.
absl::Status LockAndCheckEtag(PostgresConnection& database, std::string_view id,
                              std::string_view expected_etag) {
  absl::StatusOr<PostgresResult> row =
      database.Execute("SELECT etag FROM connections WHERE id = $1 FOR UPDATE",
                       PostgresParams().Text(id));
  if (!row.ok()) return row.status();
  if (row->rows() == 0) return ConnectionNotFound(id);
  return CheckEtag(id, row->Text(0, 0), expected_etag);
}

// Records `request_id` for `connection`; false when another create had
// recorded it first, whose connection id is then in `earlier`.
absl::StatusOr<bool> ClaimRequest(PostgresConnection& database,
                                  std::string_view request_id,
                                  const StoredConnection& connection,
                                  std::string& earlier) {
  absl::StatusOr<PostgresResult> claimed = database.Execute(
      "INSERT INTO request_ids (request_id, connection_id, create_time_us) "
      "VALUES ($1, $2, $3) ON CONFLICT (request_id) DO NOTHING",
      PostgresParams()
          .Text(request_id)
          .Text(connection.id)
          .Integer(absl::ToUnixMicros(connection.create_time)));
  if (!claimed.ok()) return claimed.status();
  if (claimed->affected_rows() == 1) return true;
  absl::StatusOr<PostgresResult> found = database.Execute(
      "SELECT connection_id FROM request_ids WHERE request_id = $1",
      PostgresParams().Text(request_id));
  if (!found.ok()) return found.status();
  if (found->rows() == 0) {
    return absl::UnavailableError("request id vanished; try again");
  }
  earlier = found->Text(0, 0);
  return false;
}

class PostgresConnectionStore : public ConnectionStore {
 public:
  explicit PostgresConnectionStore(std::shared_ptr<PostgresPool> pool)
      : pool_(std::move(pool)) {}

  absl::StatusOr<CreateResult> Create(const StoredConnection& connection,
                                      std::string_view request_id) override {
    if (connection.id.empty()) {
      return absl::InvalidArgumentError("connection id is empty");
    }
    CreateResult result{true, connection.id};
    absl::Status status = pool_->Transaction([&](PostgresConnection& db) {
      if (!request_id.empty()) {
        absl::StatusOr<bool> claimed =
            ClaimRequest(db, request_id, connection, result.connection_id);
        if (!claimed.ok()) return claimed.status();
        result.created = *claimed;
        if (!result.created) return absl::OkStatus();
      }
      absl::StatusOr<PostgresResult> inserted = db.Execute(
          "INSERT INTO connections (id, display_name, environment, "
          "sealed_api_key, api_key_hint, create_time_us, update_time_us, "
          "etag, write_back_enabled) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
          "$9) "
          "ON CONFLICT (id) DO NOTHING",
          ConnectionParams(connection));
      if (!inserted.ok()) return inserted.status();
      if (inserted->affected_rows() == 0) {
        return ConnectionExists(connection.id);
      }
      return WriteApplications(db, connection);
    });
    if (!status.ok()) return status;
    return result;
  }

  absl::StatusOr<StoredConnection> Get(std::string_view id) override {
    absl::StatusOr<PostgresResult> result =
        pool_->ExecuteRetryable(SelectConnections("WHERE id = $1", 2),
                                PostgresParams().Text(id).Integer(1));
    if (!result.ok()) return result.status();
    std::vector<StoredConnection> connections = ReadConnections(*result);
    if (connections.empty()) return ConnectionNotFound(id);
    return std::move(connections.front());
  }

  absl::StatusOr<ConnectionPage> List(int page_size, std::string_view after_id,
                                      std::string_view application) override {
    if (absl::Status valid = CheckPageSize(page_size); !valid.ok()) {
      return valid;
    }
    absl::StatusOr<PostgresResult> result = pool_->ExecuteRetryable(
        SelectConnections("WHERE id > $1 AND ($2 = '' OR EXISTS (SELECT 1 FROM "
                          "connection_applications a WHERE a.connection_id = "
                          "connections.id AND a.application = $2))",
                          3),
        PostgresParams()
            .Text(after_id)
            .Text(application)
            .Integer(std::int64_t{page_size} + 1));  // one to peek
    if (!result.ok()) return result.status();
    ConnectionPage page;
    page.connections = ReadConnections(*result);
    page.has_more = DropPeekedRow(page.connections, page_size);
    return page;
  }

  absl::Status Update(const StoredConnection& connection,
                      std::string_view expected_etag) override {
    return pool_->Transaction([&](PostgresConnection& db) {
      absl::Status status = LockAndCheckEtag(db, connection.id, expected_etag);
      if (!status.ok()) return status;
      absl::StatusOr<PostgresResult> updated = db.Execute(
          "UPDATE connections SET display_name = $2, environment = $3, "
          "sealed_api_key = $4, api_key_hint = $5, create_time_us = $6, "
          "update_time_us = $7, etag = $8, write_back_enabled = $9 "
          "WHERE id = $1",
          ConnectionParams(connection));
      if (!updated.ok()) return updated.status();
      return WriteApplications(db, connection);
    });
  }

  absl::Status Delete(std::string_view id,
                      std::string_view expected_etag) override {
    return pool_->Transaction([&](PostgresConnection& db) {
      absl::Status status = LockAndCheckEtag(db, id, expected_etag);
      if (!status.ok()) return status;
      // Applications go by ON DELETE CASCADE.
      return db
          .Execute("DELETE FROM connections WHERE id = $1",
                   PostgresParams().Text(id))
          .status();
    });
  }

  absl::Status UpdateSealedApiKey(std::string_view id,
                                  std::string_view sealed_api_key,
                                  std::string_view expected_etag,
                                  std::string_view new_etag) override {
    return pool_->Transaction([&](PostgresConnection& db) {
      absl::Status status = LockAndCheckEtag(db, id, expected_etag);
      if (!status.ok()) return status;
      return db
          .Execute(
              "UPDATE connections SET sealed_api_key = $2, etag = $3 "
              "WHERE id = $1",
              PostgresParams().Text(id).Bytes(sealed_api_key).Text(new_etag))
          .status();
    });
  }

  absl::StatusOr<std::optional<std::string>> FindRequest(
      std::string_view request_id) override {
    absl::StatusOr<PostgresResult> found = pool_->ExecuteRetryable(
        "SELECT connection_id FROM request_ids WHERE request_id = $1",
        PostgresParams().Text(request_id));
    if (!found.ok()) return found.status();
    if (found->rows() == 0) return std::nullopt;
    return found->Text(0, 0);
  }

  absl::Status Ping() override { return pool_->Ping(); }

 private:
  const std::shared_ptr<PostgresPool> pool_;
};

}  // namespace

std::unique_ptr<ConnectionStore> MakePostgresConnectionStore(
    std::shared_ptr<PostgresPool> pool) {
  return std::make_unique<PostgresConnectionStore>(std::move(pool));
}

}  // namespace leverconnect::storage

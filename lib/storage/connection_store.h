// Durable storage of Lever connections.
//
// The store keeps what the server hands it; it never sees a plaintext API
// key (only the sealed value from crypto::SecretBox). Implementations are
// thread-safe. Errors: NOT_FOUND for an unknown id, ALREADY_EXISTS for a
// duplicate id, ABORTED for an etag mismatch, INTERNAL/UNAVAILABLE for the
// database itself; messages name the connection id, never a secret.
#ifndef LEVERCONNECT_LIB_STORAGE_CONNECTION_STORE_H_
#define LEVERCONNECT_LIB_STORAGE_CONNECTION_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace leverconnect::storage {

struct StoredConnection {
  std::string id;  // "acme-prod"; the resource name is "connections/" + id
  std::string display_name;
  int environment = 0;  // a leverconnect.v1.Environment value
  // A set kept in the order given; a repeated entry is stored once.
  std::vector<std::string> allowed_applications;
  std::string sealed_api_key;  // crypto::SecretBox::Seal output; binary
  std::string api_key_hint;    // last 4 characters of the key
  absl::Time create_time;
  absl::Time update_time;
  std::string etag;  // chosen by the caller; compared on update and delete
  bool write_back_enabled = false;  // WriteBackService may write through it
};

struct CreateResult {
  // False when `request_id` had already created a connection; then
  // `connection_id` is that connection's id and nothing was written.
  bool created = false;
  std::string connection_id;
};

struct ConnectionPage {
  std::vector<StoredConnection> connections;  // ordered by id
  bool has_more = false;
};

class ConnectionStore {
 public:
  virtual ~ConnectionStore() = default;

  // Inserts `connection`. With a non-empty `request_id`, a second call with
  // the same request_id writes nothing and reports the first connection.
  virtual absl::StatusOr<CreateResult> Create(
      const StoredConnection& connection, std::string_view request_id) = 0;

  virtual absl::StatusOr<StoredConnection> Get(std::string_view id) = 0;

  // The id of the connection a create with `request_id` made, if any
  // (that connection may have been deleted since).
  virtual absl::StatusOr<std::optional<std::string>> FindRequest(
      std::string_view request_id) = 0;

  // Up to `page_size` connections with id > `after_id` (all when empty),
  // only those allowing `application` when it is not empty.
  virtual absl::StatusOr<ConnectionPage> List(int page_size,
                                              std::string_view after_id,
                                              std::string_view application) = 0;

  // Replaces the stored row with `connection` (same id). When
  // `expected_etag` is not empty and differs from the stored etag: ABORTED.
  virtual absl::Status Update(const StoredConnection& connection,
                              std::string_view expected_etag) = 0;

  // Removes the row; `expected_etag` as for Update.
  virtual absl::Status Delete(std::string_view id,
                              std::string_view expected_etag) = 0;

  // Replaces only the sealed API key of connection `id` and sets its etag
  // to `new_etag`, in one transaction; every other field (update_time too)
  // stays. `expected_etag` as for Update. For re-encryption under a newer
  // master key: the new etag makes a concurrent read-modify-write of the
  // connection fail with ABORTED instead of writing back the old value.
  virtual absl::Status UpdateSealedApiKey(std::string_view id,
                                          std::string_view sealed_api_key,
                                          std::string_view expected_etag,
                                          std::string_view new_etag) = 0;

  // Checks cheaply that the database behind the store answers: OK, else
  // UNAVAILABLE (or INTERNAL) saying why, never naming a secret. After the
  // database comes back, the next call reconnects and succeeds. For
  // readiness checks.
  virtual absl::Status Ping() = 0;
};

// Opens (creating when missing) an SQLite database at `path` in WAL mode
// with synchronous=FULL, and migrates its schema.
absl::StatusOr<std::unique_ptr<ConnectionStore>> OpenSqliteConnectionStore(
    const std::string& path);

// The SQLite database file the server keeps in its state folder.
std::string StateDatabasePath(const std::string& state_dir);

}  // namespace leverconnect::storage

#endif  // LEVERCONNECT_LIB_STORAGE_CONNECTION_STORE_H_

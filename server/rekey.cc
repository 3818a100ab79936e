#include "server/rekey.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "lib/crypto/random_id.h"

namespace leverconnect::server {
namespace {

constexpr int kPageSize = 100;
// How often a connection that keeps changing under us is read again.
constexpr int kAttempts = 3;

// The associated data ServiceCore::SealApiKey binds: the resource name.
std::string AssociatedData(const std::string& id) {
  return absl::StrCat("connections/", id);
}

bool NeedsReseal(const storage::StoredConnection& connection,
                 const crypto::SecretBox& secret_box) {
  return crypto::SecretBox::SealedVersion(connection.sealed_api_key) !=
         secret_box.newest_version();
}

// One attempt: re-seals the key of `connection` as read, if it needs it.
// True when it was rewritten; ABORTED when the connection changed since.
absl::StatusOr<bool> ResealOnce(storage::ConnectionStore& store,
                                const crypto::SecretBox& secret_box,
                                const storage::StoredConnection& connection) {
  if (!NeedsReseal(connection, secret_box)) return false;
  absl::StatusOr<std::string> resealed = secret_box.Reseal(
      connection.sealed_api_key, AssociatedData(connection.id));
  if (!resealed.ok()) return resealed.status();
  absl::Status updated = store.UpdateSealedApiKey(
      connection.id, *resealed, connection.etag, crypto::RandomHexId());
  if (absl::IsNotFound(updated)) return false;  // deleted meanwhile
  if (!updated.ok()) return updated;
  return true;
}

// Re-seals the key of `connection`, reading it again while it keeps
// changing under us. True when it was rewritten.
absl::StatusOr<bool> Reseal(storage::ConnectionStore& store,
                            const crypto::SecretBox& secret_box,
                            storage::StoredConnection connection) {
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<bool> resealed = ResealOnce(store, secret_box, connection);
    if (!absl::IsAborted(resealed.status()) || attempt == kAttempts) {
      return resealed;
    }
    absl::StatusOr<storage::StoredConnection> fresh = store.Get(connection.id);
    if (absl::IsNotFound(fresh.status())) return false;
    if (!fresh.ok()) return fresh.status();
    connection = std::move(*fresh);
  }
}

void Count(const storage::StoredConnection& connection,
           const absl::StatusOr<bool>& resealed, RekeyResult& result) {
  ++result.connections;
  if (!resealed.ok()) {
    result.failures.push_back({connection.id, resealed.status()});
  } else if (*resealed) {
    ++result.resealed;
  }
}

}  // namespace

absl::StatusOr<RekeyResult> RekeyConnections(
    storage::ConnectionStore& store, const crypto::SecretBox& secret_box) {
  RekeyResult result;
  result.newest_version = secret_box.newest_version();
  std::string after_id;
  while (true) {
    absl::StatusOr<storage::ConnectionPage> page =
        store.List(kPageSize, after_id, /*application=*/"");
    if (!page.ok()) return page.status();
    for (storage::StoredConnection& connection : page->connections) {
      Count(connection, Reseal(store, secret_box, connection), result);
    }
    if (!page->has_more || page->connections.empty()) return result;
    after_id = page->connections.back().id;
  }
}

std::string RekeySummary(const RekeyResult& result) {
  return absl::StrCat(
      "re-encrypted ", result.resealed, " of ", result.connections,
      " connections under master key version ", result.newest_version);
}

std::string DescribeFailure(const RekeyFailure& failure) {
  return absl::StrCat("cannot re-encrypt connection \"", failure.connection_id,
                      "\" (left unchanged): ", failure.status.message());
}

}  // namespace leverconnect::server

// Re-encryption of every stored Lever API key under the newest master key
// version, as run by `leverconnect-server --rekey`.
//
// Rotation: add a new version to the keyring and restart the servers (they
// then seal with it and still open the older ones), re-encrypt, then remove
// the older versions. Re-encryption may run while servers use the store:
// each connection is rewritten in its own transaction and only if its etag
// has not changed since it was read; a connection changed meanwhile is read
// again. A connection whose key cannot be opened is reported and left as
// it is. Nothing here logs or returns key material.
#ifndef LEVERCONNECT_SERVER_REKEY_H_
#define LEVERCONNECT_SERVER_REKEY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/crypto/secret_box.h"
#include "lib/storage/connection_store.h"

namespace leverconnect::server {

struct RekeyFailure {
  std::string connection_id;
  absl::Status status;  // why; names versions, never keys
};

struct RekeyResult {
  int connections = 0;  // stored connections examined
  int resealed = 0;     // re-encrypted by this run
  std::uint32_t newest_version = 0;
  std::vector<RekeyFailure> failures;  // each left unchanged
};

// Re-seals, under secret_box.newest_version(), the API key of every stored
// connection sealed with another version, binding the same associated data
// ("connections/" + id), and gives each a new etag. Connections already
// under the newest version, or deleted meanwhile, are left alone. Fails
// only when the store cannot be listed; per-connection problems are in
// RekeyResult::failures.
absl::StatusOr<RekeyResult> RekeyConnections(
    storage::ConnectionStore& store, const crypto::SecretBox& secret_box);

// "re-encrypted N of M connections under master key version V".
std::string RekeySummary(const RekeyResult& result);

// "cannot re-encrypt connection \"ID\" (left unchanged): REASON".
std::string DescribeFailure(const RekeyFailure& failure);

}  // namespace leverconnect::server

#endif  // LEVERCONNECT_SERVER_REKEY_H_

// Authenticated encryption of small secrets (Lever API keys) at rest.
//
// AES-256-GCM with a fresh random 96-bit nonce per Seal. The associated data
// (the connection's resource name) is bound to the ciphertext, so a sealed
// value copied to another row fails to open. Every sealed value records the
// version of the master key that sealed it, so master keys can rotate.
// Thread-safe: all methods are const.
#ifndef LEVERCONNECT_LIB_CRYPTO_SECRET_BOX_H_
#define LEVERCONNECT_LIB_CRYPTO_SECRET_BOX_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace leverconnect::crypto {

inline constexpr std::size_t kMasterKeySize = 32;

// A set of master key versions: seals with the newest, opens with any.
class SecretBox {
 public:
  // Reads one master key from `path`: 32 raw bytes, or 64 hex digits, or
  // base64 of 32 bytes (surrounding whitespace ignored). The key becomes
  // version 1. Errors name the file, never its content.
  static absl::StatusOr<SecretBox> FromKeyFile(const std::string& path);

  // Same, from the content of such a file (e.g. an environment variable).
  static absl::StatusOr<SecretBox> FromEncodedKey(std::string_view encoded);

  // REQUIRES: each key is exactly kMasterKeySize bytes; `keys` not empty.
  explicit SecretBox(std::map<std::uint32_t, std::string> keys);

  // Copies hold their own keys; every copy wipes its keys when destroyed.
  SecretBox(const SecretBox& other) = default;
  SecretBox(SecretBox&& other) = default;
  SecretBox& operator=(SecretBox other);
  ~SecretBox();

  // Returns version || nonce || ciphertext || tag.
  absl::StatusOr<std::string> Seal(std::string_view plaintext,
                                   std::string_view associated_data) const;

  // FAILED_PRECONDITION when the key version is unknown; DATA_LOSS when the
  // value was tampered with, is truncated, or belongs to other associated
  // data. Messages never contain key material or plaintext.
  absl::StatusOr<std::string> Open(std::string_view sealed,
                                   std::string_view associated_data) const;

  std::uint32_t newest_version() const;

 private:
  std::map<std::uint32_t, std::string> keys_;
};

}  // namespace leverconnect::crypto

#endif  // LEVERCONNECT_LIB_CRYPTO_SECRET_BOX_H_

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
#include <vector>

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

  // Reads a keyring: one master key version per line, "VERSION:KEY", where
  // VERSION is a whole number from 1 to 4294967295 and KEY is 64 hex digits
  // or padded base64 of 32 bytes; spaces around either are ignored. '#'
  // starts a comment that runs to the end of the line; blank lines are
  // skipped. Versions are unique and need not be in order or contiguous;
  // at least one is required. INVALID_ARGUMENT errors name the file and
  // the line number (and the version, once read), never key material nor
  // other text of the line.
  static absl::StatusOr<SecretBox> FromKeyringFile(const std::string& path);

  // Same, from the content of such a file; errors say "keyring line N".
  static absl::StatusOr<SecretBox> FromKeyring(std::string_view text);

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

  // Opens `sealed` with the version that sealed it and seals the plaintext
  // again with the newest version, for the same associated data. Errors as
  // for Open and Seal. The plaintext is wiped before returning.
  absl::StatusOr<std::string> Reseal(std::string_view sealed,
                                     std::string_view associated_data) const;

  // The master key version recorded in a sealed value; 0 (never a valid
  // version) when `sealed` is too short to hold one. Says nothing about
  // whether the value is authentic.
  static std::uint32_t SealedVersion(std::string_view sealed);

  // The versions this box holds, oldest first.
  std::vector<std::uint32_t> versions() const;

  // The version Seal uses: the highest one.
  std::uint32_t newest_version() const;

 private:
  std::map<std::uint32_t, std::string> keys_;
};

}  // namespace leverconnect::crypto

#endif  // LEVERCONNECT_LIB_CRYPTO_SECRET_BOX_H_

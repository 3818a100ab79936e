// Decoding, reading and wiping master key material. Internal to lc_crypto:
// shared by the readers of single-key files (master_key.cc) and of keyrings
// (keyring.cc). Nothing here puts key material into a status message.
#ifndef LEVERCONNECT_LIB_CRYPTO_KEY_MATERIAL_H_
#define LEVERCONNECT_LIB_CRYPTO_KEY_MATERIAL_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace leverconnect::crypto::internal {

// Wipes a string's bytes when it goes out of scope.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::string& text) : text_(text) {}
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;
  ~WipeOnExit();

 private:
  std::string& text_;
};

// Overwrites every byte of `text` with zeros in a way the compiler keeps.
void Wipe(std::string& text);

// Decodes exactly 64 hex digits (either case) into a 32-byte `key`. The
// caller wipes `key`, which is never reallocated once 64 bytes are reserved.
bool DecodeHexKey(std::string_view text, std::string& key);

// Decodes padded standard base64 of exactly 32 bytes into `key`; as above.
bool DecodeBase64Key(std::string_view text, std::string& key);

// Reads the whole file at `path` into `content`, which the caller wipes.
// Files larger than `maximum_size` are refused. `what` names the kind of
// file in errors ("master key file"), which name the path, never content.
absl::Status ReadSecretFile(const std::string& path, std::size_t maximum_size,
                            std::string_view what, std::string& content);

}  // namespace leverconnect::crypto::internal

#endif  // LEVERCONNECT_LIB_CRYPTO_KEY_MATERIAL_H_

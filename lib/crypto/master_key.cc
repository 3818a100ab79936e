// Reading one master key: SecretBox::FromKeyFile and FromEncodedKey.
//
// A key file holds 32 raw bytes, 64 hex digits or padded standard base64 of
// 32 bytes. Every buffer that held key material is wiped before it is freed.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/key_material.h"
#include "lib/crypto/secret_box.h"

namespace leverconnect::crypto {
namespace {

using internal::WipeOnExit;

constexpr char kEncodingProblem[] =
    "must hold 32 bytes: raw, 64 hex digits or base64";

// Accepts the three encodings; `raw` is the content before trimming, so a
// raw key whose first or last byte happens to be whitespace still works.
bool DecodeMasterKey(std::string_view raw, std::string& key) {
  key.reserve(2 * kMasterKeySize);  // no decoder below reallocates it
  if (raw.size() == kMasterKeySize) {
    key.assign(raw);
    return true;
  }
  const absl::string_view stripped =
      absl::StripAsciiWhitespace(absl::string_view(raw.data(), raw.size()));
  const std::string_view trimmed(stripped.data(), stripped.size());
  if (trimmed.size() == kMasterKeySize) {
    key.assign(trimmed);
    return true;
  }
  return internal::DecodeHexKey(trimmed, key) ||
         internal::DecodeBase64Key(trimmed, key);
}

// A box holding `key` as version 1; the only copy of `key` it makes is the
// one the box wipes.
SecretBox VersionOneBox(const std::string& key) {
  std::map<std::uint32_t, std::string> keys;
  keys.emplace(1, key);
  return SecretBox(std::move(keys));
}

}  // namespace

absl::StatusOr<SecretBox> SecretBox::FromKeyFile(const std::string& path) {
  constexpr std::size_t kMaximumFileSize = 4096;  // a key file is tiny
  std::string content;
  WipeOnExit wipe_content(content);
  if (absl::Status status = internal::ReadSecretFile(
          path, kMaximumFileSize, "master key file", content);
      !status.ok()) {
    return status;
  }

  std::string key;
  WipeOnExit wipe_key(key);
  if (!DecodeMasterKey(content, key)) {
    return absl::InvalidArgumentError(
        absl::StrCat("master key file '", path, "' ", kEncodingProblem));
  }
  return VersionOneBox(key);
}

absl::StatusOr<SecretBox> SecretBox::FromEncodedKey(std::string_view encoded) {
  std::string key;
  WipeOnExit wipe_key(key);
  if (!DecodeMasterKey(encoded, key)) {
    return absl::InvalidArgumentError(
        absl::StrCat("master key ", kEncodingProblem));
  }
  return VersionOneBox(key);
}

}  // namespace leverconnect::crypto

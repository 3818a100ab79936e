// Reading the master key: SecretBox::FromKeyFile and FromEncodedKey.
//
// A key file holds 32 raw bytes, 64 hex digits or padded standard base64 of
// 32 bytes. Every buffer that held key material is wiped before it is freed.
#include <cerrno>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include <openssl/crypto.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "lib/crypto/secret_box.h"

namespace leverconnect::crypto {
namespace {

constexpr char kEncodingProblem[] =
    "must hold 32 bytes: raw, 64 hex digits or base64";

// Wipes a string's bytes when it goes out of scope.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::string& text) : text_(text) {}
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;
  ~WipeOnExit() { OPENSSL_cleanse(text_.data(), text_.size()); }

 private:
  std::string& text_;
};

int HexDigitValue(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit >= 'a' && digit <= 'f') return digit - 'a' + 10;
  if (digit >= 'A' && digit <= 'F') return digit - 'A' + 10;
  return -1;
}

// Decodes exactly 2 * kMasterKeySize hex digits into `key`.
bool DecodeHex(std::string_view text, std::string& key) {
  if (text.size() != 2 * kMasterKeySize) return false;
  key.assign(kMasterKeySize, '\0');
  for (std::size_t i = 0; i < kMasterKeySize; ++i) {
    const int high = HexDigitValue(text[2 * i]);
    const int low = HexDigitValue(text[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    key[i] = static_cast<char>(high * 16 + low);
  }
  return true;
}

bool IsBase64Character(char character) {
  return absl::ascii_isalnum(static_cast<unsigned char>(character)) ||
         character == '+' || character == '/';
}

// Decodes padded standard base64 of exactly kMasterKeySize bytes into `key`.
bool DecodeBase64(std::string_view text, std::string& key) {
  constexpr std::size_t kEncodedSize = (kMasterKeySize + 2) / 3 * 4;
  constexpr std::size_t kPadding = (3 - kMasterKeySize % 3) % 3;
  if (text.size() != kEncodedSize) return false;
  for (std::size_t i = 0; i < kEncodedSize; ++i) {
    const bool padding_position = i >= kEncodedSize - kPadding;
    if (padding_position ? text[i] != '=' : !IsBase64Character(text[i])) {
      return false;
    }
  }
  return absl::Base64Unescape(absl::string_view(text.data(), text.size()),
                              &key) &&
         key.size() == kMasterKeySize;
}

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
  return DecodeHex(trimmed, key) || DecodeBase64(trimmed, key);
}

// Reads the whole file into `content`, which the caller wipes. A key file is
// tiny, so anything larger than kMaximumFileSize is refused; the buffer is
// allocated once so that no copy of the content is freed unwiped.
absl::Status ReadKeyFile(const std::string& path, std::string& content) {
  constexpr std::size_t kMaximumFileSize = 4096;
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("cannot open master key file '", path, "'"));
  }
  content.assign(kMaximumFileSize + 1, '\0');
  const std::size_t size = std::fread(content.data(), 1, content.size(), file);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) {
    return absl::DataLossError(
        absl::StrCat("cannot read master key file '", path, "'"));
  }
  if (size > kMaximumFileSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("master key file '", path, "' is larger than ",
                     kMaximumFileSize, " bytes; it ", kEncodingProblem));
  }
  content.resize(size);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SecretBox> SecretBox::FromKeyFile(const std::string& path) {
  std::string content;
  WipeOnExit wipe_content(content);
  if (absl::Status status = ReadKeyFile(path, content); !status.ok()) {
    return status;
  }

  std::string key;
  WipeOnExit wipe_key(key);
  if (!DecodeMasterKey(content, key)) {
    return absl::InvalidArgumentError(
        absl::StrCat("master key file '", path, "' ", kEncodingProblem));
  }
  return SecretBox({{1, key}});
}

absl::StatusOr<SecretBox> SecretBox::FromEncodedKey(std::string_view encoded) {
  std::string key;
  WipeOnExit wipe_key(key);
  if (!DecodeMasterKey(encoded, key)) {
    return absl::InvalidArgumentError(
        absl::StrCat("master key ", kEncodingProblem));
  }
  return SecretBox({{1, key}});
}

}  // namespace leverconnect::crypto

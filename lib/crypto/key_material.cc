#include "lib/crypto/key_material.h"

#include <cerrno>
#include <cstdio>
#include <string>
#include <string_view>

#include <openssl/crypto.h>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/secret_box.h"

namespace leverconnect::crypto::internal {
namespace {

int HexDigitValue(char digit) {
  if (digit >= '0' && digit <= '9') return digit - '0';
  if (digit >= 'a' && digit <= 'f') return digit - 'a' + 10;
  if (digit >= 'A' && digit <= 'F') return digit - 'A' + 10;
  return -1;
}

bool IsBase64Character(char character) {
  return absl::ascii_isalnum(static_cast<unsigned char>(character)) ||
         character == '+' || character == '/';
}

absl::string_view ToAbsl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

}  // namespace

WipeOnExit::~WipeOnExit() { Wipe(text_); }

void Wipe(std::string& text) { OPENSSL_cleanse(text.data(), text.size()); }

bool DecodeHexKey(std::string_view text, std::string& key) {
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

bool DecodeBase64Key(std::string_view text, std::string& key) {
  constexpr std::size_t kEncodedSize = (kMasterKeySize + 2) / 3 * 4;
  constexpr std::size_t kPadding = (3 - kMasterKeySize % 3) % 3;
  if (text.size() != kEncodedSize) return false;
  for (std::size_t i = 0; i < kEncodedSize; ++i) {
    const bool padding_position = i >= kEncodedSize - kPadding;
    if (padding_position ? text[i] != '=' : !IsBase64Character(text[i])) {
      return false;
    }
  }
  return absl::Base64Unescape(ToAbsl(text), &key) &&
         key.size() == kMasterKeySize;
}

// The buffer is allocated once, so that no copy of the content is freed
// unwiped.
absl::Status ReadSecretFile(const std::string& path, std::size_t maximum_size,
                            std::string_view what, std::string& content) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("cannot open ", ToAbsl(what), " '", path, "'"));
  }
  content.assign(maximum_size + 1, '\0');
  const std::size_t size = std::fread(content.data(), 1, content.size(), file);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) {
    return absl::DataLossError(
        absl::StrCat("cannot read ", ToAbsl(what), " '", path, "'"));
  }
  if (size > maximum_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        ToAbsl(what), " '", path, "' is larger than ", maximum_size, " bytes"));
  }
  content.resize(size);
  return absl::OkStatus();
}

}  // namespace leverconnect::crypto::internal

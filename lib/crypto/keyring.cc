// Reading a keyring: SecretBox::FromKeyring and FromKeyringFile.
//
// One master key version per line, "VERSION:KEY"; see secret_box.h. Errors
// name the source and the line number, and at most the version number read
// there: never a key, nor any other text of the line, which might be one.
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "lib/crypto/key_material.h"
#include "lib/crypto/secret_box.h"

namespace leverconnect::crypto {
namespace {

using internal::WipeOnExit;

// Room for thousands of versions; a keyring is a small, hand-kept file.
constexpr std::size_t kMaximumKeyringFileSize = 64 * 1024;
constexpr std::size_t kMaximumVersionDigits = 10;

// Master keys read so far, with the line that introduced each; wiped unless
// handed to a SecretBox.
class KeyCollection {
 public:
  KeyCollection() = default;
  KeyCollection(const KeyCollection&) = delete;
  KeyCollection& operator=(const KeyCollection&) = delete;
  ~KeyCollection() {
    for (auto& [version, key] : keys_) internal::Wipe(key);
  }

  bool empty() const { return keys_.empty(); }

  // The line that added `version`, or 0 when none did.
  int LineOf(std::uint32_t version) const {
    const auto found = lines_.find(version);
    return found == lines_.end() ? 0 : found->second;
  }

  void Add(std::uint32_t version, const std::string& key, int line) {
    keys_.emplace(version, key);
    lines_.emplace(version, line);
  }

  SecretBox ToBox() { return SecretBox(std::move(keys_)); }

 private:
  std::map<std::uint32_t, std::string> keys_;
  std::map<std::uint32_t, int> lines_;
};

std::string_view Trim(std::string_view text) {
  const absl::string_view stripped =
      absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size()));
  return std::string_view(stripped.data(), stripped.size());
}

// The line without its comment (from '#', which neither a version nor a
// hex or base64 key contains) and surrounding whitespace.
std::string_view Content(std::string_view line) {
  return Trim(line.substr(0, line.find('#')));
}

// A version: 1 to 4294967295 in decimal digits.
bool ParseVersion(std::string_view text, std::uint32_t& version) {
  if (text.empty() || text.size() > kMaximumVersionDigits) return false;
  for (char digit : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(digit))) return false;
  }
  std::uint64_t value = 0;
  if (!absl::SimpleAtoi(absl::string_view(text.data(), text.size()), &value) ||
      value == 0 || value > std::numeric_limits<std::uint32_t>::max()) {
    return false;
  }
  version = static_cast<std::uint32_t>(value);
  return true;
}

// Reads "VERSION:KEY" from `content` into `version` and `key`; on failure
// the status says what is wrong, without quoting the line.
absl::Status ParseEntry(std::string_view content, std::uint32_t& version,
                        std::string& key) {
  const std::size_t colon = content.find(':');
  if (colon == std::string_view::npos) {
    return absl::InvalidArgumentError("expected VERSION:KEY");
  }
  if (!ParseVersion(Trim(content.substr(0, colon)), version)) {
    return absl::InvalidArgumentError(
        "the version must be a whole number from 1 to 4294967295");
  }
  const std::string_view encoded = Trim(content.substr(colon + 1));
  key.reserve(2 * kMasterKeySize);  // no decoder below reallocates it
  if (!internal::DecodeHexKey(encoded, key) &&
      !internal::DecodeBase64Key(encoded, key)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the key of version ", version,
                     " must be 64 hex digits or base64 of 32 bytes"));
  }
  return absl::OkStatus();
}

absl::Status LineError(std::string_view source, int line_number,
                       absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat(absl::string_view(source.data(), source.size()), " line ",
                   line_number, ": ", problem));
}

// Adds the entry on line `line_number`, if the line holds one.
absl::Status ReadLine(std::string_view source, std::string_view line,
                      int line_number, KeyCollection& keys) {
  const std::string_view content = Content(line);
  if (content.empty()) return absl::OkStatus();
  std::uint32_t version = 0;
  std::string key;
  WipeOnExit wipe_key(key);
  if (absl::Status status = ParseEntry(content, version, key); !status.ok()) {
    return LineError(source, line_number, status.message());
  }
  if (const int first = keys.LineOf(version); first != 0) {
    return LineError(
        source, line_number,
        absl::StrCat("version ", version, " appears again (first on line ",
                     first, ")"));
  }
  keys.Add(version, key, line_number);
  return absl::OkStatus();
}

// Parses a whole keyring; `source` names it in errors.
absl::StatusOr<SecretBox> ParseKeyring(std::string_view text,
                                       std::string_view source) {
  KeyCollection keys;
  int line_number = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view()
                                         : text.substr(end + 1);
    absl::Status status = ReadLine(source, line, ++line_number, keys);
    if (!status.ok()) return status;
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(absl::string_view(source.data(), source.size()),
                     " holds no master key version"));
  }
  return keys.ToBox();
}

}  // namespace

absl::StatusOr<SecretBox> SecretBox::FromKeyring(std::string_view text) {
  return ParseKeyring(text, "keyring");
}

absl::StatusOr<SecretBox> SecretBox::FromKeyringFile(const std::string& path) {
  std::string content;
  WipeOnExit wipe_content(content);
  if (absl::Status status = internal::ReadSecretFile(
          path, kMaximumKeyringFileSize, "keyring file", content);
      !status.ok()) {
    return status;
  }
  return ParseKeyring(content, absl::StrCat("keyring file '", path, "'"));
}

}  // namespace leverconnect::crypto

#include "lib/crypto/secret_box.h"

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace leverconnect::crypto {
namespace {

constexpr std::size_t kVersionSize = 4;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;
constexpr std::size_t kOverhead = kVersionSize + kNonceSize + kTagSize;

struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* context) const {
    EVP_CIPHER_CTX_free(context);
  }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

unsigned char* Bytes(std::string& text, std::size_t offset) {
  return reinterpret_cast<unsigned char*>(text.data()) + offset;
}

void PutVersion(std::uint32_t version, std::string& sealed) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    sealed.push_back(static_cast<char>((version >> shift) & 0xff));
  }
}

std::uint32_t GetVersion(std::string_view sealed) {
  std::uint32_t version = 0;
  for (std::size_t i = 0; i < kVersionSize; ++i) {
    version = (version << 8) | static_cast<unsigned char>(sealed[i]);
  }
  return version;
}

// OpenSSL's error queue may describe the failure in detail; it never holds
// key material, but we report our own words and leave the queue empty.
absl::Status OpenSslFailure(const char* step) {
  ERR_clear_error();
  return absl::InternalError(absl::StrCat("AES-256-GCM ", step, " failed"));
}

absl::Status AuthenticationFailure() {
  ERR_clear_error();
  return absl::DataLossError(
      "sealed value failed authentication: it was altered, truncated or "
      "sealed for other associated data");
}

bool FitsInInt(std::size_t size) {
  return size <= static_cast<std::size_t>(std::numeric_limits<int>::max());
}

// Starts an AES-256-GCM context; `encrypt` selects the direction.
absl::StatusOr<CipherContext> StartCipher(bool encrypt, std::string_view key,
                                          std::string_view nonce,
                                          std::string_view associated_data) {
  CipherContext context(EVP_CIPHER_CTX_new());
  if (context == nullptr) return OpenSslFailure("context allocation");
  const int direction = encrypt ? 1 : 0;
  int length = 0;
  if (EVP_CipherInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr,
                        nullptr, direction) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize,
                          nullptr) != 1 ||
      EVP_CipherInit_ex(context.get(), nullptr, nullptr, Bytes(key),
                        Bytes(nonce), direction) != 1 ||
      EVP_CipherUpdate(context.get(), nullptr, &length, Bytes(associated_data),
                       static_cast<int>(associated_data.size())) != 1) {
    return OpenSslFailure("initialisation");
  }
  return context;
}

absl::Status CheckKey(std::uint32_t version, const std::string& key) {
  if (key.size() == kMasterKeySize) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("master key version ", version, " is not 32 bytes"));
}

// Appends a fresh nonce, the ciphertext of `plaintext` and the tag.
absl::Status EncryptInto(std::string_view key, std::string_view plaintext,
                         std::string_view associated_data,
                         std::string& sealed) {
  const std::size_t nonce_offset = sealed.size();
  sealed.resize(nonce_offset + kNonceSize);
  if (RAND_bytes(Bytes(sealed, nonce_offset), kNonceSize) != 1) {
    return OpenSslFailure("nonce generation");
  }
  const std::string nonce = sealed.substr(nonce_offset);
  absl::StatusOr<CipherContext> context =
      StartCipher(/*encrypt=*/true, key, nonce, associated_data);
  if (!context.ok()) return context.status();

  const std::size_t body = sealed.size();
  sealed.resize(body + plaintext.size() + kTagSize);
  int length = 0;
  if (EVP_EncryptUpdate(context->get(), Bytes(sealed, body), &length,
                        Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(context->get(), Bytes(sealed, body + length),
                          &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(context->get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                          Bytes(sealed, body + plaintext.size())) != 1) {
    return OpenSslFailure("encryption");
  }
  return absl::OkStatus();
}

// Decrypts the nonce || ciphertext || tag part of a sealed value.
absl::StatusOr<std::string> Decrypt(std::string_view key,
                                    std::string_view payload,
                                    std::string_view associated_data) {
  const std::string_view nonce = payload.substr(0, kNonceSize);
  const std::string_view ciphertext =
      payload.substr(kNonceSize, payload.size() - kNonceSize - kTagSize);
  std::string tag(payload.substr(payload.size() - kTagSize));
  absl::StatusOr<CipherContext> context =
      StartCipher(/*encrypt=*/false, key, nonce, associated_data);
  if (!context.ok()) return context.status();

  std::string plaintext(ciphertext.size(), '\0');
  int length = 0;
  const bool authentic =
      EVP_DecryptUpdate(context->get(), Bytes(plaintext, 0), &length,
                        Bytes(ciphertext),
                        static_cast<int>(ciphertext.size())) == 1 &&
      EVP_CIPHER_CTX_ctrl(context->get(), EVP_CTRL_GCM_SET_TAG, kTagSize,
                          tag.data()) == 1 &&
      EVP_DecryptFinal_ex(context->get(), Bytes(plaintext, length), &length) ==
          1;
  if (!authentic) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return AuthenticationFailure();
  }
  return plaintext;
}

}  // namespace

SecretBox::SecretBox(std::map<std::uint32_t, std::string> keys)
    : keys_(std::move(keys)) {}

SecretBox& SecretBox::operator=(SecretBox other) {
  keys_.swap(other.keys_);  // `other` wipes the keys this box held
  return *this;
}

SecretBox::~SecretBox() {
  for (auto& [version, key] : keys_) OPENSSL_cleanse(key.data(), key.size());
}

std::uint32_t SecretBox::SealedVersion(std::string_view sealed) {
  return sealed.size() < kVersionSize ? 0 : GetVersion(sealed);
}

std::vector<std::uint32_t> SecretBox::versions() const {
  std::vector<std::uint32_t> versions;
  versions.reserve(keys_.size());
  for (const auto& [version, key] : keys_) versions.push_back(version);
  return versions;
}

std::uint32_t SecretBox::newest_version() const {
  return keys_.empty() ? 0 : keys_.rbegin()->first;
}

absl::StatusOr<std::string> SecretBox::Seal(
    std::string_view plaintext, std::string_view associated_data) const {
  if (keys_.empty()) return absl::FailedPreconditionError("keyring is empty");
  const auto& [version, key] = *keys_.rbegin();
  if (absl::Status status = CheckKey(version, key); !status.ok()) {
    return status;
  }
  if (!FitsInInt(plaintext.size()) || !FitsInInt(associated_data.size())) {
    return absl::InvalidArgumentError("value too large to seal");
  }

  std::string sealed;
  sealed.reserve(kOverhead + plaintext.size());
  PutVersion(version, sealed);
  absl::Status status = EncryptInto(key, plaintext, associated_data, sealed);
  if (!status.ok()) return status;
  return sealed;
}

absl::StatusOr<std::string> SecretBox::Open(
    std::string_view sealed, std::string_view associated_data) const {
  if (sealed.size() < kOverhead) {
    return absl::DataLossError(
        absl::StrCat("sealed value is too short: ", sealed.size(),
                     " bytes, at least ", kOverhead, " expected"));
  }
  const std::uint32_t version = GetVersion(sealed);
  const auto found = keys_.find(version);
  if (found == keys_.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("sealed with master key version ", version,
                     ", which the keyring does not have"));
  }
  if (absl::Status status = CheckKey(version, found->second); !status.ok()) {
    return status;
  }
  if (!FitsInInt(sealed.size()) || !FitsInInt(associated_data.size())) {
    return AuthenticationFailure();
  }
  return Decrypt(found->second, sealed.substr(kVersionSize), associated_data);
}

absl::StatusOr<std::string> SecretBox::Reseal(
    std::string_view sealed, std::string_view associated_data) const {
  absl::StatusOr<std::string> plaintext = Open(sealed, associated_data);
  if (!plaintext.ok()) return plaintext.status();
  absl::StatusOr<std::string> resealed = Seal(*plaintext, associated_data);
  OPENSSL_cleanse(plaintext->data(), plaintext->size());
  return resealed;
}

}  // namespace leverconnect::crypto

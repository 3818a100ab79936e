// Master keys and sealed values that the crypto tests share.
#ifndef LEVERCONNECT_TESTS_UNIT_TEST_KEYS_H_
#define LEVERCONNECT_TESTS_UNIT_TEST_KEYS_H_

#include <cstdint>
#include <string>

#include "lib/crypto/secret_box.h"

namespace leverconnect::crypto::testing {

inline constexpr char kAssociatedData[] = "connections/acme-prod";
inline constexpr char kApiKey[] = "lever-api-key-0123456789abcdef";

// Deterministic test keys: byte i of version v is v * 37 + i.
inline std::string TestKey(std::uint32_t version) {
  std::string key(kMasterKeySize, '\0');
  for (std::size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<char>(version * 37 + i);
  }
  return key;
}

}  // namespace leverconnect::crypto::testing

#endif  // LEVERCONNECT_TESTS_UNIT_TEST_KEYS_H_

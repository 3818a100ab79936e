// One-way fingerprints of secrets, for keying in-memory tables by an API
// key without holding the key itself.
#ifndef LEVERCONNECT_LIB_CRYPTO_DIGEST_H_
#define LEVERCONNECT_LIB_CRYPTO_DIGEST_H_

#include <string>
#include <string_view>

namespace leverconnect::crypto {

// SHA-256 of `data`, as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

}  // namespace leverconnect::crypto

#endif  // LEVERCONNECT_LIB_CRYPTO_DIGEST_H_

// Unpredictable identifiers: etags and import run ids.
#ifndef LEVERCONNECT_LIB_CRYPTO_RANDOM_ID_H_
#define LEVERCONNECT_LIB_CRYPTO_RANDOM_ID_H_

#include <string>

namespace leverconnect::crypto {

// 16 lowercase hex digits (64 random bits) from a process-wide generator;
// thread-safe.
std::string RandomHexId();

}  // namespace leverconnect::crypto

#endif  // LEVERCONNECT_LIB_CRYPTO_RANDOM_ID_H_

#include "lib/crypto/random_id.h"

#include <cstdint>

#include "absl/base/const_init.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace leverconnect::crypto {

std::string RandomHexId() {
  static absl::Mutex mutex(absl::kConstInit);
  static absl::BitGen* generator = new absl::BitGen;
  absl::MutexLock lock(&mutex);
  return absl::StrCat(
      absl::Hex(absl::Uniform<std::uint64_t>(*generator), absl::kZeroPad16));
}

}  // namespace leverconnect::crypto

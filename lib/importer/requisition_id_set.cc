#include "lib/importer/requisition_id_set.h"

#include <cstdint>
#include <optional>

namespace leverconnect::importer {
namespace {

// The value of a lower-case hexadecimal digit, or -1.
int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// The 128 bits of "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in lower-case
// hexadecimal; nothing for any other text, so that each value stands for
// exactly one text.
std::optional<absl::uint128> CanonicalUuid(absl::string_view id) {
  if (id.size() != 36) return std::nullopt;
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  int digits = 0;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (id[i] != '-') return std::nullopt;
      continue;
    }
    const int digit = HexDigit(id[i]);
    if (digit < 0) return std::nullopt;
    std::uint64_t& half = digits < 16 ? high : low;
    half = (half << 4) | static_cast<std::uint64_t>(digit);
    ++digits;
  }
  return absl::MakeUint128(high, low);
}

}  // namespace

bool RequisitionIdSet::Insert(absl::string_view id) {
  if (const std::optional<absl::uint128> uuid = CanonicalUuid(id)) {
    return uuids_.insert(*uuid).second;
  }
  return others_.emplace(id).second;
}

}  // namespace leverconnect::importer

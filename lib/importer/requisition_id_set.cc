#include "lib/importer/requisition_id_set.h"

#include <cstdint>
#include <optional>

namespace leverconnect::importer {
namespace {

// The value of each lower-case hexadecimal digit; 16 for every other byte.
struct HexDigits {
  constexpr HexDigits() : value() {
    for (int c = 0; c < 256; ++c) value[c] = 16;
    for (int c = '0'; c <= '9'; ++c) value[c] = c - '0';
    for (int c = 'a'; c <= 'f'; ++c) value[c] = c - 'a' + 10;
  }
  std::uint8_t value[256];
};
constexpr HexDigits kHexDigits;

// The value of the `count` hexadecimal digits at `text`, or nothing.
std::optional<std::uint64_t> HexValue(const char* text, int count) {
  std::uint64_t value = 0;
  std::uint8_t seen = 0;  // any 16 sets bit 4
  for (int i = 0; i < count; ++i) {
    const std::uint8_t digit =
        kHexDigits.value[static_cast<unsigned char>(text[i])];
    seen |= digit;
    value = (value << 4) | (digit & 0x0f);
  }
  if (seen & 0x10) return std::nullopt;
  return value;
}

// The 128 bits of "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" in lower-case
// hexadecimal; nothing for any other text, so that each value stands for
// exactly one text.
std::optional<absl::uint128> CanonicalUuid(absl::string_view id) {
  if (id.size() != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' ||
      id[23] != '-') {
    return std::nullopt;
  }
  const char* text = id.data();
  const std::optional<std::uint64_t> a = HexValue(text, 8);
  const std::optional<std::uint64_t> b = HexValue(text + 9, 4);
  const std::optional<std::uint64_t> c = HexValue(text + 14, 4);
  const std::optional<std::uint64_t> d = HexValue(text + 19, 4);
  const std::optional<std::uint64_t> e = HexValue(text + 24, 12);
  if (!a || !b || !c || !d || !e) return std::nullopt;
  return absl::MakeUint128((*a << 32) | (*b << 16) | *c, (*d << 48) | *e);
}

}  // namespace

bool RequisitionIdSet::Insert(absl::string_view id) {
  if (const std::optional<absl::uint128> uuid = CanonicalUuid(id)) {
    return uuids_.insert(*uuid).second;
  }
  return others_.emplace(id).second;
}

}  // namespace leverconnect::importer

#include "tests/fakes/deterministic_random.h"

namespace leverconnect::testing {

std::uint64_t DeterministicRandom::Next() {
  state_ += 0x9E3779B97F4A7C15ULL;
  std::uint64_t mixed = state_;
  mixed = (mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9ULL;
  mixed = (mixed ^ (mixed >> 27)) * 0x94D049BB133111EBULL;
  return mixed ^ (mixed >> 31);
}

std::int64_t DeterministicRandom::Between(std::int64_t low, std::int64_t high) {
  const auto width = static_cast<std::uint64_t>(high - low) + 1;
  return low + static_cast<std::int64_t>(Below(width));
}

std::string DeterministicRandom::Uuid() {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::uint64_t high = Next();
  std::uint64_t low = Next();
  high = (high & ~0xF000ULL) | 0x4000ULL;          // version 4
  low = (low & ~(0xCULL << 60)) | (0x8ULL << 60);  // variant 10
  std::string text;
  text.reserve(36);
  for (int nibble = 0; nibble < 32; ++nibble) {
    if (nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20) {
      text += '-';
    }
    const std::uint64_t half = nibble < 16 ? high : low;
    const int shift = 60 - 4 * (nibble % 16);
    text += kHexDigits[(half >> shift) & 0xF];
  }
  return text;
}

}  // namespace leverconnect::testing

#include "lib/text/utf8.h"

#include <cstdint>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace leverconnect::text {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

bool IsContinuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// The length of the well-formed sequence starting at `at` (whose first
// byte is not ASCII), or 0 when there is none (Unicode's table 3-7).
std::size_t SequenceLength(const unsigned char* at, const unsigned char* end) {
  const unsigned char lead = at[0];
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // no overlong forms
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // no overlong forms
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (static_cast<std::size_t>(end - at) < length) return 0;
  if (at[1] < low || at[1] > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (!IsContinuation(at[i])) return 0;
  }
  return length;
}

// Moves `at` past the ASCII bytes that start [`at`, `end`): 64 bytes at a
// time with SSE2 (every x86-64 has it), then a word, then a byte at a time.
void SkipAscii(const unsigned char*& at, const unsigned char* end) {
#ifdef __SSE2__
  while (end - at >= 64) {
    const auto* block = reinterpret_cast<const __m128i*>(at);
    const __m128i any = _mm_or_si128(
        _mm_or_si128(_mm_loadu_si128(block), _mm_loadu_si128(block + 1)),
        _mm_or_si128(_mm_loadu_si128(block + 2), _mm_loadu_si128(block + 3)));
    if (_mm_movemask_epi8(any) != 0) break;
    at += 64;
  }
#endif
  while (end - at >= 8) {
    std::uint64_t word;
    std::memcpy(&word, at, sizeof word);
    if ((word & 0x8080808080808080ULL) != 0) break;
    at += 8;
  }
  while (at < end && *at < 0x80) ++at;
}

}  // namespace

bool IsUtf8(absl::string_view text) {
  const auto* at = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = at + text.size();
  while (true) {
    SkipAscii(at, end);
    if (at == end) return true;
    const std::size_t length = SequenceLength(at, end);
    if (length == 0) return false;
    at += length;
  }
}

std::string RepairedUtf8(absl::string_view text) {
  std::string repaired;
  repaired.reserve(text.size());
  const auto* begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* at = begin;
  const auto* end = at + text.size();
  while (true) {
    const auto* run = at;
    SkipAscii(at, end);
    repaired.append(text.data() + (run - begin), at - run);
    if (at == end) return repaired;
    const std::size_t length = SequenceLength(at, end);
    if (length == 0) {
      repaired += kReplacement;
      ++at;
    } else {
      repaired.append(text.data() + (at - begin), length);
      at += length;
    }
  }
}

}  // namespace leverconnect::text

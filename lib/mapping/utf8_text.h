// Checking and repairing UTF-8 text. Lever's JSON should hold nothing else,
// but one stray byte in a row would make a whole stream undecodable for a
// protobuf client (proto3 strings must be UTF-8), so rows are checked.
#ifndef LEVERCONNECT_LIB_MAPPING_UTF8_TEXT_H_
#define LEVERCONNECT_LIB_MAPPING_UTF8_TEXT_H_

#include <string>

#include "absl/strings/string_view.h"

namespace leverconnect::mapping {

// Whether `text` is well-formed UTF-8: no stray continuation byte, no cut
// or overlong sequence, no surrogate, nothing above U+10FFFF. ASCII text,
// the common case, is checked eight bytes at a time.
bool IsUtf8(absl::string_view text);

// `text` with every byte that does not belong to a well-formed sequence
// replaced by U+FFFD; well-formed text comes back unchanged.
std::string RepairedUtf8(absl::string_view text);

}  // namespace leverconnect::mapping

#endif  // LEVERCONNECT_LIB_MAPPING_UTF8_TEXT_H_

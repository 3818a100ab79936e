// Checking and repairing UTF-8 text. Lever's JSON should hold nothing else,
// but one stray byte (or an escaped lone surrogate, which RapidJSON decodes
// into bytes that are not UTF-8) in a row would make a whole stream
// undecodable for a protobuf client: proto3 strings must be UTF-8.
#ifndef LEVERCONNECT_LIB_TEXT_UTF8_H_
#define LEVERCONNECT_LIB_TEXT_UTF8_H_

#include <string>

#include "absl/strings/string_view.h"

namespace leverconnect::text {

// Whether `text` is well-formed UTF-8: no stray continuation byte, no cut
// or overlong sequence, no surrogate, nothing above U+10FFFF. ASCII text,
// the common case, is checked 64 bytes at a time.
bool IsUtf8(absl::string_view text);

// `text` with every byte that does not belong to a well-formed sequence
// replaced by U+FFFD; well-formed text comes back unchanged.
std::string RepairedUtf8(absl::string_view text);

}  // namespace leverconnect::text

#endif  // LEVERCONNECT_LIB_TEXT_UTF8_H_

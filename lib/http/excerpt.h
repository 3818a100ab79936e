// Short, printable quotes of remote answers for error messages.
#ifndef LEVERCONNECT_LIB_HTTP_EXCERPT_H_
#define LEVERCONNECT_LIB_HTTP_EXCERPT_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace leverconnect::http {

// How many bytes of a body BodyExcerpt quotes.
inline constexpr std::size_t kBodyExcerptLength = 80;

// The first kBodyExcerptLength bytes of `body` in double quotes, on one
// line (control characters blanked), with "..." when there was more; "an
// empty body" when there is nothing.
std::string BodyExcerpt(absl::string_view body);

}  // namespace leverconnect::http

#endif  // LEVERCONNECT_LIB_HTTP_EXCERPT_H_

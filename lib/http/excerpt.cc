#include "lib/http/excerpt.h"

#include "absl/strings/str_cat.h"

namespace leverconnect::http {

std::string BodyExcerpt(absl::string_view body) {
  std::string excerpt;
  for (char c : body.substr(0, kBodyExcerptLength)) {
    const bool control = static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    excerpt.push_back(control ? ' ' : c);
  }
  if (body.size() > kBodyExcerptLength) excerpt += "...";
  return excerpt.empty() ? "an empty body" : absl::StrCat("\"", excerpt, "\"");
}

}  // namespace leverconnect::http

#include "lib/http/url.h"

#include <cctype>

#include <arpa/inet.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace leverconnect::http {
namespace {

// The host of an http(s) URL without its port; empty when there is none.
absl::string_view UrlHost(absl::string_view url) {
  absl::string_view rest = url.substr(url.find("://") + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  rest = rest.substr(
      rest.rfind('@') == absl::string_view::npos ? 0 : rest.rfind('@') + 1);
  if (absl::StartsWith(rest, "[")) return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}

bool IsLoopbackHost(absl::string_view host) {
  if (host == "localhost" || host == "[::1]") return true;
  in_addr address;
  const std::string text(host);
  return inet_pton(AF_INET, text.c_str(), &address) == 1 &&
         (ntohl(address.s_addr) >> 24) == 127;
}

}  // namespace

absl::Status ValidateBaseUrl(absl::string_view service, absl::string_view url) {
  const bool https = absl::StartsWith(url, "https://");
  if (!https && !absl::StartsWith(url, "http://")) {
    return absl::InvalidArgumentError(absl::StrCat(
        service, " base URL \"", url, "\" must start with https://"));
  }
  const absl::string_view host = UrlHost(url);
  if (host.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(service, " base URL \"", url, "\" has no host"));
  }
  if (!https && !IsLoopbackHost(host)) {
    return absl::InvalidArgumentError(absl::StrCat(
        service, " base URL \"", url,
        "\" is plain http to a host other than loopback; API keys would "
        "cross the network unencrypted: use https://"));
  }
  return absl::OkStatus();
}

std::string EncodeQueryValue(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded.push_back(c);
    } else {
      encoded += {'%', kHex[byte >> 4], kHex[byte & 15]};
    }
  }
  return encoded;
}

}  // namespace leverconnect::http

#include "lib/auth/transport_policy.h"

#include <cstring>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace leverconnect::auth {
namespace {

// The host part of "host:port" or "[host]:port"; the whole text when it
// has no port.
std::string HostOf(absl::string_view address) {
  if (absl::StartsWith(address, "[")) {
    const std::size_t close = address.find(']');
    if (close == absl::string_view::npos) return "";
    return std::string(address.substr(1, close - 1));
  }
  const std::size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) return std::string(address);
  // More than one colon without brackets is a bare IPv6 address.
  if (address.find(':') != colon) return std::string(address);
  return std::string(address.substr(0, colon));
}

bool IsLoopbackHost(const std::string& host) {
  if (absl::AsciiStrToLower(host) == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    return std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0;
  }
  return false;
}

}  // namespace

bool IsLoopbackAddress(absl::string_view address) {
  for (absl::string_view scheme : {"ipv4:", "ipv6:", "dns:"}) {
    if (absl::StartsWith(address, scheme)) {
      address.remove_prefix(scheme.size());
    }
  }
  if (absl::StartsWith(address, "unix:")) return true;
  return IsLoopbackHost(HostOf(address));
}

absl::Status CheckPlaintextListener(absl::string_view address,
                                    bool allow_plaintext) {
  if (allow_plaintext || IsLoopbackAddress(address)) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "refusing to listen in plaintext on ", address,
      ", which is not a loopback address: bearer tokens, Lever API keys and "
      "requisitions would cross the network unencrypted. Pass --tls-cert and "
      "--tls-key, or --allow-plaintext when something else encrypts the "
      "traffic (a service mesh, a TLS-terminating proxy)"));
}

}  // namespace leverconnect::auth

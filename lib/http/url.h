// URL checks and encoding shared by the Lever and Pigment adapters.
#ifndef LEVERCONNECT_LIB_HTTP_URL_H_
#define LEVERCONNECT_LIB_HTTP_URL_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace leverconnect::http {

// Whether `url` may serve as the base URL of `service` ("Lever",
// "Pigment"): https, or plain http only toward a loopback host
// (127.0.0.0/8, localhost, [::1]) such as a fake. INVALID_ARGUMENT saying
// why otherwise, with `service` and the URL in the message.
absl::Status ValidateBaseUrl(absl::string_view service, absl::string_view url);

// Percent-encodes `text` for a query string value or a path segment: all
// but letters, digits and -_.~ become %XX.
std::string EncodeQueryValue(absl::string_view text);

}  // namespace leverconnect::http

#endif  // LEVERCONNECT_LIB_HTTP_URL_H_

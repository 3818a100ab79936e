// The table from libcurl result codes to status codes.
#ifndef LEVERCONNECT_LIB_HTTP_CURL_STATUS_H_
#define LEVERCONNECT_LIB_HTTP_CURL_STATUS_H_

#include <curl/curl.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace leverconnect::http {

// Converts a failed transfer into a status whose message starts with `what`
// (e.g. "GET /v1/requisitions") and names the failure in words. Transient
// network failures are UNAVAILABLE (marked with MarkNotSent when no
// connection was made), timeouts DEADLINE_EXCEEDED, an abort
// asked for by the caller CANCELLED.
absl::Status StatusFromCurlCode(CURLcode code, absl::string_view what);

}  // namespace leverconnect::http

#endif  // LEVERCONNECT_LIB_HTTP_CURL_STATUS_H_

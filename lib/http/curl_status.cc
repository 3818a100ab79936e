#include "lib/http/curl_status.h"

#include "absl/strings/str_cat.h"
#include "lib/http/http_client.h"

namespace leverconnect::http {

absl::Status StatusFromCurlCode(CURLcode code, absl::string_view what) {
  const std::string detail =
      absl::StrCat(what, ": ", curl_easy_strerror(code), " (curl error ",
                   static_cast<int>(code), ")");
  switch (code) {
    case CURLE_ABORTED_BY_CALLBACK:
      return absl::CancelledError(detail);
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(detail);
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
      // No connection, so no byte of the request left.
      return MarkNotSent(absl::UnavailableError(detail));
    case CURLE_PARTIAL_FILE:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
      return absl::UnavailableError(detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
      return absl::FailedPreconditionError(detail);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::InvalidArgumentError(detail);
    case CURLE_OUT_OF_MEMORY:
      return absl::ResourceExhaustedError(detail);
    default:
      return absl::InternalError(detail);
  }
}

}  // namespace leverconnect::http

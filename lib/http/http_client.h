// HTTP behind an interface of our own, so that the Lever and Pigment
// adapters can be tested against fakes of this interface instead of libcurl.
//
// An HTTP error status (404, 429, 503...) is a successful transfer: Send
// returns the Response and the adapter decides what it means. Send fails
// only when no complete answer arrived (see StatusFromCurlCode).
#ifndef LEVERCONNECT_LIB_HTTP_HTTP_CLIENT_H_
#define LEVERCONNECT_LIB_HTTP_HTTP_CLIENT_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace leverconnect::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  // Complete URL, query string included and already percent-encoded.
  std::string url;
  Headers headers;
  std::string body;
  // When not empty, the body is the content of this file instead of `body`,
  // streamed from disk with its size as Content-Length, so large uploads
  // are never held in memory. Send fails with FAILED_PRECONDITION when it
  // cannot be opened.
  std::string body_file;

  // HTTP Basic credentials; sent only when `basic_auth_user` is not empty.
  // Secret: never logged, never part of an error message.
  std::string basic_auth_user;
  std::string basic_auth_password;

  // Bound on the whole transfer, and on establishing the connection.
  absl::Duration timeout = absl::Seconds(30);
  absl::Duration connect_timeout = absl::Seconds(10);

  // Polled while the transfer runs; returning true aborts it (CANCELLED).
  std::function<bool()> cancelled;

  // Send on a new connection, never one kept from an earlier request: for
  // requests that must not take effect twice, which an HTTP library may
  // otherwise repeat by itself when a kept connection turns out closed.
  bool fresh_connection = false;
};

struct Response {
  int status = 0;
  Headers headers;  // names in lower case, in arrival order
  std::string body;

  // The first header named `name` (lower case), if any.
  std::optional<std::string> Header(absl::string_view name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Performs one exchange; thread-safe. Errors: CANCELLED when
  // `request.cancelled` said so, DEADLINE_EXCEEDED when a timeout struck,
  // UNAVAILABLE for refused, reset or cut-short connections,
  // FAILED_PRECONDITION for certificate problems or an unreadable
  // `body_file`, INVALID_ARGUMENT for a malformed URL. A failure that
  // happened before any byte of the request left (the connection could
  // not be made) is marked so that IsNotSent recognises it. Messages name
  // the method and URL path, never credentials.
  virtual absl::StatusOr<Response> Send(const Request& request) = 0;
};

// Marks `status`, a failed Send, as one where the request surely never
// reached the server, so that even a request that must not be repeated
// once received (a push of data) may be tried again.
absl::Status MarkNotSent(absl::Status status);

// Whether MarkNotSent marked `status`.
bool IsNotSent(const absl::Status& status);

// A libcurl client that reuses connections between calls (a pool of easy
// handles) and always verifies certificates for https. Only http and https
// URLs are accepted; redirects are not followed.
std::unique_ptr<HttpClient> MakeCurlHttpClient();

}  // namespace leverconnect::http

#endif  // LEVERCONNECT_LIB_HTTP_HTTP_CLIENT_H_

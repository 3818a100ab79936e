#include "tests/fakes/fault_responses.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "tests/fakes/connection_abort.h"
#include "tests/fakes/lever_endpoints.h"

namespace leverconnect::testing {
namespace {

constexpr char kHtmlContentType[] = "text/html; charset=utf-8";

// A load balancer's error page, as nginx or an AWS ELB writes one.
std::string GatewayPage(int status, const char* reason) {
  const std::string title = absl::StrCat(status, " ", reason);
  return absl::StrCat("<html>\r\n<head><title>", title,
                      "</title></head>\r\n<body>\r\n<center><h1>", title,
                      "</h1></center>\r\n</body>\r\n</html>\r\n");
}

// What a corporate proxy or captive portal shows instead of the API.
constexpr char kSignInPage[] =
    "<!DOCTYPE html>\n<html>\n<head><title>Sign in</title></head>\n<body>\n"
    "<h1>Sign in to continue</h1>\n"
    "<form method=\"post\" action=\"/login\">\n"
    "<input name=\"username\"><input name=\"password\" type=\"password\">\n"
    "<button type=\"submit\">Sign in</button>\n</form>\n</body>\n</html>\n";

void SetJsonError(int status, const char* code, const char* message,
                  httplib::Response& response) {
  response.status = status;
  response.set_content(LeverErrorBody(code, message), kJsonContentType);
}

void SetGatewayError(int status, const char* reason,
                     httplib::Response& response) {
  response.status = status;
  response.set_content(GatewayPage(status, reason), kHtmlContentType);
}

}  // namespace

bool FaultApplies(FaultKind kind, const httplib::Request& request) {
  if (kind != FaultKind::kBadToken) return true;
  return request.method == "GET" && request.path == "/v1/requisitions" &&
         request.has_param("offset");
}

void SetTooManyRequests(int retry_after_seconds, httplib::Response& response) {
  SetJsonError(429, "TooManyRequests", "Rate limit exceeded", response);
  if (retry_after_seconds > 0) {
    response.set_header("Retry-After", std::to_string(retry_after_seconds));
  }
}

void SetFaultResponse(FaultKind kind, bool retry_after,
                      httplib::Response& response) {
  switch (kind) {
    case FaultKind::kTooManyRequests:
      return SetTooManyRequests(retry_after ? 1 : 0, response);
    case FaultKind::kInternalError:
      return SetJsonError(500, "InternalError", "Internal server error",
                          response);
    case FaultKind::kBadGateway:
      return SetGatewayError(502, "Bad Gateway", response);
    case FaultKind::kServiceUnavailable:
      return SetGatewayError(503, "Service Unavailable", response);
    case FaultKind::kGatewayTimeout:
      return SetGatewayError(504, "Gateway Timeout", response);
    case FaultKind::kHtml:
      response.status = 200;
      return response.set_content(kSignInPage, kHtmlContentType);
    case FaultKind::kEmpty:
      response.status = 200;
      return response.set_content("", kJsonContentType);
    case FaultKind::kBadToken:
      return SetJsonError(400, "BadRequestError", "Invalid offset token",
                          response);
    case FaultKind::kReset:
    case FaultKind::kTruncate:
    case FaultKind::kLost:
      return;
  }
}

void ResetConnection(const httplib::Request& request,
                     httplib::Response& response) {
  if (AbortConnection(request)) return;
  response.status = 200;
  response.set_chunked_content_provider(
      kJsonContentType, [](std::size_t, httplib::DataSink&) { return false; });
}

void SetTruncated(int status, std::string body, httplib::Response& response) {
  if (body.empty()) body = "{}";
  auto shared = std::make_shared<const std::string>(std::move(body));
  response.status = status;
  response.set_content_provider(
      shared->size(), kJsonContentType,
      [shared](std::size_t offset, std::size_t, httplib::DataSink& sink) {
        const std::size_t half = shared->size() / 2;
        if (offset < half) sink.write(shared->data() + offset, half - offset);
        return false;  // drops the connection with the rest unsent
      });
}

}  // namespace leverconnect::testing

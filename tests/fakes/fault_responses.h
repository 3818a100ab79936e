// What the fake Lever sends instead of its answer when it injects a fault:
// Lever's own errors, and the pages and broken transfers of the proxies
// and load balancers in front of it.
#ifndef LEVERCONNECT_TESTS_FAKES_FAULT_RESPONSES_H_
#define LEVERCONNECT_TESTS_FAKES_FAULT_RESPONSES_H_

#include <httplib.h>

#include <string>

#include "tests/fakes/fault_plan.h"

namespace leverconnect::testing {

// Whether `kind` can be injected into `request`: kBadToken only into
// GET /v1/requisitions with an `offset` parameter, every other kind into
// any request.
bool FaultApplies(FaultKind kind, const httplib::Request& request);

// Lever's rate-limit answer: 429 with the JSON error
// {"code":"TooManyRequests","message":"Rate limit exceeded"}, and a
// Retry-After header of `retry_after_seconds` when that is above 0.
void SetTooManyRequests(int retry_after_seconds, httplib::Response& response);

// Fills `response` for a fault that replaces the whole answer:
//   kTooManyRequests    SetTooManyRequests(retry_after ? 1 : 0)
//   kInternalError      500, Lever's JSON error {"code":"InternalError",...}
//   kBadGateway, kServiceUnavailable, kGatewayTimeout
//                       502, 503 or 504 with a load balancer's HTML page
//   kHtml               200, text/html: a proxy's sign-in page
//   kEmpty              200, JSON content type, empty body
//   kBadToken           400 {"code":"BadRequestError",
//                            "message":"Invalid offset token"}
// kReset, kTruncate and kLost depend on the connection and the answer;
// see ResetConnection and SetTruncated. Given those, it leaves `response`.
void SetFaultResponse(FaultKind kind, bool retry_after,
                      httplib::Response& response);

// Makes the client of `request` get no answer at all: its connection is
// reset (see AbortConnection). Should that fail, `response` becomes a 200
// whose body never comes (the connection drops after the headers).
void ResetConnection(const httplib::Request& request,
                     httplib::Response& response);

// Sends `status` and the headers for all of `body`, JSON, then only its
// first half before dropping the connection, so the client sees a
// transfer error rather than a short body. An empty `body` counts as "{}".
void SetTruncated(int status, std::string body, httplib::Response& response);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_FAULT_RESPONSES_H_

// What the fake Lever answers, endpoint by endpoint, as Lever's Data API.
//
// LeverEndpoints turns one HTTP request into one reply (status and JSON
// body) and knows nothing about sockets, counting or faults; FakeLever does
// those. It is immutable after construction and safe to call from many
// threads at once.
#ifndef LEVERCONNECT_TESTS_FAKES_LEVER_ENDPOINTS_H_
#define LEVERCONNECT_TESTS_FAKES_LEVER_ENDPOINTS_H_

#include <httplib.h>

#include <map>
#include <set>
#include <string>
#include <string_view>

#include "tests/fakes/requisition_store.h"
#include "tests/fakes/user_store.h"

namespace leverconnect::testing {

// The permissions a Lever API key may grant that the fake checks.
inline constexpr char kRequisitionsRead[] = "requisitions:read";
inline constexpr char kRequisitionFieldsRead[] = "requisition_fields:read";
inline constexpr char kUsersRead[] = "users:read";

// The Content-Type of every JSON answer.
inline constexpr char kJsonContentType[] = "application/json; charset=utf-8";

// One answer before it goes on the wire.
struct LeverReply {
  int status = 200;
  std::string body;  // JSON; errors are {"code": ..., "message": ...}
  // The endpoint for statistics: a template such as
  // "/v1/requisitions/{id}" for known ones, the request path otherwise.
  std::string route;
};

// One endpoint the fake knows (defined in lever_endpoints.cc).
struct LeverEndpoint;

class LeverEndpoints {
 public:
  // `api_keys` maps each valid key to the permissions it grants.
  // `requisition_fields_json` is the JSON text of the "data" array served
  // at /v1/requisition_fields.
  LeverEndpoints(std::map<std::string, std::set<std::string>> api_keys,
                 RequisitionStore requisitions,
                 std::string requisition_fields_json, UserStore users);

  // Checks the key (HTTP Basic, key as user name), then answers
  //   GET /v1/requisitions, GET /v1/requisitions/{id},
  //   GET /v1/requisition_fields and GET /v1/users,
  // and 404 for anything else. Never puts a key in the reply.
  LeverReply Answer(const httplib::Request& request) const;

  // The route Answer() puts in its reply, without answering.
  std::string Route(const httplib::Request& request) const;

  const RequisitionStore& requisitions() const { return requisitions_; }

 private:
  // The reply once `request` has been matched to `endpoint` (nullptr for
  // an unknown one): refusals first, then the endpoint's answer.
  LeverReply Dispatch(const httplib::Request& request,
                      const LeverEndpoint* endpoint) const;

  // The key's permissions, or nullptr when the key is missing or unknown.
  const std::set<std::string>* Authenticate(
      const httplib::Request& request) const;

  LeverReply ListRequisitions(const httplib::Request& request) const;
  LeverReply GetRequisition(std::string_view id) const;
  LeverReply ListRequisitionFields() const;
  LeverReply ListUsers(const httplib::Request& request) const;

  std::map<std::string, std::set<std::string>> api_keys_;
  RequisitionStore requisitions_;
  std::string requisition_fields_body_;
  UserStore users_;
};

// A Lever error body: {"code": code, "message": message}.
std::string LeverErrorBody(std::string_view code, std::string_view message);

// The API key of a request: the user name of its HTTP Basic Authorization
// header, or "" when there is none.
std::string RequestApiKey(const httplib::Request& request);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_LEVER_ENDPOINTS_H_

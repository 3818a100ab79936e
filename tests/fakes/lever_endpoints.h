// What the fake Lever answers, endpoint by endpoint, as Lever's Data API.
//
// LeverEndpoints turns one HTTP request into one reply (status and JSON
// body) and knows nothing about sockets, counting or faults; FakeLever does
// those. It keeps the requisitions, which writes change, and is safe to
// call from many threads at once.
#ifndef LEVERCONNECT_TESTS_FAKES_LEVER_ENDPOINTS_H_
#define LEVERCONNECT_TESTS_FAKES_LEVER_ENDPOINTS_H_

#include <httplib.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "tests/fakes/requisition_store.h"
#include "tests/fakes/user_store.h"

namespace leverconnect::testing {

// The permissions a Lever API key may grant that the fake checks.
inline constexpr char kRequisitionsRead[] = "requisitions:read";
inline constexpr char kRequisitionFieldsRead[] = "requisition_fields:read";
inline constexpr char kUsersRead[] = "users:read";
// POST, PUT and DELETE /v1/requisitions.
inline constexpr char kRequisitionsWrite[] = "requisitions:write";

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
  // at /v1/requisition_fields. With `drafts`, requisitions created through
  // the API get the status "draft", as in Lever's default "hybrid" mode.
  LeverEndpoints(std::map<std::string, std::set<std::string>> api_keys,
                 RequisitionStore requisitions,
                 std::string requisition_fields_json, UserStore users,
                 bool drafts = false);

  // Checks the key (HTTP Basic, key as user name), then answers
  //   GET /v1/requisitions, GET /v1/requisitions/{id},
  //   GET /v1/requisition_fields, GET /v1/users,
  //   POST /v1/requisitions (201), PUT /v1/requisitions/{id} (200) and
  //   DELETE /v1/requisitions/{id} (204, empty body),
  // and 404 for anything else. Writes need kRequisitionsWrite (else 403),
  // a body Lever would take (else 400, see RequisitionBodyProblem) and a
  // requisitionCode no other requisition has (else 409 ConflictError);
  // each sets updatedAt to a time later than any before. Never puts a key
  // in the reply.
  LeverReply Answer(const httplib::Request& request);

  // The route Answer() puts in its reply, without answering.
  std::string Route(const httplib::Request& request) const;

  // For tests, an edit made in Lever itself: sets the members of
  // `patch_json` (an object) on requisition `id` and moves its updatedAt.
  // NotFound for an unknown id, InvalidArgument for a patch that is not an
  // object.
  absl::Status EditRequisition(std::string_view id,
                               std::string_view patch_json);

  // The JSON text of the requisition with `code`, if any.
  std::optional<std::string> RequisitionByCode(std::string_view code) const;

  // How many requisitions there are.
  std::size_t RequisitionCount() const;

 private:
  // The reply once `request` has been matched to `endpoint` (nullptr for
  // an unknown one): refusals first, then the endpoint's answer.
  LeverReply Dispatch(const httplib::Request& request,
                      const LeverEndpoint* endpoint);

  // The key's permissions, or nullptr when the key is missing or unknown.
  const std::set<std::string>* Authenticate(
      const httplib::Request& request) const;

  LeverReply ListRequisitions(const httplib::Request& request) const;
  LeverReply GetRequisition(std::string_view id) const;
  LeverReply ListRequisitionFields() const;
  LeverReply ListUsers(const httplib::Request& request) const;
  LeverReply CreateRequisition(const httplib::Request& request);
  LeverReply ReplaceRequisition(const httplib::Request& request);
  LeverReply DeleteRequisition(std::string_view id);

  // A time in milliseconds later than any given before. REQUIRES:
  // requisitions_mutex_ held exclusively.
  std::int64_t NextWriteTime();

  std::map<std::string, std::set<std::string>> api_keys_;
  const bool drafts_;
  mutable std::shared_mutex requisitions_mutex_;  // guards the two below
  RequisitionStore requisitions_;
  std::int64_t last_write_ms_ = 0;
  int created_ = 0;  // numbers the ids of created requisitions
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

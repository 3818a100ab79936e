#include "tests/fakes/lever_endpoints.h"

#include <utility>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "tests/fakes/page_token.h"
#include "tests/fakes/requisition_query.h"

namespace leverconnect::testing {

enum class LeverEndpointKind {
  kListRequisitions,
  kGetRequisition,
  kListFields,
  kListUsers
};

// A known endpoint: its route for statistics, the permission it needs and
// the action named in the 403 message.
struct LeverEndpoint {
  LeverEndpointKind kind;
  const char* route;
  const char* permission;
  const char* action;
};

namespace {

constexpr std::string_view kRequisitionsPath = "/v1/requisitions";
constexpr std::string_view kRequisitionPathPrefix = "/v1/requisitions/";
constexpr std::string_view kRequisitionFieldsPath = "/v1/requisition_fields";
constexpr std::string_view kUsersPath = "/v1/users";

constexpr LeverEndpoint kListRequisitions = {
    LeverEndpointKind::kListRequisitions, "/v1/requisitions", kRequisitionsRead,
    "list requisitions"};
constexpr LeverEndpoint kGetRequisition = {
    LeverEndpointKind::kGetRequisition, "/v1/requisitions/{id}",
    kRequisitionsRead, "get requisitions"};
constexpr LeverEndpoint kListFields = {
    LeverEndpointKind::kListFields, "/v1/requisition_fields",
    kRequisitionFieldsRead, "list requisition fields"};
constexpr LeverEndpoint kListUsers = {LeverEndpointKind::kListUsers,
                                      "/v1/users", kUsersRead, "list users"};

// The id in /v1/requisitions/{id}, or "" when the path is not of that form.
std::string_view RequisitionId(std::string_view path) {
  if (path.substr(0, kRequisitionPathPrefix.size()) != kRequisitionPathPrefix) {
    return "";
  }
  const std::string_view id = path.substr(kRequisitionPathPrefix.size());
  return id.find('/') == std::string_view::npos ? id : "";
}

const LeverEndpoint* FindEndpoint(const httplib::Request& request) {
  if (request.method != "GET") return nullptr;
  if (request.path == kRequisitionsPath) return &kListRequisitions;
  if (request.path == kRequisitionFieldsPath) return &kListFields;
  if (request.path == kUsersPath) return &kListUsers;
  if (!RequisitionId(request.path).empty()) return &kGetRequisition;
  return nullptr;
}

// The user name of an HTTP Basic Authorization header, or "".
// (Abseil's string_view is its own type in this build, hence its use here.)
std::string BasicAuthUser(const std::string& authorization) {
  constexpr absl::string_view kScheme = "basic ";
  if (authorization.size() <= kScheme.size() ||
      !absl::StartsWithIgnoreCase(authorization, kScheme)) {
    return "";
  }
  const absl::string_view encoded = absl::StripAsciiWhitespace(
      absl::string_view(authorization).substr(kScheme.size()));
  std::string credentials;
  if (!absl::Base64Unescape(encoded, &credentials)) return "";
  return credentials.substr(0, credentials.find(':'));
}

LeverReply Error(int status, std::string_view code, std::string_view message) {
  return LeverReply{status, LeverErrorBody(code, message), ""};
}

// A list page of stored items (requisitions or users) with its cursor.
template <typename Page>
std::string ListBody(const Page& page) {
  std::string body = "{\"data\":[";
  std::size_t size = 64;
  for (const auto* item : page.items) size += item->json.size();
  body.reserve(size + page.items.size());
  for (std::size_t index = 0; index < page.items.size(); ++index) {
    if (index > 0) body += ',';
    body += page.items[index]->json;
  }
  if (!page.has_next) return body + "],\"hasNext\":false}";
  const auto& last = *page.items.back();
  return body + "],\"hasNext\":true,\"next\":\"" +
         MakePageToken({last.created_at, last.id}) + "\"}";
}

// Lever's 400 for a query it refused, else the page `store` lists for it.
template <typename Query, typename Store>
LeverReply ListReply(const absl::StatusOr<Query>& query, const Store& store) {
  if (!query.ok()) {
    return Error(400, "BadRequestError", std::string(query.status().message()));
  }
  return LeverReply{200, ListBody(store.List(*query)), ""};
}

}  // namespace

std::string LeverErrorBody(std::string_view code, std::string_view message) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("code");
  writer.String(code.data(), static_cast<rapidjson::SizeType>(code.size()));
  writer.Key("message");
  writer.String(message.data(),
                static_cast<rapidjson::SizeType>(message.size()));
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

LeverEndpoints::LeverEndpoints(
    std::map<std::string, std::set<std::string>> api_keys,
    RequisitionStore requisitions, std::string requisition_fields_json,
    UserStore users)
    : api_keys_(std::move(api_keys)),
      requisitions_(std::move(requisitions)),
      requisition_fields_body_("{\"data\":" + requisition_fields_json + "}"),
      users_(std::move(users)) {}

std::string RequestApiKey(const httplib::Request& request) {
  return BasicAuthUser(request.get_header_value("Authorization"));
}

LeverReply LeverEndpoints::Answer(const httplib::Request& request) const {
  LeverReply reply = Dispatch(request, FindEndpoint(request));
  reply.route = Route(request);
  return reply;
}

std::string LeverEndpoints::Route(const httplib::Request& request) const {
  const LeverEndpoint* endpoint = FindEndpoint(request);
  return endpoint == nullptr ? request.path : endpoint->route;
}

LeverReply LeverEndpoints::Dispatch(const httplib::Request& request,
                                    const LeverEndpoint* endpoint) const {
  const std::set<std::string>* permissions = Authenticate(request);
  if (permissions == nullptr) {
    return Error(401, "UnauthorizedError", "Invalid API key");
  }
  if (endpoint == nullptr) {
    return Error(404, "NotFoundError", "No such endpoint");
  }
  if (permissions->count(endpoint->permission) == 0) {
    return Error(403, "ForbiddenError",
                 std::string("This API key does not have the permission to ") +
                     endpoint->action);
  }
  switch (endpoint->kind) {
    case LeverEndpointKind::kListRequisitions:
      return ListRequisitions(request);
    case LeverEndpointKind::kGetRequisition:
      return GetRequisition(RequisitionId(request.path));
    case LeverEndpointKind::kListFields:
      return ListRequisitionFields();
    case LeverEndpointKind::kListUsers:
      return ListUsers(request);
  }
  return Error(500, "InternalError", "Unhandled endpoint");
}

const std::set<std::string>* LeverEndpoints::Authenticate(
    const httplib::Request& request) const {
  const std::string user = RequestApiKey(request);
  if (user.empty()) return nullptr;
  const auto key = api_keys_.find(user);
  return key == api_keys_.end() ? nullptr : &key->second;
}

LeverReply LeverEndpoints::ListRequisitions(
    const httplib::Request& request) const {
  return ListReply(ParseRequisitionQuery(request.params), requisitions_);
}

LeverReply LeverEndpoints::ListUsers(const httplib::Request& request) const {
  return ListReply(ParseUserQuery(request.params), users_);
}

LeverReply LeverEndpoints::GetRequisition(std::string_view id) const {
  const StoredRequisition* requisition = requisitions_.Find(id);
  if (requisition == nullptr) {
    return Error(404, "NotFoundError",
                 "That requisition doesn't exist on your account");
  }
  return LeverReply{200, "{\"data\":" + requisition->json + "}", ""};
}

LeverReply LeverEndpoints::ListRequisitionFields() const {
  return LeverReply{200, requisition_fields_body_, ""};
}

}  // namespace leverconnect::testing

#include "tests/fakes/lever_endpoints.h"

#include <chrono>
#include <mutex>
#include <utility>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/fakes/lever_files.h"
#include "tests/fakes/page_token.h"
#include "tests/fakes/requisition_query.h"
#include "tests/fakes/requisition_writes.h"

namespace leverconnect::testing {

enum class LeverEndpointKind {
  kListRequisitions,
  kGetRequisition,
  kListFields,
  kListUsers,
  kCreateRequisition,
  kReplaceRequisition,
  kDeleteRequisition
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
constexpr LeverEndpoint kCreateRequisition = {
    LeverEndpointKind::kCreateRequisition, "/v1/requisitions",
    kRequisitionsWrite, "create requisitions"};
constexpr LeverEndpoint kReplaceRequisition = {
    LeverEndpointKind::kReplaceRequisition, "/v1/requisitions/{id}",
    kRequisitionsWrite, "update requisitions"};
constexpr LeverEndpoint kDeleteRequisition = {
    LeverEndpointKind::kDeleteRequisition, "/v1/requisitions/{id}",
    kRequisitionsWrite, "delete requisitions"};

// The id in /v1/requisitions/{id}, or "" when the path is not of that form.
std::string_view RequisitionId(std::string_view path) {
  if (path.substr(0, kRequisitionPathPrefix.size()) != kRequisitionPathPrefix) {
    return "";
  }
  const std::string_view id = path.substr(kRequisitionPathPrefix.size());
  return id.find('/') == std::string_view::npos ? id : "";
}

const LeverEndpoint* FindEndpoint(const httplib::Request& request) {
  const bool single = !RequisitionId(request.path).empty();
  if (request.method == "POST" && request.path == kRequisitionsPath) {
    return &kCreateRequisition;
  }
  if (request.method == "PUT" && single) return &kReplaceRequisition;
  if (request.method == "DELETE" && single) return &kDeleteRequisition;
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
  if (!page.has_next) {
    body += "],\"hasNext\":false}";
    return body;
  }
  const auto& last = *page.items.back();
  absl::StrAppend(&body, "],\"hasNext\":true,\"next\":\"",
                  MakePageToken({last.created_at, last.id}), "\"}");
  return body;
}

// Lever's 400 for a query it refused, else the page `store` lists for it.
template <typename Query, typename Store>
LeverReply ListReply(const absl::StatusOr<Query>& query, const Store& store) {
  if (!query.ok()) {
    return Error(400, "BadRequestError", std::string(query.status().message()));
  }
  return LeverReply{200, ListBody(store.List(*query)), ""};
}

LeverReply NoSuchRequisition() {
  return Error(404, "NotFoundError",
               "That requisition doesn't exist on your account");
}

LeverReply CodeTaken() {
  return Error(409, "ConflictError",
               "A requisition with this requisitionCode already exists");
}

// The body of a write, or Lever's 400 saying what is wrong with it.
absl::StatusOr<rapidjson::Document> ParseBody(const std::string& text) {
  rapidjson::Document body;
  body.Parse<rapidjson::kParseFullPrecisionFlag>(text.data(), text.size());
  if (body.HasParseError()) {
    return absl::InvalidArgumentError("The request body is not valid JSON");
  }
  if (std::optional<std::string> problem = RequisitionBodyProblem(body)) {
    return absl::InvalidArgumentError(*problem);
  }
  return body;
}

LeverReply BadBody(const absl::Status& status) {
  return Error(400, "BadRequestError", std::string(status.message()));
}

// The requisitionCode of a body, when it has one.
std::optional<std::string> BodyCode(const rapidjson::Value& body) {
  const auto code = body.FindMember("requisitionCode");
  if (code == body.MemberEnd() || !code->value.IsString()) return std::nullopt;
  return std::string(code->value.GetString(), code->value.GetStringLength());
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
    UserStore users, bool drafts)
    : api_keys_(std::move(api_keys)),
      drafts_(drafts),
      requisitions_(std::move(requisitions)),
      requisition_fields_body_("{\"data\":" + requisition_fields_json + "}"),
      users_(std::move(users)) {}

std::string RequestApiKey(const httplib::Request& request) {
  return BasicAuthUser(request.get_header_value("Authorization"));
}

LeverReply LeverEndpoints::Answer(const httplib::Request& request) {
  LeverReply reply = Dispatch(request, FindEndpoint(request));
  reply.route = Route(request);
  return reply;
}

std::string LeverEndpoints::Route(const httplib::Request& request) const {
  const LeverEndpoint* endpoint = FindEndpoint(request);
  return endpoint == nullptr ? request.path : endpoint->route;
}

LeverReply LeverEndpoints::Dispatch(const httplib::Request& request,
                                    const LeverEndpoint* endpoint) {
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
    case LeverEndpointKind::kCreateRequisition:
      return CreateRequisition(request);
    case LeverEndpointKind::kReplaceRequisition:
      return ReplaceRequisition(request);
    case LeverEndpointKind::kDeleteRequisition:
      return DeleteRequisition(RequisitionId(request.path));
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
  std::shared_lock<std::shared_mutex> lock(requisitions_mutex_);
  return ListReply(ParseRequisitionQuery(request.params), requisitions_);
}

LeverReply LeverEndpoints::ListUsers(const httplib::Request& request) const {
  return ListReply(ParseUserQuery(request.params), users_);
}

LeverReply LeverEndpoints::GetRequisition(std::string_view id) const {
  std::shared_lock<std::shared_mutex> lock(requisitions_mutex_);
  const StoredRequisition* requisition = requisitions_.Find(id);
  if (requisition == nullptr) return NoSuchRequisition();
  return LeverReply{200, "{\"data\":" + requisition->json + "}", ""};
}

std::int64_t LeverEndpoints::NextWriteTime() {
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  last_write_ms_ = std::max(now, last_write_ms_ + 1);
  return last_write_ms_;
}

LeverReply LeverEndpoints::CreateRequisition(const httplib::Request& request) {
  absl::StatusOr<rapidjson::Document> body = ParseBody(request.body);
  if (!body.ok()) return BadBody(body.status());
  std::unique_lock<std::shared_mutex> lock(requisitions_mutex_);
  const std::optional<std::string> code = BodyCode(*body);
  if (code && requisitions_.FindByCode(*code) != nullptr) return CodeTaken();
  const std::string id =
      absl::StrFormat("f4ce0000-0000-4000-8000-%012d", ++created_);
  const rapidjson::Document record =
      CreatedRecord(*body, id, NextWriteTime(), drafts_);
  requisitions_.Put(ToStoredRequisition(record));
  return LeverReply{201, WriteAnswer(record), ""};
}

LeverReply LeverEndpoints::ReplaceRequisition(const httplib::Request& request) {
  const std::string_view id = RequisitionId(request.path);
  absl::StatusOr<rapidjson::Document> body = ParseBody(request.body);
  std::unique_lock<std::shared_mutex> lock(requisitions_mutex_);
  const StoredRequisition* stored = requisitions_.Find(id);
  if (stored == nullptr) return NoSuchRequisition();
  if (!body.ok()) return BadBody(body.status());
  const std::optional<std::string> code = BodyCode(*body);
  const StoredRequisition* holder =
      code ? requisitions_.FindByCode(*code) : nullptr;
  if (holder != nullptr && holder->id != id) return CodeTaken();
  rapidjson::Document current;
  current.Parse(stored->json.data(), stored->json.size());
  const rapidjson::Document record =
      ReplacedRecord(current, *body, NextWriteTime());
  requisitions_.Put(ToStoredRequisition(record));
  return LeverReply{200, WriteAnswer(record), ""};
}

LeverReply LeverEndpoints::DeleteRequisition(std::string_view id) {
  std::unique_lock<std::shared_mutex> lock(requisitions_mutex_);
  if (!requisitions_.Remove(id)) return NoSuchRequisition();
  return LeverReply{204, "", ""};
}

absl::Status LeverEndpoints::EditRequisition(std::string_view id,
                                             std::string_view patch_json) {
  rapidjson::Document patch;
  patch.Parse(patch_json.data(), patch_json.size());
  if (patch.HasParseError() || !patch.IsObject()) {
    return absl::InvalidArgumentError("the patch is not a JSON object");
  }
  std::unique_lock<std::shared_mutex> lock(requisitions_mutex_);
  const StoredRequisition* stored = requisitions_.Find(id);
  if (stored == nullptr) {
    return absl::NotFoundError("no requisition has that id");
  }
  rapidjson::Document current;
  current.Parse(stored->json.data(), stored->json.size());
  requisitions_.Put(
      ToStoredRequisition(EditedRecord(current, patch, NextWriteTime())));
  return absl::OkStatus();
}

std::optional<std::string> LeverEndpoints::RequisitionByCode(
    std::string_view code) const {
  std::shared_lock<std::shared_mutex> lock(requisitions_mutex_);
  const StoredRequisition* stored = requisitions_.FindByCode(code);
  if (stored == nullptr) return std::nullopt;
  return stored->json;
}

std::size_t LeverEndpoints::RequisitionCount() const {
  std::shared_lock<std::shared_mutex> lock(requisitions_mutex_);
  return requisitions_.size();
}

LeverReply LeverEndpoints::ListRequisitionFields() const {
  return LeverReply{200, requisition_fields_body_, ""};
}

}  // namespace leverconnect::testing

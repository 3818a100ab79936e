#include "lib/lever/lever_client.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/http/excerpt.h"
#include "lib/http/url.h"
#include "lib/metrics/metrics.h"
#include "lib/retry/retry_wait.h"
#include "lib/text/utf8.h"
#include "rapidjson/error/en.h"

namespace leverconnect::lever {
namespace {

// Lever's message for a paging cursor it no longer accepts, and the status
// payload that marks such an answer.
constexpr absl::string_view kInvalidOffsetTokenMessage = "Invalid offset token";
constexpr absl::string_view kInvalidOffsetTokenPayload =
    "leverconnect/invalid-offset-token";

// The status payload that marks Lever's 403 (a permission the key lacks).
constexpr absl::string_view kMissingPermissionPayload =
    "leverconnect/missing-permission";

// The status payload that marks a create Lever may or may not have done.
constexpr absl::string_view kMayHaveCreatedPayload =
    "leverconnect/requisition-may-have-been-created";

// An id no requisition has: the write probe's PUT can change nothing.
constexpr absl::string_view kNilRequisitionId =
    "00000000-0000-0000-0000-000000000000";

// Lever's {"code": ..., "message": ...}, or an excerpt when it is not that.
std::string LeverMessage(absl::string_view body) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (!document.HasParseError() && document.IsObject()) {
    const auto message = document.FindMember("message");
    if (message != document.MemberEnd() && message->value.IsString()) {
      const auto code = document.FindMember("code");
      std::string text = message->value.GetString();
      if (code != document.MemberEnd() && code->value.IsString()) {
        text = absl::StrCat(code->value.GetString(), ": ", text);
      }
      return text;
    }
  }
  return http::BodyExcerpt(body);
}

}  // namespace

absl::Status StatusFromLeverAnswer(absl::string_view what,
                                   absl::string_view permission,
                                   const http::Response& response) {
  const int status = response.status;
  if (status >= 200 && status < 300) return absl::OkStatus();

  const std::string answer =
      absl::StrCat("Lever answered ", what, " with HTTP ", status, " (",
                   LeverMessage(response.body), ")");
  if (status == 401) {
    return absl::FailedPreconditionError(
        absl::StrCat("Lever rejected the API key: ", answer));
  }
  if (status == 403) {
    absl::Status forbidden = absl::FailedPreconditionError(
        absl::StrCat("the Lever API key lacks the \"", permission,
                     "\" permission: ", answer));
    forbidden.SetPayload(kMissingPermissionPayload, absl::Cord(permission));
    return forbidden;
  }
  if (status == 404) {
    return absl::FailedPreconditionError(absl::StrCat(
        answer, "; check the Lever base URL configured for the environment"));
  }
  if (status == 429 || status >= 500) return absl::UnavailableError(answer);
  absl::Status refused = absl::InternalError(answer);
  if (status == 400 &&
      absl::StrContains(response.body, kInvalidOffsetTokenMessage)) {
    refused.SetPayload(kInvalidOffsetTokenPayload, absl::Cord("1"));
  }
  return refused;
}

bool IsInvalidOffsetToken(const absl::Status& status) {
  return status.GetPayload(kInvalidOffsetTokenPayload).has_value();
}

bool IsMissingPermission(const absl::Status& status) {
  return status.GetPayload(kMissingPermissionPayload).has_value();
}

bool MayHaveCreated(const absl::Status& status) {
  return status.GetPayload(kMayHaveCreatedPayload).has_value();
}

absl::Status ValidateBaseUrl(absl::string_view url) {
  return http::ValidateBaseUrl("Lever", url);
}

std::string EncodeQueryValue(absl::string_view text) {
  return http::EncodeQueryValue(text);
}

LeverClient::LeverClient(http::HttpClient& http, retry::Clock& clock,
                         std::function<double()> random, Options options)
    : http_(http),
      clock_(clock),
      policy_(options.retry, std::move(random)),
      options_(std::move(options)) {}

http::Request LeverClient::MakeRequest(const Call& call,
                                       const CallContext& context,
                                       absl::Duration timeout) const {
  http::Request request;
  request.method = std::string(call.method);
  request.url = call.url;
  request.headers = {{"Accept", "application/json"}};
  if (call.method != "GET") {
    request.headers.emplace_back("Content-Type", "application/json");
    request.body = call.body;
  }
  request.basic_auth_user = options_.api_key;
  request.timeout = timeout;
  request.cancelled = context.cancelled;
  // A request that must not take effect twice is never re-sent by the
  // HTTP library behind our back.
  request.fresh_connection = static_cast<bool>(call.recover);
  return request;
}

LeverCallStats LeverClient::stats() const {
  absl::MutexLock lock(&stats_mu_);
  return stats_;
}

void LeverClient::Count(const std::function<void(LeverCallStats&)>& change) {
  absl::MutexLock lock(&stats_mu_);
  change(stats_);
}

absl::StatusOr<absl::Duration> LeverClient::AwaitTurn(
    absl::string_view what, const CallContext& context) {
  if (context.IsCancelled()) {
    return absl::CancelledError(absl::StrCat(what, ": cancelled"));
  }
  if (options_.budget != nullptr) {
    absl::StatusOr<absl::Duration> waited =
        options_.budget->Acquire(context.deadline, context.cancelled);
    if (!waited.ok()) {
      return absl::Status(waited.status().code(),
                          absl::StrCat(what, ": ", waited.status().message()));
    }
    metrics::AddLeverBudgetWait(*waited);
    absl::MutexLock lock(&stats_mu_);
    stats_.budget_wait += *waited;
  }
  const absl::Duration remaining = context.deadline - clock_.Now();
  if (remaining <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError(
        absl::StrCat(what, ": the deadline passed before Lever answered"));
  }
  return std::min(remaining, options_.attempt_timeout);
}

absl::StatusOr<http::Response> LeverClient::Send(const Call& call,
                                                 const CallContext& context,
                                                 absl::Duration timeout) {
  Count([](LeverCallStats& stats) { ++stats.requests; });
  absl::StatusOr<http::Response> outcome =
      http_.Send(MakeRequest(call, context, timeout));
  metrics::CountLeverRequest(outcome.ok() ? outcome->status : 0);
  if (outcome.ok() && outcome->status == 429) {
    Count([](LeverCallStats& stats) { ++stats.rate_limited; });
  }
  return outcome;
}

namespace {

// The JSON object of a successful answer, when it is one whose "data" is a
// list (or an object when `data_is_list` is false); otherwise an
// UNAVAILABLE status saying what came instead. Returns the whole envelope
// for a list, the "data" object for an object. With `in_place`, the body
// moves there and is parsed in place: the document's strings point into
// it instead of being copied.
absl::StatusOr<rapidjson::Document> ParseAnswer(absl::string_view what,
                                                http::Response& response,
                                                bool data_is_list,
                                                std::string* in_place) {
  rapidjson::Document document;
  std::string head;  // what an error quotes: in place, parsing changes it
  if (in_place != nullptr) {
    *in_place = std::move(response.body);
    head = in_place->substr(0, http::kBodyExcerptLength + 1);
    document.ParseInsitu(in_place->data());
  } else {
    document.Parse(response.body.data(), response.body.size());
  }
  const absl::string_view body =
      in_place != nullptr ? absl::string_view(head) : response.body;
  if (document.HasParseError() || !document.IsObject()) {
    return absl::UnavailableError(absl::StrCat(
        "Lever answered ", what, " with HTTP ", response.status,
        " but the body is not a JSON object: ", http::BodyExcerpt(body)));
  }
  const auto data = document.FindMember("data");
  const bool fits =
      data != document.MemberEnd() &&
      (data_is_list ? data->value.IsArray() : data->value.IsObject());
  if (!fits) {
    return absl::UnavailableError(absl::StrCat(
        "Lever answered ", what, " with HTTP ", response.status,
        " but \"data\" is not ",
        data_is_list ? "a list: " : "an object: ", http::BodyExcerpt(body)));
  }
  if (data_is_list) return document;
  rapidjson::Document object;
  object.CopyFrom(data->value, object.GetAllocator());
  return object;
}

// What Lever's answer to `call` means: as StatusFromLeverAnswer, except
// that a single requisition's 404 is NOT_FOUND and that a write's 400 and
// 422 (the values refused) are INVALID_ARGUMENT and its 409 (a code taken)
// ALREADY_EXISTS.
absl::Status AnswerStatus(absl::string_view what, absl::string_view method,
                          absl::string_view permission, bool single,
                          const http::Response& response) {
  absl::Status status = StatusFromLeverAnswer(what, permission, response);
  if (status.ok()) return status;
  const std::string answer =
      absl::StrCat("Lever answered ", what, " with HTTP ", response.status,
                   " (", LeverMessage(response.body), ")");
  if (single && response.status == 404) return absl::NotFoundError(answer);
  if (method == "GET") return status;
  if (response.status == 400 || response.status == 422) {
    return absl::InvalidArgumentError(answer);
  }
  if (response.status == 409) return absl::AlreadyExistsError(answer);
  return status;
}

}  // namespace

absl::StatusOr<rapidjson::Document> LeverClient::Perform(
    const Call& call, const CallContext& context) {
  const std::string what = absl::StrCat(call.method, " ", call.endpoint.path);
  const bool single = !call.data_is_list;
  const absl::Time start = clock_.Now();
  for (int attempt = 1;; ++attempt) {
    // Not being allowed to ask (cancelled, out of time) is final.
    absl::StatusOr<absl::Duration> timeout = AwaitTurn(what, context);
    if (!timeout.ok()) return timeout.status();
    absl::StatusOr<http::Response> outcome = Send(call, context, *timeout);
    if (context.IsCancelled()) {
      return absl::CancelledError(absl::StrCat(what, ": cancelled"));
    }
    retry::RetryCause cause = retry::RetryPolicy::Classify(outcome);
    absl::Status failure =
        outcome.ok() ? AnswerStatus(what, call.method, call.endpoint.permission,
                                    single, *outcome)
                     : outcome.status();
    if (failure.ok()) {
      absl::StatusOr<rapidjson::Document> document =
          ParseAnswer(what, *outcome, call.data_is_list, call.in_place);
      if (document.ok()) return document;
      failure = document.status();
      cause = retry::RetryCause::kMalformed;
    }
    if (cause == retry::RetryCause::kNone) return failure;
    if (call.recover && !retry::SurelyNotApplied(outcome)) {
      absl::StatusOr<std::optional<rapidjson::Document>> recovered =
          call.recover(failure);
      if (!recovered.ok()) return recovered.status();
      if (recovered->has_value()) return std::move(**recovered);
    }
    if (!policy_.MayRetry(attempt, clock_.Now() - start)) {
      return absl::UnavailableError(
          absl::StrCat("Lever still failing after ", attempt,
                       " attempts: ", failure.message()));
    }

    const absl::Duration wait =
        policy_.BackoffAfter(attempt, outcome, clock_.Now());
    absl::Status waited = retry::WaitBeforeRetry(
        clock_, context, wait, {"Lever", what, attempt, cause, failure});
    if (!waited.ok()) return waited;
    metrics::CountLeverRetry(retry::RetryCauseName(cause));
    Count([&](LeverCallStats& stats) {
      stats.backoff += wait;
      ++stats.retries;
      ++stats.retries_by_cause[std::string(retry::RetryCauseName(cause))];
    });
  }
}

absl::StatusOr<rapidjson::Document> LeverClient::Fetch(
    const Endpoint& endpoint, const std::string& url,
    const CallContext& context) {
  Call call;
  call.endpoint = endpoint;
  call.url = url;
  return Perform(call, context);
}

namespace {

// The URL of GET /requisitions with `query`.
std::string RequisitionsUrl(absl::string_view base_url,
                            const RequisitionQuery& query) {
  std::string url = absl::StrCat(base_url, "/requisitions?limit=", query.limit);
  // The token arrives percent-encoded already; re-encoding it would change
  // what Lever receives.
  if (!query.offset.empty()) absl::StrAppend(&url, "&offset=", query.offset);
  const std::pair<const char*, const std::string*> text_parameters[] = {
      {"status", &query.status},
      {"confidentiality", &query.confidentiality},
      {"requisition_code", &query.requisition_code}};
  for (const auto& [name, value] : text_parameters) {
    if (!value->empty()) {
      absl::StrAppend(&url, "&", name, "=", EncodeQueryValue(*value));
    }
  }
  if (query.created_at_start_ms) {
    absl::StrAppend(&url, "&created_at_start=", *query.created_at_start_ms);
  }
  if (query.created_at_end_ms) {
    absl::StrAppend(&url, "&created_at_end=", *query.created_at_end_ms);
  }
  return url;
}

}  // namespace

absl::StatusOr<RequisitionPage> LeverClient::ListRequisitions(
    const RequisitionQuery& query, const CallContext& context) {
  RequisitionPage page;
  Call call;
  call.endpoint = {"/requisitions", kListRequisitions};
  call.url = RequisitionsUrl(options_.base_url, query);
  call.in_place = page.body.get();
  absl::StatusOr<rapidjson::Document> document = Perform(call, context);
  if (!document.ok()) return document.status();
  page.document = std::move(*document);
  // After parsing: escapes are decoded by then (see lib/text/utf8.h).
  page.text_is_utf8 = text::IsUtf8(*page.body);
  const auto has_next = page.document.FindMember("hasNext");
  page.has_next = has_next != page.document.MemberEnd() &&
                  has_next->value.IsBool() && has_next->value.GetBool();
  const auto next = page.document.FindMember("next");
  if (next != page.document.MemberEnd() && next->value.IsString()) {
    page.next = next->value.GetString();
  }
  return page;
}

absl::Status LeverClient::FetchEveryPage(
    const Endpoint& endpoint, const std::string& url,
    const CallContext& context,
    const std::function<void(rapidjson::Document& page)>& on_page) {
  const absl::string_view separator =
      url.find('?') == std::string::npos ? "?" : "&";
  std::string offset;
  for (int page = 0; page < 1000; ++page) {
    const std::string page_url =
        offset.empty() ? url : absl::StrCat(url, separator, "offset=", offset);
    absl::StatusOr<rapidjson::Document> document =
        Fetch(endpoint, page_url, context);
    if (!document.ok()) return document.status();
    on_page(*document);
    const auto next = document->FindMember("next");
    const auto has_next = document->FindMember("hasNext");
    const bool more = has_next != document->MemberEnd() &&
                      has_next->value.IsBool() && has_next->value.GetBool() &&
                      next != document->MemberEnd() && next->value.IsString() &&
                      offset != next->value.GetString();
    if (!more) return absl::OkStatus();
    offset = next->value.GetString();
  }
  return absl::UnavailableError(absl::StrCat(
      "Lever kept answering GET ", endpoint.path, " with more pages"));
}

absl::StatusOr<rapidjson::Document> LeverClient::ListRequisitionFields(
    const CallContext& context) {
  rapidjson::Document fields(rapidjson::kArrayType);
  absl::Status read = FetchEveryPage(
      {"/requisition_fields", kListRequisitionFields},
      absl::StrCat(options_.base_url, "/requisition_fields"), context,
      [&fields](rapidjson::Document& page) {
        for (auto& field : page["data"].GetArray()) {
          fields.PushBack(rapidjson::Value(field, fields.GetAllocator()),
                          fields.GetAllocator());
        }
      });
  if (!read.ok()) return read;
  return fields;
}

namespace {

// The member `key` of `object` when it is a string.
std::optional<std::string> StringMember(const rapidjson::Value& object,
                                        const char* key) {
  const auto member = object.FindMember(key);
  if (member == object.MemberEnd() || !member->value.IsString()) {
    return std::nullopt;
  }
  // Names and e-mails go into rows, which must be UTF-8 (lib/text/utf8.h).
  return text::RepairedUtf8(absl::string_view(member->value.GetString(),
                                              member->value.GetStringLength()));
}

}  // namespace

absl::StatusOr<UserDirectory> LeverClient::ListUsers(
    const CallContext& context) {
  UserDirectory users;
  absl::Status read = FetchEveryPage(
      {"/users", kListUsers},
      absl::StrCat(options_.base_url,
                   "/users?limit=100&includeDeactivated=true"),
      context, [&users](rapidjson::Document& page) {
        for (const rapidjson::Value& user : page["data"].GetArray()) {
          if (!user.IsObject()) continue;
          std::optional<std::string> id = StringMember(user, "id");
          if (!id) continue;
          users.try_emplace(*std::move(id),
                            LeverUser{StringMember(user, "name"),
                                      StringMember(user, "email")});
        }
      });
  if (!read.ok()) return read;
  return users;
}

absl::StatusOr<rapidjson::Document> LeverClient::FindRequisitionsByCode(
    absl::string_view code, const CallContext& context) {
  RequisitionQuery query;
  query.limit = 2;
  query.requisition_code = std::string(code);
  // Parsed by copy, not in place like ListRequisitions: the requisitions
  // found are copied out of the page, and a copy of a string parsed in
  // place would still point into the page.
  absl::StatusOr<rapidjson::Document> page =
      Fetch({"/requisitions", kListRequisitions},
            RequisitionsUrl(options_.base_url, query), context);
  if (!page.ok()) return page.status();
  rapidjson::Document found(rapidjson::kArrayType);
  for (const rapidjson::Value& requisition : (*page)["data"].GetArray()) {
    found.PushBack(rapidjson::Value(requisition, found.GetAllocator()),
                   found.GetAllocator());
  }
  return found;
}

absl::StatusOr<rapidjson::Document> LeverClient::GetRequisition(
    absl::string_view id, const CallContext& context) {
  Call call;
  call.endpoint = {"/requisitions/{id}", kListRequisitions};
  call.url =
      absl::StrCat(options_.base_url, "/requisitions/", EncodeQueryValue(id));
  call.data_is_list = false;
  return Perform(call, context);
}

namespace {

// The status of a create given up while Lever may hold the requisition.
absl::Status MayHaveCreatedError(absl::string_view code,
                                 absl::string_view why) {
  absl::Status status = absl::UnavailableError(
      absl::StrCat(why, "; Lever may or may not have created requisition \"",
                   code, "\": its code is looked up before any other try"));
  status.SetPayload(kMayHaveCreatedPayload, absl::Cord("1"));
  return status;
}

}  // namespace

absl::StatusOr<CreatedRequisition> LeverClient::CreateRequisition(
    absl::string_view code, std::string body, const CallContext& context) {
  bool found_after_lost_answer = false;
  Call call;
  call.method = "POST";
  call.endpoint = {"/requisitions", kWriteRequisitions};
  call.url = absl::StrCat(options_.base_url, "/requisitions");
  call.body = std::move(body);
  call.data_is_list = false;
  call.recover = [&](const absl::Status& failure)
      -> absl::StatusOr<std::optional<rapidjson::Document>> {
    absl::StatusOr<rapidjson::Document> found =
        FindRequisitionsByCode(code, context);
    if (!found.ok()) {
      return MayHaveCreatedError(
          code,
          absl::StrCat(
              "the answer to POST /requisitions was lost (", failure.message(),
              ") and looking the code up failed: ", found.status().message()));
    }
    if (found->Empty()) return std::nullopt;
    found_after_lost_answer = true;
    rapidjson::Document requisition;
    requisition.CopyFrom((*found)[0], requisition.GetAllocator());
    return std::optional<rapidjson::Document>(std::move(requisition));
  };

  absl::StatusOr<rapidjson::Document> created = Perform(call, context);
  if (!created.ok()) {
    if (absl::IsCancelled(created.status()) ||
        absl::IsDeadlineExceeded(created.status())) {
      return MayHaveCreatedError(code, created.status().message());
    }
    return created.status();
  }
  return CreatedRequisition{*std::move(created), found_after_lost_answer};
}

absl::StatusOr<rapidjson::Document> LeverClient::UpdateRequisition(
    absl::string_view id, std::string body, const CallContext& context) {
  Call call;
  call.method = "PUT";
  call.endpoint = {"/requisitions/{id}", kWriteRequisitions};
  call.url =
      absl::StrCat(options_.base_url, "/requisitions/", EncodeQueryValue(id));
  call.body = std::move(body);
  call.data_is_list = false;
  return Perform(call, context);
}

namespace {

// The request Probe sends for `permission`.
struct ProbeRequest {
  absl::string_view method = "GET";
  absl::string_view path;  // for messages
  std::string url_path;    // after the base URL
};

ProbeRequest ProbeFor(absl::string_view permission) {
  if (permission == kWriteRequisitions) {
    return {"PUT", "/requisitions/{id}",
            absl::StrCat("/requisitions/", kNilRequisitionId)};
  }
  if (permission == kListRequisitionFields) {
    return {"GET", "/requisition_fields", "/requisition_fields?limit=1"};
  }
  return {"GET", "/requisitions", "/requisitions?limit=1"};
}

}  // namespace

ProbeResult LeverClient::Probe(absl::string_view permission,
                               const CallContext& context) {
  const ProbeRequest probe = ProbeFor(permission);
  const std::string what = absl::StrCat(probe.method, " ", probe.path);
  Call call;
  call.method = probe.method;
  call.url = absl::StrCat(options_.base_url, probe.url_path);
  call.body = "{}";

  ProbeResult result;
  absl::StatusOr<absl::Duration> timeout = AwaitTurn(what, context);
  // Latency is Lever's: it starts once the budget has let the request go.
  const absl::Time start = clock_.Now();
  absl::StatusOr<http::Response> response =
      timeout.ok() ? Send(call, context, *timeout)
                   : absl::StatusOr<http::Response>(timeout.status());
  result.latency = clock_.Now() - start;
  if (!response.ok()) {
    result.status = response.status();
    return result;
  }
  result.http_status = response->status;
  result.status = StatusFromLeverAnswer(what, permission, *response);
  const int status = response->status;
  if (call.method == "PUT" &&
      (status == 400 || status == 404 || status == 409 || status == 422)) {
    // Refused for what it asked, not for who asked.
    result.status = absl::OkStatus();
  }
  return result;
}

}  // namespace leverconnect::lever

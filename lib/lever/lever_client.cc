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

http::Request LeverClient::MakeRequest(std::string url,
                                       const CallContext& context,
                                       absl::Duration timeout) const {
  http::Request request;
  request.url = std::move(url);
  request.headers = {{"Accept", "application/json"}};
  request.basic_auth_user = options_.api_key;
  request.timeout = timeout;
  request.cancelled = context.cancelled;
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

absl::StatusOr<http::Response> LeverClient::Send(const std::string& url,
                                                 const CallContext& context,
                                                 absl::Duration timeout) {
  Count([](LeverCallStats& stats) { ++stats.requests; });
  absl::StatusOr<http::Response> outcome =
      http_.Send(MakeRequest(url, context, timeout));
  metrics::CountLeverRequest(outcome.ok() ? outcome->status : 0);
  if (outcome.ok() && outcome->status == 429) {
    Count([](LeverCallStats& stats) { ++stats.rate_limited; });
  }
  return outcome;
}

namespace {

// The JSON object of a successful answer, when it is one with a "data"
// list; otherwise an UNAVAILABLE status saying what came instead.
absl::StatusOr<rapidjson::Document> ParseListAnswer(
    absl::string_view what, const http::Response& response) {
  rapidjson::Document document;
  document.Parse(response.body.data(), response.body.size());
  if (document.HasParseError() || !document.IsObject()) {
    return absl::UnavailableError(
        absl::StrCat("Lever answered ", what, " with HTTP ", response.status,
                     " but the body is not a JSON object: ",
                     http::BodyExcerpt(response.body)));
  }
  const auto data = document.FindMember("data");
  if (data == document.MemberEnd() || !data->value.IsArray()) {
    return absl::UnavailableError(absl::StrCat(
        "Lever answered ", what, " with HTTP ", response.status,
        " but \"data\" is not a list: ", http::BodyExcerpt(response.body)));
  }
  return document;
}

}  // namespace

absl::StatusOr<rapidjson::Document> LeverClient::Fetch(
    const Endpoint& endpoint, const std::string& url,
    const CallContext& context) {
  const std::string what = absl::StrCat("GET ", endpoint.path);
  const absl::Time start = clock_.Now();
  for (int attempt = 1;; ++attempt) {
    // Not being allowed to ask (cancelled, out of time) is final.
    absl::StatusOr<absl::Duration> timeout = AwaitTurn(what, context);
    if (!timeout.ok()) return timeout.status();
    absl::StatusOr<http::Response> outcome = Send(url, context, *timeout);
    if (context.IsCancelled()) {
      return absl::CancelledError(absl::StrCat(what, ": cancelled"));
    }
    retry::RetryCause cause = retry::RetryPolicy::Classify(outcome);
    absl::Status failure =
        outcome.ok()
            ? StatusFromLeverAnswer(what, endpoint.permission, *outcome)
            : outcome.status();
    if (failure.ok()) {
      absl::StatusOr<rapidjson::Document> document =
          ParseListAnswer(what, *outcome);
      if (document.ok()) return document;
      failure = document.status();
      cause = retry::RetryCause::kMalformed;
    }
    if (cause == retry::RetryCause::kNone) return failure;
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

absl::StatusOr<RequisitionPage> LeverClient::ListRequisitions(
    const RequisitionQuery& query, const CallContext& context) {
  std::string url =
      absl::StrCat(options_.base_url, "/requisitions?limit=", query.limit);
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

  absl::StatusOr<rapidjson::Document> document =
      Fetch({"/requisitions", kListRequisitions}, url, context);
  if (!document.ok()) return document.status();
  RequisitionPage page;
  page.document = std::move(*document);
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
  return std::string(member->value.GetString(),
                     member->value.GetStringLength());
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

ProbeResult LeverClient::Probe(absl::string_view permission,
                               const CallContext& context) {
  const bool fields = permission == kListRequisitionFields;
  const absl::string_view path =
      fields ? "/requisition_fields" : "/requisitions";
  const std::string what = absl::StrCat("GET ", path);
  const std::string url = absl::StrCat(options_.base_url, path, "?limit=1");

  ProbeResult result;
  absl::StatusOr<absl::Duration> timeout = AwaitTurn(what, context);
  // Latency is Lever's: it starts once the budget has let the request go.
  const absl::Time start = clock_.Now();
  absl::StatusOr<http::Response> response =
      timeout.ok() ? Send(url, context, *timeout)
                   : absl::StatusOr<http::Response>(timeout.status());
  result.latency = clock_.Now() - start;
  if (!response.ok()) {
    result.status = response.status();
    return result;
  }
  result.http_status = response->status;
  result.status = StatusFromLeverAnswer(what, permission, *response);
  return result;
}

}  // namespace leverconnect::lever

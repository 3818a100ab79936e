#include "lib/pigment/pigment_client.h"

#include <algorithm>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "lib/http/url.h"
#include "lib/pigment/pigment_answers.h"
#include "lib/retry/retry_wait.h"

namespace leverconnect::pigment {
namespace {

constexpr absl::string_view kPushPath = "/api/v1/import/push/csv";
constexpr absl::string_view kStatusWhat =
    "GET /api/v1/import/{importId}/status";

// Marks a failed push that Pigment may nonetheless have received.
constexpr absl::string_view kMayHaveArrivedPayload =
    "leverconnect/pigment-push-may-have-arrived";

// The outcome of one attempt: OK, or why not and whether retrying helps.
struct Verdict {
  absl::Status failure;
  retry::RetryCause cause = retry::RetryCause::kNone;
};

}  // namespace

struct PigmentClient::Call {
  Exchange exchange;
  http::Request request;
  // Reads a 2xx answer; a failure counts as a malformed answer.
  std::function<absl::Status(const http::Response&)> read;
};

PigmentClient::PigmentClient(http::HttpClient& http, retry::Clock& clock,
                             std::function<double()> random,
                             PigmentClientOptions options)
    : http_(http),
      clock_(clock),
      policy_(options.retry, std::move(random)),
      options_(std::move(options)) {}

absl::StatusOr<std::string> PigmentClient::PushCsvFile(
    absl::string_view configuration_id, const std::string& path,
    const CallContext& context) {
  if (configuration_id.empty()) {
    return absl::InvalidArgumentError(
        "the Pigment import configuration id is empty");
  }
  const std::string what = absl::StrCat("POST ", kPushPath);
  Call call;
  call.exchange = {what, /*push=*/true, configuration_id};
  call.request.method = "POST";
  call.request.url = absl::StrCat(
      options_.base_url, kPushPath,
      "?configurationId=", http::EncodeQueryValue(configuration_id));
  call.request.headers = {{"Content-Type", "text/csv"}};
  call.request.body_file = path;
  std::string import_id;
  call.read = [&](const http::Response& response) {
    absl::StatusOr<std::string> id = ParseImportId(call.exchange, response);
    if (!id.ok()) return id.status();
    import_id = *std::move(id);
    return absl::OkStatus();
  };
  absl::Status performed = Perform(call, context);
  if (!performed.ok()) return performed;
  return import_id;
}

absl::StatusOr<ImportReport> PigmentClient::GetImportStatus(
    absl::string_view import_id, const CallContext& context) {
  if (import_id.empty()) {
    return absl::InvalidArgumentError("the Pigment import id is empty");
  }
  Call call;
  call.exchange = {kStatusWhat, /*push=*/false, import_id};
  call.request.url = absl::StrCat(options_.base_url, "/api/v1/import/",
                                  http::EncodeQueryValue(import_id),
                                  "/status?includedDetailedReport=true");
  ImportReport report;
  call.read = [&](const http::Response& response) {
    absl::StatusOr<ImportReport> read =
        ParseImportReport(call.exchange, response);
    if (!read.ok()) return read.status();
    report = *std::move(read);
    return absl::OkStatus();
  };
  absl::Status performed = Perform(call, context);
  if (!performed.ok()) return performed;
  return report;
}

absl::StatusOr<ImportReport> PigmentClient::WaitForImport(
    absl::string_view import_id, const WaitOptions& wait,
    const CallContext& context) {
  if (wait.initial_poll <= absl::ZeroDuration() ||
      wait.max_poll < wait.initial_poll) {
    return absl::InvalidArgumentError(
        "poll intervals must be positive, and max_poll at least "
        "initial_poll");
  }
  const absl::Time give_up = clock_.Now() + wait.max_wait;
  absl::Duration interval = wait.initial_poll;
  while (true) {
    absl::StatusOr<ImportReport> report = GetImportStatus(import_id, context);
    if (!report.ok() || report->state != ImportReport::State::kInProgress) {
      return report;
    }

    const absl::Time now = clock_.Now();
    if (now >= give_up) {
      return absl::DeadlineExceededError(absl::StrCat(
          "Pigment import ", import_id, " is still InProgress after ",
          absl::FormatDuration(wait.max_wait), " of waiting"));
    }
    const absl::Duration pause = std::min(interval, give_up - now);
    if (now + pause >= context.deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "the deadline would pass before Pigment import ", import_id,
          " could be asked about again; it is still InProgress"));
    }
    if (!clock_.Sleep(pause, context.cancelled)) {
      return absl::CancelledError(absl::StrCat(
          "cancelled while waiting for Pigment import ", import_id));
    }
    interval = std::min(interval * 2, wait.max_poll);
  }
}

http::Request PigmentClient::MakeRequest(const Call& call,
                                         const CallContext& context,
                                         absl::Duration timeout) const {
  http::Request request = call.request;
  request.headers.emplace_back("Accept", "application/json");
  request.headers.emplace_back("Authorization",
                               absl::StrCat("Bearer ", options_.import_key));
  request.timeout = timeout;
  request.cancelled = context.cancelled;
  // libcurl may resend a request on a new connection when a kept one turns
  // out closed; a push must never reach Pigment twice.
  request.fresh_connection = call.exchange.push;
  return request;
}

absl::StatusOr<absl::Duration> PigmentClient::AttemptTimeout(
    absl::string_view what, const CallContext& context) {
  if (context.IsCancelled()) {
    return absl::CancelledError(absl::StrCat(what, ": cancelled"));
  }
  const absl::Duration remaining = context.deadline - clock_.Now();
  if (remaining <= absl::ZeroDuration()) {
    return absl::DeadlineExceededError(
        absl::StrCat(what, ": the deadline passed before Pigment answered"));
  }
  return std::min(remaining, options_.attempt_timeout);
}

absl::Status PigmentClient::Redacted(const absl::Status& status) const {
  if (status.ok() || options_.import_key.empty() ||
      status.message().find(options_.import_key) == absl::string_view::npos) {
    return status;
  }
  absl::Status redacted(
      status.code(),
      absl::StrReplaceAll(status.message(),
                          {{options_.import_key, "[import key]"}}));
  status.ForEachPayload(
      [&redacted](absl::string_view type, const absl::Cord& payload) {
        redacted.SetPayload(type, payload);
      });
  return redacted;
}

namespace {

// The status of a push given up at once because Pigment may have it.
absl::Status MayHaveArrived(const Exchange& exchange, const Verdict& verdict,
                            bool deadline_passed) {
  absl::StatusCode code = absl::StatusCode::kUnavailable;
  if (verdict.failure.code() == absl::StatusCode::kCancelled) {
    code = absl::StatusCode::kCancelled;
  } else if (verdict.cause == retry::RetryCause::kMalformed) {
    code = absl::StatusCode::kInternal;
  } else if (deadline_passed) {
    code = absl::StatusCode::kDeadlineExceeded;
  }
  absl::Status status(
      code, absl::StrCat(verdict.failure.message(),
                         "; the push to import configuration ", exchange.id,
                         " may or may not have been received by Pigment, so "
                         "it was not repeated: check the imports in Pigment "
                         "before pushing the file again"));
  status.SetPayload(kMayHaveArrivedPayload, absl::Cord("1"));
  return status;
}

// The status after the last attempt allowed.
absl::Status GiveUp(const Verdict& verdict, int attempts) {
  return absl::Status(verdict.cause == retry::RetryCause::kRateLimited
                          ? absl::StatusCode::kResourceExhausted
                          : absl::StatusCode::kUnavailable,
                      absl::StrCat("Pigment still failing after ", attempts,
                                   " attempts: ", verdict.failure.message()));
}

Verdict Judge(const absl::StatusOr<http::Response>& outcome,
              const std::function<absl::Status(const http::Response&)>& read,
              const Exchange& exchange) {
  Verdict verdict;
  verdict.cause = retry::RetryPolicy::Classify(outcome);
  if (!outcome.ok()) {
    verdict.failure = outcome.status();
    return verdict;
  }
  verdict.failure = StatusFromPigmentAnswer(exchange, *outcome);
  if (verdict.failure.ok()) {
    verdict.failure = read(*outcome);
    if (!verdict.failure.ok()) verdict.cause = retry::RetryCause::kMalformed;
  }
  return verdict;
}

}  // namespace

absl::Status PigmentClient::Perform(const Call& call,
                                    const CallContext& context) {
  const Exchange& exchange = call.exchange;
  const absl::Status valid = ValidatePigmentBaseUrl(options_.base_url);
  if (!valid.ok()) return valid;
  const absl::Time start = clock_.Now();
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<absl::Duration> timeout =
        AttemptTimeout(exchange.what, context);
    if (!timeout.ok()) return timeout.status();
    const absl::StatusOr<http::Response> outcome =
        http_.Send(MakeRequest(call, context, *timeout));

    Verdict verdict = Judge(outcome, call.read, exchange);
    verdict.failure = Redacted(verdict.failure);
    if (verdict.failure.ok()) return verdict.failure;
    const bool unknown = exchange.push && !retry::SurelyNotApplied(outcome);
    if (context.IsCancelled()) {
      verdict.failure =
          absl::CancelledError(absl::StrCat(exchange.what, ": cancelled"));
      return unknown ? MayHaveArrived(exchange, verdict, false)
                     : verdict.failure;
    }
    if (verdict.cause == retry::RetryCause::kNone) return verdict.failure;
    if (unknown) {
      return MayHaveArrived(exchange, verdict,
                            clock_.Now() >= context.deadline);
    }
    if (!policy_.MayRetry(attempt, clock_.Now() - start)) {
      return GiveUp(verdict, attempt);
    }

    const absl::Duration wait =
        policy_.BackoffAfter(attempt, outcome, clock_.Now());
    absl::Status waited = retry::WaitBeforeRetry(
        clock_, context, wait,
        {"Pigment", exchange.what, attempt, verdict.cause, verdict.failure});
    if (!waited.ok()) return waited;
  }
}

bool PushMayHaveArrived(const absl::Status& status) {
  return status.GetPayload(kMayHaveArrivedPayload).has_value();
}

absl::Status ValidatePigmentBaseUrl(absl::string_view url) {
  return http::ValidateBaseUrl("Pigment", url);
}

}  // namespace leverconnect::pigment

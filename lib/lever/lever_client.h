// The Lever Data API, as the connector uses it: list requisitions page by
// page, list custom requisition fields and users, read, create and update
// single requisitions, and probe a permission.
//
// Authentication is HTTP Basic with the API key as user name. Each call is
// retried per retry::RetryPolicy; Lever's error answers become statuses
// (see StatusFromLeverAnswer). A create is never repeated blindly: when its
// answer was lost, the requisition code is looked up before another try. One
// LeverClient serves one import or one connection test, from any number of
// threads at once; its stats add up its calls.
#ifndef LEVERCONNECT_LIB_LEVER_LEVER_CLIENT_H_
#define LEVERCONNECT_LIB_LEVER_LEVER_CLIENT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/http/http_client.h"
#include "lib/lever/user_directory.h"
#include "lib/ratelimit/token_bucket.h"
#include "lib/retry/call_context.h"
#include "lib/retry/clock.h"
#include "lib/retry/retry_policy.h"
#include "rapidjson/document.h"

namespace leverconnect::lever {

// What the caller of an operation allows (see retry::CallContext).
using CallContext = retry::CallContext;

// One page request of GET /requisitions. Empty fields are not sent.
struct RequisitionQuery {
  int limit = 100;     // 1 to 100
  std::string offset;  // the previous page's `next` token, sent verbatim
  std::string status;
  std::string confidentiality;
  std::string requisition_code;
  std::optional<std::int64_t> created_at_start_ms;  // inclusive
  std::optional<std::int64_t> created_at_end_ms;    // inclusive
};

// One page as Lever sent it.
struct RequisitionPage {
  // The body, parsed in place: the strings of `document` point into it, so
  // it lives, at the same address, as long as the page.
  std::unique_ptr<std::string> body = std::make_unique<std::string>();
  rapidjson::Document document;  // the whole envelope
  bool has_next = false;
  std::string next;  // opaque token; empty when there is none
  // Whether the body, once parsed, is UTF-8 throughout, and so is every
  // string of `document`. Almost always; when not, the rows made from the
  // page need their text repaired (mapping::RowMapper::Map).
  bool text_is_utf8 = true;

  // The array of requisition objects.
  const rapidjson::Value& requisitions() const { return document["data"]; }
};

// Counts over every call a client made.
struct LeverCallStats {
  int requests = 0;            // attempts sent
  int retries = 0;             // attempts that repeated a failed one
  int rate_limited = 0;        // 429 answers received
  absl::Duration backoff;      // time spent waiting between attempts
  absl::Duration budget_wait;  // time spent waiting for the key's budget
  // Retries by retry::RetryCauseName of their cause.
  std::map<std::string, int, std::less<>> retries_by_cause;
};

// The outcome of asking Lever once, without retries.
struct ProbeResult {
  int http_status = 0;  // 0 when no answer arrived
  absl::Status status;  // OK, or what the answer means
  absl::Duration latency;
};

// The Lever permissions the connector relies on, as Lever names them.
inline constexpr absl::string_view kListRequisitions = "list requisitions";
inline constexpr absl::string_view kListRequisitionFields =
    "list requisition fields";
// Optional: without it, imports leave the user name and e-mail columns
// empty.
inline constexpr absl::string_view kListUsers = "list users";
// For write-back: POST and PUT /requisitions.
inline constexpr absl::string_view kWriteRequisitions = "write requisitions";

// What POST /requisitions gave.
struct CreatedRequisition {
  // The "data" object of Lever's answer (the write shape), or the
  // requisition found by its code (the read shape).
  rapidjson::Document requisition;
  // True when the answer to POST was lost and the requisition was found by
  // its code afterwards: Lever had created it.
  bool found_after_lost_answer = false;
};

class LeverClient {
 public:
  struct Options {
    std::string base_url;  // e.g. "https://api.lever.co/v1", no trailing /
    std::string api_key;   // secret
    retry::RetryPolicyOptions retry;
    absl::Duration attempt_timeout = absl::Seconds(60);
    // The request budget of the key, shared with every other client of the
    // same key; every attempt takes a token. Empty: no client-side limit.
    std::shared_ptr<ratelimit::RequestBudget> budget;
  };

  // `http` and `clock` must outlive the client.
  LeverClient(http::HttpClient& http, retry::Clock& clock,
              std::function<double()> random, Options options);

  // GET /requisitions with `query`. The page's strings point into its own
  // body: a copy of its values (rapidjson's copy keeps such strings as
  // references) must not outlive it.
  absl::StatusOr<RequisitionPage> ListRequisitions(
      const RequisitionQuery& query, const CallContext& context);

  // GET /requisition_fields, following `next` when present. Returns an
  // array document holding every field object.
  absl::StatusOr<rapidjson::Document> ListRequisitionFields(
      const CallContext& context);

  // GET /users with limit=100 and includeDeactivated=true, following
  // `next` to the last page. Returns every user with a string "id",
  // deactivated ones included since requisitions keep referring to people
  // who left; other entries are skipped, and a repeated id keeps its first
  // entry. A key without the permission gets FAILED_PRECONDITION naming
  // kListUsers.
  absl::StatusOr<UserDirectory> ListUsers(const CallContext& context);

  // GET /requisitions?requisition_code=<code>&limit=2: an array document of
  // the requisitions with that code (Lever keeps codes unique: none or one).
  absl::StatusOr<rapidjson::Document> FindRequisitionsByCode(
      absl::string_view code, const CallContext& context);

  // GET /requisitions/{id}: the requisition object. NOT_FOUND when Lever
  // has no such requisition.
  absl::StatusOr<rapidjson::Document> GetRequisition(
      absl::string_view id, const CallContext& context);

  // POST /requisitions with `body`, a JSON object whose requisitionCode is
  // `code`. Retried only when the request surely did not take effect
  // (retry::SurelyNotApplied); when it may have (a reset or timeout after
  // sending, a 5xx other than 503, a 2xx that does not parse), `code` is
  // looked up first, and a requisition found is returned as created. Lever
  // refusing the body is INVALID_ARGUMENT, a code taken ALREADY_EXISTS
  // (409), a missing permission FAILED_PRECONDITION naming
  // kWriteRequisitions; a create whose fate stays unknown is marked so
  // that MayHaveCreated recognises it.
  absl::StatusOr<CreatedRequisition> CreateRequisition(
      absl::string_view code, std::string body, const CallContext& context);

  // PUT /requisitions/{id} with `body`, the whole writable record; returns
  // the "data" object of the answer. Retried like a read: sending the same
  // whole record again leaves the same record. NOT_FOUND for an unknown id;
  // other refusals as for CreateRequisition.
  absl::StatusOr<rapidjson::Document> UpdateRequisition(
      absl::string_view id, std::string body, const CallContext& context);

  // Asks once whether the key may use `permission`: with limit=1 for
  // kListRequisitions and kListRequisitionFields; for kWriteRequisitions
  // with a request that can change nothing, PUT /requisitions/{nil UUID}
  // with the body {}, where Lever's 403 means denied and any other refusal
  // of the request itself (400, 404, 409, 422) means granted.
  ProbeResult Probe(absl::string_view permission, const CallContext& context);

  // A copy of the counts so far.
  LeverCallStats stats() const;

 private:
  struct Endpoint {
    absl::string_view path;        // "/requisitions"
    absl::string_view permission;  // kListRequisitions
  };

  // One request and how to read its answer.
  struct Call {
    absl::string_view method = "GET";
    Endpoint endpoint;
    std::string url;
    std::string body;  // JSON, for POST and PUT
    // The answer's "data" is a list (else an object).
    bool data_is_list = true;
    // When set, the answer's body moves here and is parsed in place (see
    // RequisitionPage::body).
    std::string* in_place = nullptr;
    // For a request that must not take effect twice, called when an
    // attempt failed in a way that may have taken effect: returns the
    // answer to use instead, nothing to try again, or the error to stop
    // with. Empty for requests that may be repeated.
    std::function<absl::StatusOr<std::optional<rapidjson::Document>>(
        const absl::Status& failure)>
        recover;
  };

  http::Request MakeRequest(const Call& call, const CallContext& context,
                            absl::Duration timeout) const;

  // Waits for a token of the budget; returns the time the attempt may
  // take. Fails when cancelled or when the deadline comes first.
  absl::StatusOr<absl::Duration> AwaitTurn(absl::string_view what,
                                           const CallContext& context);

  // Sends one attempt.
  absl::StatusOr<http::Response> Send(const Call& call,
                                      const CallContext& context,
                                      absl::Duration timeout);

  // Sends `call` until Lever answers with a JSON object whose "data" is a
  // list (or an object, as the call says), retrying per the policy.
  absl::StatusOr<rapidjson::Document> Perform(const Call& call,
                                              const CallContext& context);

  // GETs `url` as Perform does, expecting a list.
  absl::StatusOr<rapidjson::Document> Fetch(const Endpoint& endpoint,
                                            const std::string& url,
                                            const CallContext& context);

  // Fetches `url`, then the page after each page that says it has one
  // (`url` with offset=<next>), handing every page to `on_page`. Stops,
  // rather than loop, at a `next` equal to the previous one, and fails
  // after 1000 pages.
  absl::Status FetchEveryPage(
      const Endpoint& endpoint, const std::string& url,
      const CallContext& context,
      const std::function<void(rapidjson::Document& page)>& on_page);

  http::HttpClient& http_;
  retry::Clock& clock_;
  retry::RetryPolicy policy_;
  Options options_;
  // Applies `change` to the counts.
  void Count(const std::function<void(LeverCallStats&)>& change);

  mutable absl::Mutex stats_mu_;
  LeverCallStats stats_ ABSL_GUARDED_BY(stats_mu_);
};

// What an HTTP answer from Lever means: OK for 2xx; FAILED_PRECONDITION for
// 401 (key rejected), 403 (naming `permission`) and 404 (naming the base
// URL as the likely cause); UNAVAILABLE for 429 and 5xx; INTERNAL for the
// rest. The message names `what` ("GET /requisitions"), the HTTP status and
// Lever's own message or a short excerpt of the body. A 403 is marked so
// that IsMissingPermission recognises it, and a 400 saying "Invalid offset
// token" so that IsInvalidOffsetToken does.
absl::Status StatusFromLeverAnswer(absl::string_view what,
                                   absl::string_view permission,
                                   const http::Response& response);

// Whether `status` is Lever refusing a paging cursor it issued (stale or
// mangled), after which the listing can only start again.
bool IsInvalidOffsetToken(const absl::Status& status);

// Whether `status` is Lever's 403: the key is valid but lacks the
// permission the request needed.
bool IsMissingPermission(const absl::Status& status);

// Whether `status` is a failed CreateRequisition after which Lever may or
// may not hold the requisition.
bool MayHaveCreated(const absl::Status& status);

// Whether `url` may serve as a Lever base URL: https, or plain http only
// toward a loopback host such as the fake (see http::ValidateBaseUrl).
absl::Status ValidateBaseUrl(absl::string_view url);

// Percent-encodes `text` for a query string value (http::EncodeQueryValue).
std::string EncodeQueryValue(absl::string_view text);

}  // namespace leverconnect::lever

#endif  // LEVERCONNECT_LIB_LEVER_LEVER_CLIENT_H_

#include "lib/importer/requisition_import.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/util/time_util.h"
#include "lib/importer/page_rows.h"
#include "lib/importer/requisition_id_set.h"
#include "lib/importer/window_queue.h"
#include "lib/log/log.h"
#include "lib/mapping/requisition_schema.h"
#include "lib/mapping/row_mapper.h"

namespace leverconnect::importer {
namespace {

using google::protobuf::Timestamp;
using google::protobuf::util::TimeUtil;

// Bound on starting one listing again after Lever rejected its cursor.
constexpr int kMaxListingRestarts = 5;

// Milliseconds since the epoch of the first whole millisecond at or after
// `timestamp`.
std::int64_t CeilMilliseconds(const Timestamp& timestamp) {
  std::int64_t milliseconds = timestamp.seconds() * 1000;
  milliseconds += (timestamp.nanos() + 999999) / 1000000;
  return milliseconds;
}

bool IsValidTimestamp(const Timestamp& timestamp) {
  return timestamp.seconds() >= TimeUtil::kTimestampMinSeconds &&
         timestamp.seconds() <= TimeUtil::kTimestampMaxSeconds &&
         timestamp.nanos() >= 0 && timestamp.nanos() < 1000000000;
}

// Parallel reads: how many windows are read at once. Enough to keep the
// key's budget busy when each answer takes a few hundred milliseconds.
constexpr int kParallelWindows = 8;

// The narrowest window that equal-width cuts make.
constexpr std::int64_t kMinWindowMs = 60 * 1000;
constexpr std::int64_t kDayMs = 24 * 60 * 60 * 1000;
// Without created_before, the range ends this far after now, so that no
// clock skew hides a requisition.
constexpr std::int64_t kOpenEndMs = 100 * 365 * kDayMs;

// One sequence of pages: Lever takes one status and one code per listing,
// so a filter with several of either is read as several listings. A
// window, when set, narrows the listing to its creation times.
struct Listing {
  std::string status;
  std::string requisition_code;
  std::optional<Window> window;
};

std::vector<Listing> PlanListings(const v1::RequisitionFilter& filter) {
  std::vector<std::string> statuses(filter.statuses().begin(),
                                    filter.statuses().end());
  std::vector<std::string> codes(filter.requisition_codes().begin(),
                                 filter.requisition_codes().end());
  if (statuses.empty()) statuses.emplace_back();
  if (codes.empty()) codes.emplace_back();
  std::vector<Listing> listings;
  for (const std::string& status : statuses) {
    for (const std::string& code : codes) {
      listings.push_back({status, code, std::nullopt});
    }
  }
  return listings;
}

lever::RequisitionQuery BaseQuery(const ImportOptions& options) {
  const v1::RequisitionFilter& filter = options.filter;
  lever::RequisitionQuery query;
  query.limit = options.page_size == 0 ? kMaxPageSize : options.page_size;
  query.confidentiality = filter.confidentiality();
  if (filter.has_created_after()) {
    query.created_at_start_ms = CeilMilliseconds(filter.created_after());
  }
  if (filter.has_created_before()) {
    // Lever's end is inclusive, ours exclusive.
    query.created_at_end_ms = CeilMilliseconds(filter.created_before()) - 1;
  }
  return query;
}

// The state of one running import.
class Import {
 public:
  Import(lever::LeverClient& lever, const ImportOptions& options, RowSink& sink,
         const lever::CallContext& context, retry::Clock& clock)
      : lever_(lever),
        options_(options),
        sink_(sink),
        context_(context),
        clock_(clock),
        started_(clock.Now()) {}

  // The custom fields (for the schema) and the users are read while the
  // first pages are, so that a slow Lever costs one round trip before the
  // reading spreads out, not three. Pages wait for the schema before they
  // are mapped, and the sink gets the schema first.
  absl::StatusOr<v1::ImportSummary> Run() {
    std::thread prepare([this] { Prepare(); });
    absl::Status read = ReadsInParallel() ? ReadWindows() : ReadListings();
    prepare.join();
    if (!prepared_status_.ok()) return prepared_status_;
    if (!read.ok()) return read;
    return Summary();
  }

 private:
  // Builds the mapper from the account's custom fields and fills users_
  // when a selected column needs them, then hands the schema to the sink.
  // Ends by setting prepared_status_ and notifying prepared_.
  void Prepare() {
    absl::Status users;
    std::optional<std::thread> read_users;
    if (SelectsUserColumns(options_.columns)) {
      read_users.emplace([this, &users] { users = ReadUsers(); });
    }
    absl::Status status = BuildMapper();
    if (read_users) read_users->join();
    if (status.ok()) status = users;
    if (status.ok() && !sink_.OnSchema(mapper_->schema())) status = Stopped();
    prepared_status_ = status;
    prepared_.Notify();
  }

  absl::Status BuildMapper() {
    absl::StatusOr<v1::RequisitionSchema> schema =
        ReadRequisitionSchema(lever_, context_);
    if (!schema.ok()) return schema.status();
    absl::StatusOr<mapping::RowMapper> mapper =
        mapping::RowMapper::Create(*schema, options_.columns, &users_);
    if (!mapper.ok()) return mapper.status();
    mapper_.emplace(std::move(*mapper));
    return absl::OkStatus();
  }

  // Whether `columns` selects a user name or e-mail column. Those are
  // standard columns, so the answer needs no custom field.
  static bool SelectsUserColumns(const std::vector<std::string>& columns) {
    const v1::RequisitionSchema standard = mapping::BuildRequisitionSchema({});
    std::vector<std::string> selected;
    for (const std::string& column : columns) {
      for (const v1::Column& known : standard.columns()) {
        if (known.name() == column) selected.push_back(column);
      }
    }
    if (!columns.empty() && selected.empty()) return false;
    absl::StatusOr<mapping::RowMapper> mapper =
        mapping::RowMapper::Create(standard, selected);
    return mapper.ok() && mapper->reads_users();
  }

  // Fills users_ from Lever's GET /users. A key without the permission
  // leaves it empty, so the user columns stay null, and the import says so
  // once; any other failure fails the import.
  absl::Status ReadUsers() {
    absl::StatusOr<lever::UserDirectory> users = lever_.ListUsers(context_);
    if (users.ok()) {
      users_ = *std::move(users);
      return absl::OkStatus();
    }
    if (!lever::IsMissingPermission(users.status())) return users.status();
    log::Log(log::Severity::kWarning,
             "the Lever API key may not list users; user columns stay empty");
    warnings_.push_back(absl::StrCat(
        "the Lever API key lacks the \"", lever::kListUsers,
        "\" permission, so the user name and e-mail columns (creator_name, "
        "owner_email, ...) are empty"));
    return absl::OkStatus();
  }

  // Requisition codes name a few requisitions each: windows would only add
  // requests.
  bool ReadsInParallel() const {
    return options_.read_mode != v1::READ_MODE_ONE_CURSOR &&
           options_.filter.requisition_codes().empty();
  }

  absl::Status ReadListings() {
    PageRows rows;
    for (const Listing& listing : PlanListings(options_.filter)) {
      absl::Status status = ReadListing(listing, nullptr, rows);
      if (!status.ok()) return status;
    }
    return absl::OkStatus();
  }

  // The created-at range of the filter (or all time), one window per
  // listing, read by kParallelWindows threads that split windows as their
  // first pages come back.
  absl::Status ReadWindows() {
    const v1::RequisitionFilter& filter = options_.filter;
    const std::int64_t now = absl::ToUnixMillis(clock_.Now());
    const std::int64_t start = filter.has_created_after()
                                   ? CeilMilliseconds(filter.created_after())
                                   : 0;
    const std::int64_t end =
        std::max(start + 1, filter.has_created_before()
                                ? CeilMilliseconds(filter.created_before())
                                : now + kOpenEndMs);
    WindowQueue windows(kParallelWindows, kMinWindowMs, now + kDayMs);
    for (const Listing& listing : PlanListings(filter)) {
      windows.Push({start, end, listing.status});
    }

    std::vector<std::thread> workers;
    for (int i = 0; i < kParallelWindows; ++i) {
      workers.emplace_back([this, &windows] { ReadWindowsFrom(windows); });
    }
    for (std::thread& worker : workers) worker.join();
    log::Log(log::Severity::kDebug, "parallel read finished",
             {{"windows_split", windows.splits()}});
    absl::MutexLock lock(&mu_);
    return first_failure_;
  }

  void ReadWindowsFrom(WindowQueue& windows) {
    Window window;
    PageRows rows;  // this thread's, reused page after page
    while (windows.Next(&window)) {
      absl::Status status =
          ReadListing({window.status, "", window}, &windows, rows);
      windows.Done();
      if (status.ok()) continue;
      absl::MutexLock lock(&mu_);
      if (first_failure_.ok()) first_failure_ = status;
      windows.Stop();
    }
  }

  // Where one listing stands with its cursors.
  struct CursorState {
    absl::flat_hash_set<std::string> seen;  // cursors of this pass
    bool asked_again = false;  // the current cursor was refused once
    int restarts = 0;
  };

  // Reads `listing` to its end. With `windows`, a window whose first page
  // shows more pages may instead be split for idle workers to share: the
  // decision comes before the page is mapped, so the parts start at once.
  // Rows are mapped into `rows`.
  absl::Status ReadListing(const Listing& listing, WindowQueue* windows,
                           PageRows& rows) {
    lever::RequisitionQuery query = BaseQuery(options_);
    query.status = listing.status;
    query.requisition_code = listing.requisition_code;
    if (listing.window) {
      query.created_at_start_ms = listing.window->start_ms;
      query.created_at_end_ms = listing.window->end_ms - 1;  // inclusive
    }
    CursorState cursor;
    bool first_page = true;
    while (true) {
      if (context_.IsCancelled() || Failed()) return Stopped();
      absl::StatusOr<lever::RequisitionPage> page =
          lever_.ListRequisitions(query, context_);
      if (!page.ok() && lever::IsInvalidOffsetToken(page.status())) {
        absl::Status recovered = Recover(page.status(), query, cursor);
        if (!recovered.ok()) return recovered;
        continue;
      }
      if (!page.ok()) return page.status();
      cursor.asked_again = false;
      // The rows of this page reach the caller once, whichever part reads
      // them again.
      const bool split = first_page && windows != nullptr &&
                         windows->SplitAfterFirstPage(
                             *listing.window, FirstPageOf(*page, query.limit));
      first_page = false;
      if (!SendPage(*page, rows)) return Stopped();
      if (split || !page->has_next) return absl::OkStatus();
      if (page->next.empty() || !cursor.seen.insert(page->next).second) {
        return absl::UnavailableError(
            absl::StrCat("Lever answered GET /requisitions (page ", Pages(),
                         ") with hasNext but ",
                         page->next.empty() ? "no next token"
                                            : "a next token it sent before",
                         "; stopped instead of reading the same pages again"));
      }
      query.offset = page->next;
    }
  }

  // Lever refused the cursor of `query`. Asks once more with the same
  // cursor, since a passing refusal then costs one request; after a second
  // refusal reads the listing again from the start, skipping requisitions
  // already sent, at most kMaxListingRestarts times.
  absl::Status Recover(const absl::Status& refusal,
                       lever::RequisitionQuery& query, CursorState& cursor) {
    if (!cursor.asked_again) {
      cursor.asked_again = true;
      Count([](Import& self) { ++self.cursor_retries_; });
      log::Log(log::Severity::kWarning,
               "Lever rejected the paging cursor; asking again with it");
      return absl::OkStatus();
    }
    if (cursor.restarts == kMaxListingRestarts) {
      return absl::UnavailableError(absl::StrCat(
          "Lever kept rejecting the paging cursor of GET /requisitions after ",
          cursor.restarts,
          " fresh starts of the listing; last answer: ", refusal.message()));
    }
    ++cursor.restarts;
    Count([](Import& self) { ++self.listing_restarts_; });
    log::Log(log::Severity::kWarning,
             "Lever rejected the paging cursor again; reading the listing "
             "again from the start",
             {{"restart", cursor.restarts}});
    cursor = CursorState{{}, false, cursor.restarts};
    query.offset.clear();
    return absl::OkStatus();
  }

  static FirstPage FirstPageOf(const lever::RequisitionPage& page,
                               int page_size) {
    FirstPage first{page.has_next, {}, 0};
    const rapidjson::Value& requisitions = page.requisitions();
    if (!requisitions.IsArray()) return first;
    std::vector<absl::string_view> ids;
    for (const rapidjson::Value& requisition : requisitions.GetArray()) {
      if (!requisition.IsObject()) continue;
      const auto created = requisition.FindMember("createdAt");
      if (created != requisition.MemberEnd() && created->value.IsInt64()) {
        first.created_ms.push_back(created->value.GetInt64());
      }
      const auto id = requisition.FindMember("id");
      if (id != requisition.MemberEnd() && id->value.IsString()) {
        ids.emplace_back(id->value.GetString(), id->value.GetStringLength());
      }
    }
    if (ids.size() == requisitions.Size()) {
      first.max_parts = EstimatedPages(ids, page_size);
    }
    return first;
  }

  // Maps the requisitions of `page` not handed over before into `rows`
  // (the reading thread's own, reused page after page) and hands them over,
  // once the schema has gone to the sink: already encoded when the sink
  // takes that, else as a RowBatch; text is repaired unless the page is
  // known to be UTF-8. Pages go to the sink one at a time. False when the
  // import stops.
  bool SendPage(const lever::RequisitionPage& page, PageRows& rows) {
    prepared_.WaitForNotification();
    if (!prepared_status_.ok()) return false;
    const rapidjson::Value& requisitions = page.requisitions();
    const std::vector<bool> fresh = FirstTimes(requisitions);
    const mapping::RowMapper::Text text =
        page.text_is_utf8 ? mapping::RowMapper::Text::kKnownUtf8
                          : mapping::RowMapper::Text::kCheck;
    if (sink_.TakesEncodedRows()) {
      const int with_warnings =
          rows.encoded.Map(*mapper_, requisitions, fresh, text);
      const int number = CountPage(rows.encoded.rows(), with_warnings);
      absl::MutexLock sink_lock(&sink_mu_);
      return sink_.OnEncodedPage(rows.encoded, number);
    }
    const int with_warnings =
        MapPageRows(*mapper_, requisitions, fresh, &rows.batch, text);
    rows.batch.set_page(CountPage(rows.batch.rows_size(), with_warnings));
    absl::MutexLock sink_lock(&sink_mu_);
    return sink_.OnBatch(rows.batch);
  }

  // Counts a page of `rows` rows; returns its number. Pages are numbered
  // as they are mapped; with several windows, a page may reach the sink
  // before one numbered lower.
  int CountPage(int rows, int with_warnings) {
    absl::MutexLock lock(&mu_);
    rows_ += rows;
    rows_with_warnings_ += with_warnings;
    return ++pages_;
  }

  // For each of `requisitions`, whether no requisition with its id was
  // handed over before; a requisition without a string id always is (with
  // its warning).
  std::vector<bool> FirstTimes(const rapidjson::Value& requisitions) {
    std::vector<bool> fresh(requisitions.Size(), true);
    absl::MutexLock lock(&mu_);
    rapidjson::SizeType index = 0;
    for (const rapidjson::Value& requisition : requisitions.GetArray()) {
      const rapidjson::SizeType position = index++;
      if (!requisition.IsObject()) continue;
      const auto id = requisition.FindMember("id");
      if (id == requisition.MemberEnd() || !id->value.IsString()) continue;
      fresh[position] = seen_.Insert(absl::string_view(
          id->value.GetString(), id->value.GetStringLength()));
    }
    return fresh;
  }

  void Count(const std::function<void(Import&)>& change) {
    absl::MutexLock lock(&mu_);
    change(*this);
  }

  int Pages() {
    absl::MutexLock lock(&mu_);
    return pages_;
  }

  // Another window of the import failed: the others stop at their next
  // page.
  bool Failed() {
    absl::MutexLock lock(&mu_);
    return !first_failure_.ok();
  }

  absl::Status Stopped() const {
    return absl::CancelledError("the import was cancelled");
  }

  v1::ImportSummary Summary() {
    absl::MutexLock lock(&mu_);
    v1::ImportSummary summary;
    summary.set_rows(rows_);
    summary.set_pages(pages_);
    const lever::LeverCallStats stats = lever_.stats();
    summary.set_retries(stats.retries + cursor_retries_);
    summary.set_rows_with_warnings(rows_with_warnings_);
    summary.set_rate_limited(stats.rate_limited);
    for (const auto& [cause, count] : stats.retries_by_cause) {
      (*summary.mutable_retries_by_cause())[cause] = count;
    }
    if (cursor_retries_ > 0) {
      (*summary.mutable_retries_by_cause())["rejected_cursor"] =
          cursor_retries_;
    }
    *summary.mutable_budget_wait() = TimeUtil::NanosecondsToDuration(
        absl::ToInt64Nanoseconds(stats.budget_wait));
    *summary.mutable_backoff_wait() = TimeUtil::NanosecondsToDuration(
        absl::ToInt64Nanoseconds(stats.backoff));
    summary.set_listing_restarts(listing_restarts_);
    for (const std::string& warning : warnings_) summary.add_warnings(warning);
    *summary.mutable_started() =
        TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(started_));
    *summary.mutable_elapsed() = TimeUtil::NanosecondsToDuration(
        absl::ToInt64Nanoseconds(clock_.Now() - started_));
    return summary;
  }

  lever::LeverClient& lever_;
  const ImportOptions& options_;
  RowSink& sink_;
  const lever::CallContext& context_;
  retry::Clock& clock_;
  const absl::Time started_;
  // Set by Prepare before prepared_ is notified, and only read after it.
  lever::UserDirectory users_;  // what mapper_ looks up
  std::optional<mapping::RowMapper> mapper_;
  std::vector<std::string> warnings_;  // import-wide, for the summary
  absl::Status prepared_status_;
  absl::Notification prepared_;

  absl::Mutex sink_mu_;  // one batch at a time reaches the sink
  absl::Mutex mu_;
  RequisitionIdSet seen_ ABSL_GUARDED_BY(mu_);
  std::int64_t rows_ ABSL_GUARDED_BY(mu_) = 0;
  std::int64_t rows_with_warnings_ ABSL_GUARDED_BY(mu_) = 0;
  int pages_ ABSL_GUARDED_BY(mu_) = 0;
  int listing_restarts_ ABSL_GUARDED_BY(mu_) = 0;
  int cursor_retries_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status first_failure_ ABSL_GUARDED_BY(mu_);
};

// Each listing of a filter is one sequence of Lever pages: these bound
// how many a request can ask for, and how long each value may be.
constexpr int kMaxStatuses = 20;
constexpr std::size_t kMaxStatusLength = 64;
constexpr int kMaxRequisitionCodes = 200;
constexpr std::size_t kMaxRequisitionCodeLength = 128;

absl::Status ValidateTexts(
    const google::protobuf::RepeatedPtrField<std::string>& texts,
    absl::string_view field, int max_count, std::size_t max_length) {
  if (texts.size() > max_count) {
    return absl::InvalidArgumentError(absl::StrCat(field, " has ", texts.size(),
                                                   " values; at most ",
                                                   max_count, " are allowed"));
  }
  for (const std::string& text : texts) {
    if (text.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " has an empty value"));
    }
    if (text.size() > max_length) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, " has a value longer than ", max_length, " characters"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateImportOptions(const v1::RequisitionFilter& filter,
                                   int page_size) {
  if (page_size < 0 || page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "page_size must be between 0 and ", kMaxPageSize, ", not ", page_size));
  }
  absl::Status valid = ValidateTexts(filter.statuses(), "filter.statuses",
                                     kMaxStatuses, kMaxStatusLength);
  if (valid.ok()) {
    valid =
        ValidateTexts(filter.requisition_codes(), "filter.requisition_codes",
                      kMaxRequisitionCodes, kMaxRequisitionCodeLength);
  }
  if (!valid.ok()) return valid;
  const std::string& confidentiality = filter.confidentiality();
  if (!confidentiality.empty() && confidentiality != "confidential" &&
      confidentiality != "non-confidential" && confidentiality != "all") {
    return absl::InvalidArgumentError(
        absl::StrCat("filter.confidentiality must be \"confidential\", "
                     "\"non-confidential\" or \"all\", not \"",
                     confidentiality, "\""));
  }
  if ((filter.has_created_after() &&
       !IsValidTimestamp(filter.created_after())) ||
      (filter.has_created_before() &&
       !IsValidTimestamp(filter.created_before()))) {
    return absl::InvalidArgumentError(
        "filter.created_after and filter.created_before must be valid "
        "timestamps");
  }
  if (filter.has_created_after() && filter.has_created_before() &&
      filter.created_after() >= filter.created_before()) {
    return absl::InvalidArgumentError(
        "filter.created_after must be before filter.created_before");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::RequisitionSchema> ReadRequisitionSchema(
    lever::LeverClient& lever, const lever::CallContext& context) {
  absl::StatusOr<rapidjson::Document> fields =
      lever.ListRequisitionFields(context);
  if (!fields.ok()) return fields.status();
  absl::StatusOr<std::vector<mapping::CustomFieldDefinition>> definitions =
      mapping::ParseRequisitionFields(*fields);
  if (!definitions.ok()) return definitions.status();
  return mapping::BuildRequisitionSchema(*definitions);
}

absl::StatusOr<v1::ImportSummary> RunRequisitionImport(
    lever::LeverClient& lever, const ImportOptions& options, RowSink& sink,
    const lever::CallContext& context, retry::Clock& clock) {
  Import import(lever, options, sink, context, clock);
  return import.Run();
}

}  // namespace leverconnect::importer

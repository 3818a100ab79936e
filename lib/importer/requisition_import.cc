#include "lib/importer/requisition_import.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
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

// One sequence of pages: Lever takes one status and one code per listing,
// so a filter with several of either is read as several listings.
struct Listing {
  std::string status;
  std::string requisition_code;
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
    for (const std::string& code : codes) listings.push_back({status, code});
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

  absl::StatusOr<v1::ImportSummary> Run() {
    absl::StatusOr<v1::RequisitionSchema> schema =
        ReadRequisitionSchema(lever_, context_);
    if (!schema.ok()) return schema.status();
    absl::StatusOr<mapping::RowMapper> mapper =
        mapping::RowMapper::Create(*schema, options_.columns);
    if (!mapper.ok()) return mapper.status();
    mapper_.emplace(std::move(*mapper));
    if (!sink_.OnSchema(mapper_->schema())) return Stopped();

    for (const Listing& listing : PlanListings(options_.filter)) {
      absl::Status status = ReadListing(listing);
      if (!status.ok()) return status;
    }
    return Summary();
  }

 private:
  // Where one listing stands with its cursors.
  struct CursorState {
    absl::flat_hash_set<std::string> seen;  // cursors of this pass
    bool asked_again = false;  // the current cursor was refused once
    int restarts = 0;
  };

  absl::Status ReadListing(const Listing& listing) {
    lever::RequisitionQuery query = BaseQuery(options_);
    query.status = listing.status;
    query.requisition_code = listing.requisition_code;
    CursorState cursor;
    while (true) {
      if (context_.IsCancelled()) return Stopped();
      absl::StatusOr<lever::RequisitionPage> page =
          lever_.ListRequisitions(query, context_);
      if (!page.ok() && lever::IsInvalidOffsetToken(page.status())) {
        absl::Status recovered = Recover(page.status(), query, cursor);
        if (!recovered.ok()) return recovered;
        continue;
      }
      if (!page.ok()) return page.status();
      cursor.asked_again = false;
      ++pages_;
      if (!SendPage(*page)) return Stopped();
      if (!page->has_next) return absl::OkStatus();
      if (page->next.empty() || !cursor.seen.insert(page->next).second) {
        return absl::UnavailableError(
            absl::StrCat("Lever answered GET /requisitions (page ", pages_,
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
      ++cursor_retries_;
      log::Log(log::Severity::kWarning,
               "Lever rejected the paging cursor; asking again with it",
               {{"rows_sent", rows_}});
      return absl::OkStatus();
    }
    if (cursor.restarts == kMaxListingRestarts) {
      return absl::UnavailableError(absl::StrCat(
          "Lever kept rejecting the paging cursor of GET /requisitions after ",
          cursor.restarts,
          " fresh starts of the listing; last answer: ", refusal.message()));
    }
    ++cursor.restarts;
    ++listing_restarts_;
    log::Log(log::Severity::kWarning,
             "Lever rejected the paging cursor again; reading the listing "
             "again from the start",
             {{"restart", cursor.restarts}, {"rows_sent", rows_}});
    cursor = CursorState{{}, false, cursor.restarts};
    query.offset.clear();
    return absl::OkStatus();
  }

  bool SendPage(const lever::RequisitionPage& page) {
    v1::RowBatch batch;
    batch.set_page(pages_);
    for (const rapidjson::Value& requisition : page.requisitions().GetArray()) {
      if (!FirstTime(requisition)) continue;
      v1::Row* row = batch.add_rows();
      mapper_->Map(requisition, row);
      if (row->warnings_size() > 0) ++rows_with_warnings_;
    }
    rows_ += batch.rows_size();
    return sink_.OnBatch(std::move(batch));
  }

  // False when a requisition with the same id was handed over before. A
  // requisition without an id is always handed over (with its warning).
  bool FirstTime(const rapidjson::Value& requisition) {
    if (!requisition.IsObject()) return true;
    const auto id = requisition.FindMember("id");
    if (id == requisition.MemberEnd() || !id->value.IsString()) return true;
    return seen_.emplace(id->value.GetString(), id->value.GetStringLength())
        .second;
  }

  absl::Status Stopped() const {
    return absl::CancelledError("the import was cancelled");
  }

  v1::ImportSummary Summary() const {
    v1::ImportSummary summary;
    summary.set_rows(rows_);
    summary.set_pages(pages_);
    const lever::LeverCallStats& stats = lever_.stats();
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
  std::optional<mapping::RowMapper> mapper_;
  absl::flat_hash_set<std::string> seen_;
  std::int64_t rows_ = 0;
  std::int64_t rows_with_warnings_ = 0;
  int pages_ = 0;
  int listing_restarts_ = 0;
  int cursor_retries_ = 0;
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

// leverctl requisitions schema | import.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "client/leverctl/argument_values.h"
#include "client/leverctl/commands.h"

namespace leverconnect::leverctl {
namespace {

// Row warnings shown on stderr before the rest are only counted.
constexpr int kMaximumWarningsShown = 10;

// The Lever page sizes StreamRequisitionsRequest.page_size allows.
constexpr int kMinimumPageSize = 1;
constexpr int kMaximumPageSize = 100;

// "1 row", "2 rows".
std::string Count(int64_t count, absl::string_view one,
                  absl::string_view many) {
  return absl::StrCat(count, " ", count == 1 ? one : many);
}

// Shows an import while it runs: rows on stdout in the chosen format as
// batches arrive, row warnings and (on a terminal) progress on stderr.
class ImportPrinter {
 public:
  explicit ImportPrinter(Session& session)
      : session_(session),
        writer_(client::MakeRowWriter(session.format(), session.out())) {}

  // A schema the output cannot show stops the import at the first batch.
  void OnSchema(const v1::RequisitionSchema& schema) {
    if (has_schema_ || failure_.has_value()) return;  // the contract sends one
    absl::Status begun = writer_->Begin(schema);
    if (!begun.ok()) {
      failure_ = std::move(begun);
      return;
    }
    has_schema_ = true;
  }

  // False stops the import: a schema the output cannot show, rows without a
  // schema, or stdout failing.
  bool OnBatch(const v1::RowBatch& batch) {
    if (failure_.has_value()) return false;
    if (!has_schema_) {
      failure_ = absl::InternalError("the server sent rows before the schema");
      return false;
    }
    ClearProgress();
    for (const v1::Row& row : batch.rows()) {
      writer_->Write(row);
      ShowWarnings(row);
    }
    session_.out().flush();
    rows_ += batch.rows_size();
    // With parallel windows, batches may come out of page order.
    pages_ = std::max(pages_, batch.page());
    DrawProgress(pages_);
    if (session_.out().good()) return true;
    failure_ = absl::DataLossError("cannot write the rows to standard output");
    return false;
  }

  // Ends the output, also after a failure: the rows read so far are shown.
  void Finish() {
    ClearProgress();
    if (has_schema_) writer_->End();
    session_.out().flush();
    if (warnings_ > kMaximumWarningsShown) {
      session_.err() << "warning: " << warnings_ - kMaximumWarningsShown
                     << " more warnings not shown\n";
    }
  }

  // Why the printer stopped the import, if it did.
  const std::optional<absl::Status>& failure() const { return failure_; }

 private:
  void ShowWarnings(const v1::Row& row) {
    for (const std::string& warning : row.warnings()) {
      if (++warnings_ > kMaximumWarningsShown) continue;
      session_.err() << "warning: requisition " << row.requisition_id() << ": "
                     << warning << "\n";
    }
  }

  void DrawProgress(int page) {
    if (!session_.environment().show_progress) return;
    session_.err() << "\rimporting: " << Count(rows_, "row", "rows")
                   << ", page " << page << std::flush;
    progress_shown_ = true;
  }

  void ClearProgress() {
    if (!progress_shown_) return;
    session_.err() << "\r\033[K" << std::flush;
    progress_shown_ = false;
  }

  Session& session_;
  std::unique_ptr<client::RowWriter> writer_;
  bool has_schema_ = false;
  bool progress_shown_ = false;
  int64_t rows_ = 0;
  int pages_ = 0;  // the highest page number seen
  int64_t warnings_ = 0;
  std::optional<absl::Status> failure_;
};

absl::StatusOr<v1::StreamRequisitionsRequest> ImportRequest(
    const Invocation& invocation) {
  v1::StreamRequisitionsRequest request;
  request.set_connection(ConnectionName(invocation.Value("connection")));
  request.set_application(invocation.Value("application"));
  absl::Status filled = FillFilter(invocation, *request.mutable_filter());
  if (!filled.ok()) return filled;
  for (std::string& column : SplitColumns(invocation.Values("columns"))) {
    request.add_columns(std::move(column));
  }
  if (invocation.Has("page-size")) {
    absl::StatusOr<int> page_size =
        ParseIntegerBetween("page-size", invocation.Value("page-size"),
                            kMinimumPageSize, kMaximumPageSize);
    if (!page_size.ok()) return page_size.status();
    request.set_page_size(*page_size);
  }
  if (invocation.Has("read-mode")) {
    const std::string mode = invocation.Value("read-mode");
    if (mode == "parallel") {
      request.set_read_mode(v1::READ_MODE_PARALLEL_WINDOWS);
    } else if (mode == "one-cursor") {
      request.set_read_mode(v1::READ_MODE_ONE_CURSOR);
    } else {
      return absl::InvalidArgumentError(
          "--read-mode must be parallel or one-cursor");
    }
  }
  return request;
}

int ImportRequisitions(const Invocation& invocation, Session& session) {
  absl::StatusOr<v1::StreamRequisitionsRequest> request =
      ImportRequest(invocation);
  if (!request.ok()) return session.UsageError(request.status().message());

  ImportPrinter printer(session);
  client::StreamHandlers handlers;
  handlers.on_schema = [&](const v1::RequisitionSchema& schema) {
    printer.OnSchema(schema);
  };
  handlers.on_batch = [&](const v1::RowBatch& batch) {
    return printer.OnBatch(batch);
  };
  absl::StatusOr<v1::ImportSummary> summary =
      session.client().StreamRequisitions(*request, handlers,
                                          session.call_options());
  printer.Finish();

  if (printer.failure().has_value()) {
    return session.ServerError(*printer.failure());
  }
  if (!summary.ok()) return session.ServerError(summary.status());
  for (const std::string& warning : summary->warnings()) {
    session.err() << "warning: " << warning << "\n";
  }
  session.err() << ImportSummaryText(*summary) << "\n";
  return kSuccess;
}

int ShowSchema(const Invocation& invocation, Session& session) {
  v1::GetRequisitionSchemaRequest request;
  request.set_connection(ConnectionName(invocation.Value("connection")));
  request.set_application(invocation.Value("application"));
  absl::StatusOr<v1::RequisitionSchema> schema =
      session.client().GetRequisitionSchema(request, session.call_options());
  if (!schema.ok()) return session.ServerError(schema.status());
  return session.Finish(
      client::PrintSchema(*schema, session.format(), session.out()));
}

std::vector<FlagSpec> ImportFlags() {
  std::vector<FlagSpec> flags = ConnectionFlags();
  const std::vector<FlagSpec> filter = FilterFlags();
  flags.insert(flags.end(), filter.begin(), filter.end());
  const std::vector<FlagSpec> more = {
      ValueFlag("columns", "A,B,C",
                "only these columns, in this order, e.g. "
                "id,requisition_code,status or custom.<field id>; "
                "'leverctl requisitions schema' lists them",
                false, true),
      ValueFlag("page-size", "N",
                "requisitions per Lever page, 1 to 100 (default 100)"),
      ValueFlag("read-mode", "MODE",
                "parallel (windows of creation time read at once; the "
                "default) or one-cursor (Lever's order, one page at a time)"),
  };
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

Command SchemaCommand() {
  Command command{{}, absl::Seconds(30), ShowSchema};
  CommandSpec& spec = command.spec;
  spec.group = "requisitions";
  spec.name = "schema";
  spec.summary = "show the columns an import produces";
  spec.description =
      "Shows the columns an import through the connection produces: the "
      "standard\n"
      "requisition fields, then one per custom field of the Lever account.\n";
  spec.flags = ConnectionFlags();
  spec.examples = {"leverctl requisitions schema --connection acme-prod \\",
                   "    --application pigment-planning"};
  return command;
}

Command ImportCommand() {
  Command command{{}, absl::InfiniteDuration(), ImportRequisitions};
  CommandSpec& spec = command.spec;
  spec.group = "requisitions";
  spec.name = "import";
  spec.summary = "stream requisitions as rows";
  spec.description =
      "Reads the requisitions of a connection and writes them to standard "
      "output\n"
      "as rows as they arrive: -o csv and -o json (one object per line) "
      "stream,\n"
      "the table waits for the end to align its columns. Warnings about "
      "values\n"
      "and the summary go to standard error. No timeout unless --timeout is "
      "given.\n"
      "\n"
      "Columns: the standard fields of a requisition (id, requisition_code, "
      "name,\n"
      "status, headcount_total, postings, ...), then custom.<field id> for "
      "each\n"
      "custom field of the Lever account. 'leverctl requisitions schema' "
      "lists them\n"
      "all with their types; --columns picks some, in its order.\n"
      "\n"
      "Lists (postings, offer_ids, ...): table and CSV join the elements "
      "with \"|\"\n"
      "(an element holding \"|\" is not escaped); -o json keeps them as "
      "arrays.\n"
      "CSV follows RFC 4180 with CRLF line ends: a null cell and an empty "
      "list are\n"
      "empty fields, an empty text is \"\"; a field holding a comma, a quote "
      "or a\n"
      "line break, or starting or ending with a space, is quoted. Timestamps "
      "are UTC\n"
      "to the second.\n";
  spec.flags = ImportFlags();
  spec.examples = {
      "leverctl requisitions import --connection acme-prod \\",
      "    --application pigment-planning --status open -o csv > open.csv",
      "leverctl requisitions import --connection acme-prod \\",
      "    --application pigment-planning --created-after 2024-01-01 \\",
      "    --columns id,requisition_code,name,headcount_total -o json",
      "leverctl requisitions import --connection acme-prod \\",
      "    --application pigment-planning --page-size 50 \\",
      "    --columns requisition_code,status,custom.cost_center -o csv"};
  return command;
}

double Seconds(const google::protobuf::Duration& duration) {
  return static_cast<double>(duration.seconds()) + duration.nanos() / 1e9;
}

// What slowed the import down, when anything did: retries by cause, 429s,
// listing restarts, and the time waited for the budget and between tries.
std::string DelaysText(const v1::ImportSummary& summary) {
  std::string text;
  if (!summary.retries_by_cause().empty()) {
    std::vector<std::string> causes;
    for (const auto& [cause, count] : summary.retries_by_cause()) {
      causes.push_back(absl::StrCat(cause, " ", count));
    }
    std::sort(causes.begin(), causes.end());
    absl::StrAppend(&text, "; retries: ", absl::StrJoin(causes, ", "));
  }
  if (summary.rate_limited() > 0) {
    absl::StrAppend(&text, "; ", summary.rate_limited(), " answered 429");
  }
  if (summary.listing_restarts() > 0) {
    absl::StrAppend(&text, "; listing restarted ",
                    Count(summary.listing_restarts(), "time", "times"));
  }
  if (Seconds(summary.budget_wait()) >= 0.001) {
    absl::StrAppend(&text, absl::StrFormat("; waited %.3fs for the request "
                                           "budget",
                                           Seconds(summary.budget_wait())));
  }
  if (Seconds(summary.backoff_wait()) >= 0.001) {
    absl::StrAppend(&text, absl::StrFormat("; %.3fs between retries",
                                           Seconds(summary.backoff_wait())));
  }
  return text;
}

}  // namespace

std::vector<FlagSpec> ConnectionFlags() {
  return {ValueFlag("connection", "ID", "the connection to read through", true),
          ValueFlag("application", "APP",
                    "the application the call runs for; the connection must "
                    "allow it",
                    true)};
}

std::vector<FlagSpec> FilterFlags() {
  return {
      ValueFlag("status", "STATUS",
                "only requisitions in this Lever status (open, closed, "
                "onHold, ...)",
                false, true),
      ValueFlag("confidentiality", "WHICH",
                "confidential, non-confidential or all"),
      ValueFlag("created-after", "TIME",
                "created at or after TIME: RFC 3339, or YYYY-MM-DD for "
                "midnight UTC"),
      ValueFlag("created-before", "TIME", "created before TIME (exclusive)"),
      ValueFlag("code", "CODE",
                "only the requisition with this requisition code", false, true),
  };
}

absl::Status FillFilter(const Invocation& invocation,
                        v1::RequisitionFilter& filter) {
  for (const std::string& status : invocation.Values("status")) {
    filter.add_statuses(status);
  }
  filter.set_confidentiality(invocation.Value("confidentiality"));
  for (const std::string& code : invocation.Values("code")) {
    filter.add_requisition_codes(code);
  }
  if (invocation.Has("created-after")) {
    absl::StatusOr<google::protobuf::Timestamp> after =
        ParseTime("created-after", invocation.Value("created-after"));
    if (!after.ok()) return after.status();
    *filter.mutable_created_after() = *after;
  }
  if (invocation.Has("created-before")) {
    absl::StatusOr<google::protobuf::Timestamp> before =
        ParseTime("created-before", invocation.Value("created-before"));
    if (!before.ok()) return before.status();
    *filter.mutable_created_before() = *before;
  }
  return absl::OkStatus();
}

std::string ImportSummaryText(const v1::ImportSummary& summary) {
  std::string text = absl::StrFormat(
      "imported %s in %s (%s) in %.3fs", Count(summary.rows(), "row", "rows"),
      Count(summary.pages(), "page", "pages"),
      Count(summary.retries(), "retry", "retries"), Seconds(summary.elapsed()));
  if (summary.rows_with_warnings() > 0) {
    absl::StrAppend(&text, "; ",
                    Count(summary.rows_with_warnings(), "row", "rows"),
                    " with warnings");
  }
  return text + DelaysText(summary);
}

std::vector<Command> RequisitionCommands() {
  return {SchemaCommand(), ImportCommand()};
}

}  // namespace leverconnect::leverctl

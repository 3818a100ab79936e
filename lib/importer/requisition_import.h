// One import of requisitions: read the account's custom fields, build the
// schema, read the account's users when a selected column shows their
// names or e-mails, page through /requisitions, map each requisition to a
// row and hand rows over page by page. Knows nothing of gRPC: the server
// streams what it receives, and other destinations (a CSV spool) can reuse
// the same loop.
#ifndef LEVERCONNECT_LIB_IMPORTER_REQUISITION_IMPORT_H_
#define LEVERCONNECT_LIB_IMPORTER_REQUISITION_IMPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "leverconnect/v1/import.pb.h"
#include "lib/importer/page_rows.h"
#include "lib/lever/lever_client.h"
#include "lib/retry/clock.h"

namespace leverconnect::importer {

// Receives what an import produces, in order: one schema, then each
// page's rows, one call at a time. A sink takes the rows in one of two
// forms and overrides the method of that form: OnBatch (the default), or,
// when TakesEncodedRows() is true, OnEncodedPage. Either may block to slow
// the reading down (back-pressure). Returning false from any stops the
// import with CANCELLED.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual bool OnSchema(const v1::RequisitionSchema& schema) = 0;

  // A page's rows as a RowBatch. `batch` is the importer's, reused for
  // later pages once OnBatch returns: a sink copies what it keeps.
  virtual bool OnBatch(const v1::RowBatch& batch) { return false; }

  // For a sink that sends rows on as StreamRequisitionsResponse messages:
  // a page's rows mapped straight into those messages, numbered `page`,
  // which saves building the RowBatch. `encoded` is the importer's, reused
  // once OnEncodedPage returns.
  virtual bool TakesEncodedRows() const { return false; }
  virtual bool OnEncodedPage(const EncodedPage& encoded, std::int32_t page) {
    return false;
  }
};

struct ImportOptions {
  v1::RequisitionFilter filter;
  std::vector<std::string> columns;  // empty: every column
  int page_size = 100;               // 1 to 100
  // One cursor, or windows of creation time read at once (the default).
  // Filters on requisition codes always read with one cursor.
  v1::ReadMode read_mode = v1::READ_MODE_PARALLEL_WINDOWS;
};

inline constexpr int kMaxPageSize = 100;

// INVALID_ARGUMENT naming the field when the filter or the page size is
// malformed (negative or above kMaxPageSize page size, unknown
// confidentiality, empty status or code, a created range that is empty or
// outside what a timestamp can hold). A page size of 0 is valid: it means
// kMaxPageSize.
absl::Status ValidateImportOptions(const v1::RequisitionFilter& filter,
                                   int page_size);

// Reads the custom requisition fields and returns every column an import
// through `lever` produces.
absl::StatusOr<v1::RequisitionSchema> ReadRequisitionSchema(
    lever::LeverClient& lever, const lever::CallContext& context);

// Runs a whole import into `sink`. Each requisition is handed over once,
// even when several listings (one per status and code in the filter, or
// overlapping reads of one window) return it. In parallel mode batches
// come from several threads, one at a time, and `lever` is shared by them.
// Cancellation and the deadline are checked between pages and passed down to
// every Lever request. The summary's elapsed time runs from `clock`'s Now() at
// the call.
//
// When a selected column shows a user's name or e-mail, GET /users is read
// once, before the schema goes to `sink`. A key without Lever's "list
// users" permission leaves those cells null and puts one warning in the
// summary; any other failure of that read fails the import.
absl::StatusOr<v1::ImportSummary> RunRequisitionImport(
    lever::LeverClient& lever, const ImportOptions& options, RowSink& sink,
    const lever::CallContext& context, retry::Clock& clock);

}  // namespace leverconnect::importer

#endif  // LEVERCONNECT_LIB_IMPORTER_REQUISITION_IMPORT_H_

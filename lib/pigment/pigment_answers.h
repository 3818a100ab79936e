// How Pigment's import API answers read: its HTTP errors as statuses, and
// the JSON of a push and of an import status. Used by PigmentClient;
// separate so that the rules can be read and tested on their own.
#ifndef LEVERCONNECT_LIB_PIGMENT_PIGMENT_ANSWERS_H_
#define LEVERCONNECT_LIB_PIGMENT_PIGMENT_ANSWERS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/http/http_client.h"
#include "lib/pigment/pigment_client.h"

namespace leverconnect::pigment {

// Which exchange an answer belongs to, for the statuses' messages.
struct Exchange {
  absl::string_view what;  // "POST /api/v1/import/push/csv"
  bool push = false;       // a push (else a status read)
  absl::string_view id;    // the configuration id of a push, else import id
};

// What an HTTP answer means (see the table in pigment_client.h): OK for
// 2xx; FAILED_PRECONDITION for 401 and 403; NOT_FOUND for 404 (naming the
// configuration or the import); INVALID_ARGUMENT for 400 and 413;
// RESOURCE_EXHAUSTED for 429; UNAVAILABLE for 5xx; INTERNAL for the rest.
// The message names the exchange, the HTTP status and Pigment's own
// message, or a short excerpt of the body.
absl::Status StatusFromPigmentAnswer(const Exchange& exchange,
                                     const http::Response& response);

// The importId of a push's 2xx answer {"importId": "..."}; UNAVAILABLE
// saying what came instead.
absl::StatusOr<std::string> ParseImportId(const Exchange& exchange,
                                          const http::Response& response);

// The report of a status read's 2xx answer. importStatus must be
// InProgress, Completed or Failed; errorsDetails and detailedReport may be
// absent or null, as may any count (0). UNAVAILABLE saying what is wrong
// otherwise.
absl::StatusOr<ImportReport> ParseImportReport(const Exchange& exchange,
                                               const http::Response& response);

}  // namespace leverconnect::pigment

#endif  // LEVERCONNECT_LIB_PIGMENT_PIGMENT_ANSWERS_H_

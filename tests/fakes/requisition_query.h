// Reads the query string of GET /v1/requisitions the way Lever does, and
// the paging parameters every list endpoint shares.
#ifndef LEVERCONNECT_TESTS_FAKES_REQUISITION_QUERY_H_
#define LEVERCONNECT_TESTS_FAKES_REQUISITION_QUERY_H_

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "tests/fakes/requisition_store.h"

namespace leverconnect::testing {

// `parameters` are the decoded query parameters; a name may repeat.
// `status` and `requisition_code` may repeat (any of them matches); for the
// other names the first value counts. Returns InvalidArgument, whose
// message is the one to send back to the client, when limit is not 1 to 100,
// offset is not a token this fake made ("Invalid offset token"),
// confidentiality is not confidential, non-confidential or all, or a
// created_at bound is not an integer.
absl::StatusOr<RequisitionQuery> ParseRequisitionQuery(
    const std::multimap<std::string, std::string>& parameters);

// Reads `limit` (1 to 100; left as it is when absent) and `offset` (a
// token this fake made; `after` stays empty when absent) of any list
// endpoint. InvalidArgument as ParseRequisitionQuery says.
absl::Status ParsePaging(
    const std::multimap<std::string, std::string>& parameters, int& limit,
    std::optional<PagePosition>& after);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_REQUISITION_QUERY_H_

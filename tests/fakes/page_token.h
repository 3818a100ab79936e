// The paging token of Lever's list endpoints, as the fake Lever makes it.
//
// Lever's `next` token is the percent-encoded text of a small JSON array
// holding the sort key of the page's last item:
//   [1733206956064,"c21d911f-8292-49b7-b135-f7cc233b43fd"]
//   -> %5B1733206956064%2C%22c21d911f-8292-49b7-b135-f7cc233b43fd%22%5D
// Clients send it back verbatim as `offset`, so the server sees the JSON
// array once the query string is decoded. The next page starts strictly
// after that (createdAt, id).
#ifndef LEVERCONNECT_TESTS_FAKES_PAGE_TOKEN_H_
#define LEVERCONNECT_TESTS_FAKES_PAGE_TOKEN_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace leverconnect::testing {

// The sort key of the last item of a page.
struct PagePosition {
  std::int64_t created_at = 0;
  std::string id;
};

// The percent-encoded token for a page that ended at `position`.
std::string MakePageToken(const PagePosition& position);

// Parses a token as the server receives it, already percent-decoded.
// Returns InvalidArgument unless it is a JSON array [integer, "string"].
absl::StatusOr<PagePosition> ParsePageToken(std::string_view decoded_token);

// Percent-encodes every byte outside RFC 3986's unreserved characters.
std::string PercentEncode(std::string_view text);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_PAGE_TOKEN_H_

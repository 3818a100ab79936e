// The paging token of Lever's list endpoints, as the fake Lever makes it.
//
// Each Lever list endpoint keeps its items in one order: users by createdAt
// then id, requisitions by id from the highest down (the recorded sandbox
// listing comes in that order, so creation times arrive unordered). A
// `next` token is the percent-encoded text of a small JSON array holding
// the creation time and id of the page's last item:
//   [1733206956064,"c21d911f-8292-49b7-b135-f7cc233b43fd"]
//   -> %5B1733206956064%2C%22c21d911f-8292-49b7-b135-f7cc233b43fd%22%5D
// Clients send it back verbatim as `offset`, so the server sees the JSON
// array once the query string is decoded. The next page starts strictly
// after that item in the list order.
#ifndef LEVERCONNECT_TESTS_FAKES_PAGE_TOKEN_H_
#define LEVERCONNECT_TESTS_FAKES_PAGE_TOKEN_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

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

// The list order of users, for items with `created_at` and `id` members:
// createdAt, then id.
template <typename Item>
bool ListedBefore(const Item& left, const Item& right) {
  return std::tie(left.created_at, left.id) <
         std::tie(right.created_at, right.id);
}

// The list order of requisitions: the highest id first.
template <typename Item>
bool IdListedBefore(const Item& left, const Item& right) {
  return left.id > right.id;
}

// The first of `items` (sorted by ListedBefore) strictly after `position`.
template <typename Item>
typename std::vector<Item>::const_iterator FirstAfter(
    const std::vector<Item>& items, const PagePosition& position) {
  return std::upper_bound(items.begin(), items.end(), position,
                          [](const PagePosition& after, const Item& item) {
                            return std::tie(after.created_at, after.id) <
                                   std::tie(item.created_at, item.id);
                          });
}

// The first of `items` (sorted by IdListedBefore) strictly after
// `position`.
template <typename Item>
typename std::vector<Item>::const_iterator FirstAfterId(
    const std::vector<Item>& items, const PagePosition& position) {
  return std::upper_bound(items.begin(), items.end(), position,
                          [](const PagePosition& after, const Item& item) {
                            return after.id > item.id;
                          });
}

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_PAGE_TOKEN_H_

// The users a fake Lever serves at GET /v1/users, kept in Lever's list
// order, and how it reads that endpoint's query string.
//
// Like RequisitionStore, each user is serialized once when it enters the
// store. A store is immutable after construction and safe to read from
// many threads at once.
#ifndef LEVERCONNECT_TESTS_FAKES_USER_STORE_H_
#define LEVERCONNECT_TESTS_FAKES_USER_STORE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/fakes/page_token.h"

namespace leverconnect::testing {

// One user ready to serve: what paging and the deactivated filter look at,
// and the whole object as compact JSON text.
struct StoredUser {
  std::string id;
  std::int64_t created_at = 0;
  bool deactivated = false;  // "deactivatedAt" is set
  std::string json;
};

// The paging and filter of GET /v1/users, already validated.
struct UserQuery {
  int limit = 100;
  std::optional<PagePosition> after;
  // Lever lists only active users unless asked with includeDeactivated.
  bool include_deactivated = false;
};

// One page of users. The pointers stay valid as long as the store.
struct UserPage {
  std::vector<const StoredUser*> items;
  bool has_next = false;
};

class UserStore {
 public:
  // Sorts `users` by createdAt, then id.
  explicit UserStore(std::vector<StoredUser> users);

  // The page that `query` selects, at most `query.limit` users.
  UserPage List(const UserQuery& query) const;

  std::size_t size() const { return users_.size(); }

 private:
  std::vector<StoredUser> users_;
};

// Reads the decoded query parameters of GET /v1/users: `limit` and
// `offset` as for requisitions (see ParsePaging), and `includeDeactivated`
// "true" or "false". InvalidArgument, with the message to send back, for
// anything else.
absl::StatusOr<UserQuery> ParseUserQuery(
    const std::multimap<std::string, std::string>& parameters);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_USER_STORE_H_

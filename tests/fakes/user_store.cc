#include "tests/fakes/user_store.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "tests/fakes/requisition_query.h"

namespace leverconnect::testing {

UserStore::UserStore(std::vector<StoredUser> users) : users_(std::move(users)) {
  std::stable_sort(users_.begin(), users_.end(), ListedBefore<StoredUser>);
}

UserPage UserStore::List(const UserQuery& query) const {
  UserPage page;
  auto next = query.after ? FirstAfter(users_, *query.after) : users_.begin();
  for (; next != users_.end(); ++next) {
    if (next->deactivated && !query.include_deactivated) continue;
    if (page.items.size() == static_cast<std::size_t>(query.limit)) {
      page.has_next = true;
      break;
    }
    page.items.push_back(&*next);
  }
  return page;
}

absl::StatusOr<UserQuery> ParseUserQuery(
    const std::multimap<std::string, std::string>& parameters) {
  UserQuery query;
  absl::Status paging = ParsePaging(parameters, query.limit, query.after);
  if (!paging.ok()) return paging;
  const auto include = parameters.find("includeDeactivated");
  if (include == parameters.end() || include->second == "false") return query;
  if (include->second != "true") {
    return absl::InvalidArgumentError(
        "Invalid includeDeactivated: must be true or false");
  }
  query.include_deactivated = true;
  return query;
}

}  // namespace leverconnect::testing

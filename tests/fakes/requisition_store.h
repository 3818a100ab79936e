// The requisitions a fake Lever serves, kept in Lever's list order.
//
// Each requisition is serialized once when it enters the store, so serving
// a page only joins ready-made JSON texts. A store is safe to read from
// many threads at once; Put and Remove need the caller to exclude every
// other use, and invalidate the pointers of pages and Find.
#ifndef LEVERCONNECT_TESTS_FAKES_REQUISITION_STORE_H_
#define LEVERCONNECT_TESTS_FAKES_REQUISITION_STORE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tests/fakes/page_token.h"

namespace leverconnect::testing {

// One requisition ready to serve: the members the list filters look at,
// and the whole object as compact JSON text.
struct StoredRequisition {
  std::string id;
  std::int64_t created_at = 0;
  std::string status;
  std::string confidentiality;
  std::optional<std::string> requisition_code;  // nullopt when null/absent
  std::string json;
};

// The paging and filters of GET /v1/requisitions, already validated.
// Empty sets and nullopt mean "no filter"; time bounds are inclusive.
struct RequisitionQuery {
  int limit = 100;
  std::optional<PagePosition> after;
  std::set<std::string> statuses;
  std::optional<std::string> confidentiality;
  std::set<std::string> requisition_codes;
  std::optional<std::int64_t> created_at_start;
  std::optional<std::int64_t> created_at_end;
};

// One page of results. The pointers stay valid as long as the store.
struct RequisitionPage {
  std::vector<const StoredRequisition*> items;
  bool has_next = false;
};

class RequisitionStore {
 public:
  // Sorts `requisitions` in Lever's list order, the highest id first. When
  // ids repeat, Find returns the first of them in the given order.
  explicit RequisitionStore(std::vector<StoredRequisition> requisitions);

  // The page that `query` selects, at most `query.limit` items.
  RequisitionPage List(const RequisitionQuery& query) const;

  // The requisition with this id, or nullptr.
  const StoredRequisition* Find(std::string_view id) const;

  // The first requisition with this code, or nullptr.
  const StoredRequisition* FindByCode(std::string_view code) const;

  // Adds `requisition`, or replaces the one with its id, keeping the order.
  void Put(StoredRequisition requisition);

  // Removes the requisition with this id; false when there is none.
  bool Remove(std::string_view id);

  std::size_t size() const { return requisitions_.size(); }

 private:
  // Sorts the requisitions and indexes them by id.
  void Reindex();

  std::vector<StoredRequisition> requisitions_;
  std::unordered_map<std::string, std::size_t> index_by_id_;
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_REQUISITION_STORE_H_

#include "tests/fakes/requisition_store.h"

#include <algorithm>
#include <utility>

namespace leverconnect::testing {
namespace {

bool Matches(const RequisitionQuery& query,
             const StoredRequisition& requisition) {
  if (!query.statuses.empty() &&
      query.statuses.count(requisition.status) == 0) {
    return false;
  }
  if (query.confidentiality.has_value() &&
      *query.confidentiality != requisition.confidentiality) {
    return false;
  }
  if (!query.requisition_codes.empty() &&
      (!requisition.requisition_code.has_value() ||
       query.requisition_codes.count(*requisition.requisition_code) == 0)) {
    return false;
  }
  if (query.created_at_start.has_value() &&
      requisition.created_at < *query.created_at_start) {
    return false;
  }
  return !query.created_at_end.has_value() ||
         requisition.created_at <= *query.created_at_end;
}

}  // namespace

RequisitionStore::RequisitionStore(std::vector<StoredRequisition> requisitions)
    : requisitions_(std::move(requisitions)) {
  Reindex();
}

void RequisitionStore::Reindex() {
  std::stable_sort(requisitions_.begin(), requisitions_.end(),
                   IdListedBefore<StoredRequisition>);
  index_by_id_.clear();
  index_by_id_.reserve(requisitions_.size());
  for (std::size_t index = 0; index < requisitions_.size(); ++index) {
    index_by_id_.emplace(requisitions_[index].id, index);
  }
}

const StoredRequisition* RequisitionStore::FindByCode(
    std::string_view code) const {
  for (const StoredRequisition& requisition : requisitions_) {
    if (requisition.requisition_code == code) return &requisition;
  }
  return nullptr;
}

void RequisitionStore::Put(StoredRequisition requisition) {
  const auto found = index_by_id_.find(requisition.id);
  if (found != index_by_id_.end()) {
    requisitions_[found->second] = std::move(requisition);
  } else {
    requisitions_.push_back(std::move(requisition));
  }
  Reindex();
}

bool RequisitionStore::Remove(std::string_view id) {
  const auto found = index_by_id_.find(std::string(id));
  if (found == index_by_id_.end()) return false;
  requisitions_.erase(requisitions_.begin() +
                      static_cast<std::ptrdiff_t>(found->second));
  Reindex();
  return true;
}

RequisitionPage RequisitionStore::List(const RequisitionQuery& query) const {
  RequisitionPage page;
  // Lever's order is by id, so a creation-time range is a filter over the
  // whole list rather than a stretch of it.
  auto next = requisitions_.begin();
  if (query.after.has_value()) next = FirstAfterId(requisitions_, *query.after);
  for (; next != requisitions_.end(); ++next) {
    if (!Matches(query, *next)) continue;
    if (page.items.size() == static_cast<std::size_t>(query.limit)) {
      page.has_next = true;
      break;
    }
    page.items.push_back(&*next);
  }
  return page;
}

const StoredRequisition* RequisitionStore::Find(std::string_view id) const {
  const auto found = index_by_id_.find(std::string(id));
  if (found == index_by_id_.end()) return nullptr;
  return &requisitions_[found->second];
}

}  // namespace leverconnect::testing

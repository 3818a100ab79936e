// The requisition ids an import has handed over, so that each requisition
// reaches the caller once. Lever's ids are UUIDs in lower-case canonical
// text; those are kept as 16 bytes instead of a 36-character string, so the
// set costs a few tens of bytes per requisition. Any other id is kept as
// text, so two ids are the same exactly when their texts are. Not
// thread-safe.
#ifndef LEVERCONNECT_LIB_IMPORTER_REQUISITION_ID_SET_H_
#define LEVERCONNECT_LIB_IMPORTER_REQUISITION_ID_SET_H_

#include <cstddef>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"

namespace leverconnect::importer {

class RequisitionIdSet {
 public:
  // Adds `id`; false when it was there already.
  bool Insert(absl::string_view id);

  std::size_t size() const { return uuids_.size() + others_.size(); }

 private:
  absl::flat_hash_set<absl::uint128> uuids_;
  absl::flat_hash_set<std::string> others_;
};

}  // namespace leverconnect::importer

#endif  // LEVERCONNECT_LIB_IMPORTER_REQUISITION_ID_SET_H_

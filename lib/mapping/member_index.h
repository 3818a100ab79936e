// Finds, in one pass over a JSON object, the members a set of columns
// reads, so that mapping a row costs one scan of the requisition instead of
// one scan per column. Internal to lc_mapping.
//
// Names are registered once (MemberIndex::Add gives each a slot); Find then
// points each slot at its member. Immutable after the last Add, so Find may
// run on several threads at once.
#ifndef LEVERCONNECT_LIB_MAPPING_MEMBER_INDEX_H_
#define LEVERCONNECT_LIB_MAPPING_MEMBER_INDEX_H_

#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "rapidjson/document.h"

namespace leverconnect::mapping {

// Member values by slot; nullptr for a member the object does not have.
using FoundMembers = absl::InlinedVector<const rapidjson::Value*, 32>;

class MemberIndex {
 public:
  // The slot of `name`, registering it on first use.
  int Add(const std::string& name);

  int size() const { return static_cast<int>(names_.size()); }

  // Fills `found` (resized to size()) with the members of `object` by slot.
  // When a name occurs twice, the first occurrence wins, as with
  // rapidjson's FindMember. REQUIRES: object.IsObject().
  void Find(const rapidjson::Value& object, FoundMembers* found) const;

 private:
  std::vector<std::string> names_;  // by slot
  // Slots by the length of their name, so that a member is compared only
  // with names of its own length.
  std::vector<std::vector<int>> slots_by_length_;
};

}  // namespace leverconnect::mapping

#endif  // LEVERCONNECT_LIB_MAPPING_MEMBER_INDEX_H_

#include "lib/mapping/member_index.h"

#include <algorithm>
#include <cstring>

namespace leverconnect::mapping {

int MemberIndex::Add(const std::string& name) {
  const auto existing = std::find(names_.begin(), names_.end(), name);
  if (existing != names_.end()) {
    return static_cast<int>(existing - names_.begin());
  }
  const int slot = size();
  names_.push_back(name);
  if (slots_by_length_.size() <= name.size()) {
    slots_by_length_.resize(name.size() + 1);
  }
  slots_by_length_[name.size()].push_back(slot);
  return slot;
}

void MemberIndex::Find(const rapidjson::Value& object,
                       FoundMembers* found) const {
  found->assign(names_.size(), nullptr);
  for (const auto& member : object.GetObject()) {
    const std::size_t length = member.name.GetStringLength();
    if (length >= slots_by_length_.size()) continue;
    const char* name = member.name.GetString();
    for (const int slot : slots_by_length_[length]) {
      const std::string& candidate = names_[slot];
      if (length > 0 && (candidate[0] != name[0] ||
                         std::memcmp(candidate.data(), name, length) != 0)) {
        continue;
      }
      if ((*found)[slot] == nullptr) (*found)[slot] = &member.value;
      break;
    }
  }
}

}  // namespace leverconnect::mapping

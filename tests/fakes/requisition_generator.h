// Deterministic, realistic Lever requisitions for tests, the demo and
// benchmarks.
//
// Generated requisitions carry every member of the recorded Lever objects,
// in the recorded order, and the traps real data holds: "unlimited"
// headcounts, nulls, dynamic and static approvers, custom values that are
// absent or (about 5% of them) of the wrong type. The same count and seed
// give the same bytes on every platform.
//
// The custom fields and their definitions are in generated_custom_fields.h.
// The users that creator, owner, hiringManager and the approvers name are
// generated from the same seed.
#ifndef LEVERCONNECT_TESTS_FAKES_REQUISITION_GENERATOR_H_
#define LEVERCONNECT_TESTS_FAKES_REQUISITION_GENERATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tests/fakes/requisition_store.h"
#include "tests/fakes/user_store.h"

namespace leverconnect::testing {

// `count` requisitions with distinct createdAt values spread over 2021 to
// 2023, ids that look like UUIDs and requisitionCodes REQ-000001, ...
std::vector<StoredRequisition> GenerateRequisitions(int count,
                                                    std::uint64_t seed);

// The users of the account GenerateRequisitions(count, seed) describes,
// whatever the count: every id its requisitions refer to, each with a name
// and an e-mail address at example.com, in Lever's user shape. One of them
// has been deactivated (as people who left still own requisitions).
std::vector<StoredUser> GenerateUsers(std::uint64_t seed);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_REQUISITION_GENERATOR_H_

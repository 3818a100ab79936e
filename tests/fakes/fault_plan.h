// The faults the fake Lever can inject, and which request gets which.
//
// A FaultKind names one way Lever, or a proxy in front of it, misbehaves.
// A FaultPlan decides, from a seed and an optional script, which fault (if
// any) the n-th request gets, the same way every time.
#ifndef LEVERCONNECT_TESTS_FAKES_FAULT_PLAN_H_
#define LEVERCONNECT_TESTS_FAKES_FAULT_PLAN_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace leverconnect::testing {

// Each kind's name (in flags and statistics) follows it; FakeLever
// documents what each one answers.
enum class FaultKind {
  kTooManyRequests,     // "429"
  kInternalError,       // "500"
  kBadGateway,          // "502"
  kServiceUnavailable,  // "503"
  kGatewayTimeout,      // "504"
  kReset,               // "reset"
  kHtml,                // "html"
  kTruncate,            // "truncate"
  kBadToken,            // "badtoken"
  kEmpty,               // "empty"
  kLost,                // "lost"
};

// Every kind, in declaration order.
inline constexpr FaultKind kAllFaultKinds[] = {FaultKind::kTooManyRequests,
                                               FaultKind::kInternalError,
                                               FaultKind::kBadGateway,
                                               FaultKind::kServiceUnavailable,
                                               FaultKind::kGatewayTimeout,
                                               FaultKind::kReset,
                                               FaultKind::kHtml,
                                               FaultKind::kTruncate,
                                               FaultKind::kBadToken,
                                               FaultKind::kEmpty,
                                               FaultKind::kLost};

// A kind with the chance, from 0 to 1, that a request gets it.
using FaultChances = std::vector<std::pair<FaultKind, double>>;

// Request numbers (1-based) and the fault each one gets.
using FaultScript = std::map<int, FaultKind>;

// The kind's name, as in the comments of FaultKind.
std::string_view FaultKindName(FaultKind kind);

// The kind whose name is `name`; InvalidArgument for any other text.
absl::StatusOr<FaultKind> ParseFaultKind(std::string_view name);

// Parses "KIND:CHANCE[,KIND:CHANCE...]", for example "429:0.05,reset:0.01".
// An empty text is an empty list. InvalidArgument, naming the bad part,
// for an unknown kind, a repeated kind or a chance ValidateFaultChances
// refuses.
absl::StatusOr<FaultChances> ParseFaultChances(std::string_view text);

// Parses "N:KIND[,N:KIND...]", for example "3:429,4:reset". An empty text
// is an empty script. InvalidArgument for a number below 1, a repeated
// number or an unknown kind.
absl::StatusOr<FaultScript> ParseFaultScript(std::string_view text);

// OK when every chance is a number from 0 to 1 and their sum is at most 1
// (give or take rounding); InvalidArgument otherwise.
absl::Status ValidateFaultChances(const FaultChances& chances);

// OK when every request number is at least 1; InvalidArgument otherwise.
absl::Status ValidateFaultScript(const FaultScript& script);

// Which fault each request gets. Immutable, so safe to share.
class FaultPlan {
 public:
  // REQUIRES: `chances` and `script` pass the Validate functions above.
  FaultPlan(FaultChances chances, std::uint64_t seed, FaultScript script);

  // The fault of the request numbered `request_number` (1-based): the
  // scripted one when there is one, otherwise a random one. Request n
  // gets the n-th number of the seed's DeterministicRandom sequence whether
  // or not it is scripted, so a script does not move the random faults,
  // and the answer depends on nothing but the seed and the number.
  std::optional<FaultKind> For(int request_number) const;

 private:
  const FaultChances chances_;
  const std::uint64_t seed_;
  const FaultScript script_;
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_FAULT_PLAN_H_

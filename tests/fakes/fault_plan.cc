#include "tests/fakes/fault_plan.h"

#include <set>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "tests/fakes/deterministic_random.h"

namespace leverconnect::testing {
namespace {

// The step of the SplitMix64 sequence behind DeterministicRandom.
constexpr std::uint64_t kSequenceStep = 0x9E3779B97F4A7C15ULL;

// Sums of chances may exceed 1 by this much through decimal rounding.
constexpr double kRounding = 1e-9;

// Splits "LEFT:RIGHT" at its only colon.
absl::StatusOr<std::pair<absl::string_view, absl::string_view>> SplitPair(
    absl::string_view item, absl::string_view expected) {
  const std::size_t colon = item.find(':');
  if (colon == absl::string_view::npos ||
      item.find(':', colon + 1) != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", item, "\" is not ", expected));
  }
  return std::make_pair(item.substr(0, colon), item.substr(colon + 1));
}

absl::StatusOr<FaultKind> ParseKind(absl::string_view name) {
  return ParseFaultKind(std::string_view(name.data(), name.size()));
}

// The kind's name for absl::StrCat, which takes no std::string_view here.
absl::string_view NameOf(FaultKind kind) {
  const std::string_view name = FaultKindName(kind);
  return absl::string_view(name.data(), name.size());
}

// A uniform number in [0, 1) from 53 random bits.
double UnitInterval(std::uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

}  // namespace

std::string_view FaultKindName(FaultKind kind) {
  switch (kind) {
    case FaultKind::kTooManyRequests:
      return "429";
    case FaultKind::kInternalError:
      return "500";
    case FaultKind::kBadGateway:
      return "502";
    case FaultKind::kServiceUnavailable:
      return "503";
    case FaultKind::kGatewayTimeout:
      return "504";
    case FaultKind::kReset:
      return "reset";
    case FaultKind::kHtml:
      return "html";
    case FaultKind::kTruncate:
      return "truncate";
    case FaultKind::kBadToken:
      return "badtoken";
    case FaultKind::kEmpty:
      return "empty";
    case FaultKind::kLost:
      return "lost";
  }
  return "unknown";
}

absl::StatusOr<FaultKind> ParseFaultKind(std::string_view name) {
  for (FaultKind kind : kAllFaultKinds) {
    if (FaultKindName(kind) == name) return kind;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown fault \"", absl::string_view(name.data(), name.size()),
      "\" (expected 429, 500, 502, 503, 504, reset, html, truncate, "
      "badtoken or empty)"));
}

absl::StatusOr<FaultChances> ParseFaultChances(std::string_view text) {
  FaultChances chances;
  std::set<FaultKind> seen;
  for (absl::string_view item :
       absl::StrSplit(absl::string_view(text.data(), text.size()), ',',
                      absl::SkipEmpty())) {
    const auto pair = SplitPair(item, "KIND:CHANCE");
    if (!pair.ok()) return pair.status();
    const absl::StatusOr<FaultKind> kind = ParseKind(pair->first);
    if (!kind.ok()) return kind.status();
    double chance = 0;
    if (!absl::SimpleAtod(pair->second, &chance)) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", pair->second, "\" is not a number"));
    }
    if (!seen.insert(*kind).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("fault ", pair->first, " is given twice"));
    }
    chances.emplace_back(*kind, chance);
  }
  const absl::Status valid = ValidateFaultChances(chances);
  if (!valid.ok()) return valid;
  return chances;
}

absl::StatusOr<FaultScript> ParseFaultScript(std::string_view text) {
  FaultScript script;
  for (absl::string_view item :
       absl::StrSplit(absl::string_view(text.data(), text.size()), ',',
                      absl::SkipEmpty())) {
    const auto pair = SplitPair(item, "N:KIND");
    if (!pair.ok()) return pair.status();
    int number = 0;
    if (!absl::SimpleAtoi(pair->first, &number) || number < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", pair->first, "\" is not a request number from 1"));
    }
    const absl::StatusOr<FaultKind> kind = ParseKind(pair->second);
    if (!kind.ok()) return kind.status();
    if (!script.emplace(number, *kind).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("request ", number, " is given twice"));
    }
  }
  return script;
}

absl::Status ValidateFaultChances(const FaultChances& chances) {
  double sum = 0;
  for (const auto& [kind, chance] : chances) {
    if (!(chance >= 0 && chance <= 1)) {  // also refuses NaN
      return absl::InvalidArgumentError(
          absl::StrCat("the chance of fault ", NameOf(kind), " is ", chance,
                       ", not a number from 0 to 1"));
    }
    sum += chance;
  }
  if (sum > 1 + kRounding) {
    return absl::InvalidArgumentError(
        absl::StrCat("the chances of faults add up to ", sum, ", over 1"));
  }
  return absl::OkStatus();
}

absl::Status ValidateFaultScript(const FaultScript& script) {
  if (!script.empty() && script.begin()->first < 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "fault script request number ", script.begin()->first, " is below 1"));
  }
  return absl::OkStatus();
}

FaultPlan::FaultPlan(FaultChances chances, std::uint64_t seed,
                     FaultScript script)
    : chances_(std::move(chances)), seed_(seed), script_(std::move(script)) {}

std::optional<FaultKind> FaultPlan::For(int request_number) const {
  const auto scripted = script_.find(request_number);
  if (scripted != script_.end()) return scripted->second;
  if (chances_.empty()) return std::nullopt;

  // Starting the sequence n - 1 steps on makes Next() its n-th number.
  const auto steps = static_cast<std::uint64_t>(request_number - 1);
  DeterministicRandom random(seed_ + steps * kSequenceStep);
  const double draw = UnitInterval(random.Next());
  double bound = 0;
  for (const auto& [kind, chance] : chances_) {
    bound += chance;
    if (draw < bound) return kind;
  }
  return std::nullopt;
}

}  // namespace leverconnect::testing

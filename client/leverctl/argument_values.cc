#include "client/leverctl/argument_values.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace leverconnect::leverctl {
namespace {

constexpr absl::string_view kConnectionPrefix = "connections/";

google::protobuf::Timestamp ToTimestamp(absl::Time time) {
  const int64_t seconds = absl::ToUnixSeconds(time);
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(static_cast<int32_t>(
      (time - absl::FromUnixSeconds(seconds)) / absl::Nanoseconds(1)));
  return timestamp;
}

}  // namespace

std::string ConnectionName(absl::string_view id) {
  if (absl::StartsWith(id, kConnectionPrefix)) return std::string(id);
  return absl::StrCat(kConnectionPrefix, id);
}

std::string ConnectionId(absl::string_view id_or_name) {
  return std::string(absl::StripPrefix(id_or_name, kConnectionPrefix));
}

absl::StatusOr<v1::Environment> ParseEnvironment(absl::string_view text) {
  if (text == "production") return v1::ENVIRONMENT_PRODUCTION;
  if (text == "sandbox") return v1::ENVIRONMENT_SANDBOX;
  return absl::InvalidArgumentError(
      absl::StrCat("--environment: '", text,
                   "' is not an environment; use production or "
                   "sandbox"));
}

absl::StatusOr<google::protobuf::Timestamp> ParseTime(absl::string_view flag,
                                                      absl::string_view text) {
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &error) ||
      absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &time, &error)) {
    return ToTimestamp(time);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--", flag, ": cannot read '", text,
      "' as a time; use RFC 3339 "
      "(2024-01-31T09:00:00Z) or a date (2024-01-31, midnight UTC)"));
}

absl::StatusOr<int> ParsePositiveInteger(absl::string_view flag,
                                         absl::string_view text) {
  int value = 0;
  if (absl::SimpleAtoi(text, &value) && value > 0) return value;
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, ": '", text, "' is not a whole number above 0"));
}

absl::StatusOr<int> ParseIntegerBetween(absl::string_view flag,
                                        absl::string_view text, int minimum,
                                        int maximum) {
  int value = 0;
  if (absl::SimpleAtoi(text, &value) && minimum <= value && value <= maximum) {
    return value;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, " must be between ", minimum, " and ", maximum));
}

absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view text) {
  absl::Duration timeout;
  if (!absl::ParseDuration(text, &timeout) || timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--timeout: cannot read '", text,
                     "' as a duration; use a number "
                     "with a unit, such as 30s, 5m or 1h, or 0 for none"));
  }
  if (timeout == absl::ZeroDuration()) return absl::InfiniteDuration();
  return timeout;
}

std::vector<std::string> SplitColumns(const std::vector<std::string>& lists) {
  std::vector<std::string> names;
  for (const std::string& list : lists) {
    for (absl::string_view name : absl::StrSplit(list, ',')) {
      name = absl::StripAsciiWhitespace(name);
      if (!name.empty()) names.emplace_back(name);
    }
  }
  return names;
}

}  // namespace leverconnect::leverctl

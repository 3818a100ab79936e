// What the values on leverctl's command line mean. Each parser fails with
// INVALID_ARGUMENT and a message that names the flag and shows a valid
// value, ready to be shown as a usage error.
#ifndef LEVERCONNECT_CLIENT_LEVERCTL_ARGUMENT_VALUES_H_
#define LEVERCONNECT_CLIENT_LEVERCTL_ARGUMENT_VALUES_H_

#include <string>
#include <vector>

#include <google/protobuf/timestamp.pb.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "leverconnect/v1/connection.pb.h"

namespace leverconnect::leverctl {

// "acme-prod" -> "connections/acme-prod"; a full resource name is kept.
std::string ConnectionName(absl::string_view id);

// "connections/acme-prod" -> "acme-prod"; a bare id is kept.
std::string ConnectionId(absl::string_view id_or_name);

// "production" or "sandbox".
absl::StatusOr<v1::Environment> ParseEnvironment(absl::string_view text);

// RFC 3339 ("2024-01-31T09:00:00Z", "2024-01-31T10:00:00+01:00") or a date
// ("2024-01-31", midnight UTC).
absl::StatusOr<google::protobuf::Timestamp> ParseTime(absl::string_view flag,
                                                      absl::string_view text);

// A whole number from 1 up to 2^31-1.
absl::StatusOr<int> ParsePositiveInteger(absl::string_view flag,
                                         absl::string_view text);

// A whole number from `minimum` to `maximum`. Anything else, a word
// included, fails with "--<flag> must be between <minimum> and <maximum>".
absl::StatusOr<int> ParseIntegerBetween(absl::string_view flag,
                                        absl::string_view text, int minimum,
                                        int maximum);

// A duration with a unit ("30s", "5m", "1h30m"); "0" means no timeout and
// gives InfiniteDuration.
absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view text);

// The names in comma-separated lists, in order, spaces and empty names
// dropped: {"id,name", " status"} -> {"id", "name", "status"}.
std::vector<std::string> SplitColumns(const std::vector<std::string>& lists);

}  // namespace leverconnect::leverctl

#endif  // LEVERCONNECT_CLIENT_LEVERCTL_ARGUMENT_VALUES_H_

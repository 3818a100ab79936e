#include "tests/fakes/requisition_query.h"

#include <cstdint>
#include <optional>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "tests/fakes/page_token.h"

namespace leverconnect::testing {
namespace {

using Parameters = std::multimap<std::string, std::string>;

constexpr int kMaximumLimit = 100;

const std::string* FirstValue(const Parameters& parameters,
                              const std::string& name) {
  const auto found = parameters.find(name);
  return found == parameters.end() ? nullptr : &found->second;
}

std::set<std::string> AllValues(const Parameters& parameters,
                                const std::string& name) {
  std::set<std::string> values;
  const auto [first, last] = parameters.equal_range(name);
  for (auto value = first; value != last; ++value) values.insert(value->second);
  return values;
}

absl::Status ReadLimit(const Parameters& parameters, int& limit) {
  const std::string* text = FirstValue(parameters, "limit");
  if (text == nullptr) return absl::OkStatus();
  if (!absl::SimpleAtoi(*text, &limit) || limit < 1 || limit > kMaximumLimit) {
    return absl::InvalidArgumentError(
        "Invalid limit: must be an integer from 1 to 100");
  }
  return absl::OkStatus();
}

absl::Status ReadOffset(const Parameters& parameters,
                        std::optional<PagePosition>& after) {
  const std::string* token = FirstValue(parameters, "offset");
  if (token == nullptr) return absl::OkStatus();
  absl::StatusOr<PagePosition> position = ParsePageToken(*token);
  if (!position.ok()) return position.status();
  after = *std::move(position);
  return absl::OkStatus();
}

absl::Status ReadConfidentiality(const Parameters& parameters,
                                 RequisitionQuery& query) {
  const std::string* text = FirstValue(parameters, "confidentiality");
  if (text == nullptr || *text == "all") return absl::OkStatus();
  if (*text != "confidential" && *text != "non-confidential") {
    return absl::InvalidArgumentError(
        "Invalid confidentiality: must be confidential, non-confidential or "
        "all");
  }
  query.confidentiality = *text;
  return absl::OkStatus();
}

absl::Status ReadTime(const Parameters& parameters, const std::string& name,
                      std::optional<std::int64_t>& bound) {
  const std::string* text = FirstValue(parameters, name);
  if (text == nullptr) return absl::OkStatus();
  std::int64_t epoch_milliseconds = 0;
  if (!absl::SimpleAtoi(*text, &epoch_milliseconds)) {
    return absl::InvalidArgumentError("Invalid " + name +
                                      ": must be epoch milliseconds");
  }
  bound = epoch_milliseconds;
  return absl::OkStatus();
}

}  // namespace

absl::Status ParsePaging(const Parameters& parameters, int& limit,
                         std::optional<PagePosition>& after) {
  absl::Status limit_read = ReadLimit(parameters, limit);
  if (!limit_read.ok()) return limit_read;
  return ReadOffset(parameters, after);
}

absl::StatusOr<RequisitionQuery> ParseRequisitionQuery(
    const Parameters& parameters) {
  RequisitionQuery query;
  for (absl::Status status :
       {ParsePaging(parameters, query.limit, query.after),
        ReadConfidentiality(parameters, query),
        ReadTime(parameters, "created_at_start", query.created_at_start),
        ReadTime(parameters, "created_at_end", query.created_at_end)}) {
    if (!status.ok()) return status;
  }
  query.statuses = AllValues(parameters, "status");
  query.requisition_codes = AllValues(parameters, "requisition_code");
  return query;
}

}  // namespace leverconnect::testing

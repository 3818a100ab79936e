#include "lib/storage/store_semantics.h"

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace leverconnect::storage {
namespace {

absl::string_view ToAbsl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

}  // namespace

absl::Status ConnectionNotFound(std::string_view id) {
  return absl::NotFoundError(
      absl::StrCat("connection '", ToAbsl(id), "' not found"));
}

absl::Status ConnectionExists(std::string_view id) {
  return absl::AlreadyExistsError(
      absl::StrCat("connection '", ToAbsl(id), "' already exists"));
}

absl::Status EtagMismatch(std::string_view id, std::string_view expected_etag) {
  return absl::AbortedError(absl::StrCat("connection '", ToAbsl(id),
                                         "' was changed since etag '",
                                         ToAbsl(expected_etag), "' was read"));
}

absl::Status CheckEtag(std::string_view id, std::string_view stored_etag,
                       std::string_view expected_etag) {
  if (expected_etag.empty() || stored_etag == expected_etag) {
    return absl::OkStatus();
  }
  return EtagMismatch(id, expected_etag);
}

absl::Status RunNotFound(std::string_view connection_id,
                         std::string_view run_id) {
  return absl::NotFoundError(absl::StrCat("import \"connections/",
                                          ToAbsl(connection_id), "/imports/",
                                          ToAbsl(run_id), "\" not found"));
}

absl::Status RunIdTaken(std::string_view run_id) {
  return absl::AlreadyExistsError(
      absl::StrCat("import id \"", ToAbsl(run_id), "\" is taken"));
}

absl::Status MissingRunKey() {
  return absl::InvalidArgumentError("import run without connection or id");
}

absl::Status CheckPageSize(int page_size) {
  if (page_size > 0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("page size must be positive, got ", page_size));
}

std::string RunListQuery(std::string_view select, const ImportRunFilter& filter,
                         std::string_view placeholder,
                         std::string_view integer_cast) {
  const absl::string_view p = ToAbsl(placeholder);
  const absl::string_view cast = ToAbsl(integer_cast);
  std::string sql =
      absl::StrCat(ToAbsl(select), "WHERE connection_id = ", p, "1 AND (", p,
                   "2", cast, " = 0 OR seq < ", p, "2", cast, ") AND (", p, "3",
                   cast, " = 0 OR state = ", p, "3", cast, ") AND (", p,
                   "4 = '' OR application = ", p, "4)");
  if (!filter.applications.empty()) {
    absl::StrAppend(&sql, " AND application IN (");
    for (std::size_t i = 0; i < filter.applications.size(); ++i) {
      absl::StrAppend(&sql, i == 0 ? "" : ", ", p, i + 6);
    }
    absl::StrAppend(&sql, ")");
  }
  absl::StrAppend(&sql, " ORDER BY seq DESC LIMIT ", p, "5");
  return sql;
}

}  // namespace leverconnect::storage

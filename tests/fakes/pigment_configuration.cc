#include "tests/fakes/pigment_configuration.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"

namespace leverconnect::testing {
namespace {

// Splits `text` at each `delimiter` that no backslash escapes; the pieces
// keep their escapes.
std::vector<absl::string_view> SplitUnescaped(absl::string_view text,
                                              char delimiter) {
  std::vector<absl::string_view> pieces;
  std::size_t start = 0;
  for (std::size_t position = 0; position < text.size(); ++position) {
    if (text[position] == '\\') {
      ++position;
    } else if (text[position] == delimiter) {
      pieces.push_back(text.substr(start, position - start));
      start = position + 1;
    }
  }
  pieces.push_back(text.substr(start));
  return pieces;
}

// The position of the last `character` no backslash escapes, or npos.
std::size_t FindLastUnescaped(absl::string_view text, char character) {
  std::size_t found = absl::string_view::npos;
  for (std::size_t position = 0; position < text.size(); ++position) {
    if (text[position] == '\\') {
      ++position;
    } else if (text[position] == character) {
      found = position;
    }
  }
  return found;
}

std::string Unescape(absl::string_view text) {
  std::string plain;
  for (std::size_t position = 0; position < text.size(); ++position) {
    if (text[position] == '\\' && position + 1 < text.size()) ++position;
    plain.push_back(text[position]);
  }
  return plain;
}

absl::Status Refuse(absl::string_view id, absl::string_view problem) {
  return absl::InvalidArgumentError(
      absl::StrCat("import configuration \"", id, "\": ", problem));
}

absl::StatusOr<PigmentColumn> ParseColumn(absl::string_view text) {
  PigmentColumn column;
  const std::size_t colon = FindLastUnescaped(text, ':');
  column.name = Unescape(text.substr(0, colon));
  if (colon == absl::string_view::npos) return column;
  absl::StatusOr<ColumnType> type = ParseColumnType(text.substr(colon + 1));
  if (!type.ok()) return type.status();
  column.type = *type;
  return column;
}

absl::Status ApplySetting(absl::string_view text,
                          ImportConfiguration& configuration) {
  const std::size_t equals = text.find('=');
  const absl::string_view name = text.substr(0, equals);
  const std::string value = equals == absl::string_view::npos
                                ? ""
                                : Unescape(text.substr(equals + 1));
  if (name == "bom" && equals == absl::string_view::npos) {
    configuration.bom = true;
  } else if (name == "separator" &&
             (value == "comma" || value == "semicolon")) {
    configuration.separator = value == "comma" ? ',' : ';';
  } else if (name == "unique" && !value.empty()) {
    configuration.unique_column = value;
  } else if (name == "fail" && !value.empty()) {
    configuration.fail_with = value;
  } else if (name == "block" && !value.empty()) {
    configuration.block = value;
  } else {
    return Refuse(configuration.id,
                  absl::StrCat("unknown setting \"", Unescape(text),
                               "\" (separator=comma|semicolon, bom, "
                               "unique=COLUMN, fail=DESCRIPTION, block=NAME)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateImportConfiguration(
    const ImportConfiguration& configuration) {
  const std::string& id = configuration.id;
  if (id.empty()) return Refuse(id, "the id is empty");
  if (configuration.columns.empty()) return Refuse(id, "no columns");
  std::set<std::string> names;
  for (const PigmentColumn& column : configuration.columns) {
    if (column.name.empty()) return Refuse(id, "a column has no name");
    if (!names.insert(column.name).second) {
      return Refuse(id, absl::StrCat("column \"", column.name, "\" twice"));
    }
  }
  if (configuration.separator != ',' && configuration.separator != ';') {
    return Refuse(id, "the separator must be ',' or ';'");
  }
  if (!configuration.unique_column.empty() &&
      names.count(configuration.unique_column) == 0) {
    return Refuse(
        id, absl::StrCat("the unique column \"", configuration.unique_column,
                         "\" is not one of the columns"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ImportConfiguration> ParseImportConfiguration(
    absl::string_view text) {
  ImportConfiguration configuration;
  const std::size_t equals = text.find('=');
  if (equals == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "an import configuration is ID=COLUMN[:TYPE],...[;SETTING...]");
  }
  configuration.id = std::string(text.substr(0, equals));
  const std::vector<absl::string_view> parts =
      SplitUnescaped(text.substr(equals + 1), ';');
  for (absl::string_view column_text : SplitUnescaped(parts[0], ',')) {
    absl::StatusOr<PigmentColumn> column = ParseColumn(column_text);
    if (!column.ok())
      return Refuse(configuration.id, column.status().message());
    configuration.columns.push_back(*std::move(column));
  }
  for (std::size_t index = 1; index < parts.size(); ++index) {
    absl::Status applied = ApplySetting(parts[index], configuration);
    if (!applied.ok()) return applied;
  }
  absl::Status valid = ValidateImportConfiguration(configuration);
  if (!valid.ok()) return valid;
  return configuration;
}

}  // namespace leverconnect::testing

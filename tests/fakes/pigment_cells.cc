#include "tests/fakes/pigment_cells.h"

#include <cctype>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace leverconnect::testing {
namespace {

constexpr ColumnType kAllColumnTypes[] = {
    ColumnType::kText, ColumnType::kNumber,   ColumnType::kInteger,
    ColumnType::kDate, ColumnType::kDateTime, ColumnType::kBoolean};

// Reads exactly `count` digits at `position` as a number, moving past
// them; -1 when they are not all digits.
int ReadDigits(absl::string_view text, std::size_t& position,
               std::size_t count) {
  if (position + count > text.size()) return -1;
  int number = 0;
  for (std::size_t end = position + count; position < end; ++position) {
    if (!std::isdigit(static_cast<unsigned char>(text[position]))) return -1;
    number = number * 10 + (text[position] - '0');
  }
  return number;
}

// Whether the next character is `expected`, moving past it if so.
bool Skip(absl::string_view text, std::size_t& position, char expected) {
  if (position >= text.size() || text[position] != expected) return false;
  ++position;
  return true;
}

// Reads one or more digits, moving past them.
bool SkipDigits(absl::string_view text, std::size_t& position) {
  const std::size_t start = position;
  while (position < text.size() &&
         std::isdigit(static_cast<unsigned char>(text[position]))) {
    ++position;
  }
  return position > start;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// YYYY-MM-DD at `position`, a day that exists.
bool ReadDate(absl::string_view text, std::size_t& position) {
  const int year = ReadDigits(text, position, 4);
  if (year < 0 || !Skip(text, position, '-')) return false;
  const int month = ReadDigits(text, position, 2);
  if (month < 1 || month > 12 || !Skip(text, position, '-')) return false;
  const int day = ReadDigits(text, position, 2);
  return day >= 1 && day <= DaysInMonth(year, month);
}

// HH:MM at `position`, 00:00 to 23:59.
bool ReadHoursAndMinutes(absl::string_view text, std::size_t& position) {
  const int hours = ReadDigits(text, position, 2);
  if (hours < 0 || hours > 23 || !Skip(text, position, ':')) return false;
  const int minutes = ReadDigits(text, position, 2);
  return minutes >= 0 && minutes <= 59;
}

bool IsDateTime(absl::string_view text) {
  std::size_t position = 0;
  if (!ReadDate(text, position) || !Skip(text, position, 'T') ||
      !ReadHoursAndMinutes(text, position) || !Skip(text, position, ':')) {
    return false;
  }
  const int seconds = ReadDigits(text, position, 2);
  if (seconds < 0 || seconds > 59) return false;
  if (Skip(text, position, '.') && !SkipDigits(text, position)) return false;
  if (Skip(text, position, 'Z')) return position == text.size();
  if (!Skip(text, position, '+') && !Skip(text, position, '-')) return false;
  return ReadHoursAndMinutes(text, position) && position == text.size();
}

bool IsDate(absl::string_view text) {
  std::size_t position = 0;
  return (ReadDate(text, position) && position == text.size()) ||
         IsDateTime(text);
}

// [+-]DIGITS, and [.DIGITS] when `fraction` allows it.
bool IsDecimal(absl::string_view text, bool fraction) {
  std::size_t position = 0;
  if (!Skip(text, position, '+')) Skip(text, position, '-');
  if (!SkipDigits(text, position)) return false;
  if (fraction && Skip(text, position, '.') && !SkipDigits(text, position)) {
    return false;
  }
  return position == text.size();
}

}  // namespace

absl::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kText:
      return "text";
    case ColumnType::kNumber:
      return "number";
    case ColumnType::kInteger:
      return "integer";
    case ColumnType::kDate:
      return "date";
    case ColumnType::kDateTime:
      return "datetime";
    case ColumnType::kBoolean:
      return "boolean";
  }
  return "text";
}

absl::StatusOr<ColumnType> ParseColumnType(absl::string_view name) {
  for (ColumnType type : kAllColumnTypes) {
    if (ColumnTypeName(type) == name) return type;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown column type \"", name,
                   "\" (text, number, integer, date, datetime or boolean)"));
}

bool CellFits(ColumnType type, absl::string_view text) {
  if (text.empty()) return true;
  switch (type) {
    case ColumnType::kText:
      return true;
    case ColumnType::kNumber:
      return IsDecimal(text, /*fraction=*/true);
    case ColumnType::kInteger:
      return IsDecimal(text, /*fraction=*/false);
    case ColumnType::kDate:
      return IsDate(text);
    case ColumnType::kDateTime:
      return IsDateTime(text);
    case ColumnType::kBoolean:
      return absl::EqualsIgnoreCase(text, "true") ||
             absl::EqualsIgnoreCase(text, "false");
  }
  return false;
}

}  // namespace leverconnect::testing

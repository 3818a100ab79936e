#include "client/text_table.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace leverconnect::client {
namespace {

constexpr char kColumnGap[] = "   ";
constexpr char kEllipsis[] = "…";

struct CodePointRange {
  char32_t first;
  char32_t last;
};

// Characters that take no column: combining marks, zero-width spaces and
// joiners, variation selectors.
constexpr CodePointRange kZeroWidth[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
    {0x064B, 0x065F}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F},
    {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
};

// East Asian wide and fullwidth characters, and emoji: two columns.
constexpr CodePointRange kDoubleWidth[] = {
    {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},
    {0x3400, 0x4DBF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE30, 0xFE4F},
    {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
    {0x1F900, 0x1F9FF}, {0x20000, 0x3FFFD},
};

template <size_t size>
bool InRanges(char32_t code_point, const CodePointRange (&ranges)[size]) {
  return std::any_of(std::begin(ranges), std::end(ranges),
                     [code_point](const CodePointRange& range) {
                       return range.first <= code_point &&
                              code_point <= range.last;
                     });
}

// One UTF-8 character of a text.
struct Character {
  size_t length;  // bytes, at least 1
  int width;      // terminal columns
};

// Decodes the character starting at text[position]. An invalid byte is a
// character of its own, one column wide.
Character DecodeCharacter(absl::string_view text, size_t position) {
  const auto lead = static_cast<unsigned char>(text[position]);
  if (lead < 0x80) return {1, 1};
  size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (length == 0 || position + length > text.size()) return {1, 1};

  char32_t code_point = lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[position + i]);
    if ((next & 0xC0) != 0x80) return {1, 1};
    code_point = (code_point << 6) | (next & 0x3F);
  }
  if (InRanges(code_point, kZeroWidth)) return {length, 0};
  if (InRanges(code_point, kDoubleWidth)) return {length, 2};
  return {length, 1};
}

// Tabs, line breaks and other control characters become spaces.
std::string OneLine(std::string text) {
  for (char& character : text) {
    const auto byte = static_cast<unsigned char>(character);
    if (byte < 0x20 || byte == 0x7F) character = ' ';
  }
  return text;
}

}  // namespace

int DisplayWidth(absl::string_view text) {
  int width = 0;
  for (size_t position = 0; position < text.size();) {
    Character character = DecodeCharacter(text, position);
    width += character.width;
    position += character.length;
  }
  return width;
}

std::string Truncate(absl::string_view text, int width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  const int kept_width = width - 1;  // "…" takes the last column
  int used = 0;
  size_t position = 0;
  while (position < text.size()) {
    Character character = DecodeCharacter(text, position);
    if (used + character.width > kept_width) break;
    used += character.width;
    position += character.length;
  }
  return std::string(text.substr(0, position)) + std::string(kEllipsis);
}

TextTable::TextTable(std::vector<std::string> headers)
    : headers_(std::move(headers)),
      right_aligned_(headers_.size(), false),
      kept_whole_(headers_.size(), false) {}

void TextTable::AlignRight(int column) { right_aligned_[column] = true; }

void TextTable::KeepWhole(int column) { kept_whole_[column] = true; }

void TextTable::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (std::string& cell : cells) cell = OneLine(std::move(cell));
  rows_.push_back(std::move(cells));
}

std::vector<std::string> TextTable::Shown(
    const std::vector<std::string>& cells) const {
  std::vector<std::string> shown = cells;
  for (size_t column = 0; column < shown.size(); ++column) {
    if (kept_whole_[column]) continue;
    shown[column] = Truncate(shown[column], kMaximumCellWidth);
  }
  return shown;
}

void TextTable::Print(std::ostream& out) const {
  std::vector<std::vector<std::string>> rows;
  for (const std::vector<std::string>& row : rows_) rows.push_back(Shown(row));

  std::vector<int> widths(headers_.size(), 0);
  for (size_t column = 0; column < headers_.size(); ++column) {
    widths[column] = DisplayWidth(headers_[column]);
    for (const std::vector<std::string>& row : rows) {
      widths[column] = std::max(widths[column], DisplayWidth(row[column]));
    }
  }

  PrintLine(headers_, widths, out);
  for (const std::vector<std::string>& row : rows) PrintLine(row, widths, out);
}

void TextTable::PrintLine(const std::vector<std::string>& cells,
                          const std::vector<int>& widths,
                          std::ostream& out) const {
  std::string line;
  for (size_t column = 0; column < cells.size(); ++column) {
    if (column > 0) line += kColumnGap;
    const std::string padding(widths[column] - DisplayWidth(cells[column]),
                              ' ');
    if (right_aligned_[column]) line += padding;
    line += cells[column];
    if (!right_aligned_[column]) line += padding;
  }
  line.erase(line.find_last_not_of(' ') + 1);
  out << line << '\n';
}

}  // namespace leverconnect::client

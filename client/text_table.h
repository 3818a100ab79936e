// Aligned plain-text tables, leverctl's output for people.
//
// Text is UTF-8. Widths are terminal columns: most characters take one,
// East Asian wide characters and emoji take two, combining marks none.
#ifndef LEVERCONNECT_CLIENT_TEXT_TABLE_H_
#define LEVERCONNECT_CLIENT_TEXT_TABLE_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace leverconnect::client {

// Terminal columns `text` takes. A byte that is not valid UTF-8 counts as
// one column.
int DisplayWidth(absl::string_view text);

// `text` cut to at most `width` columns (width >= 1); when cut, it ends with
// "…". Whole characters only.
std::string Truncate(absl::string_view text, int width);

// An aligned table with a header line, for a terminal.
//
//   TextTable table({"NAME", "ROWS"});
//   table.AlignRight(1);
//   table.AddRow({"acme-prod", "12"});
//   table.Print(std::cout);  // "NAME        ROWS\nacme-prod     12\n"
//
// Columns are separated by three spaces; lines have no trailing spaces.
class TextTable {
 public:
  // Longer cells are cut to this many columns, ending with "…".
  static constexpr int kMaximumCellWidth = 40;

  explicit TextTable(std::vector<std::string> headers);

  // Numbers read better right-aligned. REQUIRES: column < headers.size().
  void AlignRight(int column);

  // Cells of `column` are never cut: for a last column whose text must stay
  // readable. REQUIRES: column < headers.size().
  void KeepWhole(int column);

  // Missing cells are empty; cells beyond the headers are dropped. Control
  // characters (tab, line breaks) become spaces so that a row stays on one
  // line. Cells are cut when printed.
  void AddRow(std::vector<std::string> cells);

  bool empty() const { return rows_.empty(); }

  void Print(std::ostream& out) const;

 private:
  // `cells` cut to kMaximumCellWidth, but for the columns kept whole.
  std::vector<std::string> Shown(const std::vector<std::string>& cells) const;
  void PrintLine(const std::vector<std::string>& cells,
                 const std::vector<int>& widths, std::ostream& out) const;

  std::vector<std::string> headers_;
  std::vector<bool> right_aligned_;
  std::vector<bool> kept_whole_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace leverconnect::client

#endif  // LEVERCONNECT_CLIENT_TEXT_TABLE_H_

// CSV files of requisition rows: what is pushed to Pigment, and what
// `leverctl --output csv` prints.
//
//   absl::StatusOr<CsvWriter> writer = CsvWriter::Create(
//       schema,
//       {{"requisition_code", "Code"},
//        {"created_at", "Opened", DateFormat::kDate},
//        {"custom.cost_center"}},
//       CsvFormat());
//   if (!writer.ok()) return writer.status();
//   std::string csv = writer->HeaderRow();
//   for (const v1::Row& row : rows) writer->AppendRow(row, &csv);
//
// The file (RFC 4180):
//   - UTF-8, with a byte order mark before the header row only when
//     CsvFormat asks for one. One header row, then one record per row; every
//     record ends with CRLF.
//   - A field is enclosed in double quotes when it holds the separator, a
//     double quote, CR or LF, or starts or ends with a space or a tab; a
//     double quote inside is doubled. Any other field is written bare.
//   - A null cell is an empty field, and an empty text is `""`, so that the
//     two stay apart.
//   - Text is written exactly as given (any script, any UTF-8).
//   - Integers in decimal. Doubles with the fewest digits that read back as
//     the same double, in plain notation with a `.`: "0.1", "3", "-0.5",
//     "1000000000000000000000"; never an exponent or a thousands separator.
//     NaN and the infinities are empty fields.
//   - Booleans: true or false.
//   - Timestamps in UTC and whole seconds (a fraction of a second is
//     dropped): "2024-05-01T12:34:56Z", or "2024-05-01" for a column with
//     DateFormat::kDate.
//   - A list: its elements written by the rules above, without quotes of
//     their own, joined with the list separator (an element holding the
//     list separator is not escaped); the joined text is then quoted like
//     any field. An empty list is an empty field.
// A file of one column writes a null cell as an empty line, which some
// readers skip.
//
// A CsvWriter is immutable once created: one instance may be used from
// several threads at once. It keeps no reference to the schema.
#ifndef LEVERCONNECT_LIB_CSV_CSV_WRITER_H_
#define LEVERCONNECT_LIB_CSV_CSV_WRITER_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "leverconnect/v1/values.pb.h"

namespace leverconnect::csv {

// How a column of timestamps is written.
enum class DateFormat {
  kDateTime,  // "2024-05-01T12:34:56Z"
  kDate,      // "2024-05-01"
};

// One column of the file.
struct CsvColumn {
  // The schema column it shows, e.g. "created_at" or "custom.cost_center".
  std::string column;
  // Its header in the file; empty means the same as `column`. (The
  // initializer lets `{"name"}` leave it out without a compiler warning.)
  std::string header = "";
  // Only for TIMESTAMP columns.
  DateFormat date_format = DateFormat::kDateTime;
};

struct CsvFormat {
  char separator = ',';              // ',' or ';'
  bool byte_order_mark = false;      // UTF-8 BOM before the header row
  std::string list_separator = "|";  // joins the elements of a list cell
};

// The most columns a file may have.
inline constexpr std::size_t kMaximumColumns = 500;

// Every column of `schema` in schema order, headed by its name, timestamps
// as date and time.
std::vector<CsvColumn> DefaultCsvColumns(const v1::RequisitionSchema& schema);

// Appends `fields` as one record ending in CRLF, each field quoted by the
// rules above. For files that do not come from a schema; as there is no
// null here, an empty text is an empty field.
void AppendRecord(absl::Span<const std::string> fields, char separator,
                  std::string* out);

class CsvWriter {
 public:
  // A writer of `columns` of rows of `schema`, in that order; of
  // DefaultCsvColumns(schema) when `columns` is empty. A schema column may
  // be shown twice under two headers. Returns INVALID_ARGUMENT naming the
  // offending entry ("columns[3]: unknown column \"foo\"") when:
  //   - format.separator is not ',' or ';', or format.list_separator is
  //     empty or holds CR, LF or a double quote;
  //   - there are no columns, or more than kMaximumColumns;
  //   - a column is not in `schema`, or has DateFormat::kDate without being
  //     a TIMESTAMP column;
  //   - a header (after defaulting) is empty, holds CR or LF, or repeats
  //     an earlier one.
  static absl::StatusOr<CsvWriter> Create(const v1::RequisitionSchema& schema,
                                          std::vector<CsvColumn> columns,
                                          CsvFormat format);

  // The headers, one per column of the file.
  const std::vector<std::string>& headers() const { return headers_; }

  // The byte order mark (when asked for), the header row, and CRLF.
  std::string HeaderRow() const;

  // Appends one record and CRLF for `row`, whose cells line up with the
  // columns of the schema given to Create. A cell missing from a short row
  // is null; a cell is written by the kind of value it holds, whatever its
  // column's type.
  void AppendRow(const v1::Row& row, std::string* out) const;

 private:
  // Where a column of the file takes its cells from.
  struct Source {
    int cell;  // position in Row.cells
    DateFormat date_format;
  };

  CsvWriter() = default;

  void AppendCell(const v1::Value& cell, DateFormat date_format,
                  std::string* out) const;
  void AppendValue(const v1::Value& value, DateFormat date_format,
                   std::string* out) const;

  CsvFormat format_;
  std::vector<std::string> headers_;
  std::vector<Source> sources_;  // one per header
};

}  // namespace leverconnect::csv

#endif  // LEVERCONNECT_LIB_CSV_CSV_WRITER_H_

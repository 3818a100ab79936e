#include "lib/csv/csv_reader.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace leverconnect::csv {
namespace {

// Reads one text left to right, a field at a time.
class CsvReader {
 public:
  CsvReader(absl::string_view text, char separator)
      : text_(text), separator_(separator) {}

  absl::StatusOr<std::vector<CsvFieldRecord>> ReadAll() {
    while (position_ < text_.size()) {
      absl::Status field = ReadField();
      if (!field.ok()) return field;
    }
    return std::move(records_);
  }

 private:
  // Reads a field and the separator or line break after it.
  absl::Status ReadField() {
    CsvField field;
    std::string& value = field.text;
    if (text_[position_] == '"') {
      field.quoted = true;
      absl::Status quoted = ReadQuoted(value);
      if (!quoted.ok()) return quoted;
    } else {
      while (position_ < text_.size() && !AtFieldEnd()) {
        if (text_[position_] == '"') {
          return Refuse("a quote inside an unquoted field");
        }
        value.push_back(text_[position_++]);
      }
    }
    if (position_ < text_.size() && !AtFieldEnd()) {
      return Refuse("text after the closing quote of a field");
    }
    record_.push_back(std::move(field));
    EndField();
    return absl::OkStatus();
  }

  // Reads "..." into `value`, leaving the position after the closing quote.
  absl::Status ReadQuoted(std::string& value) {
    ++position_;
    while (position_ < text_.size()) {
      const char c = text_[position_++];
      if (c != '"') {
        value.push_back(c);
      } else if (position_ < text_.size() && text_[position_] == '"') {
        value.push_back('"');
        ++position_;
      } else {
        return absl::OkStatus();
      }
    }
    return Refuse("a quoted field is never closed");
  }

  bool AtFieldEnd() const {
    const char c = text_[position_];
    return c == separator_ || c == '\n' ||
           (c == '\r' && position_ + 1 < text_.size() &&
            text_[position_ + 1] == '\n');
  }

  // Steps over what ended the field; a line break or the end of the text
  // also ends the record. A separator at the very end leaves one more,
  // empty, field.
  void EndField() {
    if (position_ >= text_.size()) {
      EndRecord();
      return;
    }
    const char c = text_[position_];
    if (c == separator_) {
      ++position_;
      if (position_ == text_.size()) {
        record_.emplace_back();
        EndRecord();
      }
      return;
    }
    position_ += c == '\r' ? 2 : 1;
    EndRecord();
  }

  void EndRecord() {
    records_.push_back(std::move(record_));
    record_.clear();
  }

  absl::Status Refuse(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(
        "record ", records_.size() + 1, " is not valid CSV: ", what));
  }

  const absl::string_view text_;
  const char separator_;
  std::size_t position_ = 0;
  CsvFieldRecord record_;
  std::vector<CsvFieldRecord> records_;
};

}  // namespace

absl::StatusOr<std::vector<CsvFieldRecord>> ReadCsvFields(
    absl::string_view text, char separator) {
  return CsvReader(text, separator).ReadAll();
}

absl::StatusOr<std::vector<CsvRecord>> ParseCsvRecords(absl::string_view text,
                                                       char separator) {
  absl::StatusOr<std::vector<CsvFieldRecord>> read =
      ReadCsvFields(text, separator);
  if (!read.ok()) return read.status();
  std::vector<CsvRecord> records;
  records.reserve(read->size());
  for (CsvFieldRecord& fields : *read) {
    CsvRecord& record = records.emplace_back();
    record.reserve(fields.size());
    for (CsvField& field : fields) record.push_back(std::move(field.text));
  }
  return records;
}

absl::string_view WithoutByteOrderMark(absl::string_view text) {
  absl::ConsumePrefix(&text, "\xEF\xBB\xBF");
  return text;
}

}  // namespace leverconnect::csv

// Structured logging: one JSON object per line on stderr.
//
// Every line has "time", "severity" and "message", then the caller's fields:
//   Log(Severity::kInfo, "import finished", {{"connection", name},
//                                            {"rows", rows}});
// Callers must never pass a secret (API key, token) as a field or message.
// Thread-safe: lines from different threads never interleave.
#ifndef LEVERCONNECT_LIB_LOG_LOG_H_
#define LEVERCONNECT_LIB_LOG_LOG_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace leverconnect::log {

enum class Severity { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// One key=value pair of a log line; the value keeps its JSON type.
class Field {
 public:
  Field(std::string_view key, std::string_view value);
  Field(std::string_view key, absl::string_view value);
  Field(std::string_view key, const char* value);
  Field(std::string_view key, const std::string& value);
  Field(std::string_view key, std::int64_t value);
  Field(std::string_view key, int value);
  Field(std::string_view key, double value);
  Field(std::string_view key, bool value);
  Field(std::string_view key, const absl::Status& status);

  enum class Kind { kString, kInteger, kDouble, kBool };
  std::string_view key() const { return key_; }
  Kind kind() const { return kind_; }
  const std::string& string_value() const { return string_value_; }
  std::int64_t integer_value() const { return integer_value_; }
  double double_value() const { return double_value_; }
  bool bool_value() const { return integer_value_ != 0; }

 private:
  std::string_view key_;
  Kind kind_;
  std::string string_value_;
  std::int64_t integer_value_ = 0;
  double double_value_ = 0;
};

// Writes one line when `severity` is at or above the minimum.
void Log(Severity severity, std::string_view message,
         std::initializer_list<Field> fields = {});

// Lines below `severity` are dropped. The default is kInfo.
void SetMinimumSeverity(Severity severity);

// Parses "debug", "info", "warning" or "error".
bool ParseSeverity(std::string_view text, Severity* severity);

// Where finished lines go (without the trailing newline). The default
// writes to stderr. Passing nullptr restores the default. Meant for tests
// that inspect every line of a run.
using Sink = std::function<void(std::string_view line)>;
void SetSink(Sink sink);

}  // namespace leverconnect::log

#endif  // LEVERCONNECT_LIB_LOG_LOG_H_

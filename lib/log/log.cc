#include "lib/log/log.h"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace leverconnect::log {
namespace {

std::atomic<int> minimum_severity{static_cast<int>(Severity::kInfo)};

std::mutex& SinkMutex() {
  static std::mutex mu;
  return mu;
}

Sink& CurrentSink() {
  static Sink sink;
  return sink;
}

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kDebug:
      return "DEBUG";
    case Severity::kInfo:
      return "INFO";
    case Severity::kWarning:
      return "WARNING";
    case Severity::kError:
      return "ERROR";
  }
  return "INFO";
}

void WriteString(rapidjson::Writer<rapidjson::StringBuffer>& writer,
                 std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

}  // namespace

Field::Field(std::string_view key, std::string_view value)
    : key_(key), kind_(Kind::kString), string_value_(value) {}
Field::Field(std::string_view key, absl::string_view value)
    : key_(key), kind_(Kind::kString), string_value_(value) {}
Field::Field(std::string_view key, const char* value)
    : key_(key), kind_(Kind::kString), string_value_(value ? value : "") {}
Field::Field(std::string_view key, const std::string& value)
    : key_(key), kind_(Kind::kString), string_value_(value) {}
Field::Field(std::string_view key, std::int64_t value)
    : key_(key), kind_(Kind::kInteger), integer_value_(value) {}
Field::Field(std::string_view key, int value)
    : key_(key), kind_(Kind::kInteger), integer_value_(value) {}
Field::Field(std::string_view key, double value)
    : key_(key), kind_(Kind::kDouble), double_value_(value) {}
Field::Field(std::string_view key, bool value)
    : key_(key), kind_(Kind::kBool), integer_value_(value ? 1 : 0) {}
Field::Field(std::string_view key, const absl::Status& status)
    : key_(key), kind_(Kind::kString), string_value_(status.ToString()) {}

void Log(Severity severity, std::string_view message,
         std::initializer_list<Field> fields) {
  if (static_cast<int>(severity) < minimum_severity.load()) return;

  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("time");
  WriteString(writer, absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(),
                                       absl::UTCTimeZone()));
  writer.Key("severity");
  writer.String(SeverityName(severity));
  writer.Key("message");
  WriteString(writer, message);
  for (const Field& field : fields) {
    writer.Key(field.key().data(),
               static_cast<rapidjson::SizeType>(field.key().size()));
    switch (field.kind()) {
      case Field::Kind::kString:
        WriteString(writer, field.string_value());
        break;
      case Field::Kind::kInteger:
        writer.Int64(field.integer_value());
        break;
      case Field::Kind::kDouble:
        writer.Double(field.double_value());
        break;
      case Field::Kind::kBool:
        writer.Bool(field.bool_value());
        break;
    }
  }
  writer.EndObject();

  std::lock_guard<std::mutex> lock(SinkMutex());
  if (CurrentSink()) {
    CurrentSink()(std::string_view(buffer.GetString(), buffer.GetSize()));
    return;
  }
  std::fprintf(stderr, "%s\n", buffer.GetString());
  std::fflush(stderr);
}

void SetMinimumSeverity(Severity severity) {
  minimum_severity.store(static_cast<int>(severity));
}

bool ParseSeverity(std::string_view text, Severity* severity) {
  if (text == "debug") {
    *severity = Severity::kDebug;
  } else if (text == "info") {
    *severity = Severity::kInfo;
  } else if (text == "warning") {
    *severity = Severity::kWarning;
  } else if (text == "error") {
    *severity = Severity::kError;
  } else {
    return false;
  }
  return true;
}

void SetSink(Sink sink) {
  std::lock_guard<std::mutex> lock(SinkMutex());
  CurrentSink() = std::move(sink);
}

}  // namespace leverconnect::log

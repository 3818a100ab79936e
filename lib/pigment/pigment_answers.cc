#include "lib/pigment/pigment_answers.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/http/excerpt.h"
#include "rapidjson/document.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace leverconnect::pigment {
namespace {

// The string member `name` of `object`, or nullptr.
const char* StringMember(const rapidjson::Value& object, const char* name) {
  const auto member = object.FindMember(name);
  if (member == object.MemberEnd() || !member->value.IsString()) {
    return nullptr;
  }
  return member->value.GetString();
}

// Pigment's {"message": ...} (or {"error": ...}), or an excerpt.
std::string PigmentMessage(absl::string_view body) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (!document.HasParseError() && document.IsObject()) {
    for (const char* name : {"message", "error"}) {
      if (const char* message = StringMember(document, name)) return message;
    }
  }
  return http::BodyExcerpt(body);
}

absl::Status Malformed(const Exchange& exchange, const http::Response& response,
                       absl::string_view problem) {
  return absl::UnavailableError(absl::StrCat(
      "Pigment answered ", exchange.what, " with HTTP ", response.status,
      " but ", problem, ": ", http::BodyExcerpt(response.body)));
}

// A JSON value as text, for samples that are not strings.
std::string JsonText(const rapidjson::Value& value) {
  if (value.IsString()) return value.GetString();
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Member `name` of `object` when it is present and not null.
const rapidjson::Value* Present(const rapidjson::Value& object,
                                const char* name) {
  if (!object.IsObject()) return nullptr;
  const auto member = object.FindMember(name);
  if (member == object.MemberEnd() || member->value.IsNull()) return nullptr;
  return &member->value;
}

// Reads the whole number `name` of `object` into `count` (left at 0 when
// absent); false when it is there but not a whole number.
bool ReadCount(const rapidjson::Value& object, const char* name,
               std::int64_t& count) {
  const rapidjson::Value* value = Present(object, name);
  if (value == nullptr) return true;
  if (!value->IsInt64()) return false;
  count = value->GetInt64();
  return true;
}

bool ReadState(const rapidjson::Value& document, ImportReport& report) {
  const char* state = StringMember(document, "importStatus");
  if (state == nullptr) return false;
  for (ImportReport::State known :
       {ImportReport::State::kInProgress, ImportReport::State::kCompleted,
        ImportReport::State::kFailed}) {
    if (ImportStateName(known) == state) {
      report.state = known;
      return true;
    }
  }
  return false;
}

bool ReadErrors(const rapidjson::Value& document, ImportReport& report) {
  const rapidjson::Value* errors = Present(document, "errorsDetails");
  if (errors == nullptr) return true;
  if (!errors->IsArray()) return false;
  for (const rapidjson::Value& error : errors->GetArray()) {
    const char* name = error.IsObject() ? StringMember(error, "name") : nullptr;
    const char* description =
        error.IsObject() ? StringMember(error, "description") : nullptr;
    if (name != nullptr && description != nullptr) {
      report.errors.push_back(absl::StrCat(name, ": ", description));
    } else if (name != nullptr || description != nullptr) {
      report.errors.emplace_back(name != nullptr ? name : description);
    } else {
      report.errors.push_back(JsonText(error));
    }
  }
  return true;
}

bool ReadSkippedData(const rapidjson::Value& entry, const std::string& block,
                     ImportReport& report) {
  SkippedData skipped;
  skipped.block = block;
  if (!entry.IsObject() || !ReadCount(entry, "count", skipped.count)) {
    return false;
  }
  if (const char* reason = StringMember(entry, "reason")) {
    skipped.reason = reason;
  }
  if (const char* column = StringMember(entry, "sourceColumnName")) {
    skipped.source_column = column;
  }
  if (const rapidjson::Value* samples = Present(entry, "samples")) {
    if (!samples->IsArray()) return false;
    for (const rapidjson::Value& sample : samples->GetArray()) {
      skipped.samples.push_back(JsonText(sample));
    }
  }
  report.skipped_data.push_back(std::move(skipped));
  return true;
}

bool ReadImpactedBlocks(const rapidjson::Value& detailed,
                        ImportReport& report) {
  const rapidjson::Value* blocks = Present(detailed, "impactedBlocks");
  if (blocks == nullptr) return true;
  if (!blocks->IsArray()) return false;
  for (const rapidjson::Value& block : blocks->GetArray()) {
    if (!block.IsObject()) return false;
    const char* name = StringMember(block, "name");
    const rapidjson::Value* skipped = Present(block, "skippedData");
    if (skipped == nullptr) continue;
    if (!skipped->IsArray()) return false;
    for (const rapidjson::Value& entry : skipped->GetArray()) {
      if (!ReadSkippedData(entry, name != nullptr ? name : "", report)) {
        return false;
      }
    }
  }
  return true;
}

bool ReadDetailedReport(const rapidjson::Value& document,
                        ImportReport& report) {
  const rapidjson::Value* detailed = Present(document, "detailedReport");
  if (detailed == nullptr) return true;
  if (!detailed->IsObject()) return false;
  if (const rapidjson::Value* summary = Present(*detailed, "summary")) {
    if (!summary->IsObject() ||
        !ReadCount(*summary, "inserted", report.inserted) ||
        !ReadCount(*summary, "updated", report.updated) ||
        !ReadCount(*summary, "deleted", report.deleted) ||
        !ReadCount(*summary, "skipped", report.skipped)) {
      return false;
    }
  }
  return ReadImpactedBlocks(*detailed, report);
}

}  // namespace

absl::string_view ImportStateName(ImportReport::State state) {
  switch (state) {
    case ImportReport::State::kInProgress:
      return "InProgress";
    case ImportReport::State::kCompleted:
      return "Completed";
    case ImportReport::State::kFailed:
      return "Failed";
  }
  return "InProgress";
}

absl::Status StatusFromPigmentAnswer(const Exchange& exchange,
                                     const http::Response& response) {
  const int status = response.status;
  if (status >= 200 && status < 300) return absl::OkStatus();

  const std::string answer = absl::StrCat(
      "Pigment answered ", exchange.what, " for ",
      exchange.push ? "import configuration " : "import ", exchange.id,
      " with HTTP ", status, " (", PigmentMessage(response.body), ")");
  switch (status) {
    case 401:
      return absl::FailedPreconditionError(absl::StrCat(
          "Pigment rejected the import API key (HTTP 401); check that it is "
          "an import key and has not expired: ",
          answer));
    case 403:
      return absl::FailedPreconditionError(absl::StrCat(
          "Pigment refused the import API key (HTTP 403); check its "
          "creator's rights on the target block and the key's IP allow "
          "list: ",
          answer));
    case 404:
      return absl::NotFoundError(
          absl::StrCat(exchange.push ? "Pigment has no import configuration "
                                     : "Pigment knows no import ",
                       exchange.id, ": ", answer));
    case 400:
      return absl::InvalidArgumentError(
          absl::StrCat("Pigment refused the request: ", answer));
    case 413:
      return absl::InvalidArgumentError(
          absl::StrCat("the file is too large for Pigment: ", answer));
    case 429:
      return absl::ResourceExhaustedError(answer);
    default:
      if (status >= 500) return absl::UnavailableError(answer);
      return absl::InternalError(answer);
  }
}

absl::StatusOr<std::string> ParseImportId(const Exchange& exchange,
                                          const http::Response& response) {
  rapidjson::Document document;
  document.Parse(response.body.data(), response.body.size());
  if (document.HasParseError() || !document.IsObject()) {
    return Malformed(exchange, response, "the body is not a JSON object");
  }
  const char* import_id = StringMember(document, "importId");
  if (import_id == nullptr || *import_id == '\0') {
    return Malformed(exchange, response, "it holds no importId");
  }
  return std::string(import_id);
}

absl::StatusOr<ImportReport> ParseImportReport(const Exchange& exchange,
                                               const http::Response& response) {
  rapidjson::Document document;
  document.Parse(response.body.data(), response.body.size());
  if (document.HasParseError() || !document.IsObject()) {
    return Malformed(exchange, response, "the body is not a JSON object");
  }
  ImportReport report;
  if (!ReadState(document, report)) {
    return Malformed(exchange, response,
                     "importStatus is not InProgress, Completed or Failed");
  }
  if (!ReadErrors(document, report)) {
    return Malformed(exchange, response, "errorsDetails is not a list");
  }
  if (!ReadDetailedReport(document, report)) {
    return Malformed(exchange, response,
                     "detailedReport is not shaped as documented");
  }
  return report;
}

}  // namespace leverconnect::pigment

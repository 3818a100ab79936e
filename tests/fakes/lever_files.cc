#include "tests/fakes/lever_files.h"

#include <cstdint>
#include <fstream>
#include <sstream>
#include <utility>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace leverconnect::testing {
namespace {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

// The "data" array of a Lever envelope, parsed into `document`.
absl::StatusOr<const rapidjson::Value*> ParseDataArray(
    const std::string& path, rapidjson::Document& document) {
  const absl::StatusOr<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return text.status();
  document.Parse<rapidjson::kParseFullPrecisionFlag>(text->data(),
                                                     text->size());
  if (document.HasParseError()) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": invalid JSON at offset ", document.GetErrorOffset(), ": ",
        rapidjson::GetParseError_En(document.GetParseError())));
  }
  if (!document.IsObject() || !document.HasMember("data") ||
      !document["data"].IsArray()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected an object with a \"data\" array"));
  }
  return &document["data"];
}

std::string Serialize(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string StringMember(const rapidjson::Value& object, const char* name) {
  const auto member = object.FindMember(name);
  if (member == object.MemberEnd() || !member->value.IsString()) return "";
  return std::string(member->value.GetString(),
                     member->value.GetStringLength());
}

// The integer `name` of `object`, or 0.
std::int64_t Int64Member(const rapidjson::Value& object, const char* name) {
  const auto member = object.FindMember(name);
  if (member == object.MemberEnd() || !member->value.IsInt64()) return 0;
  return member->value.GetInt64();
}

}  // namespace

StoredRequisition ToStoredRequisition(const rapidjson::Value& object) {
  StoredRequisition requisition;
  requisition.id = StringMember(object, "id");
  requisition.created_at = Int64Member(object, "createdAt");
  requisition.status = StringMember(object, "status");
  requisition.confidentiality = StringMember(object, "confidentiality");
  const auto code = object.FindMember("requisitionCode");
  if (code != object.MemberEnd() && code->value.IsString()) {
    requisition.requisition_code =
        std::string(code->value.GetString(), code->value.GetStringLength());
  }
  requisition.json = Serialize(object);
  return requisition;
}

namespace {

StoredUser ToStoredUser(const rapidjson::Value& object) {
  StoredUser user;
  user.id = StringMember(object, "id");
  user.created_at = Int64Member(object, "createdAt");
  const auto deactivated_at = object.FindMember("deactivatedAt");
  user.deactivated =
      deactivated_at != object.MemberEnd() && !deactivated_at->value.IsNull();
  user.json = Serialize(object);
  return user;
}

// The objects of the "data" array of the list page in `path`, each made
// into an Item by `convert`; `what` names one in errors.
template <typename Item>
absl::StatusOr<std::vector<Item>> LoadListFile(
    const std::string& path, absl::string_view what,
    Item (*convert)(const rapidjson::Value&)) {
  rapidjson::Document document;
  const absl::StatusOr<const rapidjson::Value*> data =
      ParseDataArray(path, document);
  if (!data.ok()) return data.status();

  std::vector<Item> items;
  items.reserve((*data)->Size());
  for (const rapidjson::Value& element : (*data)->GetArray()) {
    if (!element.IsObject()) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, ": ", what, " ", items.size(), " is not an object"));
    }
    items.push_back(convert(element));
  }
  return items;
}

}  // namespace

absl::StatusOr<std::vector<StoredRequisition>> LoadRequisitionsFile(
    const std::string& path) {
  return LoadListFile(path, "requisition", ToStoredRequisition);
}

absl::StatusOr<std::vector<StoredUser>> LoadUsersFile(const std::string& path) {
  return LoadListFile(path, "user", ToStoredUser);
}

absl::StatusOr<std::string> LoadRequisitionFieldsFile(const std::string& path) {
  rapidjson::Document document;
  const absl::StatusOr<const rapidjson::Value*> data =
      ParseDataArray(path, document);
  if (!data.ok()) return data.status();
  return Serialize(**data);
}

}  // namespace leverconnect::testing

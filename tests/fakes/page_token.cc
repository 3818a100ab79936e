#include "tests/fakes/page_token.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "absl/status/status.h"

namespace leverconnect::testing {
namespace {

bool IsUnreserved(char character) {
  return (character >= 'A' && character <= 'Z') ||
         (character >= 'a' && character <= 'z') ||
         (character >= '0' && character <= '9') || character == '-' ||
         character == '_' || character == '.' || character == '~';
}

}  // namespace

std::string PercentEncode(std::string_view text) {
  static constexpr char kHexDigits[] = "0123456789ABCDEF";
  std::string encoded;
  encoded.reserve(text.size() * 3);
  for (const char character : text) {
    if (IsUnreserved(character)) {
      encoded += character;
      continue;
    }
    const auto byte = static_cast<unsigned char>(character);
    encoded += '%';
    encoded += kHexDigits[byte >> 4];
    encoded += kHexDigits[byte & 0x0F];
  }
  return encoded;
}

std::string MakePageToken(const PagePosition& position) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartArray();
  writer.Int64(position.created_at);
  writer.String(position.id.data(),
                static_cast<rapidjson::SizeType>(position.id.size()));
  writer.EndArray();
  return PercentEncode(std::string_view(buffer.GetString(), buffer.GetSize()));
}

absl::StatusOr<PagePosition> ParsePageToken(std::string_view decoded_token) {
  rapidjson::Document document;
  document.Parse(decoded_token.data(), decoded_token.size());
  if (document.HasParseError() || !document.IsArray() || document.Size() != 2 ||
      !document[0].IsInt64() || !document[1].IsString()) {
    return absl::InvalidArgumentError("Invalid offset token");
  }
  PagePosition position;
  position.created_at = document[0].GetInt64();
  position.id.assign(document[1].GetString(), document[1].GetStringLength());
  return position;
}

}  // namespace leverconnect::testing

#include "lib/auth/principal_directory.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "lib/crypto/digest.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"

namespace leverconnect::auth {
namespace {

constexpr std::size_t kMaxIdLength = 128;
constexpr std::size_t kMaxCommonNameLength = 255;
constexpr std::size_t kTokenHashLength = 64;

// One entry of the file, checked on its own.
struct Entry {
  Principal principal;
  std::string token_hash;  // lowercase hex; empty when the entry has none
  std::vector<std::string> common_names;
};

bool IsPrincipalId(absl::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '@' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

bool IsTokenHash(absl::string_view text) {
  if (text.size() != kTokenHashLength) return false;
  for (char c : text) {
    if (!absl::ascii_isxdigit(c)) return false;
  }
  return true;
}

bool IsCommonName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxCommonNameLength) return false;
  for (char c : name) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

std::string StringOf(const rapidjson::Value& value) {
  return std::string(value.GetString(), value.GetStringLength());
}

// Reads the list of strings `value` into `out`; false when `value` is not
// a list of strings each accepted by `valid`, or repeats one.
bool ReadNames(const rapidjson::Value& value, bool (*valid)(absl::string_view),
               std::vector<std::string>* out) {
  if (!value.IsArray()) return false;
  std::set<std::string> seen;
  for (const rapidjson::Value& item : value.GetArray()) {
    if (!item.IsString()) return false;
    std::string name = StringOf(item);
    if (!valid(name) || !seen.insert(name).second) return false;
    out->push_back(std::move(name));
  }
  return true;
}

// Errors about one entry name the file and the entry, and the id once it
// is known.
class EntryErrors {
 public:
  EntryErrors(absl::string_view source, std::size_t number)
      : where_(absl::StrCat("principals file ", source, ": entry ", number)) {}

  void set_id(absl::string_view id) { absl::StrAppend(&where_, " (", id, ")"); }

  absl::Status Invalid(absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat(where_, ": ", what));
  }

 private:
  std::string where_;
};

absl::Status CheckFieldNames(const rapidjson::Value& entry,
                             const EntryErrors& errors) {
  static const std::set<std::string>* const kKnown = new std::set<std::string>{
      "id", "role", "applications", "token_sha256", "certificate_common_names"};
  for (const auto& member : entry.GetObject()) {
    const std::string name = StringOf(member.name);
    if (name == "token") {
      return errors.Invalid(
          "\"token\" is not accepted: store only the token's SHA-256 in "
          "\"token_sha256\"");
    }
    if (kKnown->count(name) == 0) {
      return errors.Invalid(absl::StrCat("unknown field \"", name.substr(0, 64),
                                         "\"; expected id, role, "
                                         "applications, token_sha256 or "
                                         "certificate_common_names"));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadIdAndRole(const rapidjson::Value& entry, EntryErrors& errors,
                           Principal* principal) {
  auto id = entry.FindMember("id");
  if (id == entry.MemberEnd() || !id->value.IsString() ||
      !IsPrincipalId(StringOf(id->value))) {
    return errors.Invalid(
        "\"id\" must be 1 to 128 letters, digits, '.', '_', '@' or '-'");
  }
  principal->id = StringOf(id->value);
  errors.set_id(principal->id);

  auto role = entry.FindMember("role");
  const std::string role_name =
      role != entry.MemberEnd() && role->value.IsString()
          ? StringOf(role->value)
          : "";
  if (role_name == "admin") {
    principal->role = Role::kAdmin;
  } else if (role_name == "member") {
    principal->role = Role::kMember;
  } else {
    return errors.Invalid("\"role\" must be \"admin\" or \"member\"");
  }
  return absl::OkStatus();
}

absl::Status ReadApplications(const rapidjson::Value& entry,
                              const EntryErrors& errors, Principal* principal) {
  auto applications = entry.FindMember("applications");
  if (applications != entry.MemberEnd() &&
      !ReadNames(applications->value, &IsApplicationId,
                 &principal->applications)) {
    return errors.Invalid(
        "\"applications\" must be a list of distinct application ids "
        "([a-z0-9][a-z0-9._-]{0,62})");
  }
  if (principal->role == Role::kMember && principal->applications.empty()) {
    return errors.Invalid("a member must act for at least one application");
  }
  return absl::OkStatus();
}

absl::Status ReadCredentials(const rapidjson::Value& entry,
                             const EntryErrors& errors, Entry* out) {
  auto hash = entry.FindMember("token_sha256");
  if (hash != entry.MemberEnd()) {
    if (!hash->value.IsString() || !IsTokenHash(StringOf(hash->value))) {
      return errors.Invalid("\"token_sha256\" must be 64 hex digits");
    }
    out->token_hash = absl::AsciiStrToLower(StringOf(hash->value));
    if (out->token_hash == crypto::Sha256Hex("")) {
      return errors.Invalid(
          "\"token_sha256\" is the hash of an empty token, which no caller "
          "can send");
    }
  }
  auto names = entry.FindMember("certificate_common_names");
  if (names != entry.MemberEnd() &&
      !ReadNames(names->value, &IsCommonName, &out->common_names)) {
    return errors.Invalid(
        "\"certificate_common_names\" must be a list of distinct, printable "
        "names of at most 255 characters");
  }
  if (out->token_hash.empty() && out->common_names.empty()) {
    return errors.Invalid(
        "needs \"token_sha256\" or \"certificate_common_names\" to "
        "authenticate with");
  }
  return absl::OkStatus();
}

absl::StatusOr<Entry> ReadEntry(const rapidjson::Value& value,
                                EntryErrors& errors) {
  if (!value.IsObject()) return errors.Invalid("must be an object");
  Entry entry;
  absl::Status status = CheckFieldNames(value, errors);
  if (status.ok()) status = ReadIdAndRole(value, errors, &entry.principal);
  if (status.ok()) status = ReadApplications(value, errors, &entry.principal);
  if (status.ok()) status = ReadCredentials(value, errors, &entry);
  if (!status.ok()) return status;
  return entry;
}

}  // namespace

absl::StatusOr<PrincipalDirectory> PrincipalDirectory::Load(
    const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  if (in) content << in.rdbuf();
  if (!in) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot read principals file ", path, ": ", std::strerror(errno)));
  }
  return Parse(content.str(), path);
}

absl::StatusOr<PrincipalDirectory> PrincipalDirectory::Parse(
    absl::string_view json, absl::string_view source) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError()) {
    return absl::InvalidArgumentError(
        absl::StrCat("principals file ", source, " is not valid JSON: ",
                     rapidjson::GetParseError_En(document.GetParseError()),
                     " (at byte ", document.GetErrorOffset(), ")"));
  }
  if (!document.IsObject() || document.MemberCount() != 1 ||
      !document.HasMember("principals") || !document["principals"].IsArray()) {
    return absl::InvalidArgumentError(
        absl::StrCat("principals file ", source,
                     " must be an object with one field, \"principals\", a "
                     "list of principals"));
  }

  PrincipalDirectory directory;
  std::size_t number = 0;
  for (const rapidjson::Value& value : document["principals"].GetArray()) {
    EntryErrors errors(source, ++number);
    absl::StatusOr<Entry> entry = ReadEntry(value, errors);
    if (!entry.ok()) return entry.status();
    absl::Status added =
        directory.Add(std::move(entry->principal), std::move(entry->token_hash),
                      std::move(entry->common_names));
    if (!added.ok()) return errors.Invalid(added.message());
  }
  if (directory.principals_.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("principals file ", source, " names no principal"));
  }
  return directory;
}

absl::Status PrincipalDirectory::Add(Principal principal,
                                     std::string token_hash,
                                     std::vector<std::string> common_names) {
  for (const Principal& known : principals_) {
    if (known.id == principal.id) {
      return absl::InvalidArgumentError(
          absl::StrCat("id \"", principal.id, "\" is used twice"));
    }
  }
  auto same_token = by_token_hash_.find(token_hash);
  if (!token_hash.empty() && same_token != by_token_hash_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"token_sha256\" is the same as that of ",
                     principals_[same_token->second].id,
                     "; every principal needs a token of its own"));
  }
  for (const std::string& name : common_names) {
    auto same_name = by_common_name_.find(name);
    if (same_name != by_common_name_.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "certificate common name \"", name, "\" already belongs to ",
          principals_[same_name->second].id));
    }
  }

  const std::size_t index = principals_.size();
  if (!token_hash.empty()) by_token_hash_.emplace(std::move(token_hash), index);
  for (std::string& name : common_names) {
    by_common_name_.emplace(std::move(name), index);
  }
  principals_.push_back(std::move(principal));
  return absl::OkStatus();
}

const Principal* PrincipalDirectory::FindByToken(
    absl::string_view token) const {
  auto found = by_token_hash_.find(
      crypto::Sha256Hex(std::string_view(token.data(), token.size())));
  return found == by_token_hash_.end() ? nullptr : &principals_[found->second];
}

const Principal* PrincipalDirectory::FindByCertificateName(
    absl::string_view common_name) const {
  auto found = by_common_name_.find(std::string(common_name));
  return found == by_common_name_.end() ? nullptr : &principals_[found->second];
}

}  // namespace leverconnect::auth

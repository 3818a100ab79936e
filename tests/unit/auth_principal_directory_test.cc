// The principals file: what it accepts, what it refuses and why, and the
// lookups by token and by certificate common name.
#include <stdlib.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/auth/principal_directory.h"
#include "lib/crypto/digest.h"

namespace leverconnect::auth {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsNull;
using ::testing::Not;
using ::testing::NotNull;

std::string Hash(const std::string& token) { return crypto::Sha256Hex(token); }

// A valid file: an admin, and a member reached by token or certificate.
std::string ValidFile() {
  return absl::StrCat(
      R"({"principals": [
        {"id": "ops", "role": "admin", "token_sha256": ")",
      Hash("ops-token"), R"("},
        {"id": "pigment-sync", "role": "member",
         "applications": ["pigment-planning", "reporting"],
         "token_sha256": ")",
      Hash("sync-token"), R"(",
         "certificate_common_names": ["pigment-sync.internal"]}]})");
}

TEST(PrincipalDirectoryTest, FindsPrincipalsByTokenAndCertificate) {
  auto directory = PrincipalDirectory::Parse(ValidFile(), "principals.json");
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_EQ(directory->size(), 2u);

  const Principal* ops = directory->FindByToken("ops-token");
  ASSERT_THAT(ops, NotNull());
  EXPECT_EQ(ops->id, "ops");
  EXPECT_EQ(ops->role, Role::kAdmin);

  const Principal* sync = directory->FindByToken("sync-token");
  ASSERT_THAT(sync, NotNull());
  EXPECT_EQ(sync->id, "pigment-sync");
  EXPECT_EQ(sync->role, Role::kMember);
  EXPECT_THAT(sync->applications, ElementsAre("pigment-planning", "reporting"));
  EXPECT_EQ(directory->FindByCertificateName("pigment-sync.internal"), sync);

  EXPECT_THAT(directory->FindByToken("ops-token "), IsNull());
  EXPECT_THAT(directory->FindByToken(""), IsNull());
  EXPECT_THAT(directory->FindByToken(Hash("ops-token")), IsNull());
  EXPECT_THAT(directory->FindByCertificateName("PIGMENT-SYNC.internal"),
              IsNull());
  EXPECT_THAT(directory->FindByCertificateName("ops"), IsNull());
}

TEST(PrincipalDirectoryTest, AcceptsUppercaseHashes) {
  std::string file = ValidFile();
  const std::string hash = Hash("ops-token");
  std::string upper = hash;
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  file = absl::StrReplaceAll(file, {{hash, upper}});
  auto directory = PrincipalDirectory::Parse(file, "principals.json");
  ASSERT_TRUE(directory.ok()) << directory.status();
  EXPECT_THAT(directory->FindByToken("ops-token"), NotNull());
}

TEST(PrincipalDirectoryTest, LoadReadsTheFileAndNamesAMissingOne) {
  std::string folder = ::testing::TempDir() + "principals-XXXXXX";
  ASSERT_THAT(mkdtemp(folder.data()), NotNull());
  const std::string path = folder + "/principals.json";
  std::ofstream(path) << ValidFile();
  auto loaded = PrincipalDirectory::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_THAT(loaded->FindByToken("sync-token"), NotNull());

  auto missing = PrincipalDirectory::Load(folder + "/absent.json");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(
      missing.status().message(),
      HasSubstr("cannot read principals file " + folder + "/absent.json"));
  std::remove(path.c_str());
  rmdir(folder.c_str());
}

struct BadFile {
  std::string what;
  std::string json;
  std::string message;  // a part of the expected error
};

// A file with one entry whose fields are `fields` (JSON members).
std::string OneEntry(const std::string& fields) {
  return absl::StrCat(R"({"principals": [{)", fields, "}]}");
}

std::string HashField(const std::string& token) {
  return absl::StrCat(R"("token_sha256": ")", Hash(token), R"(")");
}

std::vector<BadFile> BadFiles() {
  const std::string admin =
      absl::StrCat(R"({"id": "ops", "role": "admin", )", HashField("a"), "}");
  return {
      {"not JSON", "{principals", "f.json is not valid JSON"},
      {"not an object", "[]", "must be an object with one field"},
      {"no list", R"({"principals": {}})", "must be an object with one field"},
      {"another field", R"({"principals": [], "extra": 1})",
       "must be an object with one field"},
      {"empty list", R"({"principals": []})", "f.json names no principal"},
      {"entry not an object", R"({"principals": ["ops"]})",
       "f.json: entry 1: must be an object"},
      {"no id", OneEntry(R"("role": "admin", )" + HashField("a")),
       "entry 1: \"id\" must be 1 to 128 letters"},
      {"id with a space",
       OneEntry(R"("id": "o ps", "role": "admin", )" + HashField("a")),
       "entry 1: \"id\" must be"},
      {"hash of the empty token",
       OneEntry(R"("id": "ops", "role": "admin", )" + HashField("")),
       "entry 1 (ops): \"token_sha256\" is the hash of an empty token"},
      {"unknown role",
       OneEntry(R"("id": "ops", "role": "root", )" + HashField("a")),
       "entry 1 (ops): \"role\" must be \"admin\" or \"member\""},
      {"member without applications",
       OneEntry(R"("id": "sync", "role": "member", )" + HashField("a")),
       "entry 1 (sync): a member must act for at least one application"},
      {"bad application",
       OneEntry(R"("id": "sync", "role": "member", "applications": ["Bad"], )" +
                HashField("a")),
       "entry 1 (sync): \"applications\" must be a list of distinct"},
      {"repeated application",
       OneEntry(
           R"("id": "sync", "role": "member", "applications": ["a", "a"], )" +
           HashField("a")),
       "\"applications\" must be a list of distinct"},
      {"short hash",
       OneEntry(R"("id": "ops", "role": "admin", "token_sha256": "abc123")"),
       "entry 1 (ops): \"token_sha256\" must be 64 hex digits"},
      {"hash not hex",
       OneEntry(R"("id": "ops", "role": "admin", "token_sha256": ")" +
                std::string(64, 'g') + "\""),
       "\"token_sha256\" must be 64 hex digits"},
      {"a plain token",
       OneEntry(R"("id": "ops", "role": "admin", "token": "hunter2-secret")"),
       "entry 1: \"token\" is not accepted: store only the token's SHA-256"},
      {"unknown field",
       OneEntry(R"("id": "ops", "role": "admin", "tokn_sha256": "x")"),
       "entry 1: unknown field \"tokn_sha256\""},
      {"no credentials", OneEntry(R"("id": "ops", "role": "admin")"),
       "entry 1 (ops): needs \"token_sha256\" or \"certificate_common_names\""},
      {"empty common name", OneEntry(R"("id": "ops", "role": "admin",
                   "certificate_common_names": [""])"),
       "\"certificate_common_names\" must be a list"},
      {"repeated id",
       absl::StrCat(R"({"principals": [)", admin, ", ",
                    R"({"id": "ops", "role": "admin", )", HashField("b"),
                    "}]}"),
       "entry 2 (ops): id \"ops\" is used twice"},
      {"repeated token",
       absl::StrCat(R"({"principals": [)", admin, ", ",
                    R"({"id": "ops2", "role": "admin", )", HashField("a"),
                    "}]}"),
       "entry 2 (ops2): \"token_sha256\" is the same as that of ops"},
      {"repeated common name",
       R"({"principals": [
           {"id": "a", "role": "admin", "certificate_common_names": ["x"]},
           {"id": "b", "role": "admin", "certificate_common_names": ["x"]}]})",
       "entry 2 (b): certificate common name \"x\" already belongs to a"},
  };
}

TEST(PrincipalDirectoryTest, RefusesBadFilesNamingTheEntryNeverTheHash) {
  for (const BadFile& bad : BadFiles()) {
    SCOPED_TRACE(bad.what);
    auto directory = PrincipalDirectory::Parse(bad.json, "f.json");
    ASSERT_FALSE(directory.ok());
    EXPECT_EQ(directory.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string message(directory.status().message());
    EXPECT_THAT(message, HasSubstr(bad.message));
    EXPECT_THAT(message, HasSubstr("principals file f.json"));
    for (const char* token : {"a", "b"}) {
      EXPECT_THAT(message, Not(HasSubstr(Hash(token))));
    }
    EXPECT_THAT(message, Not(HasSubstr("hunter2")));
  }
}

}  // namespace
}  // namespace leverconnect::auth

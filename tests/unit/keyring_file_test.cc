// Reading keyrings: SecretBox::FromKeyring and FromKeyringFile.
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/secret_box.h"
#include "tests/unit/temp_directory_test.h"
#include "tests/unit/test_keys.h"

namespace leverconnect::crypto {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using testing::kApiKey;
using testing::kAssociatedData;
using testing::TestKey;

std::string Hex(std::uint32_t version) {
  return absl::BytesToHexString(TestKey(version));
}

std::string Base64(std::uint32_t version) {
  return absl::Base64Escape(TestKey(version));
}

// Whether `box` holds TestKey(version) as `version`: a value sealed by a
// box with only that key opens.
bool HoldsTestKey(const SecretBox& box, std::uint32_t version) {
  std::map<std::uint32_t, std::string> keys;
  keys[version] = TestKey(version);
  absl::StatusOr<std::string> sealed =
      SecretBox(std::move(keys)).Seal(kApiKey, kAssociatedData);
  return sealed.ok() &&
         box.Open(*sealed, kAssociatedData).value_or("") == kApiKey;
}

absl::Status ParseError(const std::string& keyring) {
  return SecretBox::FromKeyring(keyring).status();
}

TEST(KeyringTest, ReadsHexAndBase64VersionsWithCommentsAndBlankLines) {
  const std::string keyring = absl::StrCat(
      "# leverconnect master keys\n", "\n", "1:", Hex(1), "\n",
      "  2 : ", Base64(2), "   # added in March\r\n", "\t\n", "10:", Hex(10));

  absl::StatusOr<SecretBox> box = SecretBox::FromKeyring(keyring);
  ASSERT_TRUE(box.ok()) << box.status();
  EXPECT_THAT(box->versions(), ElementsAre(1, 2, 10));
  EXPECT_EQ(box->newest_version(), 10u);
  for (std::uint32_t version : {1, 2, 10}) {
    EXPECT_TRUE(HoldsTestKey(*box, version)) << "version " << version;
  }
}

TEST(KeyringTest, VersionsNeedNotBeInOrder) {
  absl::StatusOr<SecretBox> box =
      SecretBox::FromKeyring(absl::StrCat("7:", Hex(7), "\n3:", Hex(3), "\n"));
  ASSERT_TRUE(box.ok()) << box.status();
  EXPECT_THAT(box->versions(), ElementsAre(3, 7));
  EXPECT_EQ(box->newest_version(), 7u);
  EXPECT_EQ(SecretBox::SealedVersion(
                box->Seal(kApiKey, kAssociatedData).value_or("")),
            7u);
}

TEST(KeyringTest, AcceptsTheLargestVersion) {
  absl::StatusOr<SecretBox> box =
      SecretBox::FromKeyring(absl::StrCat("4294967295:", Hex(5)));
  ASSERT_TRUE(box.ok()) << box.status();
  EXPECT_EQ(box->newest_version(), 4294967295u);
}

TEST(KeyringTest, MissingColonNamesTheLine) {
  const absl::Status status =
      ParseError(absl::StrCat("# keys\n1:", Hex(1), "\n", Hex(2), "\n"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "keyring line 3: expected VERSION:KEY");
}

TEST(KeyringTest, RefusesVersionsThatAreNotPositiveWholeNumbers) {
  for (const std::string version :
       {"0", "-1", "+1", "1.5", "one", "", "4294967296", "99999999999"}) {
    const absl::Status status =
        ParseError(absl::StrCat("\n", version, ":", Hex(1)));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << version;
    EXPECT_EQ(status.message(),
              "keyring line 2: the version must be a whole number from 1 to "
              "4294967295")
        << version;
  }
}

TEST(KeyringTest, RefusesKeysThatAreNotThirtyTwoBytes) {
  std::string bad_hex = Hex(1);
  bad_hex[10] = 'g';
  std::string padding_replaced = Base64(1);
  padding_replaced.back() = 'A';
  const std::vector<std::string> keys = {
      bad_hex,
      Hex(1).substr(2),
      Hex(1) + "00",
      padding_replaced,
      absl::Base64Escape(TestKey(1).substr(1)),
      TestKey(1),
      ""};
  for (const std::string& key : keys) {
    const absl::Status status = ParseError(absl::StrCat("5:", key, "\n"));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << key;
    EXPECT_EQ(status.message(),
              "keyring line 1: the key of version 5 must be 64 hex digits or "
              "base64 of 32 bytes");
  }
}

TEST(KeyringTest, RepeatedVersionNamesBothLines) {
  const absl::Status status = ParseError(
      absl::StrCat("2:", Hex(2), "\n1:", Hex(1), "\n\n2:", Hex(3), "\n"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "keyring line 4: version 2 appears again (first on line 1)");
}

TEST(KeyringTest, KeyringWithoutVersionsIsRefused) {
  for (const std::string keyring : {"", "\n\n", "# nothing yet\n  # \n"}) {
    const absl::Status status = ParseError(keyring);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status.message(), "keyring holds no master key version");
  }
}

TEST(KeyringTest, ErrorsNeverQuoteTheLine) {
  const std::string secret = "SECRETVALUE0123456789abcdefSECRET";
  std::string near_miss = Hex(1);
  near_miss.back() = 'x';
  const std::vector<std::string> lines = {
      secret,
      absl::StrCat(secret, ":", Hex(1)),
      absl::StrCat("1:", secret),
      absl::StrCat("1:", near_miss),
      absl::StrCat(Hex(1), ":", Hex(2)),
  };
  for (const std::string& line : lines) {
    const absl::Status status = ParseError(line);
    ASSERT_FALSE(status.ok()) << line;
    EXPECT_THAT(status.message(), Not(HasSubstr("SECRET"))) << status;
    EXPECT_THAT(status.message(), Not(HasSubstr(Hex(1).substr(0, 8))))
        << status;
    EXPECT_THAT(status.message(), Not(HasSubstr(Hex(2).substr(0, 8))))
        << status;
  }
}

class KeyringFileTest : public leverconnect::testing::TempDirectoryTest {};

TEST_F(KeyringFileTest, ReadsAKeyringFile) {
  const std::string path =
      WriteFile("keyring", absl::StrCat("1:", Hex(1), "\n2:", Base64(2), "\n"));

  absl::StatusOr<SecretBox> box = SecretBox::FromKeyringFile(path);
  ASSERT_TRUE(box.ok()) << box.status();
  EXPECT_THAT(box->versions(), ElementsAre(1, 2));
  EXPECT_TRUE(HoldsTestKey(*box, 1));
  EXPECT_TRUE(HoldsTestKey(*box, 2));
}

TEST_F(KeyringFileTest, ErrorsNameTheFileAndLine) {
  const std::string path = WriteFile(
      "keyring", absl::StrCat("1:", Hex(1), "\n# next\n2:", Hex(1), "zz\n"));

  const absl::Status status = SecretBox::FromKeyringFile(path).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            absl::StrCat("keyring file '", path,
                         "' line 3: the key of version 2 must be 64 hex "
                         "digits or base64 of 32 bytes"));
}

TEST_F(KeyringFileTest, EmptyFileIsRefused) {
  const std::string path = WriteFile("keyring", "# to do\n");
  const absl::Status status = SecretBox::FromKeyringFile(path).status();
  EXPECT_EQ(status.message(), absl::StrCat("keyring file '", path,
                                           "' holds no master key version"));
}

TEST_F(KeyringFileTest, MissingFileIsNotFound) {
  const std::string path = (directory_ / "missing").string();
  const absl::Status status = SecretBox::FromKeyringFile(path).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr(path));
}

TEST_F(KeyringFileTest, OversizedFileIsRefusedWithoutReadingIt) {
  const std::string path =
      WriteFile("keyring", std::string(64 * 1024 + 1, '#'));
  const absl::Status status = SecretBox::FromKeyringFile(path).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), absl::StrCat("keyring file '", path,
                                           "' is larger than 65536 bytes"));
}

TEST_F(KeyringFileTest, SingleKeyFileStillReadsAsVersionOne) {
  const std::string path = WriteFile("key", Hex(1) + "\n");
  absl::StatusOr<SecretBox> box = SecretBox::FromKeyFile(path);
  ASSERT_TRUE(box.ok()) << box.status();
  EXPECT_THAT(box->versions(), ElementsAre(1));
  EXPECT_TRUE(HoldsTestKey(*box, 1));
}

}  // namespace
}  // namespace leverconnect::crypto

#include "lib/crypto/secret_box.h"

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/digest.h"
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

SecretBox BoxWithVersions(std::initializer_list<std::uint32_t> versions) {
  std::map<std::uint32_t, std::string> keys;
  for (std::uint32_t version : versions) keys[version] = TestKey(version);
  return SecretBox(std::move(keys));
}

std::string SealOrDie(const SecretBox& box, std::string_view plaintext,
                      std::string_view associated_data) {
  absl::StatusOr<std::string> sealed = box.Seal(plaintext, associated_data);
  EXPECT_TRUE(sealed.ok()) << sealed.status();
  return sealed.value_or("");
}

TEST(SecretBoxTest, RoundTrip) {
  const SecretBox box = BoxWithVersions({1});
  const std::string sealed = SealOrDie(box, kApiKey, kAssociatedData);

  absl::StatusOr<std::string> opened = box.Open(sealed, kAssociatedData);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, kApiKey);
}

TEST(SecretBoxTest, RoundTripOfEmptyAndBinaryPlaintext) {
  const SecretBox box = BoxWithVersions({1});
  const std::string binary("\0\x01\xff\0", 4);
  for (const std::string& plaintext : {std::string(), binary}) {
    const std::string sealed = SealOrDie(box, plaintext, kAssociatedData);
    EXPECT_EQ(sealed.size(), 4 + 12 + plaintext.size() + 16);
    absl::StatusOr<std::string> opened = box.Open(sealed, kAssociatedData);
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST(SecretBoxTest, LayoutIsVersionNonceCiphertextTag) {
  const SecretBox box = BoxWithVersions({0x01020304});
  const std::string sealed = SealOrDie(box, kApiKey, kAssociatedData);

  EXPECT_EQ(sealed.size(), 4 + 12 + sizeof(kApiKey) - 1 + 16);
  EXPECT_EQ(sealed.substr(0, 4), std::string("\x01\x02\x03\x04"));
}

TEST(SecretBoxTest, TwoSealsOfTheSamePlaintextDiffer) {
  const SecretBox box = BoxWithVersions({1});
  const std::string first = SealOrDie(box, kApiKey, kAssociatedData);
  const std::string second = SealOrDie(box, kApiKey, kAssociatedData);

  EXPECT_NE(first, second);
  EXPECT_NE(first.substr(4, 12), second.substr(4, 12));  // the nonces
}

TEST(SecretBoxTest, CiphertextDoesNotContainThePlaintext) {
  const SecretBox box = BoxWithVersions({1});
  const std::string sealed = SealOrDie(box, kApiKey, kAssociatedData);

  EXPECT_THAT(sealed, Not(HasSubstr(kApiKey)));
  EXPECT_THAT(sealed, Not(HasSubstr(std::string(kApiKey).substr(0, 8))));
}

TEST(SecretBoxTest, WrongAssociatedDataFailsWithDataLoss) {
  const SecretBox box = BoxWithVersions({1});
  const std::string sealed = SealOrDie(box, kApiKey, kAssociatedData);

  absl::StatusOr<std::string> opened =
      box.Open(sealed, "connections/other-row");
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(opened.status().message(), Not(HasSubstr(kApiKey)));
}

TEST(SecretBoxTest, EveryFlippedByteFailsWithDataLoss) {
  const SecretBox box = BoxWithVersions({1});
  const std::string sealed = SealOrDie(box, kApiKey, kAssociatedData);

  for (std::size_t i = 4; i < sealed.size(); ++i) {  // past the version
    std::string altered = sealed;
    altered[i] ^= 0x01;
    absl::StatusOr<std::string> opened = box.Open(altered, kAssociatedData);
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss)
        << "byte " << i;
  }
}

TEST(SecretBoxTest, TruncatedValueFailsWithDataLoss) {
  const SecretBox box = BoxWithVersions({1});
  const std::string sealed = SealOrDie(box, kApiKey, kAssociatedData);

  for (std::size_t size : {std::size_t{0}, std::size_t{3}, std::size_t{31},
                           std::size_t{32}, sealed.size() - 1}) {
    absl::StatusOr<std::string> opened =
        box.Open(sealed.substr(0, size), kAssociatedData);
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss)
        << size << " bytes";
  }
}

TEST(SecretBoxTest, UnknownVersionFailsWithFailedPrecondition) {
  const std::string sealed =
      SealOrDie(BoxWithVersions({7}), kApiKey, kAssociatedData);

  absl::StatusOr<std::string> opened =
      BoxWithVersions({1, 2}).Open(sealed, kAssociatedData);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(opened.status().message(),
              HasSubstr("master key version 7, which the keyring does not"));
}

TEST(SecretBoxTest, SealsWithNewestAndOpensEveryVersion) {
  const std::string sealed_with_old =
      SealOrDie(BoxWithVersions({1}), "old secret", kAssociatedData);
  const SecretBox rotated = BoxWithVersions({1, 2});
  const std::string sealed_with_new =
      SealOrDie(rotated, "new secret", kAssociatedData);

  EXPECT_EQ(rotated.newest_version(), 2u);
  EXPECT_EQ(sealed_with_new.substr(0, 4), std::string("\0\0\0\x02", 4));
  EXPECT_EQ(rotated.Open(sealed_with_old, kAssociatedData).value_or(""),
            "old secret");
  EXPECT_EQ(rotated.Open(sealed_with_new, kAssociatedData).value_or(""),
            "new secret");
}

TEST(SecretBoxTest, CopiesAndAssignmentsKeepWorkingKeys) {
  SecretBox box = BoxWithVersions({1});
  const std::string sealed = SealOrDie(box, kApiKey, kAssociatedData);
  {
    const SecretBox copy = box;  // destroyed first; must not harm `box`
    EXPECT_EQ(copy.Open(sealed, kAssociatedData).value_or(""), kApiKey);
  }
  EXPECT_EQ(box.Open(sealed, kAssociatedData).value_or(""), kApiKey);

  box = BoxWithVersions({2});
  EXPECT_EQ(box.Open(sealed, kAssociatedData).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(SecretBoxTest, SealedVersionReadsTheFirstFourBytes) {
  const std::string sealed =
      SealOrDie(BoxWithVersions({3, 0x01020304}), kApiKey, kAssociatedData);

  EXPECT_EQ(SecretBox::SealedVersion(sealed), 0x01020304u);
  EXPECT_EQ(SecretBox::SealedVersion(std::string("\0\0\0\x07", 4)), 7u);
  EXPECT_EQ(SecretBox::SealedVersion("abc"), 0u);
  EXPECT_EQ(SecretBox::SealedVersion(""), 0u);
}

TEST(SecretBoxTest, VersionsAreListedOldestFirst) {
  EXPECT_THAT(BoxWithVersions({9, 2, 5}).versions(), ElementsAre(2, 5, 9));
  EXPECT_EQ(BoxWithVersions({9, 2, 5}).newest_version(), 9u);
}

TEST(SecretBoxTest, ResealMovesAValueToTheNewestVersion) {
  const std::string sealed =
      SealOrDie(BoxWithVersions({1}), kApiKey, kAssociatedData);
  const SecretBox rotated = BoxWithVersions({1, 2});

  absl::StatusOr<std::string> resealed =
      rotated.Reseal(sealed, kAssociatedData);
  ASSERT_TRUE(resealed.ok()) << resealed.status();
  EXPECT_EQ(SecretBox::SealedVersion(*resealed), 2u);
  EXPECT_EQ(BoxWithVersions({2}).Open(*resealed, kAssociatedData).value_or(""),
            kApiKey);
  EXPECT_EQ(
      BoxWithVersions({2}).Open(*resealed, "connections/other").status().code(),
      absl::StatusCode::kDataLoss);
}

TEST(SecretBoxTest, ResealFailsLikeOpen) {
  std::string sealed =
      SealOrDie(BoxWithVersions({1}), kApiKey, kAssociatedData);
  EXPECT_EQ(
      BoxWithVersions({2}).Reseal(sealed, kAssociatedData).status().code(),
      absl::StatusCode::kFailedPrecondition);
  sealed.back() ^= 0x01;
  absl::StatusOr<std::string> resealed =
      BoxWithVersions({1, 2}).Reseal(sealed, kAssociatedData);
  EXPECT_EQ(resealed.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(resealed.status().message(), Not(HasSubstr(kApiKey)));
}

class KeyFileTest : public leverconnect::testing::TempDirectoryTest {
 protected:
  // Seals with `box` and opens with a box holding TestKey(1).
  static void ExpectKeyIsTestKey(const absl::StatusOr<SecretBox>& box) {
    ASSERT_TRUE(box.ok()) << box.status();
    EXPECT_EQ(box->newest_version(), 1u);
    const std::string sealed = SealOrDie(*box, kApiKey, kAssociatedData);
    EXPECT_EQ(BoxWithVersions({1}).Open(sealed, kAssociatedData).value_or(""),
              kApiKey);
  }
};

TEST_F(KeyFileTest, ReadsRawKey) {
  ExpectKeyIsTestKey(SecretBox::FromKeyFile(WriteFile("raw", TestKey(1))));
}

TEST_F(KeyFileTest, ReadsHexKeyWithSurroundingWhitespace) {
  const std::string hex = absl::BytesToHexString(TestKey(1));
  ASSERT_EQ(hex.size(), 64u);
  ExpectKeyIsTestKey(
      SecretBox::FromKeyFile(WriteFile("hex", "  " + hex + "\n")));
}

TEST_F(KeyFileTest, ReadsUppercaseHexKey) {
  std::string hex = absl::BytesToHexString(TestKey(1));
  for (char& digit : hex) digit = absl::ascii_toupper(digit);
  ExpectKeyIsTestKey(SecretBox::FromKeyFile(WriteFile("hex", hex)));
}

TEST_F(KeyFileTest, ReadsBase64KeyWithTrailingNewline) {
  const std::string base64 = absl::Base64Escape(TestKey(1));
  ASSERT_EQ(base64.size(), 44u);
  ExpectKeyIsTestKey(
      SecretBox::FromKeyFile(WriteFile("base64", base64 + "\n")));
}

TEST_F(KeyFileTest, ReadsEncodedKeyFromMemory) {
  ExpectKeyIsTestKey(
      SecretBox::FromEncodedKey(absl::Base64Escape(TestKey(1)) + "\n"));
  ExpectKeyIsTestKey(
      SecretBox::FromEncodedKey(absl::BytesToHexString(TestKey(1))));
}

TEST_F(KeyFileTest, BadKeyFileErrorNamesPathButNotContent) {
  const std::string content = "not-a-key-but-a-secret-looking-value";
  const std::string path = WriteFile("bad", content);

  absl::StatusOr<SecretBox> box = SecretBox::FromKeyFile(path);
  EXPECT_EQ(box.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(box.status().message(), HasSubstr(path));
  EXPECT_THAT(box.status().message(),
              HasSubstr("must hold 32 bytes: raw, 64 hex digits or base64"));
  EXPECT_THAT(box.status().message(), Not(HasSubstr(content)));
  EXPECT_THAT(box.status().message(), Not(HasSubstr("secret-looking")));
}

TEST_F(KeyFileTest, RefusesNearMissEncodings) {
  std::string hex = absl::BytesToHexString(TestKey(1));
  hex[10] = 'g';
  std::string padding_replaced = absl::Base64Escape(TestKey(1));
  padding_replaced.back() = 'A';
  const std::string short_base64 = absl::Base64Escape(TestKey(1).substr(1));

  for (const std::string& content : {hex, padding_replaced, short_base64,
                                     std::string(), TestKey(1).substr(1)}) {
    absl::StatusOr<SecretBox> box =
        SecretBox::FromKeyFile(WriteFile("near", content));
    EXPECT_EQ(box.status().code(), absl::StatusCode::kInvalidArgument)
        << content.size() << " bytes";
  }
}

TEST_F(KeyFileTest, MissingFileIsNotFound) {
  const std::string path = (directory_ / "missing").string();
  absl::StatusOr<SecretBox> box = SecretBox::FromKeyFile(path);
  EXPECT_EQ(box.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(box.status().message(), HasSubstr(path));
}

}  // namespace
}  // namespace leverconnect::crypto

namespace leverconnect::crypto {
namespace {

TEST(DigestTest, Sha256OfKnownInputs) {
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace leverconnect::crypto

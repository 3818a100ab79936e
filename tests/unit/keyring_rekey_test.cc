// Re-encryption of stored Lever keys under the newest master key version.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/secret_box.h"
#include "lib/storage/connection_store.h"
#include "lib/storage/sqlite_connection_store.h"
#include "server/rekey.h"

namespace leverconnect::server {
namespace {

using crypto::SecretBox;
using storage::ConnectionStore;
using storage::StoredConnection;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// Deterministic test keys: byte i of version v is v * 37 + i.
std::string TestKey(std::uint32_t version) {
  std::string key(crypto::kMasterKeySize, '\0');
  for (std::size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<char>(version * 37 + i);
  }
  return key;
}

SecretBox BoxWithVersions(std::initializer_list<std::uint32_t> versions) {
  std::map<std::uint32_t, std::string> keys;
  for (std::uint32_t version : versions) keys[version] = TestKey(version);
  return SecretBox(std::move(keys));
}

std::string ApiKeyOf(const std::string& id) {
  return absl::StrCat("lvr_key_of_", id);
}

// Forwards to a real store; `before_update` runs at the start of each
// UpdateSealedApiKey, to play a server changing the row meanwhile.
class InterferingStore : public ConnectionStore {
 public:
  explicit InterferingStore(ConnectionStore& store) : store_(store) {}

  std::function<void(std::string_view id)> before_update;
  int updates = 0;

  absl::StatusOr<storage::CreateResult> Create(
      const StoredConnection& connection,
      std::string_view request_id) override {
    return store_.Create(connection, request_id);
  }
  absl::StatusOr<StoredConnection> Get(std::string_view id) override {
    return store_.Get(id);
  }
  absl::StatusOr<std::optional<std::string>> FindRequest(
      std::string_view request_id) override {
    return store_.FindRequest(request_id);
  }
  absl::StatusOr<storage::ConnectionPage> List(
      int page_size, std::string_view after_id,
      std::string_view application) override {
    return store_.List(page_size, after_id, application);
  }
  absl::Status Update(const StoredConnection& connection,
                      std::string_view expected_etag) override {
    return store_.Update(connection, expected_etag);
  }
  absl::Status Delete(std::string_view id,
                      std::string_view expected_etag) override {
    return store_.Delete(id, expected_etag);
  }
  absl::Status Ping() override { return store_.Ping(); }
  absl::Status UpdateSealedApiKey(std::string_view id,
                                  std::string_view sealed_api_key,
                                  std::string_view expected_etag,
                                  std::string_view new_etag) override {
    ++updates;
    if (before_update) before_update(id);
    return store_.UpdateSealedApiKey(id, sealed_api_key, expected_etag,
                                     new_etag);
  }

 private:
  ConnectionStore& store_;
};

class RekeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::SqliteConnectionStore::Open(":memory:");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  // Stores connection `id` with its key sealed by `box`.
  void CreateSealedWith(const std::string& id, const SecretBox& box) {
    StoredConnection connection;
    connection.id = id;
    connection.display_name = "Display " + id;
    connection.environment = 1;
    connection.allowed_applications = {"recruiting"};
    connection.sealed_api_key =
        box.Seal(ApiKeyOf(id), "connections/" + id).value_or("");
    connection.api_key_hint = "wxyz";
    connection.create_time = absl::FromUnixSeconds(1700000000);
    connection.update_time = absl::FromUnixSeconds(1700000100);
    connection.etag = "etag-" + id;
    ASSERT_TRUE(store_->Create(connection, "").ok());
  }

  StoredConnection Stored(const std::string& id) {
    absl::StatusOr<StoredConnection> connection = store_->Get(id);
    EXPECT_TRUE(connection.ok()) << connection.status();
    return connection.value_or(StoredConnection());
  }

  std::uint32_t StoredVersion(const std::string& id) {
    return SecretBox::SealedVersion(Stored(id).sealed_api_key);
  }

  // The plaintext key of `id` as `box` opens it, or the error.
  std::string OpenWith(const SecretBox& box, const std::string& id) {
    absl::StatusOr<std::string> key =
        box.Open(Stored(id).sealed_api_key, "connections/" + id);
    return key.ok() ? *key : key.status().ToString();
  }

  RekeyResult RekeyOrDie(ConnectionStore& store, const SecretBox& box) {
    absl::StatusOr<RekeyResult> result = RekeyConnections(store, box);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.value_or(RekeyResult());
  }

  std::unique_ptr<storage::SqliteConnectionStore> store_;
};

TEST_F(RekeyTest, ResealsOlderVersionsUnderTheNewest) {
  CreateSealedWith("alpha", BoxWithVersions({1}));
  CreateSealedWith("beta", BoxWithVersions({1}));
  CreateSealedWith("gamma", BoxWithVersions({1, 2}));  // already newest
  const StoredConnection gamma_before = Stored("gamma");

  const RekeyResult result = RekeyOrDie(*store_, BoxWithVersions({1, 2}));
  EXPECT_EQ(result.connections, 3);
  EXPECT_EQ(result.resealed, 2);
  EXPECT_EQ(result.newest_version, 2u);
  EXPECT_THAT(result.failures, IsEmpty());
  EXPECT_EQ(RekeySummary(result),
            "re-encrypted 2 of 3 connections under master key version 2");

  const SecretBox only_newest = BoxWithVersions({2});
  for (const std::string id : {"alpha", "beta", "gamma"}) {
    EXPECT_EQ(StoredVersion(id), 2u) << id;
    EXPECT_EQ(OpenWith(only_newest, id), ApiKeyOf(id));
  }
  EXPECT_EQ(Stored("gamma").sealed_api_key, gamma_before.sealed_api_key);
  EXPECT_EQ(Stored("gamma").etag, gamma_before.etag);
}

TEST_F(RekeyTest, ChangesOnlyTheSealedKeyAndTheEtag) {
  CreateSealedWith("alpha", BoxWithVersions({1}));
  const StoredConnection before = Stored("alpha");

  RekeyOrDie(*store_, BoxWithVersions({1, 2}));
  const StoredConnection after = Stored("alpha");
  EXPECT_NE(after.sealed_api_key, before.sealed_api_key);
  EXPECT_NE(after.etag, before.etag);
  EXPECT_FALSE(after.etag.empty());
  EXPECT_EQ(after.display_name, before.display_name);
  EXPECT_EQ(after.environment, before.environment);
  EXPECT_EQ(after.allowed_applications, before.allowed_applications);
  EXPECT_EQ(after.api_key_hint, before.api_key_hint);
  EXPECT_EQ(after.create_time, before.create_time);
  EXPECT_EQ(after.update_time, before.update_time);
}

TEST_F(RekeyTest, SecondRunHasNothingToDo) {
  CreateSealedWith("alpha", BoxWithVersions({1}));
  RekeyOrDie(*store_, BoxWithVersions({1, 2}));
  const StoredConnection after_first = Stored("alpha");

  const RekeyResult second = RekeyOrDie(*store_, BoxWithVersions({1, 2}));
  EXPECT_EQ(RekeySummary(second),
            "re-encrypted 0 of 1 connections under master key version 2");
  EXPECT_EQ(Stored("alpha").sealed_api_key, after_first.sealed_api_key);
  EXPECT_EQ(Stored("alpha").etag, after_first.etag);
}

TEST_F(RekeyTest, EmptyStoreReportsZeroOfZero) {
  EXPECT_EQ(RekeySummary(RekeyOrDie(*store_, BoxWithVersions({4}))),
            "re-encrypted 0 of 0 connections under master key version 4");
}

TEST_F(RekeyTest, ReadsEveryPage) {
  constexpr int kConnections = 250;  // more than two pages
  const SecretBox old_box = BoxWithVersions({1});
  for (int i = 0; i < kConnections; ++i) {
    CreateSealedWith(absl::StrFormat("c%03d", i), old_box);
  }

  const RekeyResult result = RekeyOrDie(*store_, BoxWithVersions({1, 2}));
  EXPECT_EQ(result.connections, kConnections);
  EXPECT_EQ(result.resealed, kConnections);
  EXPECT_EQ(StoredVersion("c000"), 2u);
  EXPECT_EQ(StoredVersion("c249"), 2u);
}

TEST_F(RekeyTest, UnopenableKeysAreReportedAndLeftUnchanged) {
  CreateSealedWith("alpha", BoxWithVersions({1}));
  CreateSealedWith("lost", BoxWithVersions({7}));  // version not in keyring
  CreateSealedWith("tampered", BoxWithVersions({1}));
  StoredConnection tampered = Stored("tampered");
  tampered.sealed_api_key.back() ^= 0x01;
  ASSERT_TRUE(store_->Update(tampered, "").ok());
  const StoredConnection lost_before = Stored("lost");

  const RekeyResult result = RekeyOrDie(*store_, BoxWithVersions({1, 2}));
  EXPECT_EQ(result.connections, 3);
  EXPECT_EQ(result.resealed, 1);
  ASSERT_EQ(result.failures.size(), 2u);
  EXPECT_EQ(result.failures[0].connection_id, "lost");
  EXPECT_EQ(result.failures[0].status.code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(result.failures[1].connection_id, "tampered");
  EXPECT_EQ(result.failures[1].status.code(), absl::StatusCode::kDataLoss);
  for (const RekeyFailure& failure : result.failures) {
    const std::string line = DescribeFailure(failure);
    EXPECT_THAT(line, HasSubstr(absl::StrCat("cannot re-encrypt connection \"",
                                             failure.connection_id,
                                             "\" (left unchanged): ")));
    EXPECT_THAT(line, Not(HasSubstr("lvr_key_of")));
  }
  EXPECT_THAT(DescribeFailure(result.failures[0]),
              HasSubstr("master key version 7"));

  EXPECT_EQ(StoredVersion("alpha"), 2u);
  EXPECT_EQ(Stored("lost").sealed_api_key, lost_before.sealed_api_key);
  EXPECT_EQ(Stored("lost").etag, lost_before.etag);
  EXPECT_EQ(Stored("tampered").sealed_api_key, tampered.sealed_api_key);
  EXPECT_EQ(Stored("tampered").etag, tampered.etag);
}

TEST_F(RekeyTest, ConnectionChangedMeanwhileIsReadAgain) {
  CreateSealedWith("alpha", BoxWithVersions({1}));
  InterferingStore interfering(*store_);
  interfering.before_update = [&](std::string_view id) {
    if (interfering.updates > 1) return;
    // A server renames the connection between our read and our write.
    StoredConnection renamed = Stored(std::string(id));
    renamed.display_name = "Renamed";
    renamed.etag = "etag-renamed";
    ASSERT_TRUE(store_->Update(renamed, "").ok());
  };

  const RekeyResult result = RekeyOrDie(interfering, BoxWithVersions({1, 2}));
  EXPECT_EQ(interfering.updates, 2);
  EXPECT_EQ(result.resealed, 1);
  EXPECT_THAT(result.failures, IsEmpty());
  EXPECT_EQ(Stored("alpha").display_name, "Renamed");
  EXPECT_NE(Stored("alpha").etag, "etag-renamed");
  EXPECT_EQ(OpenWith(BoxWithVersions({2}), "alpha"), ApiKeyOf("alpha"));
}

TEST_F(RekeyTest, ConnectionRotatedMeanwhileIsNotWrittenAgain) {
  CreateSealedWith("alpha", BoxWithVersions({1}));
  const SecretBox box = BoxWithVersions({1, 2});
  InterferingStore interfering(*store_);
  interfering.before_update = [&](std::string_view id) {
    // A server stores a new API key, sealed with the newest version.
    StoredConnection rotated = Stored(std::string(id));
    rotated.sealed_api_key =
        box.Seal("lvr_rotated", "connections/alpha").value_or("");
    rotated.etag = "etag-rotated";
    ASSERT_TRUE(store_->Update(rotated, "").ok());
  };

  const RekeyResult result = RekeyOrDie(interfering, box);
  EXPECT_EQ(interfering.updates, 1);
  EXPECT_EQ(result.resealed, 0);
  EXPECT_THAT(result.failures, IsEmpty());
  EXPECT_EQ(Stored("alpha").etag, "etag-rotated");
  EXPECT_EQ(OpenWith(box, "alpha"), "lvr_rotated");
}

TEST_F(RekeyTest, ConnectionDeletedMeanwhileIsSkipped) {
  CreateSealedWith("alpha", BoxWithVersions({1}));
  CreateSealedWith("beta", BoxWithVersions({1}));
  InterferingStore interfering(*store_);
  interfering.before_update = [&](std::string_view id) {
    if (id == "alpha") {
      ASSERT_TRUE(store_->Delete(id, "").ok());
    }
  };

  const RekeyResult result = RekeyOrDie(interfering, BoxWithVersions({1, 2}));
  EXPECT_EQ(result.resealed, 1);
  EXPECT_THAT(result.failures, IsEmpty());
  EXPECT_EQ(store_->Get("alpha").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(StoredVersion("beta"), 2u);
}

TEST_F(RekeyTest, ConnectionThatKeepsChangingIsAFailure) {
  CreateSealedWith("alpha", BoxWithVersions({1}));
  InterferingStore interfering(*store_);
  interfering.before_update = [&](std::string_view id) {
    StoredConnection changed = Stored(std::string(id));
    changed.etag = absl::StrCat("etag-", interfering.updates);
    ASSERT_TRUE(store_->Update(changed, "").ok());
  };

  const RekeyResult result = RekeyOrDie(interfering, BoxWithVersions({1, 2}));
  EXPECT_EQ(interfering.updates, 3);
  ASSERT_EQ(result.failures.size(), 1u);
  EXPECT_EQ(result.failures[0].status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(StoredVersion("alpha"), 1u);
}

}  // namespace
}  // namespace leverconnect::server

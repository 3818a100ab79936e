// Keys at rest, end to end: master key rotation with re-encryption, and a
// stored ciphertext that no longer opens.
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/crypto/secret_box.h"
#include "lib/storage/connection_store.h"
#include "server/rekey.h"
#include "tests/integration/test_environment.h"

namespace leverconnect::testing {
namespace {

using crypto::SecretBox;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr int kRequisitions = 150;  // two pages at page size 100
constexpr char kApplication[] = "recruiting";
constexpr char kKeyOne[] =
    "1:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0\n";
constexpr char kKeyTwo[] = "2:S2V5IHR3byBvZiB0aGUgbGV2ZXJjb25uZWN0IHRlc3Q=\n";

SecretBox Keyring(const std::string& text) {
  absl::StatusOr<SecretBox> box = SecretBox::FromKeyring(text);
  EXPECT_TRUE(box.ok()) << box.status();
  return box.ok() ? *std::move(box) : SecretBox({{1, std::string(32, 'x')}});
}

class KeyringTest : public ::testing::Test {
 protected:
  static constexpr const char* kIds[] = {"alpha", "beta", "gamma"};

  // Starts the environment with keyring {1} and creates kIds under it.
  void SetUp() override {
    FakeLeverOptions lever;
    lever.generate = kRequisitions;
    lever.seed = 11;
    auto environment = TestEnvironment::Start(lever);
    ASSERT_TRUE(environment.ok()) << environment.status();
    environment_ = std::move(*environment);
    ASSERT_TRUE(environment_->RestartServer(Keyring(kKeyOne)).ok());
    for (const char* id : kIds) {
      auto created = environment_->CreateConnection(id, kFullKey, kApplication);
      ASSERT_TRUE(created.ok()) << created.status();
    }
  }

  std::string DatabasePath() const {
    return storage::StateDatabasePath(environment_->state_dir());
  }

  // Another handle on the server's database, as `--rekey` opens it.
  std::unique_ptr<storage::ConnectionStore> OpenStore() {
    auto store = storage::OpenSqliteConnectionStore(DatabasePath());
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }

  std::uint32_t StoredVersion(const std::string& id) {
    auto store = OpenStore();
    auto connection = store->Get(id);
    EXPECT_TRUE(connection.ok()) << connection.status();
    return connection.ok()
               ? SecretBox::SealedVersion(connection->sealed_api_key)
               : 0;
  }

  // Streams every requisition through connection `id`: the number of
  // distinct requisitions, or the call's error.
  absl::StatusOr<int> ImportAll(const std::string& id) {
    v1::StreamRequisitionsRequest request;
    request.set_connection("connections/" + id);
    request.set_application(kApplication);
    request.set_page_size(100);
    std::vector<v1::Row> rows;
    auto summary = environment_->Import(request, &rows);
    if (!summary.ok()) return summary.status();
    std::set<std::string> requisitions;
    for (const v1::Row& row : rows) requisitions.insert(row.requisition_id());
    return static_cast<int>(requisitions.size());
  }

  absl::Status TestConnection(const std::string& id) {
    v1::TestConnectionRequest request;
    request.set_name("connections/" + id);
    return environment_->client().TestConnection(request).status();
  }

  void ExpectEveryConnectionImports() {
    for (const char* id : kIds) {
      absl::StatusOr<int> imported = ImportAll(id);
      ASSERT_TRUE(imported.ok()) << id << ": " << imported.status();
      EXPECT_EQ(*imported, kRequisitions) << id;
    }
  }

  // Flips a bit of the last byte (inside the GCM tag) of the stored sealed
  // key of connection `id`, straight in the database file.
  void TamperWith(const std::string& id) {
    sqlite3* database = nullptr;
    ASSERT_EQ(sqlite3_open(DatabasePath().c_str(), &database), SQLITE_OK);
    sqlite3_busy_timeout(database, 5000);
    std::string sealed = ReadSealedKey(database, id);
    ASSERT_FALSE(sealed.empty());
    sealed.back() ^= 0x01;
    sqlite3_stmt* statement = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(database,
                                 "UPDATE connections SET sealed_api_key = ?1 "
                                 "WHERE id = ?2",
                                 -1, &statement, nullptr),
              SQLITE_OK);
    sqlite3_bind_blob(statement, 1, sealed.data(),
                      static_cast<int>(sealed.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(statement, 2, id.c_str(), -1, SQLITE_TRANSIENT);
    EXPECT_EQ(sqlite3_step(statement), SQLITE_DONE) << sqlite3_errmsg(database);
    EXPECT_EQ(sqlite3_changes(database), 1);
    sqlite3_finalize(statement);
    sqlite3_close(database);
  }

  static std::string ReadSealedKey(sqlite3* database, const std::string& id) {
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(database,
                       "SELECT sealed_api_key FROM connections WHERE id = ?1",
                       -1, &statement, nullptr);
    sqlite3_bind_text(statement, 1, id.c_str(), -1, SQLITE_TRANSIENT);
    std::string sealed;
    if (sqlite3_step(statement) == SQLITE_ROW) {
      sealed.assign(static_cast<const char*>(sqlite3_column_blob(statement, 0)),
                    sqlite3_column_bytes(statement, 0));
    }
    sqlite3_finalize(statement);
    return sealed;
  }

  std::unique_ptr<TestEnvironment> environment_;
};

TEST_F(KeyringTest, RotationKeepsEveryConnectionWorking) {
  for (const char* id : kIds) EXPECT_EQ(StoredVersion(id), 1u) << id;

  // Without version 1, connections sealed under it fail, each clearly.
  ASSERT_TRUE(environment_->RestartServer(Keyring(kKeyTwo)).ok());
  for (const char* id : kIds) {
    for (const absl::Status& status :
         {ImportAll(id).status(), TestConnection(id)}) {
      EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << id;
      EXPECT_THAT(status.message(),
                  HasSubstr(absl::StrCat("the stored API key of connection \"",
                                         id, "\" cannot be decrypted")));
      EXPECT_THAT(status.message(), HasSubstr("master key version 1,"));
      EXPECT_THAT(status.message(), Not(HasSubstr(kFullKey)));
    }
  }

  // Add version 2: old keys still open, new ones are sealed under 2.
  ASSERT_TRUE(
      environment_->RestartServer(Keyring(absl::StrCat(kKeyOne, kKeyTwo)))
          .ok());
  ExpectEveryConnectionImports();
  ASSERT_TRUE(
      environment_->CreateConnection("delta", kFullKey, kApplication).ok());
  EXPECT_EQ(StoredVersion("delta"), 2u);

  // Re-encrypt while that server runs, as `leverconnect-server --rekey`.
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    auto result = server::RekeyConnections(
        *store, Keyring(absl::StrCat(kKeyOne, kKeyTwo)));
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(server::RekeySummary(*result),
              "re-encrypted 3 of 4 connections under master key version 2");
    EXPECT_THAT(result->failures, IsEmpty());
  }
  ExpectEveryConnectionImports();  // the running server still opens them

  // Remove version 1.
  ASSERT_TRUE(environment_->RestartServer(Keyring(kKeyTwo)).ok());
  for (const char* id : kIds) EXPECT_EQ(StoredVersion(id), 2u) << id;
  ExpectEveryConnectionImports();
  absl::StatusOr<int> delta = ImportAll("delta");
  ASSERT_TRUE(delta.ok()) << delta.status();
  EXPECT_EQ(*delta, kRequisitions);
  for (const char* id : kIds) EXPECT_TRUE(TestConnection(id).ok()) << id;
}

TEST_F(KeyringTest, TamperedKeyFailsOnlyItsConnection) {
  TamperWith("beta");

  for (const absl::Status& status :
       {ImportAll("beta").status(), TestConnection("beta")}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
    EXPECT_THAT(status.message(),
                HasSubstr("the stored API key of connection \"beta\" cannot "
                          "be decrypted (tampered with"));
    EXPECT_THAT(status.message(), Not(HasSubstr(kFullKey)));
  }
  for (const char* id : {"alpha", "gamma"}) {
    absl::StatusOr<int> imported = ImportAll(id);
    ASSERT_TRUE(imported.ok()) << id << ": " << imported.status();
    EXPECT_EQ(*imported, kRequisitions) << id;
    EXPECT_TRUE(TestConnection(id).ok()) << id;
  }

  // The server still serves, the tampered connection included where no
  // key is needed; re-encryption reports it and leaves it alone.
  v1::ListConnectionsRequest list;
  auto listed = environment_->client().ListConnections(list);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_THAT(listed->connections(), SizeIs(3));
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto result =
      server::RekeyConnections(*store, Keyring(absl::StrCat(kKeyOne, kKeyTwo)));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->resealed, 2);
  ASSERT_THAT(result->failures, SizeIs(1));
  EXPECT_EQ(result->failures[0].connection_id, "beta");
  EXPECT_EQ(ImportAll("beta").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace leverconnect::testing

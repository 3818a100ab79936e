#include "lib/storage/connection_store.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/storage/postgres_database.h"
#include "lib/storage/postgres_schema.h"
#include "lib/storage/sqlite_connection_store.h"
#include "lib/storage/sqlite_database.h"
#include "lib/storage/stores.h"
#include "tests/unit/store_backends.h"
#include "tests/unit/temp_directory_test.h"

namespace leverconnect::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::string Message(const absl::Status& status) {
  return std::string(status.message());
}

StoredConnection MakeConnection(const std::string& id) {
  StoredConnection connection;
  connection.id = id;
  connection.display_name = "Display " + id;
  connection.environment = 2;
  connection.allowed_applications = {"recruiting", "analytics"};
  connection.sealed_api_key = std::string("\x00\x00\x00\x01sealed\x00\xff", 12);
  connection.api_key_hint = "wxyz";
  connection.create_time = absl::FromUnixMicros(1700000000123456);
  connection.update_time = absl::FromUnixMicros(1700000999654321);
  connection.etag = "etag-" + id;
  return connection;
}

void ExpectSameConnection(const StoredConnection& actual,
                          const StoredConnection& expected) {
  EXPECT_EQ(actual.id, expected.id);
  EXPECT_EQ(actual.display_name, expected.display_name);
  EXPECT_EQ(actual.environment, expected.environment);
  EXPECT_EQ(actual.allowed_applications, expected.allowed_applications);
  EXPECT_EQ(actual.sealed_api_key, expected.sealed_api_key);
  EXPECT_EQ(actual.api_key_hint, expected.api_key_hint);
  EXPECT_EQ(actual.create_time, expected.create_time);
  EXPECT_EQ(actual.update_time, expected.update_time);
  EXPECT_EQ(actual.etag, expected.etag);
  EXPECT_EQ(actual.write_back_enabled, expected.write_back_enabled);
}

std::vector<std::string> Ids(const ConnectionPage& page) {
  std::vector<std::string> ids;
  for (const StoredConnection& connection : page.connections) {
    ids.push_back(connection.id);
  }
  return ids;
}

// Each test gets a fresh database on each backend.
class ConnectionStoreTest : public leverconnect::testing::StoreBackendTest {
 protected:
  void SetUp() override {
    StoreBackendTest::SetUp();
    if (IsSkipped()) return;
    store_ = Open();
  }

  void TearDown() override {
    store_.reset();
    StoreBackendTest::TearDown();
  }

  // Another store on the same database, as a restarted server or a second
  // replica opens it.
  std::unique_ptr<ConnectionStore> Open() {
    absl::StatusOr<Stores> stores = OpenStores(options_);
    EXPECT_TRUE(stores.ok()) << stores.status();
    if (!stores.ok()) return nullptr;
    return std::move(stores->connections);
  }

  void CreateOrFail(const StoredConnection& connection,
                    const std::string& request_id = "") {
    absl::StatusOr<CreateResult> result =
        store_->Create(connection, request_id);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_TRUE(result->created);
    EXPECT_EQ(result->connection_id, connection.id);
  }

  std::unique_ptr<ConnectionStore> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, ConnectionStoreTest,
                         ::testing::Values(testing::Backend::kSqlite,
                                           testing::Backend::kPostgres),
                         testing::BackendName);

// SQLite's own settings and file handling.
class SqliteConnectionStoreTest
    : public leverconnect::testing::TempDirectoryTest {
 protected:
  void SetUp() override {
    TempDirectoryTest::SetUp();
    path_ = (directory_ / "connections.db").string();
  }

  std::string path_;
};

TEST_P(ConnectionStoreTest, CreateThenGetReturnsEveryField) {
  StoredConnection connection = MakeConnection("acme-prod");
  connection.allowed_applications = {"zeta", "alpha", "middle"};
  CreateOrFail(connection);

  absl::StatusOr<StoredConnection> stored = store_->Get("acme-prod");
  ASSERT_TRUE(stored.ok()) << stored.status();
  ExpectSameConnection(*stored, connection);
  EXPECT_EQ(stored->sealed_api_key.size(), 12u);
  EXPECT_THAT(stored->allowed_applications,
              ElementsAre("zeta", "alpha", "middle"));
}

TEST_P(ConnectionStoreTest, EmptyFieldsStayEmptyNotNull) {
  StoredConnection connection = MakeConnection("bare");
  connection.display_name.clear();
  connection.sealed_api_key.clear();
  connection.allowed_applications.clear();
  connection.etag.clear();
  CreateOrFail(connection);

  absl::StatusOr<StoredConnection> stored = store_->Get("bare");
  ASSERT_TRUE(stored.ok()) << stored.status();
  ExpectSameConnection(*stored, connection);
}

TEST_P(ConnectionStoreTest, RepeatedApplicationIsStoredOnce) {
  StoredConnection connection = MakeConnection("twice");
  connection.allowed_applications = {"b", "a", "b"};
  CreateOrFail(connection);

  absl::StatusOr<StoredConnection> stored = store_->Get("twice");
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_THAT(stored->allowed_applications, ElementsAre("b", "a"));
}

TEST_P(ConnectionStoreTest, DuplicateIdIsAlreadyExists) {
  CreateOrFail(MakeConnection("acme-prod"));
  StoredConnection again = MakeConnection("acme-prod");
  again.display_name = "Another";

  absl::StatusOr<CreateResult> result = store_->Create(again, "");
  EXPECT_EQ(result.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Message(result.status()), "connection 'acme-prod' already exists");
  EXPECT_EQ(store_->Get("acme-prod")->display_name, "Display acme-prod");
}

TEST_P(ConnectionStoreTest, EmptyIdIsInvalidArgument) {
  absl::StatusOr<CreateResult> result = store_->Create(MakeConnection(""), "");
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(ConnectionStoreTest, RepeatedRequestIdReportsTheFirstConnection) {
  CreateOrFail(MakeConnection("first"), "request-1");

  absl::StatusOr<CreateResult> repeated =
      store_->Create(MakeConnection("second"), "request-1");
  ASSERT_TRUE(repeated.ok()) << repeated.status();
  EXPECT_FALSE(repeated->created);
  EXPECT_EQ(repeated->connection_id, "first");
  EXPECT_EQ(store_->Get("second").status().code(), absl::StatusCode::kNotFound);

  CreateOrFail(MakeConnection("second"), "request-2");

  absl::StatusOr<std::optional<std::string>> found =
      store_->FindRequest("request-1");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->value_or(""), "first");
  found = store_->FindRequest("request-3");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());
}

TEST_P(ConnectionStoreTest, RequestIdOutlivesItsConnection) {
  CreateOrFail(MakeConnection("first"), "request-1");
  ASSERT_TRUE(store_->Delete("first", "").ok());

  absl::StatusOr<CreateResult> repeated =
      store_->Create(MakeConnection("first"), "request-1");
  ASSERT_TRUE(repeated.ok()) << repeated.status();
  EXPECT_FALSE(repeated->created);
  EXPECT_EQ(repeated->connection_id, "first");
  EXPECT_EQ(store_->Get("first").status().code(), absl::StatusCode::kNotFound);
}

TEST_P(ConnectionStoreTest, FailedCreateDoesNotKeepItsRequestId) {
  CreateOrFail(MakeConnection("taken"));
  EXPECT_EQ(
      store_->Create(MakeConnection("taken"), "request-1").status().code(),
      absl::StatusCode::kAlreadyExists);

  CreateOrFail(MakeConnection("other"), "request-1");
}

TEST_P(ConnectionStoreTest, GetUnknownIsNotFound) {
  absl::StatusOr<StoredConnection> stored = store_->Get("missing");
  EXPECT_EQ(stored.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Message(stored.status()), "connection 'missing' not found");
}

TEST_P(ConnectionStoreTest, ListPagesInIdOrder) {
  std::vector<std::string> ids;
  for (int i = 0; i < 15; ++i) ids.push_back(absl::StrFormat("c%02d", i));
  std::vector<std::string> shuffled = ids;
  std::reverse(shuffled.begin(), shuffled.end());
  std::rotate(shuffled.begin(), shuffled.begin() + 4, shuffled.end());
  for (const std::string& id : shuffled) CreateOrFail(MakeConnection(id));

  std::string after_id;
  for (int page_number = 0; page_number < 3; ++page_number) {
    absl::StatusOr<ConnectionPage> page = store_->List(5, after_id, "");
    ASSERT_TRUE(page.ok()) << page.status();
    const std::vector<std::string> expected(ids.begin() + 5 * page_number,
                                            ids.begin() + 5 * page_number + 5);
    EXPECT_EQ(Ids(*page), expected);
    EXPECT_EQ(page->has_more, page_number < 2) << "page " << page_number;
    ExpectSameConnection(page->connections.front(),
                         MakeConnection(expected.front()));
    after_id = page->connections.back().id;
  }
}

TEST_P(ConnectionStoreTest, ListOfExactlyOnePageHasNoMore) {
  for (const char* id : {"a", "b", "c"}) CreateOrFail(MakeConnection(id));

  absl::StatusOr<ConnectionPage> page = store_->List(3, "", "");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_THAT(Ids(*page), ElementsAre("a", "b", "c"));
  EXPECT_FALSE(page->has_more);

  absl::StatusOr<ConnectionPage> empty = store_->List(3, "c", "");
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_THAT(empty->connections, IsEmpty());
  EXPECT_FALSE(empty->has_more);
}

TEST_P(ConnectionStoreTest, ListFiltersByApplication) {
  for (const char* id : {"a", "b", "c", "d"}) {
    StoredConnection connection = MakeConnection(id);
    connection.allowed_applications = {"everyone"};
    if (id[0] == 'b' || id[0] == 'd') {
      connection.allowed_applications.push_back("finance");
    }
    CreateOrFail(connection);
  }

  absl::StatusOr<ConnectionPage> finance = store_->List(1, "", "finance");
  ASSERT_TRUE(finance.ok()) << finance.status();
  EXPECT_THAT(Ids(*finance), ElementsAre("b"));
  EXPECT_TRUE(finance->has_more);
  EXPECT_THAT(finance->connections.front().allowed_applications,
              ElementsAre("everyone", "finance"));

  absl::StatusOr<ConnectionPage> rest = store_->List(10, "b", "finance");
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_THAT(Ids(*rest), ElementsAre("d"));
  EXPECT_FALSE(rest->has_more);

  absl::StatusOr<ConnectionPage> nobody = store_->List(10, "", "nobody");
  ASSERT_TRUE(nobody.ok()) << nobody.status();
  EXPECT_THAT(nobody->connections, IsEmpty());
}

TEST_P(ConnectionStoreTest, ListRefusesNonPositivePageSize) {
  EXPECT_EQ(store_->List(0, "", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->List(-1, "", "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ConnectionStoreTest, UpdateWithMatchingEtagReplacesTheRow) {
  CreateOrFail(MakeConnection("acme"));
  StoredConnection changed = MakeConnection("acme");
  changed.display_name = "Renamed";
  changed.environment = 1;
  changed.allowed_applications = {"new-app"};
  changed.sealed_api_key = std::string("\x00new\x00", 5);
  changed.update_time = absl::FromUnixMicros(1800000000000001);
  changed.etag = "etag-2";
  changed.write_back_enabled = true;

  ASSERT_TRUE(store_->Update(changed, "etag-acme").ok());
  absl::StatusOr<StoredConnection> stored = store_->Get("acme");
  ASSERT_TRUE(stored.ok()) << stored.status();
  ExpectSameConnection(*stored, changed);
}

TEST_P(ConnectionStoreTest, UpdateWithStaleEtagIsAbortedAndChangesNothing) {
  CreateOrFail(MakeConnection("acme"));
  StoredConnection changed = MakeConnection("acme");
  changed.display_name = "Renamed";

  absl::Status status = store_->Update(changed, "etag-old");
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Message(status),
            "connection 'acme' was changed since etag 'etag-old' was read");
  ExpectSameConnection(*store_->Get("acme"), MakeConnection("acme"));
}

TEST_P(ConnectionStoreTest, UpdateWithoutEtagIsUnconditional) {
  CreateOrFail(MakeConnection("acme"));
  StoredConnection changed = MakeConnection("acme");
  changed.display_name = "Renamed";
  changed.allowed_applications.clear();

  ASSERT_TRUE(store_->Update(changed, "").ok());
  ExpectSameConnection(*store_->Get("acme"), changed);
}

TEST_P(ConnectionStoreTest, UpdateUnknownIsNotFound) {
  absl::Status status = store_->Update(MakeConnection("missing"), "");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Message(status), "connection 'missing' not found");
}

TEST_P(ConnectionStoreTest, UpdateSealedApiKeyChangesOnlyKeyAndEtag) {
  CreateOrFail(MakeConnection("acme"));
  const std::string resealed("\x00\x00\x00\x02resealed\x00", 13);

  ASSERT_TRUE(
      store_->UpdateSealedApiKey("acme", resealed, "etag-acme", "etag-2").ok());
  StoredConnection expected = MakeConnection("acme");
  expected.sealed_api_key = resealed;
  expected.etag = "etag-2";
  ExpectSameConnection(*store_->Get("acme"), expected);
}

TEST_P(ConnectionStoreTest, UpdateSealedApiKeyWithStaleEtagChangesNothing) {
  CreateOrFail(MakeConnection("acme"));

  absl::Status status =
      store_->UpdateSealedApiKey("acme", "other", "etag-old", "etag-2");
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_THAT(Message(status), HasSubstr("'acme'"));
  ExpectSameConnection(*store_->Get("acme"), MakeConnection("acme"));
}

TEST_P(ConnectionStoreTest, UpdateSealedApiKeyWithoutEtagIsUnconditional) {
  CreateOrFail(MakeConnection("acme"));

  ASSERT_TRUE(store_->UpdateSealedApiKey("acme", "other", "", "etag-2").ok());
  EXPECT_EQ(store_->Get("acme")->sealed_api_key, "other");
  EXPECT_EQ(store_->Get("acme")->etag, "etag-2");
}

TEST_P(ConnectionStoreTest, UpdateSealedApiKeyOfUnknownIsNotFound) {
  absl::Status status =
      store_->UpdateSealedApiKey("missing", "other", "", "etag-2");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Message(status), "connection 'missing' not found");
}

TEST(StateDatabasePathTest, IsTheDatabaseFileInTheStateFolder) {
  EXPECT_EQ(StateDatabasePath("/var/lib/leverconnect"),
            "/var/lib/leverconnect/leverconnect.db");
}

TEST_P(ConnectionStoreTest, DeleteChecksEtagThenRemovesRowAndApplications) {
  CreateOrFail(MakeConnection("acme"));

  EXPECT_EQ(store_->Delete("acme", "etag-old").code(),
            absl::StatusCode::kAborted);
  ASSERT_TRUE(store_->Delete("acme", "etag-acme").ok());
  EXPECT_EQ(store_->Get("acme").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->Delete("acme", "").code(), absl::StatusCode::kNotFound);

  StoredConnection recreated = MakeConnection("acme");
  recreated.allowed_applications.clear();
  CreateOrFail(recreated);
  EXPECT_THAT(store_->Get("acme")->allowed_applications, IsEmpty());
  EXPECT_THAT(store_->List(10, "", "recruiting")->connections, IsEmpty());
}

TEST_P(ConnectionStoreTest, DataSurvivesReopening) {
  CreateOrFail(MakeConnection("durable"), "request-1");
  store_.reset();

  store_ = Open();
  ASSERT_NE(store_, nullptr);
  absl::StatusOr<StoredConnection> stored = store_->Get("durable");
  ASSERT_TRUE(stored.ok()) << stored.status();
  ExpectSameConnection(*stored, MakeConnection("durable"));
  EXPECT_FALSE(store_->Create(MakeConnection("x"), "request-1")->created);
}

TEST_F(SqliteConnectionStoreTest, UsesWalAndFullSynchronous) {
  absl::StatusOr<std::unique_ptr<SqliteConnectionStore>> store =
      SqliteConnectionStore::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<SqliteSettings> settings = (*store)->ReadSettings();
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_EQ(settings->journal_mode, "wal");
  EXPECT_EQ(settings->synchronous, 2);  // FULL
  EXPECT_TRUE(settings->foreign_keys);
  EXPECT_EQ(settings->busy_timeout_ms, 5000);
  EXPECT_EQ(settings->schema_version, 3);

  // WAL is a property of the file: a plain handle sees it too.
  absl::StatusOr<SqliteDatabase> plain = SqliteDatabase::Open(path_);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->QueryText("PRAGMA journal_mode").value_or(""), "wal");
}

// The permission bits of `path`, or -1 when it cannot be read.
int FileMode(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) return -1;
  return static_cast<int>(status.st_mode & 07777);
}

TEST_F(SqliteConnectionStoreTest, FilesAreReadableByTheirOwnerOnly) {
  // Even a lax umask leaves the database and its WAL files to the owner:
  // they hold sealed Lever keys and who may use them.
  const mode_t previous = ::umask(0);
  absl::StatusOr<std::unique_ptr<SqliteConnectionStore>> store =
      SqliteConnectionStore::Open(path_);
  ::umask(previous);
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE((*store)->Create(MakeConnection("private"), "request-1").ok());
  EXPECT_EQ(FileMode(path_), 0600);
  EXPECT_EQ(FileMode(path_ + "-wal"), 0600);
  EXPECT_EQ(FileMode(path_ + "-shm"), 0600);
}

TEST_F(SqliteConnectionStoreTest, ExistingFilesAreMadeOwnerOnly) {
  // As an earlier build may have left them after a crash.
  for (const std::string& file : {path_, path_ + "-wal", path_ + "-shm"}) {
    { std::ofstream(file).flush(); }
    ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  }
  absl::StatusOr<std::unique_ptr<SqliteConnectionStore>> store =
      SqliteConnectionStore::Open(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(FileMode(path_), 0600);
  EXPECT_EQ(FileMode(path_ + "-wal"), 0600);
  EXPECT_EQ(FileMode(path_ + "-shm"), 0600);
}

TEST_F(SqliteConnectionStoreTest,
       ConnectionsOfAnOlderSchemaReadWithoutWriteBack) {
  {
    absl::StatusOr<SqliteDatabase> plain = SqliteDatabase::Open(path_);
    ASSERT_TRUE(plain.ok()) << plain.status();
    // The version 2 layout of the connections table, with one row.
    ASSERT_TRUE(
        plain
            ->Execute("CREATE TABLE connections (id TEXT PRIMARY KEY NOT "
                      "NULL, display_name TEXT NOT NULL, environment "
                      "INTEGER NOT NULL, sealed_api_key BLOB NOT NULL, "
                      "api_key_hint TEXT NOT NULL, create_time_us INTEGER "
                      "NOT NULL, update_time_us INTEGER NOT NULL, etag "
                      "TEXT NOT NULL);"
                      "CREATE TABLE connection_applications (connection_id "
                      "TEXT NOT NULL, application TEXT NOT NULL, position "
                      "INTEGER NOT NULL, PRIMARY KEY (connection_id, "
                      "application)) WITHOUT ROWID;"
                      "CREATE TABLE request_ids (request_id TEXT PRIMARY "
                      "KEY NOT NULL, connection_id TEXT NOT NULL, "
                      "create_time_us INTEGER NOT NULL);"
                      "CREATE TABLE import_runs (seq INTEGER PRIMARY KEY);"
                      "INSERT INTO connections VALUES ('old', 'Old', 1, "
                      "x'00', '', 1, 2, 'e');"
                      "PRAGMA user_version = 2;")
            .ok());
  }
  absl::StatusOr<std::unique_ptr<ConnectionStore>> store =
      OpenSqliteConnectionStore(path_);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<StoredConnection> old = (*store)->Get("old");
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_FALSE(old->write_back_enabled);
}

TEST_F(SqliteConnectionStoreTest, NewerSchemaIsRefused) {
  {
    absl::StatusOr<SqliteDatabase> plain = SqliteDatabase::Open(path_);
    ASSERT_TRUE(plain.ok()) << plain.status();
    ASSERT_TRUE(plain->Execute("PRAGMA user_version = 4").ok());
  }

  absl::StatusOr<std::unique_ptr<ConnectionStore>> store =
      OpenSqliteConnectionStore(path_);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(store.status()), HasSubstr("schema version 4"));
}

TEST_F(SqliteConnectionStoreTest, UnopenablePathIsUnavailable) {
  absl::StatusOr<std::unique_ptr<ConnectionStore>> store =
      OpenSqliteConnectionStore((directory_ / "no/such/dir/db").string());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable);
}

TEST_P(ConnectionStoreTest, ConcurrentCreatesAllLand) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::vector<absl::Status> failures[kThreads];
  for (int thread = 0; thread < kThreads; ++thread) {
    threads.emplace_back([this, thread, &failures] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = absl::StrFormat("t%d-%02d", thread, i);
        absl::StatusOr<CreateResult> result =
            store_->Create(MakeConnection(id), "request-" + id);
        if (!result.ok()) failures[thread].push_back(result.status());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  for (const auto& thread_failures : failures) {
    EXPECT_THAT(thread_failures, IsEmpty());
  }
  absl::StatusOr<ConnectionPage> page = store_->List(1000, "", "");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->connections.size(), std::size_t{kThreads * kPerThread});
  EXPECT_FALSE(page->has_more);
}

TEST_P(ConnectionStoreTest, AnotherStoreOnTheDatabaseSeesEveryWrite) {
  std::unique_ptr<ConnectionStore> replica = Open();
  ASSERT_NE(replica, nullptr);
  CreateOrFail(MakeConnection("shared"), "request-1");

  absl::StatusOr<StoredConnection> seen = replica->Get("shared");
  ASSERT_TRUE(seen.ok()) << seen.status();
  ExpectSameConnection(*seen, MakeConnection("shared"));
  absl::StatusOr<CreateResult> repeated =
      replica->Create(MakeConnection("other"), "request-1");
  ASSERT_TRUE(repeated.ok()) << repeated.status();
  EXPECT_FALSE(repeated->created);
  EXPECT_EQ(repeated->connection_id, "shared");
}

TEST_P(ConnectionStoreTest, RacingCreatesWithOneRequestIdCreateOnce) {
  constexpr int kStores = 4;
  std::vector<std::unique_ptr<ConnectionStore>> stores;
  for (int i = 0; i < kStores; ++i) stores.push_back(Open());
  std::vector<absl::StatusOr<CreateResult>> results(kStores);
  std::vector<std::thread> threads;
  for (int i = 0; i < kStores; ++i) {
    threads.emplace_back([&, i] {
      results[i] = stores[i]->Create(MakeConnection(absl::StrCat("c", i)),
                                     "same-request");
    });
  }
  for (std::thread& thread : threads) thread.join();

  int created = 0;
  for (const absl::StatusOr<CreateResult>& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
    created += result->created ? 1 : 0;
    EXPECT_EQ(result->connection_id, results[0]->connection_id);
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(store_->List(10, "", "")->connections.size(), 1u);
}

TEST_P(ConnectionStoreTest, IdsOrderBytewise) {
  const std::vector<std::string> ids = {"b", "a-b", "aB", "a_b", "ab", "A"};
  for (const std::string& id : ids) CreateOrFail(MakeConnection(id));
  std::vector<std::string> sorted = ids;
  std::sort(sorted.begin(), sorted.end());

  absl::StatusOr<ConnectionPage> page = store_->List(100, "", "");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(Ids(*page), sorted);
}

TEST_P(ConnectionStoreTest, PingAnswers) { EXPECT_TRUE(store_->Ping().ok()); }

// What only the PostgreSQL backend has: versioned migrations shared by
// replicas, and connections that come back after the server dropped them.
class PostgresConnectionStoreTest : public ConnectionStoreTest {
 protected:
  // Runs `sql` in the test's schema.
  absl::StatusOr<PostgresResult> Query(const std::string& sql) {
    auto connection = PostgresConnection::Connect(options_.database_url);
    if (!connection.ok()) return connection.status();
    return (*connection)->Execute(sql);
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, PostgresConnectionStoreTest,
                         ::testing::Values(testing::Backend::kPostgres),
                         testing::BackendName);

TEST_P(PostgresConnectionStoreTest, RecordsEachMigratedVersion) {
  absl::StatusOr<PostgresResult> versions =
      Query("SELECT version FROM schema_migrations ORDER BY version");
  ASSERT_TRUE(versions.ok()) << versions.status();
  ASSERT_EQ(versions->rows(), kPostgresSchemaVersion);
  for (int row = 0; row < versions->rows(); ++row) {
    EXPECT_EQ(versions->Integer(row, 0), row + 1);
  }
}

TEST_P(PostgresConnectionStoreTest, ReplicasStartingTogetherMigrateOnce) {
  store_.reset();
  ASSERT_TRUE(Query("DROP TABLE connection_applications, connections, "
                    "request_ids, import_runs, request_budgets, "
                    "schema_migrations")
                  .ok());
  constexpr int kReplicas = 4;
  std::vector<absl::Status> opened(kReplicas);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] { opened[i] = OpenStores(options_).status(); });
  }
  for (std::thread& thread : threads) thread.join();

  for (const absl::Status& status : opened) EXPECT_TRUE(status.ok()) << status;
  absl::StatusOr<PostgresResult> count =
      Query("SELECT count(*) FROM schema_migrations");
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(count->Integer(0, 0), kPostgresSchemaVersion);
}

TEST_P(PostgresConnectionStoreTest, NewerSchemaIsRefused) {
  ASSERT_TRUE(
      Query("INSERT INTO schema_migrations (version) VALUES (99)").ok());

  absl::StatusOr<Stores> stores = OpenStores(options_);
  EXPECT_EQ(stores.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(Message(stores.status()), HasSubstr("schema version 99"));
}

TEST_P(PostgresConnectionStoreTest,
       ReconnectsAfterTheServerDroppedItsSessions) {
  CreateOrFail(MakeConnection("before"));
  ASSERT_TRUE(
      Query(absl::StrCat("SELECT pg_terminate_backend(pid) FROM "
                         "pg_stat_activity WHERE application_name = '",
                         schema_->name(), "' AND pid <> pg_backend_pid()"))
          .ok());

  EXPECT_TRUE(store_->Ping().ok());
  absl::StatusOr<StoredConnection> stored = store_->Get("before");
  EXPECT_TRUE(stored.ok()) << stored.status();
  CreateOrFail(MakeConnection("after"));
}

TEST(PostgresUrlTest, UnreachableDatabaseIsUnavailableWithoutThePassword) {
  StoreOptions options;
  options.database_url =
      "postgresql://leverconnect:s3cret-pw@127.0.0.1:1/state?connect_timeout=5";
  absl::StatusOr<Stores> stores = OpenStores(options);
  EXPECT_EQ(stores.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(Message(stores.status()),
              HasSubstr("127.0.0.1:1/state as leverconnect"));
  EXPECT_THAT(Message(stores.status()), Not(HasSubstr("s3cret")));
}

TEST(PostgresUrlTest, MalformedUrlIsInvalidArgumentWithoutItsText) {
  StoreOptions options;
  options.database_url = "postgresql://leverconnect:s3cret%zz@db/state";
  absl::StatusOr<Stores> stores = OpenStores(options);
  EXPECT_EQ(stores.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(stores.status()), Not(HasSubstr("s3cret")));

  options.database_url = "mysql://db/state";
  EXPECT_EQ(OpenStores(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(PostgresUrlTest, DescriptionLeavesThePasswordOut) {
  EXPECT_EQ(DescribePostgresUrl("postgresql://app:pw@db.internal:6432/lc?"
                                "sslmode=require")
                .value_or(""),
            "db.internal:6432/lc as app");
  EXPECT_EQ(
      DescribePostgresUrl("host=10.0.0.5 dbname=lc password=pw").value_or(""),
      "10.0.0.5:5432/lc");
}

}  // namespace
}  // namespace leverconnect::storage

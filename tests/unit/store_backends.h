// Store tests run on every backend: SQLite in a fresh directory, and
// PostgreSQL in a fresh schema of the database named by the environment
// variable LEVERCONNECT_TEST_POSTGRES_URL (scripts/with-postgres.sh sets
// it; PostgreSQL cases are skipped when it is unset).
#ifndef LEVERCONNECT_TESTS_UNIT_STORE_BACKENDS_H_
#define LEVERCONNECT_TESTS_UNIT_STORE_BACKENDS_H_

#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/storage/postgres_database.h"
#include "lib/storage/stores.h"
#include "tests/unit/temp_directory_test.h"

namespace leverconnect::testing {

enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// The test database's URL, or empty when none is configured.
inline std::string TestPostgresUrl() {
  const char* url = std::getenv("LEVERCONNECT_TEST_POSTGRES_URL");
  return url == nullptr ? std::string() : std::string(url);
}

// `url` whose connections use `schema` first, and name themselves after
// it, so a test can find its own sessions.
inline std::string UrlWithSchema(const std::string& url,
                                 const std::string& schema) {
  if (absl::StrContains(url, "://")) {
    return absl::StrCat(url, absl::StrContains(url, "?") ? "&" : "?",
                        "options=-csearch_path%3D", schema,
                        "&application_name=", schema);
  }
  return absl::StrCat(url, " options='-csearch_path=", schema,
                      "' application_name=", schema);
}

// A schema of its own in the test database, dropped with everything in it
// when the object goes.
class PostgresTestSchema {
 public:
  // Fails the current test when the schema cannot be made.
  explicit PostgresTestSchema(const std::string& base_url) : base_(base_url) {
    std::random_device random;
    name_ = absl::StrCat("test_", getpid(), "_", random() % 1000000000);
    Run(absl::StrCat("CREATE SCHEMA ", name_));
  }
  ~PostgresTestSchema() {
    Run(absl::StrCat("DROP SCHEMA ", name_, " CASCADE"));
  }

  const std::string& name() const { return name_; }
  std::string url() const { return UrlWithSchema(base_, name_); }

  // Runs `sql` in the test database, outside the schema; fails the
  // current test when it fails.
  void Run(const std::string& sql) const {
    auto connection = storage::PostgresConnection::Connect(base_);
    ASSERT_TRUE(connection.ok()) << connection.status();
    auto result = (*connection)->Execute(sql);
    ASSERT_TRUE(result.ok()) << result.status();
  }

 private:
  std::string base_;
  std::string name_;
};

// A fresh place for the stores of one test on the backend of its
// parameter; `options_` opens them.
class StoreBackendTest : public TempDirectoryTest,
                         public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override {
    TempDirectoryTest::SetUp();
    options_.state_dir = directory_.string();
    if (GetParam() != Backend::kPostgres) return;
    const std::string url = TestPostgresUrl();
    if (url.empty()) {
      GTEST_SKIP() << "LEVERCONNECT_TEST_POSTGRES_URL is not set; "
                      "scripts/with-postgres.sh sets it";
    }
    schema_ = std::make_unique<PostgresTestSchema>(url);
    options_.database_url = schema_->url();
  }

  void TearDown() override {
    schema_.reset();
    TempDirectoryTest::TearDown();
  }

  bool postgres() const { return GetParam() == Backend::kPostgres; }

  storage::StoreOptions options_;
  std::unique_ptr<PostgresTestSchema> schema_;
};

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_UNIT_STORE_BACKENDS_H_

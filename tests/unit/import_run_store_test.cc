#include "lib/storage/import_run_store.h"

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/storage/connection_store.h"
#include "lib/storage/stores.h"
#include "tests/unit/store_backends.h"

namespace leverconnect::storage {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class ImportRunStoreTest : public testing::StoreBackendTest {
 protected:
  void SetUp() override {
    StoreBackendTest::SetUp();
    if (IsSkipped()) return;
    Reopen();
  }

  void TearDown() override {
    store_.reset();
    StoreBackendTest::TearDown();
  }

  void Reopen() {
    store_.reset();
    absl::StatusOr<Stores> stores = OpenStores(options_);
    ASSERT_TRUE(stores.ok()) << stores.status();
    store_ = std::move(stores->import_runs);
  }

  static StoredImportRun Run(std::string connection, std::string id,
                             std::string application = "hr-plan",
                             std::string request_id = "") {
    StoredImportRun run;
    run.connection_id = std::move(connection);
    run.run_id = std::move(id);
    run.application = std::move(application);
    run.request_id = std::move(request_id);
    run.state = 1;
    run.create_time = absl::FromUnixSeconds(1700000000);
    run.update_time = run.create_time;
    run.payload = std::string("pay\0load", 8);
    return run;
  }

  std::vector<std::string> Ids(const ImportRunPage& page) {
    std::vector<std::string> ids;
    for (const StoredImportRun& run : page.runs) ids.push_back(run.run_id);
    return ids;
  }

  std::unique_ptr<ImportRunStore> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, ImportRunStoreTest,
                         ::testing::Values(testing::Backend::kSqlite,
                                           testing::Backend::kPostgres),
                         testing::BackendName);

TEST_P(ImportRunStoreTest, CreatedRunReadsBackAfterReopen) {
  absl::StatusOr<CreateRunResult> created = store_->Create(Run("acme", "r1"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->created);
  EXPECT_GT(created->run.sequence, 0);

  Reopen();
  absl::StatusOr<StoredImportRun> run = store_->Get("acme", "r1");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->application, "hr-plan");
  EXPECT_EQ(run->state, 1);
  EXPECT_FALSE(run->finished);
  EXPECT_EQ(run->payload, std::string("pay\0load", 8));
  EXPECT_EQ(run->create_time, absl::FromUnixSeconds(1700000000));
  EXPECT_EQ(run->sequence, created->run.sequence);
}

TEST_P(ImportRunStoreTest, RequestIdReturnsTheFirstRunOfItsConnection) {
  ASSERT_TRUE(store_->Create(Run("acme", "r1", "hr-plan", "req-1")).ok());
  absl::StatusOr<CreateRunResult> again =
      store_->Create(Run("acme", "r2", "hr-plan", "req-1"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->run.run_id, "r1");
  EXPECT_EQ(store_->Get("acme", "r2").status().code(),
            absl::StatusCode::kNotFound);

  // The same request id on another connection, or for another
  // application, is another request.
  absl::StatusOr<CreateRunResult> other =
      store_->Create(Run("globex", "r3", "hr-plan", "req-1"));
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_TRUE(other->created);
  absl::StatusOr<CreateRunResult> finance =
      store_->Create(Run("acme", "r4", "finance", "req-1"));
  ASSERT_TRUE(finance.ok()) << finance.status();
  EXPECT_TRUE(finance->created);

  absl::StatusOr<std::optional<StoredImportRun>> found =
      store_->FindByRequestId("acme", "finance", "req-1");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->run_id, "r4");
  found = store_->FindByRequestId("acme", "finance", "req-2");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->has_value());
}

TEST_P(ImportRunStoreTest, TakenRunIdIsAlreadyExists) {
  ASSERT_TRUE(store_->Create(Run("acme", "r1")).ok());
  EXPECT_EQ(store_->Create(Run("acme", "r1")).status().code(),
            absl::StatusCode::kAlreadyExists);
}

TEST_P(ImportRunStoreTest, UpdateReplacesStateAndPayload) {
  ASSERT_TRUE(store_->Create(Run("acme", "r1")).ok());
  StoredImportRun run = Run("acme", "r1");
  run.state = 5;
  run.finished = true;
  run.update_time = absl::FromUnixSeconds(1700000100);
  run.payload = "done";
  ASSERT_TRUE(store_->Update(run).ok());

  absl::StatusOr<StoredImportRun> read = store_->Get("acme", "r1");
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->state, 5);
  EXPECT_TRUE(read->finished);
  EXPECT_EQ(read->payload, "done");
  EXPECT_EQ(read->update_time, absl::FromUnixSeconds(1700000100));

  absl::Status missing = store_->Update(Run("acme", "nope"));
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.message()),
              HasSubstr("connections/acme/imports/nope"));
}

TEST_P(ImportRunStoreTest, ListPagesNewestFirstWithFilters) {
  for (const char* id : {"a", "b", "c", "d", "e"}) {
    ASSERT_TRUE(store_->Create(Run("acme", id)).ok());
  }
  ASSERT_TRUE(store_->Create(Run("acme", "f", "finance")).ok());
  ASSERT_TRUE(store_->Create(Run("globex", "g")).ok());
  StoredImportRun done = Run("acme", "c");
  done.state = 7;
  done.finished = true;
  ASSERT_TRUE(store_->Update(done).ok());

  absl::StatusOr<ImportRunPage> first = store_->List("acme", {}, 4, 0);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(Ids(*first), ElementsAre("f", "e", "d", "c"));
  ASSERT_NE(first->next_before_sequence, 0);
  absl::StatusOr<ImportRunPage> second =
      store_->List("acme", {}, 4, first->next_before_sequence);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(Ids(*second), ElementsAre("b", "a"));
  EXPECT_EQ(second->next_before_sequence, 0);

  ImportRunFilter failed;
  failed.state = 7;
  EXPECT_THAT(Ids(store_->List("acme", failed, 10, 0).value()),
              ElementsAre("c"));
  ImportRunFilter finance;
  finance.application = "finance";
  EXPECT_THAT(Ids(store_->List("acme", finance, 10, 0).value()),
              ElementsAre("f"));
  ImportRunFilter own;
  own.applications = {"finance", "other"};
  EXPECT_THAT(Ids(store_->List("acme", own, 10, 0).value()), ElementsAre("f"));
  EXPECT_EQ(store_->List("acme", {}, 0, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_P(ImportRunStoreTest, UnfinishedRunsOfEveryConnectionOldestFirst) {
  ASSERT_TRUE(store_->Create(Run("acme", "a")).ok());
  ASSERT_TRUE(store_->Create(Run("globex", "b")).ok());
  ASSERT_TRUE(store_->Create(Run("acme", "c")).ok());
  StoredImportRun done = Run("acme", "a");
  done.finished = true;
  ASSERT_TRUE(store_->Update(done).ok());

  absl::StatusOr<std::vector<StoredImportRun>> unfinished =
      store_->ListUnfinished();
  ASSERT_TRUE(unfinished.ok()) << unfinished.status();
  std::vector<std::string> ids;
  for (const StoredImportRun& run : *unfinished) ids.push_back(run.run_id);
  EXPECT_THAT(ids, ElementsAre("b", "c"));
}

TEST_P(ImportRunStoreTest, DeletingAConnectionsRunsLeavesTheOthers) {
  ASSERT_TRUE(store_->Create(Run("acme", "a", "hr-plan", "req-1")).ok());
  ASSERT_TRUE(store_->Create(Run("acme", "b")).ok());
  ASSERT_TRUE(store_->Create(Run("globex", "c", "hr-plan", "req-1")).ok());

  ASSERT_TRUE(store_->DeleteForConnection("acme").ok());
  EXPECT_EQ(store_->Get("acme", "a").status().code(),
            absl::StatusCode::kNotFound);
  absl::StatusOr<ImportRunPage> acme = store_->List("acme", {}, 10, 0);
  ASSERT_TRUE(acme.ok()) << acme.status();
  EXPECT_THAT(Ids(*acme), ElementsAre());
  absl::StatusOr<ImportRunPage> globex = store_->List("globex", {}, 10, 0);
  ASSERT_TRUE(globex.ok()) << globex.status();
  EXPECT_THAT(Ids(*globex), ElementsAre("c"));

  // The request id is free again on the connection.
  absl::StatusOr<CreateRunResult> again =
      store_->Create(Run("acme", "d", "hr-plan", "req-1"));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(again->created);
  EXPECT_TRUE(store_->DeleteForConnection("nobody").ok());
}

TEST_P(ImportRunStoreTest, OnlyRunsWithoutARecentHeartbeatAreStale) {
  const absl::Time start = absl::FromUnixSeconds(1700000000);
  ASSERT_TRUE(store_->Create(Run("acme", "beating")).ok());  // at `start`
  ASSERT_TRUE(store_->Create(Run("acme", "silent")).ok());
  ASSERT_TRUE(store_->Create(Run("acme", "done")).ok());
  StoredImportRun done = Run("acme", "done");
  done.finished = true;
  ASSERT_TRUE(store_->Update(done).ok());
  ASSERT_TRUE(store_->Touch("acme", "beating", start + absl::Seconds(50)).ok());
  ASSERT_TRUE(store_->Touch("acme", "done", start + absl::Seconds(50)).ok());

  auto interrupt = [&](const char* id) {
    StoredImportRun run = Run("acme", id);
    run.state = 7;
    run.finished = true;
    run.update_time = start + absl::Seconds(61);
    run.payload = "interrupted";
    return store_->UpdateIfStale(run, start + absl::Seconds(30));
  };
  EXPECT_EQ(interrupt("beating").value_or(true), false);
  EXPECT_EQ(interrupt("silent").value_or(false), true);
  EXPECT_EQ(interrupt("done").value_or(true), false);

  EXPECT_EQ(store_->Get("acme", "silent")->payload, "interrupted");
  EXPECT_FALSE(store_->Get("acme", "beating")->finished);
  EXPECT_EQ(store_->Get("acme", "beating")->update_time,
            start + absl::Seconds(50));
  // A finished run is never touched.
  EXPECT_EQ(store_->Get("acme", "done")->update_time, start);
}

TEST_P(ImportRunStoreTest, SharesTheDatabaseWithConnections) {
  absl::StatusOr<Stores> stores = OpenStores(options_);
  ASSERT_TRUE(stores.ok()) << stores.status();
  ASSERT_TRUE(store_->Create(Run("acme", "r1")).ok());
  EXPECT_TRUE(store_->Get("acme", "r1").ok());
  EXPECT_TRUE(stores->import_runs->Get("acme", "r1").ok());
}

TEST_P(ImportRunStoreTest, RacingCreatesWithOneRequestIdCreateOnce) {
  constexpr int kStores = 4;
  std::vector<std::unique_ptr<ImportRunStore>> stores;
  for (int i = 0; i < kStores; ++i) {
    absl::StatusOr<Stores> opened = OpenStores(options_);
    ASSERT_TRUE(opened.ok()) << opened.status();
    stores.push_back(std::move(opened->import_runs));
  }
  std::vector<absl::StatusOr<CreateRunResult>> results(kStores);
  std::vector<std::thread> threads;
  for (int i = 0; i < kStores; ++i) {
    threads.emplace_back([&, i] {
      results[i] = stores[i]->Create(
          Run("acme", "r" + std::to_string(i), "hr-plan", "req-1"));
    });
  }
  for (std::thread& thread : threads) thread.join();

  int created = 0;
  for (const absl::StatusOr<CreateRunResult>& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
    created += result->created ? 1 : 0;
    EXPECT_EQ(result->run.run_id, results[0]->run.run_id);
  }
  EXPECT_EQ(created, 1);
}

TEST_P(ImportRunStoreTest, PingAnswers) { EXPECT_TRUE(store_->Ping().ok()); }

}  // namespace
}  // namespace leverconnect::storage

// Lever misbehaving, end to end: each fault kind, a seeded soak, the shared
// request budget under concurrency, and a deadline spent waiting on it.
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_environment.h"

namespace leverconnect::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

// Fault scripts name exact request numbers, which only one cursor makes
// predictable; tests of parallel reads pass the mode.
v1::StreamRequisitionsRequest ImportRequest(
    const std::string& connection,
    v1::ReadMode mode = v1::READ_MODE_ONE_CURSOR) {
  v1::StreamRequisitionsRequest request;
  request.set_connection("connections/" + connection);
  request.set_application("app");
  request.set_page_size(100);
  request.set_read_mode(mode);
  return request;
}

std::set<std::string> Ids(const std::vector<v1::Row>& rows) {
  std::set<std::string> ids;
  for (const v1::Row& row : rows) ids.insert(row.requisition_id());
  return ids;
}

struct FaultCase {
  FaultKind kind;
  std::string cause;  // the retry cause the summary counts it under
};

class SingleFaultTest : public ::testing::TestWithParam<FaultCase> {};

// Request 1 reads the fields, 2 the users, 3 the first page, 4 the second
// page (the first with a cursor): the fault hits the middle of the listing.
TEST_P(SingleFaultTest, EveryRequisitionArrivesExactlyOnce) {
  FakeLeverOptions options;
  options.generate = 250;
  options.fault_script[4] = GetParam().kind;
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());

  std::vector<v1::Row> rows;
  auto summary = (*environment)->Import(ImportRequest("c"), &rows);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(rows, SizeIs(250));
  EXPECT_THAT(Ids(rows), SizeIs(250));
  EXPECT_EQ((*environment)->lever().FaultCount(GetParam().kind), 1);
  if (GetParam().kind == FaultKind::kReset) {
    // A reset of a reused connection before any answer is repeated by
    // libcurl itself, unseen; on a fresh connection it is our retry.
    EXPECT_LE(summary->retries(), 1);
  } else {
    EXPECT_EQ(summary->retries(), 1);
    EXPECT_EQ(summary->retries_by_cause().at(GetParam().cause), 1);
  }
}

INSTANTIATE_TEST_SUITE_P(
    EachKind, SingleFaultTest,
    ::testing::Values(FaultCase{FaultKind::kTooManyRequests, "rate_limited"},
                      FaultCase{FaultKind::kInternalError, "server_error"},
                      FaultCase{FaultKind::kBadGateway, "server_error"},
                      FaultCase{FaultKind::kServiceUnavailable, "server_error"},
                      FaultCase{FaultKind::kGatewayTimeout, "server_error"},
                      FaultCase{FaultKind::kReset, "network"},
                      FaultCase{FaultKind::kTruncate, "network"},
                      FaultCase{FaultKind::kHtml, "malformed"},
                      FaultCase{FaultKind::kEmpty, "malformed"},
                      FaultCase{FaultKind::kBadToken, "rejected_cursor"}));

TEST(RejectedCursorTest, TwoRefusalsInARowRestartTheListing) {
  FakeLeverOptions options;
  options.generate = 250;
  options.fault_script[4] = FaultKind::kBadToken;
  options.fault_script[5] = FaultKind::kBadToken;
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());

  std::vector<v1::Row> rows;
  auto summary = (*environment)->Import(ImportRequest("c"), &rows);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(rows, SizeIs(250));
  EXPECT_THAT(Ids(rows), SizeIs(250));
  EXPECT_EQ(summary->listing_restarts(), 1);
  // Page 1 was read twice, its rows sent once.
  EXPECT_EQ(summary->pages(), 4);
}

struct PersistentCase {
  FaultKind kind;
  std::string message;
};

class PersistentFaultTest : public ::testing::TestWithParam<PersistentCase> {};

TEST_P(PersistentFaultTest, FailsWithAReasonTheCallerCanActOn) {
  FakeLeverOptions options;
  options.generate = 10;
  options.faults = {{GetParam().kind, 1.0}};
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());

  std::vector<v1::Row> rows;
  auto summary = (*environment)->Import(ImportRequest("c"), &rows);
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(summary.status().message(),
              HasSubstr("Lever still failing after 5 attempts: "));
  EXPECT_THAT(summary.status().message(), HasSubstr(GetParam().message));
  EXPECT_THAT(rows, SizeIs(0));
  // The fields, the users and the first page are read at once, and each
  // read gives up after 5 attempts.
  const FakeLever& lever = (*environment)->lever();
  EXPECT_EQ(lever.RequestCount("/v1/requisition_fields"), 5);
  EXPECT_EQ(lever.RequestCount("/v1/users"), 5);
  EXPECT_EQ(lever.RequestCount("/v1/requisitions"), 5);
  EXPECT_EQ(lever.RequestCount("/v1/"), 15);
}

INSTANTIATE_TEST_SUITE_P(
    EachKind, PersistentFaultTest,
    ::testing::Values(
        PersistentCase{FaultKind::kTooManyRequests,
                       "GET /requisition_fields with HTTP 429 "
                       "(TooManyRequests: Rate limit exceeded)"},
        PersistentCase{FaultKind::kServiceUnavailable,
                       "GET /requisition_fields with HTTP 503 (\"<html>"},
        PersistentCase{FaultKind::kHtml,
                       "GET /requisition_fields with HTTP 200 but the body is "
                       "not a JSON object: \"<"},
        PersistentCase{FaultKind::kEmpty,
                       "with HTTP 200 but the body is not a JSON object: an "
                       "empty body"},
        PersistentCase{FaultKind::kReset, "/requisition_fields: "},
        PersistentCase{FaultKind::kTruncate, "/requisition_fields: "}));

// Ten percent of Lever's answers are faults, of every kind.
void InjectTenPercentFaults(FakeLeverOptions& options) {
  options.faults = {{FaultKind::kTooManyRequests, 0.01},
                    {FaultKind::kGatewayTimeout, 0.01},
                    {FaultKind::kInternalError, 0.01},
                    {FaultKind::kBadGateway, 0.01},
                    {FaultKind::kServiceUnavailable, 0.01},
                    {FaultKind::kReset, 0.01},
                    {FaultKind::kHtml, 0.01},
                    {FaultKind::kTruncate, 0.01},
                    {FaultKind::kBadToken, 0.01},
                    {FaultKind::kEmpty, 0.01}};
}

class FaultSoakTest : public ::testing::TestWithParam<v1::ReadMode> {};

TEST_P(FaultSoakTest, TenPercentFaultsLoseAndRepeatNothing) {
  FakeLeverOptions options;
  options.generate = 3000;
  options.seed = 11;
  InjectTenPercentFaults(options);
  // A seed whose draws, in the order one cursor asks, include every kind
  // of fault at least once.
  options.fault_seed = 34;
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());

  std::vector<v1::Row> rows;
  auto request = ImportRequest("c", GetParam());
  request.set_page_size(25);
  auto summary = (*environment)->Import(request, &rows);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(rows, SizeIs(3000));
  EXPECT_THAT(Ids(rows), SizeIs(3000));
  int faults = 0;
  for (FaultKind kind : kAllFaultKinds) {
    // A fault for writes; to a read it is a reset.
    if (kind == FaultKind::kLost) continue;
    if (GetParam() == v1::READ_MODE_ONE_CURSOR) {
      EXPECT_GE((*environment)->lever().FaultCount(kind), 1)
          << FaultKindName(kind);
    }
    faults += (*environment)->lever().FaultCount(kind);
  }
  EXPECT_GE(faults, 10);
  EXPECT_GT(summary->retries() + summary->listing_restarts(), 0);
  std::cout << "soak: " << summary->ShortDebugString() << "\n"
            << (*environment)->lever().StatsJson() << "\n";
}

INSTANTIATE_TEST_SUITE_P(BothReadModes, FaultSoakTest,
                         ::testing::Values(v1::READ_MODE_ONE_CURSOR,
                                           v1::READ_MODE_PARALLEL_WINDOWS));

// Runs `imports` imports at once, over the connections given in turn.
std::vector<absl::StatusOr<v1::ImportSummary>> ImportConcurrently(
    TestEnvironment& environment, const std::vector<std::string>& connections,
    int imports) {
  std::vector<absl::StatusOr<v1::ImportSummary>> results(imports);
  std::vector<std::thread> threads;
  for (int i = 0; i < imports; ++i) {
    threads.emplace_back([&, i] {
      std::vector<v1::Row> rows;
      results[i] = environment.Import(
          ImportRequest(connections[i % connections.size()]), &rows);
      if (results[i].ok() && rows.size() != 300) {
        results[i] = absl::InternalError(absl::StrCat(rows.size(), " rows"));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return results;
}

// Lever's own limit, as the fake enforces it, and the most requests it
// lets through in any one second: the burst plus a second's refill.
constexpr double kLeverRate = 10;
constexpr double kLeverBurst = 20;
constexpr int kLeverMostPerSecond = 30;

FakeLeverOptions RateLimitedLever() {
  FakeLeverOptions options;
  options.generate = 300;
  options.rate = kLeverRate;
  options.burst = kLeverBurst;
  for (const char* key : {kFullKey, kNoFieldsKey}) {
    options.api_keys[key] = {"requisitions:read", "requisition_fields:read",
                             "users:read"};
  }
  return options;
}

server::LeverSettings DefaultBudget() {
  server::LeverSettings settings = FastLeverSettings();
  settings.budget = ratelimit::BucketOptions();
  return settings;
}

TEST(RateBudgetTest, TwentyImportsOverOneKeyNeverMeetA429) {
  auto environment =
      TestEnvironment::Start(RateLimitedLever(), DefaultBudget());
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());

  auto results = ImportConcurrently(**environment, {"c"}, 20);
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->rate_limited(), 0);
  }
  FakeLever& lever = (*environment)->lever();
  EXPECT_EQ(lever.RateLimitedCount(), 0);
  // Fields, users and three pages each.
  EXPECT_EQ(lever.RequestCount("/v1/"), 20 * 5);
  EXPECT_LE(lever.MaxRequestsPerSecond(), kLeverMostPerSecond);
  std::cout << lever.StatsJson() << "\n";
}

TEST(RateBudgetTest, ParallelImportsStayWithinTheBudgetToo) {
  auto environment =
      TestEnvironment::Start(RateLimitedLever(), DefaultBudget());
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());

  std::vector<absl::StatusOr<v1::ImportSummary>> results(3);
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      std::vector<v1::Row> rows;
      results[i] =
          (*environment)
              ->Import(ImportRequest("c", v1::READ_MODE_PARALLEL_WINDOWS),
                       &rows);
      if (results[i].ok() && rows.size() != 300) {
        results[i] = absl::InternalError(absl::StrCat(rows.size(), " rows"));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
  }
  FakeLever& lever = (*environment)->lever();
  EXPECT_EQ(lever.RateLimitedCount(), 0);
  EXPECT_LE(lever.MaxRequestsPerSecond(), kLeverMostPerSecond);
}

TEST(RateBudgetTest, TwoKeysHaveABudgetEach) {
  auto environment =
      TestEnvironment::Start(RateLimitedLever(), DefaultBudget());
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("one", kFullKey, "app").ok());
  ASSERT_TRUE(
      (*environment)->CreateConnection("two", kNoFieldsKey, "app").ok());

  auto results = ImportConcurrently(**environment, {"one", "two"}, 20);
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
  }
  FakeLever& lever = (*environment)->lever();
  EXPECT_EQ(lever.RateLimitedCount(), 0);
  // One shared budget could never send more than one key's worth in a
  // second; two independent ones do.
  EXPECT_GT(lever.MaxRequestsPerSecond(), kLeverMostPerSecond);
  std::cout << lever.StatsJson() << "\n";
}

TEST(RateBudgetTest, DeadlineSpentWaitingOnTheBudgetStopsTheImport) {
  FakeLeverOptions options;
  options.generate = 500;
  server::LeverSettings settings = FastLeverSettings();
  settings.budget = {/*rate=*/1, /*burst=*/2};
  auto environment = TestEnvironment::Start(options, settings);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());

  // Fields and users use the burst, page 1 waits a second, page 2 would
  // come after the deadline.
  client::StreamHandlers handlers;
  int rows = 0;
  handlers.on_batch = [&rows](const v1::RowBatch& batch) {
    rows += batch.rows_size();
    return true;
  };
  client::CallOptions call;
  call.timeout = absl::Milliseconds(1500);
  auto summary = (*environment)
                     ->client()
                     .StreamRequisitions(ImportRequest("c"), handlers, call);
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kDeadlineExceeded)
      << summary.status();
  EXPECT_EQ(rows, 100);

  (*environment)->server().Shutdown(absl::Seconds(5));
  EXPECT_EQ((*environment)->lever().RequestCount("/v1/requisitions"), 1);
}

}  // namespace
}  // namespace leverconnect::testing

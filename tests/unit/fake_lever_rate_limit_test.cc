// The fake Lever's rate limit per API key and its request-rate statistics,
// first with explicit times, then through HTTP with the real clock.
#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "tests/fakes/fake_lever.h"
#include "tests/fakes/request_rates.h"

namespace leverconnect::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kFirstKey[] = "first-key-0001";
constexpr char kSecondKey[] = "second-key-0002";
constexpr char kSameStartKey[] = "first-key-0003";  // labelled like kFirstKey
constexpr char kShortKey[] = "abc";

RateClock::time_point At(int milliseconds) {
  return RateClock::time_point() + std::chrono::milliseconds(milliseconds);
}

TEST(TokenBucketTest, StartsFullAndRefillsAtItsRate) {
  TokenBucket bucket(/*rate=*/10, /*burst=*/20);
  for (int request = 0; request < 20; ++request) {
    EXPECT_TRUE(bucket.Take(At(1000))) << request;
  }
  EXPECT_FALSE(bucket.Take(At(1000)));
  EXPECT_FALSE(bucket.Take(At(1099)));  // 0.99 tokens
  EXPECT_TRUE(bucket.Take(At(1100)));
  EXPECT_FALSE(bucket.Take(At(1100)));
  EXPECT_TRUE(bucket.Take(At(1300)));
  EXPECT_TRUE(bucket.Take(At(1300)));
  EXPECT_FALSE(bucket.Take(At(1300)));
}

TEST(TokenBucketTest, HoldsAtMostItsBurst) {
  TokenBucket bucket(/*rate=*/10, /*burst=*/3);
  EXPECT_TRUE(bucket.Take(At(0)));
  int taken = 0;
  while (bucket.Take(At(60000))) ++taken;
  EXPECT_EQ(taken, 3);
}

TEST(TokenBucketTest, TimeGoingBackwardsAddsNothing) {
  TokenBucket bucket(/*rate=*/1, /*burst=*/1);
  EXPECT_TRUE(bucket.Take(At(5000)));
  EXPECT_FALSE(bucket.Take(At(1000)));
  EXPECT_FALSE(bucket.Take(At(5999)));
  EXPECT_TRUE(bucket.Take(At(6000)));
}

TEST(TokenBucketTest, SecondsUntilTokenRoundUpToAtLeastOne) {
  TokenBucket fast(/*rate=*/10, /*burst=*/1);
  EXPECT_TRUE(fast.Take(At(0)));
  EXPECT_FALSE(fast.Take(At(0)));
  EXPECT_EQ(fast.SecondsUntilToken(), 1);  // 0.1 s

  TokenBucket slow(/*rate=*/0.25, /*burst=*/1);
  EXPECT_TRUE(slow.Take(At(0)));
  EXPECT_FALSE(slow.Take(At(0)));
  EXPECT_EQ(slow.SecondsUntilToken(), 4);
  EXPECT_FALSE(slow.Take(At(1500)));  // 0.375 tokens; 2.5 s to go
  EXPECT_EQ(slow.SecondsUntilToken(), 3);
}

TEST(SlidingWindowCounterTest, CountsEventsLessThanASecondApart) {
  SlidingWindowCounter counter;
  EXPECT_EQ(counter.Max(), 0);
  counter.Add(At(0));
  counter.Add(At(999));
  EXPECT_EQ(counter.Max(), 2);
  counter.Add(At(1000));  // a second after the first: not with it
  EXPECT_EQ(counter.Max(), 2);
  counter.Add(At(1998));  // with 999 and 1000
  EXPECT_EQ(counter.Max(), 3);
}

TEST(SlidingWindowCounterTest, FindsTheBusiestWindowAnywhere) {
  SlidingWindowCounter counter;
  // 3 in the first second, then 5 straddling seconds 2 and 3, then 1.
  for (int time : {0, 400, 800, 2600, 2900, 3100, 3300, 3599, 5000}) {
    counter.Add(At(time));
  }
  EXPECT_EQ(counter.Max(), 5);
}

TEST(SlidingWindowCounterTest, EarlierTimesCountAsTheLatest) {
  SlidingWindowCounter counter;
  counter.Add(At(5000));
  counter.Add(At(1000));  // counts as 5000
  counter.Add(At(5500));
  EXPECT_EQ(counter.Max(), 3);
}

TEST(SlidingWindowCounterTest, TakesOtherWindows) {
  SlidingWindowCounter counter(std::chrono::milliseconds(100));
  for (int time : {0, 50, 99, 100, 150}) counter.Add(At(time));
  EXPECT_EQ(counter.Max(), 3);
}

FakeLeverOptions LimitedOptions(double rate, double burst) {
  FakeLeverOptions options;
  options.generate = 5;
  for (const char* key : {kFirstKey, kSecondKey, kSameStartKey, kShortKey}) {
    options.api_keys[key] = {"requisitions:read", "requisition_fields:read"};
  }
  options.rate = rate;
  options.burst = burst;
  return options;
}

std::unique_ptr<FakeLever> StartLever(const FakeLeverOptions& options) {
  absl::StatusOr<std::unique_ptr<FakeLever>> lever = FakeLever::Start(options);
  EXPECT_TRUE(lever.ok()) << lever.status();
  return lever.ok() ? *std::move(lever) : nullptr;
}

// A kept-alive connection to the fake with one key.
class Connection {
 public:
  Connection(const FakeLever& lever, const std::string& key)
      : client_("127.0.0.1", lever.port()) {
    if (!key.empty()) client_.set_basic_auth(key, "");
    client_.set_keep_alive(true);
  }

  httplib::Result Get(const std::string& path = "/v1/requisitions?limit=1") {
    return client_.Get(path);
  }

  // How many of `count` back-to-back requests got each status.
  std::map<int, int> Statuses(int count) {
    std::map<int, int> statuses;
    for (int request = 0; request < count; ++request) {
      const httplib::Result result = Get();
      ++statuses[result ? result->status : 0];
    }
    return statuses;
  }

 private:
  httplib::Client client_;
};

rapidjson::Document Stats(const FakeLever& lever) {
  httplib::Client client("127.0.0.1", lever.port());
  const httplib::Result result = client.Get("/_stats");
  rapidjson::Document stats;
  if (!result || result->status != 200) {
    ADD_FAILURE() << "no stats";
    return stats;
  }
  stats.Parse(result->body.c_str());
  return stats;
}

TEST(FakeLeverRateLimitTest, BurstThenTooManyRequests) {
  auto lever = StartLever(LimitedOptions(/*rate=*/10, /*burst=*/20));
  ASSERT_NE(lever, nullptr);
  Connection connection(*lever, kFirstKey);
  // The clock is real: a slow machine may refill a token on the way.
  std::map<int, int> statuses = connection.Statuses(30);
  EXPECT_NEAR(statuses[200], 20, 1);
  EXPECT_NEAR(statuses[429], 10, 1);
  EXPECT_EQ(statuses[200] + statuses[429], 30);
  EXPECT_EQ(lever->RateLimitedCount(), statuses[429]);
}

TEST(FakeLeverRateLimitTest, TooManyRequestsIsLeverJsonWithRetryAfter) {
  auto lever = StartLever(LimitedOptions(/*rate=*/0.25, /*burst=*/1));
  ASSERT_NE(lever, nullptr);
  Connection connection(*lever, kFirstKey);
  ASSERT_EQ(connection.Get()->status, 200);
  const httplib::Result limited = connection.Get();
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->get_header_value("Content-Type"),
            "application/json; charset=utf-8");
  EXPECT_EQ(limited->body,
            R"({"code":"TooManyRequests","message":"Rate limit exceeded"})");
  EXPECT_EQ(limited->get_header_value("Retry-After"), "4");
}

TEST(FakeLeverRateLimitTest, RetryAfterCanBeLeftOut) {
  FakeLeverOptions options = LimitedOptions(/*rate=*/1, /*burst=*/1);
  options.retry_after = false;
  auto lever = StartLever(options);
  ASSERT_NE(lever, nullptr);
  Connection connection(*lever, kFirstKey);
  ASSERT_EQ(connection.Get()->status, 200);
  const httplib::Result limited = connection.Get();
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_FALSE(limited->has_header("Retry-After"));
}

TEST(FakeLeverRateLimitTest, EachKeyHasItsOwnBucket) {
  // One token a second: no refill during the test.
  auto lever = StartLever(LimitedOptions(/*rate=*/1, /*burst=*/2));
  ASSERT_NE(lever, nullptr);
  Connection first(*lever, kFirstKey);
  Connection second(*lever, kSecondKey);
  EXPECT_EQ(first.Statuses(3), (std::map<int, int>{{200, 2}, {429, 1}}));
  EXPECT_EQ(second.Statuses(3), (std::map<int, int>{{200, 2}, {429, 1}}));
  EXPECT_EQ(first.Get("/v1/requisition_fields")->status, 429);
  EXPECT_EQ(lever->RateLimitedCount(), 3);
}

TEST(FakeLeverRateLimitTest, UnknownAndMissingKeysAreNotLimited) {
  auto lever = StartLever(LimitedOptions(/*rate=*/1, /*burst=*/1));
  ASSERT_NE(lever, nullptr);
  Connection unknown(*lever, "unknown-key-9999");
  Connection keyless(*lever, "");
  EXPECT_EQ(unknown.Statuses(5), (std::map<int, int>{{401, 5}}));
  EXPECT_EQ(keyless.Statuses(5), (std::map<int, int>{{401, 5}}));
  EXPECT_EQ(lever->RateLimitedCount(), 0);
}

TEST(FakeLeverRateLimitTest, LimitComesBeforeFaults) {
  FakeLeverOptions options = LimitedOptions(/*rate=*/1, /*burst=*/1);
  options.fault_script = {{2, FaultKind::kServiceUnavailable},
                          {3, FaultKind::kServiceUnavailable}};
  auto lever = StartLever(options);
  ASSERT_NE(lever, nullptr);
  Connection first(*lever, kFirstKey);
  Connection second(*lever, kSecondKey);
  EXPECT_EQ(first.Get()->status, 200);
  EXPECT_EQ(first.Get()->status, 429);   // request 2: limited, no fault
  EXPECT_EQ(second.Get()->status, 503);  // request 3: a token, then fault
  EXPECT_EQ(lever->RateLimitedCount(), 1);
  EXPECT_EQ(lever->FaultCount(FaultKind::kServiceUnavailable), 1);
}

TEST(FakeLeverRateLimitTest, StatsAreNeitherLimitedNorCounted) {
  auto lever = StartLever(LimitedOptions(/*rate=*/1, /*burst=*/1));
  ASSERT_NE(lever, nullptr);
  httplib::Client client("127.0.0.1", lever->port());
  client.set_basic_auth(kFirstKey, "");
  for (int request = 0; request < 5; ++request) {
    const httplib::Result stats = client.Get("/_stats");
    ASSERT_TRUE(stats);
    EXPECT_EQ(stats->status, 200);
  }
  const rapidjson::Document stats = Stats(*lever);
  EXPECT_EQ(stats["total"].GetInt64(), 0);
  EXPECT_EQ(stats["rate_limited"].GetInt64(), 0);
  EXPECT_EQ(stats["max_requests_per_second"].GetInt64(), 0);
  EXPECT_EQ(lever->RequestCount("/"), 0);
}

TEST(FakeLeverRateLimitTest, StatsReportLimitsAndRatesWithoutKeys) {
  auto lever = StartLever(LimitedOptions(/*rate=*/1, /*burst=*/3));
  ASSERT_NE(lever, nullptr);
  Connection(*lever, kFirstKey).Statuses(5);
  Connection(*lever, kSameStartKey).Statuses(2);
  Connection(*lever, kShortKey).Statuses(1);
  Connection(*lever, "unknown-key-9999").Statuses(1);

  httplib::Client client("127.0.0.1", lever->port());
  const std::string text = client.Get("/_stats")->body;
  EXPECT_EQ(text, lever->StatsJson());
  for (const char* key :
       {kFirstKey, kSameStartKey, kShortKey, "unknown-key-9999"}) {
    EXPECT_THAT(text, Not(HasSubstr(key)));
  }
  const rapidjson::Document stats = Stats(*lever);
  EXPECT_EQ(stats["rate_limited"].GetInt64(), 2);
  EXPECT_EQ(stats["requests"]["GET /v1/requisitions 429"].GetInt64(), 2);
  EXPECT_EQ(stats["requests"]["GET /v1/requisitions 401"].GetInt64(), 1);
  EXPECT_EQ(stats["total"].GetInt64(), 9);
  // Nine requests, well within one second.
  EXPECT_EQ(stats["max_requests_per_second"].GetInt64(), 9);
  EXPECT_EQ(lever->MaxRequestsPerSecond(), 9);
  const rapidjson::Value& by_key = stats["max_requests_per_second_by_key"];
  ASSERT_TRUE(by_key.IsObject());
  EXPECT_EQ(by_key.MemberCount(), 3u);
  EXPECT_EQ(by_key["firs\u2026"].GetInt64(), 5);    // first-key-0001
  EXPECT_EQ(by_key["firs\u2026#2"].GetInt64(), 2);  // first-key-0003
  EXPECT_EQ(by_key["a\u2026"].GetInt64(), 1);       // abc: half at most
}

}  // namespace
}  // namespace leverconnect::testing

// The Prometheus endpoint, end to end: after an import through a Lever
// that answers one 429, a scrape shows the call, the Lever requests by
// status, the 429, the retry and the rows.
#include <httplib.h>

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_environment.h"

namespace leverconnect::testing {
namespace {

using ::testing::HasSubstr;

// The body of GET /metrics on `port`; empty when the scrape fails.
std::string Scrape(int port) {
  httplib::Client client("127.0.0.1", port);
  httplib::Result result = client.Get("/metrics");
  if (!result || result->status != 200) return "";
  return result->body;
}

// The value of the sample named exactly `series` (name and labels), 0
// when the exposition has none.
double Sample(const std::string& exposition, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::ConsumePrefix(&line, series) || !absl::ConsumePrefix(&line, " "))
      continue;
    double value = 0;
    if (absl::SimpleAtod(line, &value)) return value;
  }
  return 0;
}

// The change of each series between two scrapes.
class Delta {
 public:
  Delta(std::string before, std::string after)
      : before_(std::move(before)), after_(std::move(after)) {}
  double operator()(const std::string& series) const {
    return Sample(after_, series) - Sample(before_, series);
  }

 private:
  std::string before_;
  std::string after_;
};

TEST(MetricsTest, ScrapeAfterAnImportCountsCallsRequestsAndRows) {
  FakeLeverOptions lever;
  lever.generate = 120;
  lever.retry_after = false;
  // The import's requests: the fields, then three pages of 50, 50 and 20,
  // the second answered 429 once.
  lever.fault_script = {{3, FaultKind::kTooManyRequests}};
  auto environment = TestEnvironment::Start(
      lever, FastLeverSettings(), {}, [](server::ServerOptions& options) {
        options.metrics_listen_address = "127.0.0.1:0";
      });
  ASSERT_TRUE(environment.ok()) << environment.status();
  const int port = (*environment)->server().metrics_port();
  ASSERT_GT(port, 0);
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());
  const std::string before = Scrape(port);
  ASSERT_THAT(before, HasSubstr("leverconnect_lever_rate_limited_total"));

  v1::StreamRequisitionsRequest request;
  request.set_connection("connections/c");
  request.set_application("app");
  request.set_read_mode(v1::READ_MODE_ONE_CURSOR);
  request.set_page_size(50);
  request.add_columns("requisition_code");
  std::vector<v1::Row> rows;
  auto summary = (*environment)->Import(request, &rows);
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_EQ(summary->rows(), 120);
  const Delta delta(before, Scrape(port));

  EXPECT_EQ(delta("leverconnect_rows_imported_total{via=\"stream\"}"), 120);
  EXPECT_EQ(delta("leverconnect_lever_requests_total{status=\"200\"}"), 4);
  EXPECT_EQ(delta("leverconnect_lever_requests_total{status=\"429\"}"), 1);
  EXPECT_EQ(delta("leverconnect_lever_rate_limited_total"), 1);
  EXPECT_EQ(delta("leverconnect_lever_retries_total{cause=\"rate_limited\"}"),
            1);
  EXPECT_EQ(delta("leverconnect_grpc_server_handled_total{grpc_code=\"OK\","
                  "grpc_method=\"StreamRequisitions\"}"),
            1);
  EXPECT_EQ(delta("leverconnect_grpc_server_handling_seconds_count{grpc_"
                  "method=\"StreamRequisitions\"}"),
            1);
}

TEST(MetricsTest, RefusedCallsAreCountedByCode) {
  auto environment =
      TestEnvironment::Start(FakeLeverOptions(), FastLeverSettings(), {},
                             [](server::ServerOptions& options) {
                               options.metrics_listen_address = "127.0.0.1:0";
                             });
  ASSERT_TRUE(environment.ok()) << environment.status();
  const int port = (*environment)->server().metrics_port();
  const std::string before = Scrape(port);

  auto stranger = (*environment)->ClientWithToken("not-a-token");
  v1::GetConnectionRequest request;
  request.set_name("connections/c");
  EXPECT_EQ(stranger->GetConnection(request).status().code(),
            absl::StatusCode::kUnauthenticated);

  const Delta delta(before, Scrape(port));
  EXPECT_EQ(delta("leverconnect_grpc_server_handled_total{grpc_code=\""
                  "UNAUTHENTICATED\",grpc_method=\"GetConnection\"}"),
            1);
}

}  // namespace
}  // namespace leverconnect::testing

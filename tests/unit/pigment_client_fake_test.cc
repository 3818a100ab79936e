// PigmentClient end to end: libcurl against fake-pigment, with real files.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/http/http_client.h"
#include "lib/pigment/pigment_client.h"
#include "tests/fakes/fake_pigment.h"
#include "tests/unit/fake_clock.h"
#include "tests/unit/temp_directory_test.h"

namespace leverconnect::pigment {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKey[] = "end-to-end-import-key";

class PigmentClientFakeTest : public testing::TempDirectoryTest {
 protected:
  void SetUp() override {
    TempDirectoryTest::SetUp();
    testing::FakePigmentOptions options;
    options.api_keys = {kKey};
    for (const char* configuration :
         {"requisitions=Id,Name,Headcount:integer,Opened:date;unique=Id",
          "broken=Id;fail=The target block was deleted"}) {
      absl::StatusOr<testing::ImportConfiguration> parsed =
          testing::ParseImportConfiguration(configuration);
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      options.configurations.push_back(*std::move(parsed));
    }
    absl::StatusOr<std::unique_ptr<testing::FakePigment>> pigment =
        testing::FakePigment::Start(std::move(options));
    ASSERT_TRUE(pigment.ok()) << pigment.status();
    pigment_ = *std::move(pigment);
  }

  PigmentClient MakeClient(const std::string& key = kKey) {
    PigmentClientOptions options;
    options.base_url = pigment_->base_url();
    options.import_key = key;
    options.retry.initial_backoff = absl::Milliseconds(10);
    return PigmentClient(
        *http_, clock_, [] { return 0.5; }, options);
  }

  std::unique_ptr<testing::FakePigment> pigment_;
  std::unique_ptr<http::HttpClient> http_ = http::MakeCurlHttpClient();
  testing::FakeClock clock_;
};

constexpr char kFile[] =
    "Id,Name,Headcount,Opened\r\n"
    "r1,\"Engineer, Backend\",2,2024-01-15\r\n"
    "r2,Designer,two,2024-02-01\r\n"
    "r3,\"Says \"\"hi\"\"\",1,2024-02-30\r\n"
    "r4,Writer,1,\r\n";

TEST_F(PigmentClientFakeTest, PushesAFileAndReadsWhatWasSkipped) {
  const std::string path = WriteFile("requisitions.csv", kFile);
  PigmentClient client = MakeClient();
  absl::StatusOr<std::string> import_id =
      client.PushCsvFile("requisitions", path, {});
  ASSERT_TRUE(import_id.ok()) << import_id.status();

  absl::StatusOr<ImportReport> report =
      client.WaitForImport(*import_id, WaitOptions(), {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->state, ImportReport::State::kCompleted);
  EXPECT_EQ(report->inserted, 2);
  EXPECT_EQ(report->skipped, 2);
  ASSERT_EQ(report->skipped_data.size(), 2u);
  EXPECT_EQ(report->skipped_data[0].reason, "ParsingError");
  EXPECT_EQ(report->skipped_data[0].source_column, "Headcount");
  EXPECT_THAT(report->skipped_data[0].samples, ElementsAre("two"));
  EXPECT_EQ(report->skipped_data[1].source_column, "Opened");
  EXPECT_THAT(report->skipped_data[1].samples, ElementsAre("2024-02-30"));
  EXPECT_EQ(report->skipped_data[1].block, "Requisitions");
  // The fake answers InProgress once, so one pause was needed.
  EXPECT_EQ(clock_.sleeps(), (std::vector<absl::Duration>{absl::Seconds(1)}));

  const std::vector<testing::ReceivedFile> files = pigment_->files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].bytes, kFile);
  EXPECT_EQ(files[0].import_id, *import_id);
}

TEST_F(PigmentClientFakeTest, AHeaderMismatchIsAnInvalidArgument) {
  const std::string path =
      WriteFile("wrong.csv", "Id,Title,Headcount,Opened\n");
  absl::StatusOr<std::string> pushed =
      MakeClient().PushCsvFile("requisitions", path, {});
  EXPECT_EQ(pushed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(pushed.status().message(),
              HasSubstr("header 2 is \"Title\" where the import configuration "
                        "expects \"Name\""));
}

TEST_F(PigmentClientFakeTest, KeysConfigurationsAndImportsPigmentDoesNotKnow) {
  const std::string path = WriteFile("requisitions.csv", kFile);
  absl::StatusOr<std::string> bad_key =
      MakeClient("not-the-key").PushCsvFile("requisitions", path, {});
  EXPECT_EQ(bad_key.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(bad_key.status().message(), Not(HasSubstr("not-the-key")));
  EXPECT_EQ(MakeClient().PushCsvFile("nope", path, {}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(MakeClient().GetImportStatus("unknown", {}).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(pigment_->files().empty());
}

TEST_F(PigmentClientFakeTest, ARefusedPushIsSentAgainAndImportedOnce) {
  const std::string path = WriteFile("requisitions.csv", kFile);
  pigment_->FailNextPushes(2, 503);
  absl::StatusOr<std::string> import_id =
      MakeClient().PushCsvFile("requisitions", path, {});
  ASSERT_TRUE(import_id.ok()) << import_id.status();
  EXPECT_EQ(pigment_->push_count(), 3);
  EXPECT_EQ(pigment_->files().size(), 1u);
  EXPECT_EQ(clock_.sleeps().size(), 2u);
}

TEST_F(PigmentClientFakeTest, AResetPushIsNotSentAgain) {
  const std::string path = WriteFile("requisitions.csv", kFile);
  pigment_->FailNextPushes(1, testing::kResetConnection);
  absl::StatusOr<std::string> pushed =
      MakeClient().PushCsvFile("requisitions", path, {});
  EXPECT_EQ(pushed.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(PushMayHaveArrived(pushed.status()));
  EXPECT_EQ(pigment_->push_count(), 1);
}

TEST_F(PigmentClientFakeTest, StatusReadsSurviveFaults) {
  const std::string path = WriteFile("requisitions.csv", kFile);
  PigmentClient client = MakeClient();
  absl::StatusOr<std::string> import_id =
      client.PushCsvFile("requisitions", path, {});
  ASSERT_TRUE(import_id.ok()) << import_id.status();
  pigment_->FailNextStatusPolls(2, testing::kResetConnection);
  absl::StatusOr<ImportReport> report =
      client.WaitForImport(*import_id, WaitOptions(), {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->state, ImportReport::State::kCompleted);
  EXPECT_EQ(pigment_->status_poll_count(), 4);
}

TEST_F(PigmentClientFakeTest, AMissingFileIsNeverSent) {
  absl::StatusOr<std::string> pushed = MakeClient().PushCsvFile(
      "requisitions", (directory_ / "missing.csv").string(), {});
  EXPECT_EQ(pushed.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(pushed.status().message(), HasSubstr("missing.csv"));
  EXPECT_EQ(pigment_->push_count(), 0);
}

TEST_F(PigmentClientFakeTest, AFailedImportReportsPigmentsErrors) {
  const std::string path = WriteFile("ids.csv", "Id\n1\n");
  PigmentClient client = MakeClient();
  absl::StatusOr<std::string> import_id =
      client.PushCsvFile("broken", path, {});
  ASSERT_TRUE(import_id.ok()) << import_id.status();
  absl::StatusOr<ImportReport> report =
      client.WaitForImport(*import_id, WaitOptions(), {});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->state, ImportReport::State::kFailed);
  EXPECT_THAT(report->errors,
              ElementsAre("ImportFailed: The target block was deleted"));
}

}  // namespace
}  // namespace leverconnect::pigment

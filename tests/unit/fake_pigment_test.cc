// The fake Pigment: its configurations, its CSV and cell rules, and what it
// answers over HTTP.
#include "tests/fakes/fake_pigment.h"

#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "tests/fakes/pigment_cells.h"
#include "tests/fakes/pigment_configuration.h"
#include "tests/unit/temp_directory_test.h"

namespace leverconnect::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kKey[] = "pigment-import-key";
constexpr char kConfiguration[] =
    "cfg-1=Id,Name,Headcount:integer,Budget:number,Opened:date,"
    "Updated:datetime,Remote:boolean;unique=Id";
constexpr char kHeader[] = "Id,Name,Headcount,Budget,Opened,Updated,Remote\r\n";

// One answer of the fake, with its body parsed when it is JSON.
struct Answer {
  int status = 0;  // 0 when no answer arrived
  bool has_retry_after = false;
  std::string body;
  rapidjson::Document json;
};

Answer ToAnswer(const httplib::Result& result) {
  Answer answer;
  if (!result) return answer;
  answer.status = result->status;
  answer.has_retry_after = result->has_header("Retry-After");
  answer.body = result->body;
  answer.json.Parse(answer.body.c_str());
  return answer;
}

ImportConfiguration Configuration(const std::string& text) {
  absl::StatusOr<ImportConfiguration> configuration =
      ParseImportConfiguration(text);
  EXPECT_TRUE(configuration.ok()) << configuration.status();
  return configuration.ok() ? *std::move(configuration) : ImportConfiguration();
}

class FakePigmentTest : public TempDirectoryTest {
 protected:
  FakePigmentOptions Options() {
    FakePigmentOptions options;
    options.api_keys = {kKey};
    options.configurations = {Configuration(kConfiguration)};
    options.now = [this] {
      std::lock_guard<std::mutex> lock(mutex_);
      return now_;
    };
    return options;
  }

  void Start(FakePigmentOptions options) {
    absl::StatusOr<std::unique_ptr<FakePigment>> pigment =
        FakePigment::Start(std::move(options));
    ASSERT_TRUE(pigment.ok()) << pigment.status();
    pigment_ = *std::move(pigment);
  }

  void Advance(absl::Duration duration) {
    std::lock_guard<std::mutex> lock(mutex_);
    now_ += duration;
  }

  httplib::Client Client(const std::string& key = kKey) {
    httplib::Client client("127.0.0.1", pigment_->port());
    if (!key.empty()) client.set_bearer_token_auth(key.c_str());
    return client;
  }

  Answer Push(const std::string& body,
              const std::string& configuration_id = "cfg-1",
              const std::string& key = kKey) {
    return ToAnswer(Client(key).Post(
        "/api/v1/import/push/csv?configurationId=" + configuration_id, body,
        "text/csv"));
  }

  Answer Status(const std::string& import_id, const std::string& key = kKey,
                bool detailed = true) {
    return ToAnswer(
        Client(key).Get("/api/v1/import/" + import_id + "/status" +
                        (detailed ? "?includedDetailedReport=true" : "")));
  }

  // Pushes `body`, then polls until the import is no longer InProgress
  // (at most 10 polls); returns the last status answer.
  Answer PushAndFinish(const std::string& body,
                       const std::string& configuration_id = "cfg-1") {
    const Answer pushed = Push(body, configuration_id);
    EXPECT_EQ(pushed.status, 200) << pushed.body;
    if (pushed.status != 200) return Answer();
    const std::string id = pushed.json["importId"].GetString();
    Answer status;
    for (int poll = 0; poll < 10; ++poll) {
      status = Status(id);
      if (status.status != 200 ||
          std::string(status.json["importStatus"].GetString()) !=
              "InProgress") {
        break;
      }
    }
    return status;
  }

  std::mutex mutex_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  std::unique_ptr<FakePigment> pigment_;
};

std::string Row(const std::string& cells) { return cells + "\r\n"; }

std::string ErrorMessage(const Answer& answer) {
  if (!answer.json.IsObject() || !answer.json.HasMember("message")) return "";
  return answer.json["message"].GetString();
}

const rapidjson::Value& Summary(const Answer& answer) {
  return answer.json["detailedReport"]["summary"];
}

const rapidjson::Value& SkippedData(const Answer& answer) {
  return answer.json["detailedReport"]["impactedBlocks"][0]["skippedData"];
}

std::vector<std::string> Samples(const rapidjson::Value& skipped) {
  std::vector<std::string> samples;
  for (const auto& sample : skipped["samples"].GetArray()) {
    samples.push_back(sample.GetString());
  }
  return samples;
}

TEST(ImportConfigurationTest, ReadsColumnsTypesAndSettings) {
  const ImportConfiguration configuration = Configuration(
      "c=Id,Head\\,count:integer,Ratio\\:x:number,When:datetime"
      ";separator=semicolon;bom;unique=Id;fail=boom, really;block=Plans");
  EXPECT_EQ(configuration.id, "c");
  ASSERT_EQ(configuration.columns.size(), 4u);
  EXPECT_EQ(configuration.columns[0].name, "Id");
  EXPECT_EQ(configuration.columns[0].type, ColumnType::kText);
  EXPECT_EQ(configuration.columns[1].name, "Head,count");
  EXPECT_EQ(configuration.columns[1].type, ColumnType::kInteger);
  EXPECT_EQ(configuration.columns[2].name, "Ratio:x");
  EXPECT_EQ(configuration.columns[2].type, ColumnType::kNumber);
  EXPECT_EQ(configuration.columns[3].type, ColumnType::kDateTime);
  EXPECT_EQ(configuration.separator, ';');
  EXPECT_TRUE(configuration.bom);
  EXPECT_EQ(configuration.unique_column, "Id");
  EXPECT_EQ(configuration.fail_with, "boom, really");
  EXPECT_EQ(configuration.block, "Plans");
}

TEST(ImportConfigurationTest, RefusesWhatItCannotUse) {
  for (const char* text :
       {"no-equals", "=A,B", "c=A,A", "c=A:money", "c=A,", "c=A;unique=B",
        "c=A;separator=tab", "c=A;colour=red", "c=A;fail="}) {
    EXPECT_EQ(ParseImportConfiguration(text).status().code(),
              absl::StatusCode::kInvalidArgument)
        << text;
  }
}

TEST(CellFitsTest, EachTypeAcceptsItsOwnTextAndEmptyCells) {
  const std::vector<std::pair<ColumnType, std::vector<const char*>>> good = {
      {ColumnType::kNumber, {"0", "-12.50", "+3", "1234567.0001", ""}},
      {ColumnType::kInteger, {"0", "-7", "+42", ""}},
      {ColumnType::kDate, {"2024-02-29", "2024-01-31T10:00:00Z", ""}},
      {ColumnType::kDateTime,
       {"2024-01-31T23:59:59Z", "2024-01-31T10:00:00.123Z",
        "2024-01-31T10:00:00+05:30", "2024-01-31T10:00:00-08:00"}},
      {ColumnType::kBoolean, {"true", "FALSE", "True", ""}},
      {ColumnType::kText, {"anything at all", "\"", ""}}};
  for (const auto& [type, texts] : good) {
    for (const char* text : texts) {
      EXPECT_TRUE(CellFits(type, text)) << ColumnTypeName(type) << " " << text;
    }
  }
  const std::vector<std::pair<ColumnType, std::vector<const char*>>> bad = {
      {ColumnType::kNumber, {"1,5", "1e3", "1.", ".5", "12 000", "NaN", "-"}},
      {ColumnType::kInteger, {"1.0", "x", "1 2"}},
      {ColumnType::kDate,
       {"2023-02-29", "2024-13-01", "31/01/2024", "2024-1-1"}},
      {ColumnType::kDateTime,
       {"2024-01-31", "2024-01-31 10:00:00Z", "2024-01-31T24:00:00Z",
        "2024-01-31T10:00:00", "2024-01-31T10:00:00+0530"}},
      {ColumnType::kBoolean, {"yes", "1", "truee"}}};
  for (const auto& [type, texts] : bad) {
    for (const char* text : texts) {
      EXPECT_FALSE(CellFits(type, text)) << ColumnTypeName(type) << " " << text;
    }
  }
}

TEST_F(FakePigmentTest, RefusesAMissingOrWrongKey) {
  Start(Options());
  for (const std::string key : {"", "wrong-key"}) {
    const Answer answer = Push(kHeader, "cfg-1", key);
    EXPECT_EQ(answer.status, 401);
    EXPECT_THAT(ErrorMessage(answer), HasSubstr("API key"));
    EXPECT_EQ(Status("some-id", key).status, 401);
  }
  EXPECT_TRUE(pigment_->files().empty());
}

TEST_F(FakePigmentTest, UnknownConfigurationIsNotFound) {
  Start(Options());
  const Answer answer = Push(kHeader, "cfg-unknown");
  EXPECT_EQ(answer.status, 404);
  EXPECT_THAT(ErrorMessage(answer), HasSubstr("cfg-unknown"));
}

TEST_F(FakePigmentTest, AcceptsAFileAndFinishesAfterOnePoll) {
  Start(Options());
  const Answer pushed = Push(kHeader + Row("r1,Engineer,2,100.5,2024-01-02,"
                                           "2024-01-02T03:04:05Z,true"));
  ASSERT_EQ(pushed.status, 200) << pushed.body;
  const std::string id = pushed.json["importId"].GetString();
  EXPECT_TRUE(std::regex_match(
      id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                     "[0-9a-f]{12}")))
      << id;

  const Answer first = Status(id);
  EXPECT_STREQ(first.json["importStatus"].GetString(), "InProgress");
  EXPECT_TRUE(first.json["detailedReport"].IsNull());
  const Answer second = Status(id);
  ASSERT_EQ(second.status, 200);
  EXPECT_STREQ(second.json["importStatus"].GetString(), "Completed");
  EXPECT_EQ(second.json["errorsDetails"].Size(), 0u);
  EXPECT_EQ(Summary(second)["inserted"].GetInt64(), 1);
  EXPECT_EQ(Summary(second)["updated"].GetInt64(), 0);
  EXPECT_EQ(Summary(second)["deleted"].GetInt64(), 0);
  EXPECT_EQ(Summary(second)["skipped"].GetInt64(), 0);
  EXPECT_STREQ(
      second.json["detailedReport"]["impactedBlocks"][0]["name"].GetString(),
      "Requisitions");
}

TEST_F(FakePigmentTest, LeavesTheDetailedReportOutUnlessAsked) {
  Start(Options());
  const Answer pushed = Push(kHeader);
  const std::string id = pushed.json["importId"].GetString();
  const Answer status = Status(id, kKey, /*detailed=*/false);
  EXPECT_EQ(status.status, 200);
  EXPECT_FALSE(status.json.HasMember("detailedReport"));
}

TEST_F(FakePigmentTest, SaysWhichHeaderDiffers) {
  Start(Options());
  const Answer renamed =
      Push("Id,Title,Headcount,Budget,Opened,Updated,Remote\n");
  EXPECT_EQ(renamed.status, 400);
  EXPECT_THAT(ErrorMessage(renamed),
              HasSubstr("header 2 is \"Title\" where the import configuration "
                        "expects \"Name\""));
  const Answer reordered =
      Push("Name,Id,Headcount,Budget,Opened,Updated,Remote\n");
  EXPECT_THAT(ErrorMessage(reordered), HasSubstr("header 1 is \"Name\""));
  const Answer short_row = Push("Id,Name\n");
  EXPECT_THAT(ErrorMessage(short_row), HasSubstr("\"Headcount\" is missing"));
  const Answer extra =
      Push("Id,Name,Headcount,Budget,Opened,Updated,Remote,More\n");
  EXPECT_THAT(ErrorMessage(extra),
              HasSubstr("header 8 \"More\" is not in the import"));
  EXPECT_THAT(ErrorMessage(Push("")), HasSubstr("empty"));
  EXPECT_THAT(ErrorMessage(Push("Id,\"Name\n")), HasSubstr("never closed"));
}

TEST_F(FakePigmentTest, ChecksTheSeparatorAndTheByteOrderMark) {
  FakePigmentOptions options = Options();
  options.configurations.push_back(
      Configuration("semi=Id,Name;separator=semicolon;bom"));
  Start(std::move(options));
  const std::string bom = "\xEF\xBB\xBF";

  EXPECT_EQ(Push("Id;Name\n1;a,b\n", "semi").status, 200);
  EXPECT_EQ(Push(bom + "Id;Name\n1;x\n", "semi").status, 200);
  const Answer comma = Push("Id,Name\n", "semi");
  EXPECT_EQ(comma.status, 400);
  EXPECT_THAT(ErrorMessage(comma), HasSubstr("not ','"));
  const Answer marked = Push(bom + kHeader);
  EXPECT_EQ(marked.status, 400);
  EXPECT_THAT(ErrorMessage(marked), HasSubstr("byte order mark"));
}

TEST_F(FakePigmentTest, ReportsSkippedRowsByReasonAndColumn) {
  Start(Options());
  std::string body = kHeader;
  body += Row("a,A,1,1.5,2024-01-01,,true");                     // good
  body += Row("b,B,one,1.5,2024-01-01,,true");                   // Headcount
  body += Row("c,C,2.5,x,2024-01-01,,true");                     // Headcount
  body += Row("d,D,3,1.5,01/02/2024,,maybe");                    // Opened
  body += Row("e,E,x3,1.5,2024-01-01,,true");                    // Headcount
  body += Row("f,F,x4,1.5,2024-01-01,,true");                    // Headcount
  body += Row("g,\"G, with comma\",4,,,2024-01-01T00:00:00Z,");  // good
  body += Row("h,H,5");                                          // length
  body += Row("i,I,5,1,2024-01-01,,true,extra");                 // length
  const Answer done = PushAndFinish(body);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_STREQ(done.json["importStatus"].GetString(), "Completed");
  EXPECT_EQ(Summary(done)["inserted"].GetInt64(), 2);
  EXPECT_EQ(Summary(done)["skipped"].GetInt64(), 7);

  const rapidjson::Value& skipped = SkippedData(done);
  ASSERT_EQ(skipped.Size(), 3u);
  EXPECT_STREQ(skipped[0]["reason"].GetString(), "ParsingError");
  EXPECT_STREQ(skipped[0]["sourceColumnName"].GetString(), "Headcount");
  EXPECT_EQ(skipped[0]["count"].GetInt64(), 4);
  EXPECT_THAT(Samples(skipped[0]), ElementsAre("one", "2.5", "x3"));
  EXPECT_STREQ(skipped[1]["sourceColumnName"].GetString(), "Opened");
  EXPECT_EQ(skipped[1]["count"].GetInt64(), 1);
  EXPECT_THAT(Samples(skipped[1]), ElementsAre("01/02/2024"));
  EXPECT_STREQ(skipped[2]["reason"].GetString(), "InvalidRowLength");
  EXPECT_STREQ(skipped[2]["sourceColumnName"].GetString(), "");
  EXPECT_EQ(skipped[2]["count"].GetInt64(), 2);
}

TEST_F(FakePigmentTest, RowsWithKnownIdsCountAsUpdated) {
  Start(Options());
  const Answer first =
      PushAndFinish(kHeader + Row("a,A,1,,,,") + Row("b,B,x,,,,"));
  EXPECT_EQ(Summary(first)["inserted"].GetInt64(), 1);
  const Answer second = PushAndFinish(kHeader + Row("a,A,2,,,,") +
                                      Row("b,B,2,,,,") + Row("c,C,3,,,,"));
  EXPECT_EQ(Summary(second)["inserted"].GetInt64(), 2);
  EXPECT_EQ(Summary(second)["updated"].GetInt64(), 1);
  EXPECT_EQ(Summary(second)["skipped"].GetInt64(), 0);
}

TEST_F(FakePigmentTest, AFailingConfigurationEndsFailedWithItsError) {
  FakePigmentOptions options = Options();
  options.configurations.push_back(
      Configuration("broken=Id;fail=Block Requisitions was deleted"));
  Start(std::move(options));
  const Answer done = PushAndFinish("Id\n1\n", "broken");
  ASSERT_EQ(done.status, 200);
  EXPECT_STREQ(done.json["importStatus"].GetString(), "Failed");
  ASSERT_EQ(done.json["errorsDetails"].Size(), 1u);
  EXPECT_STREQ(done.json["errorsDetails"][0]["name"].GetString(),
               "ImportFailed");
  EXPECT_STREQ(done.json["errorsDetails"][0]["description"].GetString(),
               "Block Requisitions was deleted");
  EXPECT_EQ(Summary(done)["inserted"].GetInt64(), 0);
}

TEST_F(FakePigmentTest, WaitsForTheConfiguredPollsAndDelay) {
  FakePigmentOptions options = Options();
  options.status_polls_before_done = 2;
  options.delay = absl::Seconds(30);
  Start(std::move(options));
  const std::string id = Push(kHeader).json["importId"].GetString();
  EXPECT_STREQ(Status(id).json["importStatus"].GetString(), "InProgress");
  EXPECT_STREQ(Status(id).json["importStatus"].GetString(), "InProgress");
  // Enough polls, but not yet enough time.
  EXPECT_STREQ(Status(id).json["importStatus"].GetString(), "InProgress");
  Advance(absl::Seconds(30));
  EXPECT_STREQ(Status(id).json["importStatus"].GetString(), "Completed");
}

TEST_F(FakePigmentTest, NoPollsNeededWhenConfiguredSo) {
  FakePigmentOptions options = Options();
  options.status_polls_before_done = 0;
  Start(std::move(options));
  const std::string id = Push(kHeader).json["importId"].GetString();
  EXPECT_STREQ(Status(id).json["importStatus"].GetString(), "Completed");
}

TEST_F(FakePigmentTest, UnknownImportIsNotFound) {
  Start(Options());
  const Answer answer = Status("00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(answer.status, 404);
  EXPECT_THAT(ErrorMessage(answer), HasSubstr("no import"));
}

TEST_F(FakePigmentTest, LimitsPushesPerConfigurationAndHour) {
  FakePigmentOptions options = Options();
  options.push_limit = 2;
  options.configurations.push_back(Configuration("other=Id"));
  Start(std::move(options));
  EXPECT_EQ(Push(kHeader).status, 200);
  EXPECT_EQ(Push("bad header\n").status, 400);  // counts too
  const Answer limited = Push(kHeader);
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.has_retry_after);
  EXPECT_EQ(Push("Id\n", "other").status, 200);

  Advance(absl::Minutes(59));
  EXPECT_EQ(Push(kHeader).status, 429);
  Advance(absl::Minutes(1));
  EXPECT_EQ(Push(kHeader).status, 200);
  EXPECT_THAT(pigment_->StatsJson(), HasSubstr("\"rate_limited\":2"));
}

TEST_F(FakePigmentTest, ScriptedFaultsComeFirstThenNormalAnswers) {
  FakePigmentOptions options = Options();
  options.push_failures = {2, 503};
  Start(std::move(options));
  const Answer first = Push(kHeader, "cfg-1", "wrong-key");
  EXPECT_EQ(first.status, 503);
  EXPECT_THAT(first.body, HasSubstr("<html>"));
  EXPECT_EQ(Push(kHeader).status, 503);
  const Answer pushed = Push(kHeader);
  ASSERT_EQ(pushed.status, 200);
  const std::string id = pushed.json["importId"].GetString();

  pigment_->FailNextStatusPolls(1, 429);
  const Answer limited = Status(id);
  EXPECT_EQ(limited.status, 429);
  EXPECT_FALSE(limited.has_retry_after);
  // The failed poll did not count towards finishing.
  EXPECT_STREQ(Status(id).json["importStatus"].GetString(), "InProgress");
  pigment_->FailNextStatusPolls(1, kResetConnection);
  EXPECT_EQ(Status(id).status, 0);  // no answer at all
  EXPECT_STREQ(Status(id).json["importStatus"].GetString(), "Completed");
  EXPECT_EQ(pigment_->push_count(), 3);
  EXPECT_EQ(pigment_->status_poll_count(), 4);
}

TEST_F(FakePigmentTest, ARefusedOptionDoesNotStart) {
  FakePigmentOptions options = Options();
  options.push_failures = {1, 200};
  EXPECT_EQ(FakePigment::Start(options).status().code(),
            absl::StatusCode::kInvalidArgument);
  options = Options();
  options.configurations.push_back(options.configurations[0]);
  EXPECT_THAT(FakePigment::Start(options).status().message(),
              HasSubstr("twice"));
}

TEST_F(FakePigmentTest, KeepsEveryFileForTestsAndInKeepDir) {
  FakePigmentOptions options = Options();
  options.keep_dir = (directory_ / "kept").string();
  Start(std::move(options));
  const std::string body = kHeader + Row("a,A,1,,,,") + Row("b,B,x,,,,");
  const std::string id = Push(body).json["importId"].GetString();
  Push("wrong\n");

  const std::vector<ReceivedFile> files = pigment_->files();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].configuration_id, "cfg-1");
  EXPECT_EQ(files[0].import_id, id);
  EXPECT_EQ(files[0].http_status, 200);
  EXPECT_EQ(files[0].bytes, body);
  EXPECT_EQ(files[0].rows, 2);
  EXPECT_EQ(files[1].import_id, "");
  EXPECT_EQ(files[1].http_status, 400);

  std::ifstream kept(directory_ / "kept" / (id + ".csv"), std::ios::binary);
  std::stringstream content;
  content << kept.rdbuf();
  EXPECT_EQ(content.str(), body);
  EXPECT_EQ(
      std::distance(std::filesystem::directory_iterator(directory_ / "kept"),
                    std::filesystem::directory_iterator()),
      1);
}

TEST_F(FakePigmentTest, StatsNeedNoKeyAndListTheFiles) {
  Start(Options());
  const std::string body = kHeader + Row("a,A,1,,,,");
  const std::string id = Push(body).json["importId"].GetString();
  Status(id);
  Status(id);
  const Answer stats = ToAnswer(Client("").Get("/_stats"));
  ASSERT_EQ(stats.status, 200);
  EXPECT_EQ(stats.json["pushes"].GetInt64(), 1);
  EXPECT_EQ(stats.json["status_polls"].GetInt64(), 2);
  EXPECT_EQ(stats.json["faults"].GetInt64(), 0);
  ASSERT_EQ(stats.json["files"].Size(), 1u);
  const rapidjson::Value& file = stats.json["files"][0];
  EXPECT_STREQ(file["configuration_id"].GetString(), "cfg-1");
  EXPECT_EQ(file["import_id"].GetString(), id);
  EXPECT_EQ(file["status"].GetInt(), 200);
  EXPECT_EQ(file["bytes"].GetUint64(), body.size());
  EXPECT_EQ(file["rows"].GetInt64(), 1);
  EXPECT_THAT(stats.body, ::testing::Not(HasSubstr(kKey)));
}

}  // namespace
}  // namespace leverconnect::testing

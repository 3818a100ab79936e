#include "lib/importer/requisition_import.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/fake_clock.h"
#include "tests/unit/scripted_http.h"

namespace leverconnect::importer {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Keeps what the import hands over; can stop after some batches.
class RecordingSink : public RowSink {
 public:
  bool OnSchema(const v1::RequisitionSchema& schema) override {
    schema_ = schema;
    return true;
  }
  bool OnBatch(const v1::RowBatch& batch) override {
    EXPECT_FALSE(takes_encoded_) << "a batch reached a sink of encoded rows";
    return Record(batch);
  }
  // When takes_encoded_, decodes what the server would send and records it
  // as OnBatch does.
  bool TakesEncodedRows() const override { return takes_encoded_; }
  bool OnEncodedPage(const EncodedPage& encoded, std::int32_t page) override {
    EXPECT_TRUE(takes_encoded_);
    ++encoded_pages_;
    EXPECT_EQ(encoded.messages(), 1);
    std::string bytes(encoded.MessageSize(0, page), '\0');
    encoded.WriteMessage(0, page, reinterpret_cast<std::uint8_t*>(&bytes[0]));
    v1::StreamRequisitionsResponse message;
    EXPECT_TRUE(message.ParseFromString(bytes));
    return Record(message.batch());
  }

  bool takes_encoded_ = false;
  int encoded_pages_ = 0;
  int stop_after_ = 1000;
  v1::RequisitionSchema schema_;
  std::vector<int> pages_;
  std::vector<std::string> ids_;
  std::vector<v1::Row> rows_;

 private:
  bool Record(const v1::RowBatch& batch) {
    pages_.push_back(batch.page());
    for (const v1::Row& row : batch.rows()) {
      ids_.push_back(row.requisition_id());
      rows_.push_back(row);
    }
    return static_cast<int>(pages_.size()) < stop_after_;
  }
};

constexpr char kNoFields[] = R"({"data":[]})";
constexpr char kNoUsers[] = R"({"data":[],"hasNext":false})";

class RequisitionImportTest : public ::testing::Test {
 protected:
  absl::StatusOr<v1::ImportSummary> Run(const ImportOptions& options) {
    lever::LeverClient::Options lever_options;
    lever_options.base_url = "https://lever.test/v1";
    lever_options.api_key = "key";
    lever::LeverClient lever(
        http_, clock_, [] { return 0.0; }, lever_options);
    // These tests follow one cursor request by request; parallel reads are
    // covered by window_queue_test and the integration tests.
    ImportOptions one_cursor = options;
    one_cursor.read_mode = v1::READ_MODE_ONE_CURSOR;
    return RunRequisitionImport(lever, one_cursor, sink_, {}, clock_);
  }

  // What an import of every column asks besides the listing, at the same
  // time as its first page: the custom fields, and the users (none here).
  void AnswerFieldsAndUsers() {
    http_.AnswerTo("/requisition_fields", 200, kNoFields);
    http_.AnswerTo("/users", 200, kNoUsers);
  }

  testing::ScriptedHttp http_;
  testing::FakeClock clock_;
  RecordingSink sink_;
};

TEST_F(RequisitionImportTest, PagesFollowTheCursorAndRowsKeepLeversOrder) {
  AnswerFieldsAndUsers();
  http_.Answer(200, R"({"data":[{"id":"a"},{"id":"b"}],"hasNext":true,
                        "next":"t1"})");
  http_.Answer(200, R"({"data":[{"id":"c"}],"hasNext":false})");
  auto summary = Run({});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->rows(), 3);
  EXPECT_EQ(summary->pages(), 2);
  EXPECT_THAT(sink_.ids_, ElementsAre("a", "b", "c"));
  EXPECT_THAT(sink_.pages_, ElementsAre(1, 2));
  EXPECT_THAT(http_.UrlsWith("/requisitions?"),
              ElementsAre("https://lever.test/v1/requisitions?limit=100",
                          "https://lever.test/v1/requisitions?limit=100&"
                          "offset=t1"));
}

TEST_F(RequisitionImportTest, SeveralListingsHandOverEachRequisitionOnce) {
  AnswerFieldsAndUsers();
  http_.Answer(200, R"({"data":[{"id":"a"},{"id":"b"}],"hasNext":false})");
  http_.Answer(200, R"({"data":[{"id":"b"},{"id":"c"}],"hasNext":false})");
  ImportOptions options;
  options.filter.add_statuses("open");
  options.filter.add_statuses("onHold");
  auto summary = Run(options);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(sink_.ids_, ElementsAre("a", "b", "c"));
  EXPECT_EQ(summary->rows(), 3);
  EXPECT_THAT(http_.UrlsWith("/requisitions?")[0], HasSubstr("status=open"));
  EXPECT_THAT(http_.UrlsWith("/requisitions?")[1], HasSubstr("status=onHold"));
}

TEST_F(RequisitionImportTest, CreatedRangeBecomesLeversInclusiveBounds) {
  AnswerFieldsAndUsers();
  http_.Answer(200, R"({"data":[],"hasNext":false})");
  ImportOptions options;
  options.filter.mutable_created_after()->set_seconds(10);
  options.filter.mutable_created_before()->set_seconds(20);
  options.page_size = 25;
  ASSERT_TRUE(Run(options).ok());
  EXPECT_THAT(http_.UrlsWith("/requisitions?"),
              ElementsAre("https://lever.test/v1/requisitions?limit=25"
                          "&created_at_start=10000&created_at_end=19999"));
}

TEST_F(RequisitionImportTest, HasNextWithoutATokenStopsInsteadOfLooping) {
  AnswerFieldsAndUsers();
  http_.Answer(200, R"({"data":[{"id":"a"}],"hasNext":true})");
  auto summary = Run({});
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(summary.status().message(),
              HasSubstr("(page 1) with hasNext but no next token"));
  EXPECT_THAT(sink_.ids_, ElementsAre("a"));
}

TEST_F(RequisitionImportTest, ARepeatedTokenStopsInsteadOfLooping) {
  AnswerFieldsAndUsers();
  http_.Answer(200, R"({"data":[{"id":"a"}],"hasNext":true,"next":"t1"})");
  http_.Answer(200, R"({"data":[{"id":"b"}],"hasNext":true,"next":"t2"})");
  http_.Answer(200, R"({"data":[{"id":"a"}],"hasNext":true,"next":"t1"})");
  auto summary = Run({});
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(summary.status().message(),
              HasSubstr("(page 3) with hasNext but a next token it sent "
                        "before"));
  EXPECT_THAT(sink_.ids_, ElementsAre("a", "b"));
  EXPECT_EQ(http_.UrlsWith("/requisitions?").size(), 3u);
}

constexpr char kInvalidToken[] =
    R"({"code":"BadRequestError","message":"Invalid offset token"})";

TEST_F(RequisitionImportTest, ARejectedCursorIsAskedAgainOnce) {
  AnswerFieldsAndUsers();
  http_.Answer(200, R"({"data":[{"id":"a"}],"hasNext":true,"next":"t1"})");
  http_.Answer(400, kInvalidToken);
  http_.Answer(200, R"({"data":[{"id":"b"}],"hasNext":false})");
  auto summary = Run({});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(sink_.ids_, ElementsAre("a", "b"));
  EXPECT_EQ(summary->listing_restarts(), 0);
  EXPECT_EQ(summary->retries(), 1);
  EXPECT_EQ(summary->retries_by_cause().at("rejected_cursor"), 1);
  const std::vector<std::string> listing = http_.UrlsWith("/requisitions?");
  ASSERT_EQ(listing.size(), 3u);
  EXPECT_EQ(listing[2], listing[1]);
}

TEST_F(RequisitionImportTest, ACursorRejectedTwiceRestartsTheListingOnce) {
  AnswerFieldsAndUsers();
  http_.Answer(200, R"({"data":[{"id":"a"},{"id":"b"}],"hasNext":true,
                        "next":"t1"})");
  http_.Answer(400, kInvalidToken);
  http_.Answer(400, kInvalidToken);
  http_.Answer(200, R"({"data":[{"id":"a"},{"id":"b"}],"hasNext":true,
                        "next":"t9"})");
  http_.Answer(200, R"({"data":[{"id":"c"}],"hasNext":false})");
  auto summary = Run({});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(sink_.ids_, ElementsAre("a", "b", "c"));
  EXPECT_EQ(summary->rows(), 3);
  EXPECT_EQ(summary->listing_restarts(), 1);
  ASSERT_EQ(http_.UrlsWith("/requisitions?").size(), 5u);
  EXPECT_EQ(http_.UrlsWith("/requisitions?")[3],
            "https://lever.test/v1/requisitions?limit=100");
}

TEST_F(RequisitionImportTest, RestartsAreBounded) {
  AnswerFieldsAndUsers();
  http_.Answer(200, R"({"data":[{"id":"a"}],"hasNext":true,"next":"t1"})");
  for (int i = 0; i < 6; ++i) {
    http_.Answer(400, kInvalidToken);
    http_.Answer(400, kInvalidToken);
    http_.Answer(200, R"({"data":[{"id":"a"}],"hasNext":true,"next":"t1"})");
  }
  auto summary = Run({});
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(summary.status().message(),
              HasSubstr("kept rejecting the paging cursor of GET "
                        "/requisitions after 5 fresh starts of the listing; "
                        "last answer: Lever answered GET /requisitions with "
                        "HTTP 400 (BadRequestError: Invalid offset token)"));
  EXPECT_THAT(sink_.ids_, ElementsAre("a"));
}

TEST_F(RequisitionImportTest, TheSummaryCountsRetriesByCause) {
  AnswerFieldsAndUsers();
  http_.Answer(429, "{}", {{"retry-after", "1"}});
  http_.Answer(503, "");
  http_.Answer(200, R"({"data":[{"id":"a"}],"hasNext":false})");
  auto summary = Run({});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->retries(), 2);
  EXPECT_EQ(summary->rate_limited(), 1);
  EXPECT_EQ(summary->retries_by_cause().at("rate_limited"), 1);
  EXPECT_EQ(summary->retries_by_cause().at("server_error"), 1);
  EXPECT_EQ(summary->backoff_wait().seconds(), 1);
}

TEST_F(RequisitionImportTest, ASinkThatStopsCancelsTheImport) {
  AnswerFieldsAndUsers();
  http_.Answer(200, R"({"data":[{"id":"a"}],"hasNext":true,"next":"t1"})");
  sink_.stop_after_ = 1;
  auto summary = Run({});
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(http_.UrlsWith("/requisitions?").size(), 1u);
}

TEST_F(RequisitionImportTest, UnknownColumnIsRejectedBeforeAnyRow) {
  http_.AnswerTo("/requisition_fields", 200, kNoFields);
  http_.Answer(200, R"({"data":[{"id":"a"}],"hasNext":true,"next":"t1"})");
  ImportOptions options;
  options.columns = {"name", "salary"};
  auto summary = Run(options);
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(summary.status().message(), HasSubstr("salary"));
  // The first page was asked for alongside the fields, and no further.
  EXPECT_LE(http_.UrlsWith("/requisitions?").size(), 1u);
  EXPECT_THAT(sink_.ids_, IsEmpty());
  EXPECT_EQ(sink_.schema_.columns_size(), 0);
}

// Cutting batches too large for one message is the stream's encoder's job
// (page_rows_test); the sink gets each page whole.
TEST_F(RequisitionImportTest, APageOfLargeRowsReachesTheSinkWhole) {
  const std::string name(700000, 'n');
  AnswerFieldsAndUsers();
  http_.Answer(200, absl::StrCat(R"({"data":[{"id":"a","name":")", name,
                                 R"("},{"id":"b","name":")", name,
                                 R"("},{"id":"c"}],"hasNext":false})"));
  auto summary = Run({});
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(sink_.pages_, ElementsAre(1));
  EXPECT_THAT(sink_.ids_, ElementsAre("a", "b", "c"));
  EXPECT_EQ(summary->rows(), 3);
  EXPECT_EQ(summary->pages(), 1);
}

constexpr char kUserColumnsPage[] =
    R"({"data":[{"id":"a","creator":"u1","owner":"u-gone"}],"hasNext":false})";

TEST_F(RequisitionImportTest, UserColumnsReadTheUsersOnceBeforeAnyRow) {
  http_.AnswerTo("/requisition_fields", 200, kNoFields);
  http_.AnswerTo("/users", 200, R"({"data":[{"id":"u1","name":"Ada Lovelace",
                        "email":"ada@example.com"}],"hasNext":true,
                        "next":"p2"})");
  http_.AnswerTo("/users", 200, R"({"data":[],"hasNext":false})");
  http_.Answer(200, R"({"data":[{"id":"a","creator":"u1","owner":"u-gone"}],
                        "hasNext":true,"next":"t1"})");
  http_.Answer(200, R"({"data":[{"id":"b","creator":"u1"}],"hasNext":false})");
  ImportOptions options;
  options.columns = {"id", "creator_name", "creator_email", "owner_name"};
  auto summary = Run(options);
  ASSERT_TRUE(summary.ok()) << summary.status();

  EXPECT_EQ(http_.requests().size(), 5u);
  EXPECT_EQ(http_.UrlsWith("/users?limit=100").size(), 2u);
  EXPECT_EQ(http_.UrlsWith("/requisitions?").size(), 2u);
  ASSERT_EQ(sink_.rows_.size(), 2u);
  const v1::Row& a = sink_.rows_[0];
  EXPECT_EQ(a.cells(1).string_value(), "Ada Lovelace");
  EXPECT_EQ(a.cells(2).string_value(), "ada@example.com");
  EXPECT_TRUE(a.cells(3).has_null_value());  // an id the directory lacks
  EXPECT_EQ(sink_.rows_[1].cells(1).string_value(), "Ada Lovelace");
  EXPECT_EQ(summary->rows_with_warnings(), 0);
  EXPECT_THAT(summary->warnings(), IsEmpty());
}

// Whatever Lever sends, the rows, the users' names and the schema are
// UTF-8: a page with a stray byte, one with an escaped lone surrogate
// (which RapidJSON decodes into bytes that are not UTF-8), a user's name
// and a custom field's label.
// Lever answers whose text is not all UTF-8: in the custom fields, the
// users, the first page (a Latin-1 byte) and the second (an escaped lone
// surrogate); the third page is UTF-8.
void AnswerTextThatIsNotUtf8(testing::ScriptedHttp& http) {
  http.AnswerTo("/requisition_fields", 200,
                "{\"data\":[{\"id\":\"level\",\"text\":\"Niv\xe9\","
                "\"type\":\"text\"}]}");
  http.AnswerTo("/users", 200,
                "{\"data\":[{\"id\":\"u1\",\"name\":\"Ad\xff\"}],"
                "\"hasNext\":false}");
  http.Answer(200,
              "{\"data\":[{\"id\":\"a\",\"name\":\"Caf\xe9\","
              "\"creator\":\"u1\"}],\"hasNext\":true,\"next\":\"t1\"}");
  http.Answer(200,
              "{\"data\":[{\"id\":\"b\",\"name\":\"x\\udc00y\"}],"
              "\"hasNext\":true,\"next\":\"t2\"}");
  http.Answer(200,
              "{\"data\":[{\"id\":\"c\",\"name\":\"Caf\xc3\xa9\"}],"
              "\"hasNext\":false}");
}

// The rows of an import of those answers: every text repaired, with a
// warning where it was the requisition's.
void ExpectRepairedRows(const RecordingSink& sink,
                        const v1::ImportSummary& summary) {
  const std::string r = "\xEF\xBF\xBD";  // U+FFFD
  EXPECT_EQ(sink.schema_.columns(2).label(), "Niv" + r);
  ASSERT_EQ(sink.rows_.size(), 3u);
  EXPECT_EQ(sink.rows_[0].cells(0).string_value(), "Caf" + r);
  EXPECT_EQ(sink.rows_[0].cells(1).string_value(), "Ad" + r);
  EXPECT_EQ(sink.rows_[1].cells(0).string_value(), "x" + r + r + r + "y");
  EXPECT_EQ(sink.rows_[2].cells(0).string_value(), "Caf\xc3\xa9");
  const std::string warning =
      "name: text that is not UTF-8; the bytes that are not were replaced "
      "by U+FFFD";
  EXPECT_THAT(sink.rows_[0].warnings(), ElementsAre(warning));
  EXPECT_THAT(sink.rows_[1].warnings(), ElementsAre(warning));
  EXPECT_THAT(sink.rows_[2].warnings(), IsEmpty());
  EXPECT_EQ(summary.rows_with_warnings(), 2);
}

TEST_F(RequisitionImportTest, TextThatIsNotUtf8IsRepairedWhereverItComesFrom) {
  AnswerTextThatIsNotUtf8(http_);
  ImportOptions options;
  options.columns = {"name", "creator_name", "custom.level"};
  auto summary = Run(options);
  ASSERT_TRUE(summary.ok()) << summary.status();
  ExpectRepairedRows(sink_, *summary);
}

// A sink that takes encoded rows gets every page encoded, those whose text
// is not UTF-8 repaired: the same rows as a sink of batches.
TEST_F(RequisitionImportTest, ASinkOfEncodedRowsGetsEveryPageRepaired) {
  AnswerTextThatIsNotUtf8(http_);
  sink_.takes_encoded_ = true;
  ImportOptions options;
  options.columns = {"name", "creator_name", "custom.level"};
  auto summary = Run(options);
  ASSERT_TRUE(summary.ok()) << summary.status();
  ExpectRepairedRows(sink_, *summary);
  EXPECT_EQ(sink_.encoded_pages_, 3);
  EXPECT_THAT(sink_.pages_, ElementsAre(1, 2, 3));
}

TEST_F(RequisitionImportTest, WithoutUserColumnsTheUsersAreNeverRead) {
  http_.AnswerTo("/requisition_fields", 200, kNoFields);
  http_.Answer(200, kUserColumnsPage);
  ImportOptions options;
  options.columns = {"id", "creator", "owner", "hiring_manager"};
  auto summary = Run(options);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(http_.requests().size(), 2u);
  EXPECT_EQ(http_.UrlsWith("/requisitions?").size(), 1u);
  EXPECT_THAT(sink_.ids_, ElementsAre("a"));
}

TEST_F(RequisitionImportTest, AKeyThatMayNotListUsersGivesOneWarningAndNulls) {
  http_.AnswerTo("/requisition_fields", 200, kNoFields);
  http_.AnswerTo("/users", 403, R"({"code":"ForbiddenError","message":"no"})");
  http_.Answer(200, R"({"data":[{"id":"a","creator":"u1"},
                                {"id":"b","creator":"u1"}],
                        "hasNext":true,"next":"t1"})");
  http_.Answer(200, R"({"data":[{"id":"c","creator":"u1"}],"hasNext":false})");
  ImportOptions options;
  options.columns = {"id", "creator", "creator_name", "hiring_manager_email"};
  auto summary = Run(options);
  ASSERT_TRUE(summary.ok()) << summary.status();

  EXPECT_THAT(sink_.ids_, ElementsAre("a", "b", "c"));
  for (const v1::Row& row : sink_.rows_) {
    EXPECT_EQ(row.cells(1).string_value(), "u1");
    EXPECT_TRUE(row.cells(2).has_null_value());
    EXPECT_TRUE(row.cells(3).has_null_value());
    EXPECT_THAT(row.warnings(), IsEmpty());
  }
  ASSERT_EQ(summary->warnings_size(), 1);
  EXPECT_THAT(summary->warnings(0),
              HasSubstr("lacks the \"list users\" permission"));
  EXPECT_EQ(summary->rows_with_warnings(), 0);
  EXPECT_EQ(summary->rows(), 3);
  // One request for the users, not asked again.
  EXPECT_EQ(http_.UrlsWith("/users").size(), 1u);
  EXPECT_EQ(http_.requests().size(), 4u);
}

TEST_F(RequisitionImportTest, OtherFailuresToReadUsersFailTheImport) {
  http_.AnswerTo("/requisition_fields", 200, kNoFields);
  http_.AnswerTo("/users", 401,
                 R"({"code":"UnauthorizedError","message":"bad key"})");
  http_.Answer(200, R"({"data":[{"id":"a"}],"hasNext":true,"next":"t1"})");
  auto summary = Run({});
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(summary.status().message(), HasSubstr("rejected the API key"));
  EXPECT_EQ(sink_.schema_.columns_size(), 0);  // the schema was not sent
  EXPECT_THAT(sink_.ids_, IsEmpty());
  EXPECT_LE(http_.UrlsWith("/requisitions?").size(), 1u);

  http_.AnswerTo("/requisition_fields", 200, kNoFields);
  http_.AnswerTo("/users", 400,
                 R"({"code":"BadRequestError","message":"what"})");
  http_.Answer(200, R"({"data":[{"id":"a"}],"hasNext":false})");
  summary = Run({});
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(sink_.ids_, IsEmpty());
}

TEST(ValidateImportOptionsTest, NamesTheBadField) {
  v1::RequisitionFilter filter;
  EXPECT_TRUE(ValidateImportOptions(filter, 0).ok());
  EXPECT_THAT(ValidateImportOptions(filter, -1).message(),
              HasSubstr("page_size"));
  EXPECT_THAT(ValidateImportOptions(filter, 101).message(),
              HasSubstr("page_size"));
  filter.set_confidentiality("secret");
  EXPECT_THAT(ValidateImportOptions(filter, 0).message(),
              HasSubstr("filter.confidentiality"));
  filter.Clear();
  filter.add_statuses("");
  EXPECT_THAT(ValidateImportOptions(filter, 0).message(),
              HasSubstr("filter.statuses has an empty value"));
  filter.Clear();
  for (int i = 0; i < 21; ++i) filter.add_statuses("open");
  EXPECT_THAT(ValidateImportOptions(filter, 0).message(),
              HasSubstr("filter.statuses has 21 values; at most 20"));
  filter.Clear();
  filter.add_requisition_codes(std::string(129, 'x'));
  EXPECT_THAT(ValidateImportOptions(filter, 0).message(),
              HasSubstr("filter.requisition_codes has a value longer than "
                        "128 characters"));
  filter.Clear();
  filter.mutable_created_after()->set_seconds(20);
  filter.mutable_created_before()->set_seconds(10);
  EXPECT_EQ(ValidateImportOptions(filter, 0).code(),
            absl::StatusCode::kInvalidArgument);
  filter.Clear();
  filter.mutable_created_after()->set_nanos(-5);
  EXPECT_THAT(ValidateImportOptions(filter, 0).message(),
              HasSubstr("valid timestamps"));
}

}  // namespace
}  // namespace leverconnect::importer

// End to end: fake Lever -> leverconnect server -> client library.
#include <condition_variable>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/integration/test_environment.h"

namespace leverconnect::testing {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::testing::HasSubstr;
using ::testing::SizeIs;

const std::string kRecorded = LEVERCONNECT_RECORDED_DIR;

v1::StreamRequisitionsRequest ImportRequest(
    const std::string& connection, const std::string& application,
    v1::ReadMode mode = DefaultReadMode()) {
  v1::StreamRequisitionsRequest request;
  request.set_connection("connections/" + connection);
  request.set_application(application);
  request.set_read_mode(mode);
  return request;
}

// The JSON value at a dotted `path` of `object`, or nullptr.
const rapidjson::Value* At(const rapidjson::Value& object,
                           const std::string& path) {
  const rapidjson::Value* value = &object;
  for (const std::string& part :
       std::vector<std::string>(absl::StrSplit(path, '.'))) {
    if (!value->IsObject()) return nullptr;
    auto member = value->FindMember(part.c_str());
    if (member == value->MemberEnd()) return nullptr;
    value = &member->value;
  }
  return value;
}

// Checks that `cell` holds exactly what the recorded JSON `value` says for
// a column of `column`'s type.
void ExpectCellEquals(const v1::Column& column, const rapidjson::Value* value,
                      const v1::Value& cell) {
  SCOPED_TRACE(column.name());
  if (value == nullptr || value->IsNull()) {
    EXPECT_TRUE(cell.has_null_value());
    return;
  }
  if (column.list()) {
    ASSERT_TRUE(value->IsArray());
    ASSERT_EQ(cell.list_value().values_size(), value->Size());
    for (rapidjson::SizeType i = 0; i < value->Size(); ++i) {
      EXPECT_EQ(cell.list_value().values(i).string_value(),
                (*value)[i].GetString());
    }
    return;
  }
  switch (column.type()) {
    case v1::COLUMN_TYPE_STRING:
      EXPECT_EQ(cell.string_value(), value->GetString());
      break;
    case v1::COLUMN_TYPE_INTEGER:
      if (value->IsString()) {  // "unlimited" headcount
        EXPECT_STREQ(value->GetString(), "unlimited");
        EXPECT_TRUE(cell.has_null_value());
      } else {
        EXPECT_EQ(cell.integer_value(), value->GetInt64());
      }
      break;
    case v1::COLUMN_TYPE_DOUBLE:
      EXPECT_EQ(cell.double_value(), value->GetDouble());
      break;
    case v1::COLUMN_TYPE_BOOL:
      EXPECT_EQ(cell.bool_value(), value->GetBool());
      break;
    case v1::COLUMN_TYPE_TIMESTAMP:
      EXPECT_EQ(TimeUtil::TimestampToMilliseconds(cell.timestamp_value()),
                value->GetInt64());
      break;
    default:
      ADD_FAILURE() << "unexpected column type";
  }
}

TEST(ImportTest, RecordedRequisitionsArriveWithEveryCellIntact) {
  FakeLeverOptions options;
  options.requisitions_file = kRecorded + "/list_requisitions.json";
  options.requisition_fields_file = kRecorded + "/list_requisition_fields.json";
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE(
      (*environment)->CreateConnection("recorded", kFullKey, "planning").ok());

  std::vector<v1::Row> rows;
  v1::RequisitionSchema schema;
  auto summary =
      (*environment)
          ->Import(ImportRequest("recorded", "planning"), &rows, &schema);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->rows(), 27);
  EXPECT_EQ(summary->pages(), 1);
  EXPECT_EQ(summary->rows_with_warnings(), 0);

  rapidjson::Document recorded;
  recorded.Parse(ReadFile(kRecorded + "/list_requisitions.json").c_str());
  const rapidjson::Value& expected = recorded["data"];
  ASSERT_THAT(rows, SizeIs(expected.Size()));
  // The fake, like Lever, decides the order; match rows by id.
  std::map<std::string, const v1::Row*> by_id;
  for (const v1::Row& row : rows) by_id[row.requisition_id()] = &row;
  ASSERT_THAT(by_id, SizeIs(expected.Size()));
  for (const rapidjson::Value& requisition : expected.GetArray()) {
    SCOPED_TRACE(requisition["id"].GetString());
    const v1::Row* row = by_id[requisition["id"].GetString()];
    ASSERT_NE(row, nullptr);
    ASSERT_EQ(row->cells_size(), schema.columns_size());
    for (int c = 0; c < schema.columns_size(); ++c) {
      const v1::Column& column = schema.columns(c);
      if (column.lever_path().find(" -> users.") != std::string::npos) {
        // The recording has no users: the fake lists none.
        EXPECT_TRUE(row->cells(c).has_null_value()) << column.name();
        continue;
      }
      if (column.lever_path().find("[]") != std::string::npos) continue;
      if (column.name() == "approval_step_count") continue;
      ExpectCellEquals(column, At(requisition, column.lever_path()),
                       row->cells(c));
    }
  }
  // The custom date fields of the recording are columns, empty here.
  std::set<std::string> names;
  for (const v1::Column& column : schema.columns()) names.insert(column.name());
  EXPECT_TRUE(names.count("custom.rec_start_date"));
  EXPECT_TRUE(names.count("custom.target_hire_date"));
  EXPECT_EQ((*environment)->lever().RequestCount("/v1/users"), 1);
}

TEST(ImportTest, GeneratedRequisitionsArriveOnceOverThreePages) {
  FakeLeverOptions options;
  options.generate = 250;
  options.seed = 7;
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE(
      (*environment)->CreateConnection("generated", kFullKey, "app").ok());

  std::vector<v1::Row> rows;
  auto request = ImportRequest("generated", "app");
  request.set_page_size(100);
  auto summary = (*environment)->Import(request, &rows);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->rows(), 250);
  std::set<std::string> ids;
  for (const v1::Row& row : rows) ids.insert(row.requisition_id());
  EXPECT_THAT(ids, SizeIs(250));
  if (request.read_mode() == v1::READ_MODE_ONE_CURSOR) {
    EXPECT_EQ(summary->pages(), 3);
    EXPECT_EQ((*environment)->lever().RequestCount("/v1/requisitions"), 3);
  } else {
    // The first page, then about three windows of a page or two each.
    EXPECT_GE(summary->pages(), 4);
    EXPECT_LE((*environment)->lever().RequestCount("/v1/requisitions"), 8);
  }
}

TEST(ImportTest, SelectedColumnsComeInTheAskedOrder) {
  FakeLeverOptions options;
  options.generate = 5;
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());

  auto request = ImportRequest("c", "app");
  request.add_columns("name");
  request.add_columns("id");
  std::vector<v1::Row> rows;
  v1::RequisitionSchema schema;
  ASSERT_TRUE((*environment)->Import(request, &rows, &schema).ok());
  ASSERT_THAT(schema.columns(), SizeIs(2));
  EXPECT_EQ(schema.columns(0).name(), "name");
  EXPECT_EQ(schema.columns(1).name(), "id");
  ASSERT_THAT(rows, SizeIs(5));
  EXPECT_EQ(rows[0].cells(1).string_value(), rows[0].requisition_id());
  // No user column was asked for, so the users were not read.
  EXPECT_EQ((*environment)->lever().RequestCount("/v1/users"), 0);

  request.add_columns("no_such_column");
  auto failed = (*environment)->Import(request, &rows);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(failed.status().message(), HasSubstr("no_such_column"));
}

TEST(ImportTest, FiltersReachLever) {
  FakeLeverOptions options;
  options.requisitions_file = kRecorded + "/list_requisitions.json";
  options.requisition_fields_file = kRecorded + "/list_requisition_fields.json";
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());

  auto request = ImportRequest("c", "app");
  request.mutable_filter()->add_statuses("closed");
  request.mutable_filter()->add_statuses("onHold");
  std::vector<v1::Row> rows;
  ASSERT_TRUE((*environment)->Import(request, &rows).ok());
  EXPECT_THAT(rows, SizeIs(4));  // three closed, one on hold

  request.clear_filter();
  request.mutable_filter()->add_requisition_codes("9900004");
  request.mutable_filter()->add_requisition_codes("9900021");
  rows.clear();
  ASSERT_TRUE((*environment)->Import(request, &rows).ok());
  std::set<std::string> codes;
  for (const v1::Row& row : rows) codes.insert(row.cells(1).string_value());
  EXPECT_EQ(codes, (std::set<std::string>{"9900004", "9900021"}));
}

// The project's demo data, whose users name all but one of the people its
// requisitions refer to.
FakeLeverOptions DemoData() {
  const std::string data = LEVERCONNECT_TEST_DATA_DIR;
  FakeLeverOptions options;
  options.requisitions_file = data + "/demo_requisitions.json";
  options.requisition_fields_file = data + "/demo_requisition_fields.json";
  options.users_file = data + "/demo_users.json";
  return options;
}

// Each row's cells by column name, as text ("<null>" for a null cell).
std::map<std::string, std::map<std::string, std::string>> CellsByCode(
    const v1::RequisitionSchema& schema, const std::vector<v1::Row>& rows) {
  std::map<std::string, std::map<std::string, std::string>> by_code;
  for (const v1::Row& row : rows) {
    std::map<std::string, std::string> cells;
    for (int c = 0; c < schema.columns_size(); ++c) {
      const v1::Value& cell = row.cells(c);
      cells[schema.columns(c).name()] =
          cell.has_null_value() ? "<null>" : cell.string_value();
    }
    by_code[cells["requisition_code"]] = std::move(cells);
  }
  return by_code;
}

v1::StreamRequisitionsRequest UserColumnsRequest() {
  v1::StreamRequisitionsRequest request =
      ImportRequest("c", "app", v1::READ_MODE_PARALLEL_WINDOWS);
  for (const char* column :
       {"requisition_code", "creator_name", "creator_email", "owner_name",
        "hiring_manager_name", "hiring_manager_email"}) {
    request.add_columns(column);
  }
  return request;
}

TEST(ImportTest, UserNamesAndEmailsArriveThroughTheServer) {
  auto environment = TestEnvironment::Start(DemoData());
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());

  std::vector<v1::Row> rows;
  v1::RequisitionSchema schema;
  auto summary = (*environment)->Import(UserColumnsRequest(), &rows, &schema);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(summary->warnings(), ::testing::IsEmpty());
  EXPECT_EQ(summary->rows_with_warnings(), 0);
  ASSERT_THAT(rows, SizeIs(12));
  auto cells = CellsByCode(schema, rows);
  EXPECT_EQ(cells["LMI-ENG-101"]["creator_name"], "Ada Lovelace");
  EXPECT_EQ(cells["LMI-ENG-101"]["creator_email"], "ada@example.com");
  EXPECT_EQ(cells["LMI-ENG-101"]["hiring_manager_name"], "Grace Hopper");
  EXPECT_EQ(cells["LMI-ENG-101"]["hiring_manager_email"],
            "grace.hopper@example.com");
  // Katherine Johnson has been deactivated; her requisitions still say who
  // created them.
  EXPECT_EQ(cells["LMI-OPS-201"]["creator_name"], "Katherine Johnson");
  EXPECT_EQ(cells["LMI-OPS-201"]["hiring_manager_name"], "<null>");
  // An id Lever's users do not include, and no hiring manager at all.
  EXPECT_EQ(cells["LMI-OPS-202"]["creator_name"], "<null>");
  EXPECT_EQ(cells["LMI-OPS-202"]["owner_name"], "<null>");
  EXPECT_EQ(cells["LMI-PRD-401"]["hiring_manager_email"], "<null>");
  // Eight windows read at once, one read of the users.
  EXPECT_EQ((*environment)->lever().RequestCount("/v1/users"), 1);
}

TEST(ImportTest, KeyWithoutUsersPermissionImportsWithOneWarning) {
  auto environment = TestEnvironment::Start(DemoData());
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kNoUsersKey, "app").ok());

  std::vector<v1::Row> rows;
  v1::RequisitionSchema schema;
  auto summary = (*environment)->Import(UserColumnsRequest(), &rows, &schema);
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_THAT(rows, SizeIs(12));
  for (const auto& [code, cells] : CellsByCode(schema, rows)) {
    SCOPED_TRACE(code);
    EXPECT_EQ(cells.at("creator_name"), "<null>");
    EXPECT_EQ(cells.at("hiring_manager_email"), "<null>");
  }
  for (const v1::Row& row : rows) {
    EXPECT_THAT(row.warnings(), ::testing::IsEmpty());
  }
  ASSERT_THAT(summary->warnings(), SizeIs(1));
  EXPECT_THAT(summary->warnings(0),
              HasSubstr("lacks the \"list users\" permission"));
  EXPECT_THAT(summary->warnings(0), ::testing::Not(HasSubstr(kNoUsersKey)));
  EXPECT_EQ(summary->rows(), 12);
  EXPECT_EQ(summary->rows_with_warnings(), 0);
  EXPECT_EQ((*environment)->lever().RequestCount("/v1/users"), 1);
}

TEST(ImportTest, KeyWithoutFieldsPermissionFailsNamingIt) {
  FakeLeverOptions options;
  options.generate = 3;
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kNoFieldsKey, "app").ok());

  std::vector<v1::Row> rows;
  auto summary = (*environment)->Import(ImportRequest("c", "app"), &rows);
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(summary.status().message(),
              HasSubstr("\"list requisition fields\" permission"));
  EXPECT_THAT(rows, SizeIs(0));
}

TEST(ImportTest, BadImportRequestsNameTheProblem) {
  FakeLeverOptions options;
  options.generate = 3;
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());
  std::vector<v1::Row> rows;

  auto no_application = ImportRequest("c", "");
  auto status = (*environment)->Import(no_application, &rows).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("application is required"));

  status = (*environment)->Import(ImportRequest("nope", "app"), &rows).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("nope"));

  status = (*environment)->Import(ImportRequest("c", "other"), &rows).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(status.message(), HasSubstr("\"other\""));

  auto bad_page = ImportRequest("c", "app");
  bad_page.set_page_size(101);
  status = (*environment)->Import(bad_page, &rows).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("page_size"));

  auto bad_name = ImportRequest("c", "app");
  bad_name.set_connection("c");
  status = (*environment)->Import(bad_name, &rows).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("connections/{connection_id}"));

  v1::GetRequisitionSchemaRequest schema_request;
  schema_request.set_connection("connections/c");
  schema_request.set_application("other");
  status =
      (*environment)->client().GetRequisitionSchema(schema_request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(rows, SizeIs(0));
}

// The server decodes StreamRequisitions requests itself: bytes that are no
// StreamRequisitionsRequest get INVALID_ARGUMENT saying so, and Lever is
// not asked anything.
TEST(ImportTest, ARequestThatDoesNotDecodeIsInvalidArgument) {
  FakeLeverOptions options;
  options.generate = 3;
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());

  // Field 1 (connection) announces 100 bytes and holds 3.
  const grpc::Status status =
      RawUnaryCall(grpc::CreateChannel((*environment)->address(),
                                       grpc::InsecureChannelCredentials()),
                   "/leverconnect.v1.ImportService/StreamRequisitions",
                   std::string("\x0a\x64"
                               "abc"),
                   kAdminToken);

  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("not an encoded StreamRequisitionsRequest"));
  EXPECT_EQ((*environment)->lever().RequestCount("/v1/"), 0);
}

TEST(ImportTest, CancellingAfterTheFirstBatchStopsReadingLever) {
  FakeLeverOptions options;
  options.generate = 250;
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());
  FakeLever& lever = (*environment)->lever();

  // Holds every page request after the first until the test lets go, and
  // tells the test when the second has arrived.
  std::mutex mu;
  std::condition_variable changed;
  int pages_requested = 0;
  bool released = false;
  lever.SetRequestHook([&](int, const std::string& path) {
    if (path != "/v1/requisitions") return;
    std::unique_lock<std::mutex> lock(mu);
    if (++pages_requested == 1) return;
    changed.notify_all();
    changed.wait(lock, [&] { return released; });
  });

  client::StreamHandlers handlers;
  int batches = 0;
  handlers.on_batch = [&](const v1::RowBatch& batch) {
    ++batches;
    std::unique_lock<std::mutex> lock(mu);
    changed.wait(lock, [&] { return pages_requested >= 2; });
    return false;  // the caller has seen enough
  };
  // One cursor, so that the second request is the second page.
  auto request = ImportRequest("c", "app", v1::READ_MODE_ONE_CURSOR);
  request.set_page_size(100);
  auto summary = (*environment)->client().StreamRequisitions(request, handlers);
  EXPECT_EQ(summary.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(batches, 1);

  // The cancel reaches the server a moment after the client returns. The
  // second page is held until the server has ended the call on its own,
  // which it can only do by giving up that page: once released, a server
  // that missed the cancel would ask for a third.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  bool ended = false;
  while (!ended && absl::Now() < deadline) {
    for (const std::string& line : (*environment)->LogLines()) {
      ended |= line.find("\"rpc finished\"") != std::string::npos &&
               line.find("\"StreamRequisitions\"") != std::string::npos &&
               line.find("\"CANCELLED\"") != std::string::npos;
    }
    if (!ended) absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_TRUE(ended) << "the server did not end the cancelled call";
  {
    std::lock_guard<std::mutex> lock(mu);
    released = true;
  }
  changed.notify_all();
  (*environment)->server().Shutdown(absl::Seconds(10));
  EXPECT_EQ(lever.RequestCount("/v1/requisitions"), 2);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(pages_requested, 2);
}

}  // namespace
}  // namespace leverconnect::testing

namespace leverconnect::testing {
namespace {

// Parallel windows: the same requisitions, each once, whatever the order.
TEST(ParallelImportTest, RecordedAndGeneratedRequisitionsArriveOnce) {
  FakeLeverOptions options;
  options.requisitions_file = kRecorded + "/list_requisitions.json";
  options.requisition_fields_file = kRecorded + "/list_requisition_fields.json";
  auto recorded = TestEnvironment::Start(options);
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  ASSERT_TRUE((*recorded)->CreateConnection("c", kFullKey, "app").ok());
  std::vector<v1::Row> rows;
  auto summary = (*recorded)->Import(
      ImportRequest("c", "app", v1::READ_MODE_PARALLEL_WINDOWS), &rows);
  ASSERT_TRUE(summary.ok()) << summary.status();
  rapidjson::Document expected;
  expected.Parse(ReadFile(kRecorded + "/list_requisitions.json").c_str());
  std::set<std::string> expected_ids;
  for (const auto& requisition : expected["data"].GetArray()) {
    expected_ids.insert(requisition["id"].GetString());
  }
  std::set<std::string> ids;
  for (const v1::Row& row : rows) ids.insert(row.requisition_id());
  EXPECT_THAT(rows, SizeIs(27));
  EXPECT_EQ(ids, expected_ids);

  FakeLeverOptions generated_options;
  generated_options.generate = 2500;
  auto generated = TestEnvironment::Start(generated_options);
  ASSERT_TRUE(generated.ok()) << generated.status();
  ASSERT_TRUE((*generated)->CreateConnection("g", kFullKey, "app").ok());
  rows.clear();
  auto request = ImportRequest("g", "app", v1::READ_MODE_UNSPECIFIED);
  request.mutable_filter()->add_statuses("open");
  request.mutable_filter()->add_statuses("closed");
  summary = (*generated)->Import(request, &rows);
  ASSERT_TRUE(summary.ok()) << summary.status();
  ids.clear();
  for (const v1::Row& row : rows) ids.insert(row.requisition_id());
  EXPECT_EQ(ids.size(), rows.size());
  EXPECT_EQ(summary->rows(), static_cast<int64_t>(rows.size()));
  // The same filter read with one cursor gives the same requisitions.
  std::vector<v1::Row> sequential;
  request.set_read_mode(v1::READ_MODE_ONE_CURSOR);
  ASSERT_TRUE((*generated)->Import(request, &sequential).ok());
  std::set<std::string> sequential_ids;
  for (const v1::Row& row : sequential) {
    sequential_ids.insert(row.requisition_id());
  }
  EXPECT_EQ(ids, sequential_ids);
  EXPECT_GT(ids.size(), 100u);
}

// Windows are cut at the creation times of the requisitions a first page
// returned, so requisitions sit exactly on window boundaries, with others
// a millisecond before and after. Pages of four make the import split
// again and again; each requisition inside the filter arrives once, and
// none outside it.
TEST(ParallelImportTest, RequisitionsOnWindowBoundariesArriveOnce) {
  std::vector<std::int64_t> inside = {1000, 1001};
  for (std::int64_t boundary = 2000; boundary <= 8000; boundary += 1000) {
    inside.insert(inside.end(),
                  {boundary - 1, boundary, boundary, boundary + 1});
  }
  inside.push_back(8999);
  const std::vector<std::int64_t> outside = {0, 999, 9000, 9001};
  // Ids that scramble the creation order, as Lever lists by id.
  int serial = 0;
  auto id = [&serial](const char* where, std::int64_t created) {
    ++serial;
    return absl::StrCat((serial * 7919) % 1009 + 1000, "-", where, "-", created,
                        "-", serial);
  };
  std::string page = R"({"data": [)";
  std::multiset<std::string> expected;
  for (std::int64_t created : inside) {
    const std::string in = id("in", created);
    expected.insert(in);
    absl::StrAppend(&page, R"({"id": ")", in, R"(", "createdAt": )", created,
                    "},");
  }
  for (std::int64_t created : outside) {
    absl::StrAppend(&page, R"({"id": ")", id("out", created),
                    R"(", "createdAt": )", created, "},");
  }
  page.back() = ']';
  page += R"(, "hasNext": false})";
  const std::string folder = ::testing::TempDir();
  const std::string requisitions = folder + "/boundaries.json";
  const std::string fields = folder + "/no_fields.json";
  std::ofstream(requisitions) << page;
  std::ofstream(fields) << R"({"data": []})";

  FakeLeverOptions options;
  options.requisitions_file = requisitions;
  options.requisition_fields_file = fields;
  auto environment = TestEnvironment::Start(options);
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());
  auto request = ImportRequest("c", "app", v1::READ_MODE_PARALLEL_WINDOWS);
  request.set_page_size(4);
  request.mutable_filter()->mutable_created_after()->set_seconds(1);
  request.mutable_filter()->mutable_created_before()->set_seconds(9);
  std::vector<v1::Row> rows;
  auto summary = (*environment)->Import(request, &rows);
  ASSERT_TRUE(summary.ok()) << summary.status();

  std::multiset<std::string> ids;
  for (const v1::Row& row : rows) ids.insert(row.requisition_id());
  EXPECT_EQ(ids, expected);
  EXPECT_EQ(summary->rows(), static_cast<std::int64_t>(expected.size()));
  // One cursor would take 9 pages of 4; the windows read more, as their
  // first pages are read again by the parts they are cut into.
  EXPECT_GT((*environment)->lever().RequestCount("/v1/requisitions"), 9);
}

}  // namespace
}  // namespace leverconnect::testing

namespace leverconnect::testing {
namespace {

TEST(ImportCapacityTest, ImportsBeyondTheServersMostAreRefused) {
  FakeLeverOptions options;
  options.generate = 150;
  auto environment = TestEnvironment::Start(
      options, FastLeverSettings(), {},
      [](server::ServerOptions& server) { server.max_concurrent_imports = 1; });
  ASSERT_TRUE(environment.ok()) << environment.status();
  ASSERT_TRUE((*environment)->CreateConnection("c", kFullKey, "app").ok());

  // The first import holds its first page request until the second has
  // been refused.
  std::mutex mu;
  std::condition_variable changed;
  bool first_waiting = false;
  bool released = false;
  (*environment)->lever().SetRequestHook([&](int, const std::string& path) {
    if (path != "/v1/requisitions") return;
    std::unique_lock<std::mutex> lock(mu);
    first_waiting = true;
    changed.notify_all();
    changed.wait(lock, [&] { return released; });
  });
  absl::StatusOr<v1::ImportSummary> first;
  std::thread holder([&] {
    std::vector<v1::Row> rows;
    first = (*environment)->Import(ImportRequest("c", "app"), &rows);
  });
  {
    std::unique_lock<std::mutex> lock(mu);
    changed.wait(lock, [&] { return first_waiting; });
  }
  std::vector<v1::Row> rows;
  auto second = (*environment)->Import(ImportRequest("c", "app"), &rows);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(second.status().message(),
              HasSubstr("already running 1 imports, its most"));
  {
    std::lock_guard<std::mutex> lock(mu);
    released = true;
  }
  changed.notify_all();
  holder.join();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->rows(), 150);

  // With the first done, there is room again.
  rows.clear();
  EXPECT_TRUE((*environment)->Import(ImportRequest("c", "app"), &rows).ok());
}

}  // namespace
}  // namespace leverconnect::testing

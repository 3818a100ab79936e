// End to end: planned requisitions compared with fake Lever and written to
// it through the server, with the guarantees of WriteBackService.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "rapidjson/document.h"
#include "tests/integration/test_environment.h"

namespace leverconnect::testing {
namespace {

using ::google::protobuf::util::TimeUtil;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Action = v1::RequisitionChange;
using Outcome = v1::RequisitionWriteResult;

constexpr char kConnection[] = "connections/acme";

std::string Data(const std::string& name) {
  return absl::StrCat(LEVERCONNECT_TEST_DATA_DIR, "/", name);
}

v1::PlannedRequisition Row(
    const std::string& code,
    const std::vector<std::pair<std::string, std::string>>& fields) {
  v1::PlannedRequisition row;
  row.set_requisition_code(code);
  for (const auto& [field, text] : fields) {
    (*row.mutable_fields())[field].set_string_value(text);
  }
  return row;
}

// Fields of a change as "field: old -> new", values as JSON-ish text.
std::string Shown(const v1::Value& value) {
  switch (value.kind_case()) {
    case v1::Value::kStringValue:
      return value.string_value();
    case v1::Value::kIntegerValue:
      return absl::StrCat(value.integer_value());
    case v1::Value::kDoubleValue:
      return absl::StrCat(value.double_value());
    case v1::Value::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case v1::Value::kTimestampValue:
      return TimeUtil::ToString(value.timestamp_value());
    default:
      return "null";
  }
}

std::vector<std::string> Changes(
    const google::protobuf::RepeatedPtrField<v1::FieldChange>& changes) {
  std::vector<std::string> shown;
  for (const v1::FieldChange& change : changes) {
    shown.push_back(absl::StrCat(change.field(), ": ",
                                 Shown(change.old_value()), " -> ",
                                 Shown(change.new_value())));
  }
  return shown;
}

// The parsed requisition `code` in the fake; a null document when absent.
rapidjson::Document InLever(FakeLever& lever, const std::string& code) {
  rapidjson::Document document;
  const std::optional<std::string> json = lever.RequisitionByCode(code);
  if (json) document.Parse(json->c_str());
  return document;
}

// The count of answers `key` ("POST /v1/requisitions 201") in the stats.
int Answers(FakeLever& lever, const std::string& key) {
  rapidjson::Document stats;
  stats.Parse(lever.StatsJson().c_str());
  const auto found = stats["requests"].FindMember(key.c_str());
  return found == stats["requests"].MemberEnd() ? 0 : found->value.GetInt();
}

class WriteBackTest : public ::testing::Test {
 protected:
  // Starts the environment with the project's demo requisitions and
  // connection "acme" allowing "planning" with `key`, write-back enabled
  // when `write_back`.
  void Start(FakeLeverOptions lever = {}, const std::string& key = kWriteKey,
             bool write_back = true) {
    lever.requisitions_file = Data("demo_requisitions.json");
    lever.requisition_fields_file = Data("demo_requisition_fields.json");
    auto started = TestEnvironment::Start(std::move(lever));
    ASSERT_TRUE(started.ok()) << started.status();
    environment_ = std::move(*started);
    ASSERT_TRUE(environment_->CreateConnection("acme", key, "planning").ok());
    if (!write_back) return;
    v1::UpdateConnectionRequest update;
    update.mutable_connection()->set_name(kConnection);
    update.mutable_connection()->set_write_back_enabled(true);
    update.mutable_update_mask()->add_paths("write_back_enabled");
    absl::StatusOr<v1::Connection> updated =
        environment_->client().UpdateConnection(update);
    ASSERT_TRUE(updated.ok()) << updated.status();
    EXPECT_TRUE(updated->write_back_enabled());
  }

  absl::StatusOr<v1::PlanRequisitionChangesResponse> Plan(
      const std::vector<v1::PlannedRequisition>& rows) {
    v1::PlanRequisitionChangesRequest request;
    request.set_connection(kConnection);
    request.set_application("planning");
    for (const auto& row : rows) *request.add_rows() = row;
    return environment_->client().PlanRequisitionChanges(request);
  }

  // Applies `rows`, each with the updatedAt `plan` saw for it.
  absl::StatusOr<v1::ApplyRequisitionChangesResponse> Apply(
      std::vector<v1::PlannedRequisition> rows,
      const v1::PlanRequisitionChangesResponse* plan = nullptr) {
    v1::ApplyRequisitionChangesRequest request;
    request.set_connection(kConnection);
    request.set_application("planning");
    for (std::size_t index = 0; index < rows.size(); ++index) {
      if (plan != nullptr && plan->changes(index).has_lever_updated_at()) {
        *rows[index].mutable_lever_updated_at() =
            plan->changes(index).lever_updated_at();
      }
      *request.add_rows() = rows[index];
    }
    return environment_->client().ApplyRequisitionChanges(request);
  }

  FakeLever& lever() { return environment_->lever(); }

  std::unique_ptr<TestEnvironment> environment_;
};

std::vector<v1::PlannedRequisition> MixedRows() {
  return {
      Row("LMI-NEW-900", {{"name", "Acoustic Modem Engineer"},
                          {"headcount_total", "2"},
                          {"location", "Bergen"},
                          {"custom.cost_center", "CC-MODEMS"},
                          {"custom.target_start_date", "2024-09-01"}}),
      Row("LMI-ENG-101", {{"headcount_total", "3"},
                          {"location", "Bergen"},
                          {"custom.budget_line.amount", "175000"}}),
      Row("LMI-ENG-102", {{"location", "Porto"}, {"headcount_total", "1"}}),
      Row("LMI-DAT-301", {{"headcount_total", "three"}}),
      Row("LMI-OPS-201", {{"colour", "blue"}}),
  };
}

TEST_F(WriteBackTest, PlanReportsEachRowApplyWritesItAndAgainWritesNothing) {
  Start();
  const std::vector<v1::PlannedRequisition> rows = MixedRows();
  absl::StatusOr<v1::PlanRequisitionChangesResponse> plan = Plan(rows);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->changes_size(), 5);

  const v1::RequisitionChange& create = plan->changes(0);
  EXPECT_EQ(create.action(), Action::ACTION_CREATE);
  EXPECT_THAT(
      Changes(create.changes()),
      ElementsAre("name: null -> Acoustic Modem Engineer",
                  "headcount_total: null -> 2", "location: null -> Bergen",
                  "custom.cost_center: null -> CC-MODEMS",
                  "custom.target_start_date: null -> "
                  "2024-09-01T00:00:00Z"));
  EXPECT_FALSE(create.has_lever_updated_at());

  const v1::RequisitionChange& update = plan->changes(1);
  EXPECT_EQ(update.action(), Action::ACTION_UPDATE);
  EXPECT_EQ(update.lever_id(), "bf416c30-f1f0-442a-8e46-c215b5fa5b0c");
  EXPECT_EQ(TimeUtil::TimestampToMilliseconds(update.lever_updated_at()),
            1707555640558);
  EXPECT_THAT(Changes(update.changes()),
              ElementsAre("headcount_total: 2 -> 3",
                          "custom.budget_line.amount: 168000 -> 175000"));

  EXPECT_EQ(plan->changes(2).action(), Action::ACTION_UNCHANGED);
  EXPECT_EQ(plan->changes(3).action(), Action::ACTION_INVALID);
  EXPECT_EQ(plan->changes(3).reason(),
            "headcount_total: \"three\" is not an integer");
  EXPECT_EQ(plan->changes(4).action(), Action::ACTION_INVALID);
  EXPECT_EQ(plan->changes(4).reason(),
            "field \"colour\" is not a writable requisition field");
  EXPECT_EQ(lever().RequisitionCount(), 12u);

  absl::StatusOr<v1::ApplyRequisitionChangesResponse> applied =
      Apply(rows, &*plan);
  ASSERT_TRUE(applied.ok()) << applied.status();
  std::vector<Outcome::Outcome> outcomes;
  for (const Outcome& result : applied->results()) {
    outcomes.push_back(result.outcome());
    EXPECT_THAT(result.mismatches(), ::testing::IsEmpty())
        << result.requisition_code();
  }
  EXPECT_THAT(outcomes,
              ElementsAre(Outcome::OUTCOME_CREATED, Outcome::OUTCOME_UPDATED,
                          Outcome::OUTCOME_UNCHANGED, Outcome::OUTCOME_INVALID,
                          Outcome::OUTCOME_INVALID));

  EXPECT_EQ(lever().RequisitionCount(), 13u);
  rapidjson::Document created = InLever(lever(), "LMI-NEW-900");
  ASSERT_TRUE(created.IsObject());
  EXPECT_EQ(applied->results(0).lever_id(), created["id"].GetString());
  EXPECT_STREQ(created["name"].GetString(), "Acoustic Modem Engineer");
  EXPECT_EQ(created["customFields"]["target_start_date"].GetInt64(),
            1725148800000);
  rapidjson::Document updated = InLever(lever(), "LMI-ENG-101");
  EXPECT_EQ(updated["headcountTotal"].GetInt(), 3);
  EXPECT_EQ(updated["customFields"]["budget_line"]["amount"].GetDouble(),
            175000);
  // What the plan left out stays, though PUT replaces the whole record.
  EXPECT_STREQ(updated["customFields"]["cost_center"].GetString(),
               "CC-ACOUSTICS");
  EXPECT_STREQ(updated["customFields"]["budget_line"]["code"].GetString(),
               "BL-2024-ENG-07");
  EXPECT_STREQ(updated["location"].GetString(), "Bergen");
  EXPECT_STREQ(updated["name"].GetString(), "Sonar Signal Processing Engineer");

  // The same rows with the same plan: nothing left to write.
  absl::StatusOr<v1::ApplyRequisitionChangesResponse> again =
      Apply(rows, &*plan);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->results(0).outcome(), Outcome::OUTCOME_UNCHANGED);
  EXPECT_EQ(again->results(1).outcome(), Outcome::OUTCOME_UNCHANGED);
  EXPECT_EQ(again->results(2).outcome(), Outcome::OUTCOME_UNCHANGED);
  EXPECT_EQ(lever().RequisitionCount(), 13u);
  EXPECT_EQ(Answers(lever(), "POST /v1/requisitions 201"), 1);
  EXPECT_EQ(Answers(lever(), "PUT /v1/requisitions/{id} 200"), 1);
}

TEST_F(WriteBackTest, AnEditInLeverAfterThePlanIsAConflictAndStays) {
  Start();
  const std::vector<v1::PlannedRequisition> rows = {
      Row("LMI-ENG-101", {{"headcount_total", "3"}})};
  absl::StatusOr<v1::PlanRequisitionChangesResponse> plan = Plan(rows);
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->changes(0).action(), Action::ACTION_UPDATE);

  ASSERT_TRUE(lever()
                  .EditRequisition("bf416c30-f1f0-442a-8e46-c215b5fa5b0c",
                                   R"({"headcountTotal": 5})")
                  .ok());
  absl::StatusOr<v1::ApplyRequisitionChangesResponse> applied =
      Apply(rows, &*plan);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->results(0).outcome(), Outcome::OUTCOME_CONFLICT);
  EXPECT_THAT(applied->results(0).detail(),
              HasSubstr("changed in Lever since the plan read it"));
  EXPECT_EQ(InLever(lever(), "LMI-ENG-101")["headcountTotal"].GetInt(), 5);
  EXPECT_EQ(Answers(lever(), "PUT /v1/requisitions/{id} 200"), 0);
}

TEST_F(WriteBackTest, ACreateWhoseAnswerIsLostIsFoundNotRepeated) {
  // Apply asks Lever for: 1 the custom fields, 2 the code, 3 the write
  // permission, 4 the create, whose answer is lost after it is made.
  FakeLeverOptions options;
  options.fault_script = {{4, FaultKind::kLost}};
  Start(options);
  absl::StatusOr<v1::ApplyRequisitionChangesResponse> applied =
      Apply({Row("LMI-NEW-901", {{"name", "Sonar Test Lead"}})});
  ASSERT_TRUE(applied.ok()) << applied.status();
  const Outcome& result = applied->results(0);
  EXPECT_EQ(result.outcome(), Outcome::OUTCOME_CREATED);
  EXPECT_THAT(result.detail(),
              HasSubstr("answer to POST /requisitions was lost"));
  EXPECT_EQ(lever().RequisitionCount(), 13u);
  EXPECT_EQ(lever().FaultCount(FaultKind::kLost), 1);
  EXPECT_EQ(Answers(lever(), "POST /v1/requisitions 201"), 0);
  EXPECT_EQ(Answers(lever(), "POST /v1/requisitions reset"), 1);
  ASSERT_TRUE(InLever(lever(), "LMI-NEW-901").IsObject());
  EXPECT_EQ(result.lever_id(),
            InLever(lever(), "LMI-NEW-901")["id"].GetString());
}

TEST_F(WriteBackTest, ACreateRefusedWithA500IsLookedUpThenSentAgain) {
  FakeLeverOptions options;
  options.fault_script = {{4, FaultKind::kInternalError}};
  Start(options);
  absl::StatusOr<v1::ApplyRequisitionChangesResponse> applied =
      Apply({Row("LMI-NEW-902", {{"name", "Sonar Test Lead"}})});
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->results(0).outcome(), Outcome::OUTCOME_CREATED);
  EXPECT_EQ(lever().RequisitionCount(), 13u);
  EXPECT_EQ(Answers(lever(), "POST /v1/requisitions 500"), 1);
  EXPECT_EQ(Answers(lever(), "POST /v1/requisitions 201"), 1);
}

TEST_F(WriteBackTest, AConnectionWithoutWriteBackIsRefusedBeforeLever) {
  Start({}, kWriteKey, /*write_back=*/false);
  absl::StatusOr<v1::PlanRequisitionChangesResponse> plan =
      Plan({Row("LMI-NEW-903", {{"name", "x"}})});
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<v1::ApplyRequisitionChangesResponse> applied =
      Apply({Row("LMI-NEW-903", {{"name", "x"}})});
  EXPECT_EQ(applied.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(applied.status().message(),
            "write-back is not enabled on connection \"connections/acme\"; an "
            "admin can enable it (UpdateConnection with the update_mask path "
            "write_back_enabled)");
  EXPECT_EQ(lever().RequestCount("/v1"), 0);
}

TEST_F(WriteBackTest, AKeyWithoutWritePermissionIsRefusedBeforeAnyWrite) {
  Start({}, kFullKey);
  absl::StatusOr<v1::ApplyRequisitionChangesResponse> applied =
      Apply({Row("LMI-ENG-102", {{"location", "Porto"}}),
             Row("LMI-NEW-904", {{"name", "Diver"}})});
  EXPECT_EQ(applied.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(applied.status().message(),
              HasSubstr("nothing was written: the Lever API key lacks the "
                        "\"write requisitions\" permission"));
  EXPECT_EQ(lever().RequisitionCount(), 12u);
  EXPECT_EQ(Answers(lever(), "PUT /v1/requisitions/{id} 403"), 1);
  EXPECT_EQ(Answers(lever(), "POST /v1/requisitions 403"), 0);
}

TEST_F(WriteBackTest, TestConnectionSaysWhetherTheKeyMayWrite) {
  Start({}, kFullKey);
  v1::TestConnectionRequest request;
  request.set_name(kConnection);
  absl::StatusOr<v1::TestConnectionResponse> read_only =
      environment_->client().TestConnection(request);
  ASSERT_TRUE(read_only.ok()) << read_only.status();
  EXPECT_TRUE(read_only->ready());
  EXPECT_FALSE(read_only->may_write());
  ASSERT_EQ(read_only->checks_size(), 3);
  EXPECT_EQ(read_only->checks(2).permission(), "write requisitions");
  EXPECT_EQ(read_only->checks(2).endpoint(), "PUT /requisitions/{id}");
  EXPECT_EQ(read_only->checks(2).result(), v1::PermissionCheck::RESULT_DENIED);

  ASSERT_TRUE(
      environment_->CreateConnection("writer", kWriteKey, "planning").ok());
  request.set_name("connections/writer");
  absl::StatusOr<v1::TestConnectionResponse> writer =
      environment_->client().TestConnection(request);
  ASSERT_TRUE(writer.ok()) << writer.status();
  EXPECT_TRUE(writer->may_write());
  EXPECT_EQ(writer->checks(2).result(), v1::PermissionCheck::RESULT_GRANTED);
  EXPECT_EQ(writer->checks(2).http_status(), 404);
  // The probe changed nothing.
  EXPECT_EQ(lever().RequisitionCount(), 12u);
}

TEST_F(WriteBackTest, DraftsShowAsAMismatchOfTheStatus) {
  FakeLeverOptions options;
  options.drafts = true;
  Start(options);
  absl::StatusOr<v1::ApplyRequisitionChangesResponse> applied = Apply(
      {Row("LMI-NEW-905", {{"name", "Sonar Intern"}, {"status", "open"}})});
  ASSERT_TRUE(applied.ok()) << applied.status();
  const Outcome& result = applied->results(0);
  EXPECT_EQ(result.outcome(), Outcome::OUTCOME_CREATED);
  EXPECT_THAT(Changes(result.mismatches()),
              ElementsAre("status: open -> draft"));
}

TEST_F(WriteBackTest, ADuplicateCodeInOneRequestMakesBothRowsInvalid) {
  Start();
  absl::StatusOr<v1::PlanRequisitionChangesResponse> plan =
      Plan({Row("LMI-ENG-101", {{"headcount_total", "3"}}),
            Row("LMI-ENG-101", {{"headcount_total", "4"}})});
  ASSERT_TRUE(plan.ok()) << plan.status();
  for (const v1::RequisitionChange& change : plan->changes()) {
    EXPECT_EQ(change.action(), Action::ACTION_INVALID);
    EXPECT_EQ(change.reason(),
              "requisition_code \"LMI-ENG-101\" appears in more than one row "
              "(rows 1, 2)");
  }
}

TEST_F(WriteBackTest, MalformedRequestsNameTheField) {
  Start();
  v1::PlanRequisitionChangesRequest request;
  request.set_connection(kConnection);
  request.set_application("planning");
  absl::Status empty =
      environment_->client().PlanRequisitionChanges(request).status();
  EXPECT_EQ(empty.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(empty.message(), "rows must hold at least one row");
  *request.add_rows() = Row("X", {});
  request.set_application("");
  absl::Status no_application =
      environment_->client().PlanRequisitionChanges(request).status();
  EXPECT_EQ(no_application.message(), "application is required");
  request.set_application("planning");
  request.set_connection("acme");
  absl::Status bad_name =
      environment_->client().PlanRequisitionChanges(request).status();
  EXPECT_EQ(bad_name.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_name.message(), HasSubstr("connection \"acme\""));
}

}  // namespace
}  // namespace leverconnect::testing

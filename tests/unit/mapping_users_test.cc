// The user columns: names and e-mails of the creator, owner and hiring
// manager, looked up in a user directory.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/lever/user_directory.h"
#include "lib/mapping/requisition_schema.h"
#include "lib/mapping/row_mapper.h"
#include "rapidjson/document.h"

namespace leverconnect::mapping {
namespace {

using ::leverconnect::v1::Row;
using ::leverconnect::v1::Value;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const std::vector<std::string> kUserColumns = {
    "creator_name", "creator_email",       "owner_name",
    "owner_email",  "hiring_manager_name", "hiring_manager_email"};

lever::UserDirectory Directory() {
  return {{"u-ada", {"Ada Lovelace", "ada@example.com"}},
          {"u-grace", {"Grace Hopper", "grace.hopper@example.com"}},
          {"u-nameless", {std::nullopt, "nobody@example.com"}}};
}

rapidjson::Document Parse(const char* json) {
  rapidjson::Document document;
  document.Parse(json);
  EXPECT_FALSE(document.HasParseError()) << json;
  return document;
}

// The cells of `row` as text, "<null>" for a null cell.
std::vector<std::string> Texts(const Row& row) {
  std::vector<std::string> texts;
  for (const Value& cell : row.cells()) {
    texts.push_back(
        cell.kind_case() == Value::kNullValue ? "<null>" : cell.string_value());
  }
  return texts;
}

TEST(UserColumnsTest, IdsFoundInTheDirectoryGiveNamesAndEmails) {
  const lever::UserDirectory users = Directory();
  auto mapper =
      RowMapper::Create(BuildRequisitionSchema({}), kUserColumns, &users);
  ASSERT_TRUE(mapper.ok()) << mapper.status();
  EXPECT_TRUE(mapper->reads_users());

  Row row;
  mapper->Map(Parse(R"({"id": "r1", "creator": "u-ada", "owner": "u-grace",
                        "hiringManager": "u-ada"})"),
              &row);
  EXPECT_EQ(Texts(row), (std::vector<std::string>{
                            "Ada Lovelace", "ada@example.com", "Grace Hopper",
                            "grace.hopper@example.com", "Ada Lovelace",
                            "ada@example.com"}));
  EXPECT_THAT(row.warnings(), IsEmpty());
}

TEST(UserColumnsTest, MissesAreNullWithoutWarnings) {
  const lever::UserDirectory users = Directory();
  auto mapper =
      RowMapper::Create(BuildRequisitionSchema({}), kUserColumns, &users);
  ASSERT_TRUE(mapper.ok()) << mapper.status();

  Row row;
  // An unknown id, a user without a name, a null and an absent member.
  mapper->Map(Parse(R"({"id": "r1", "creator": "u-gone",
                        "owner": "u-nameless", "hiringManager": null})"),
              &row);
  EXPECT_EQ(Texts(row), (std::vector<std::string>{"<null>", "<null>", "<null>",
                                                  "nobody@example.com",
                                                  "<null>", "<null>"}));
  EXPECT_THAT(row.warnings(), IsEmpty());
  mapper->Map(Parse(R"({"id": "r2"})"), &row);
  EXPECT_EQ(Texts(row), std::vector<std::string>(6, "<null>"));
  EXPECT_THAT(row.warnings(), IsEmpty());
}

TEST(UserColumnsTest, AnIdThatIsNotAStringWarnsOnlyInItsOwnColumn) {
  const lever::UserDirectory users = Directory();
  auto mapper = RowMapper::Create(BuildRequisitionSchema({}),
                                  {"creator", "creator_name"}, &users);
  ASSERT_TRUE(mapper.ok()) << mapper.status();

  Row row;
  mapper->Map(Parse(R"({"id": "r1", "creator": 42})"), &row);
  EXPECT_EQ(row.cells(0).string_value(), "42");
  EXPECT_EQ(row.cells(1).kind_case(), Value::kNullValue);
  ASSERT_EQ(row.warnings_size(), 1);
  EXPECT_THAT(row.warnings(0), HasSubstr("creator: expected text"));
}

TEST(UserColumnsTest, WithoutADirectoryTheCellsAreNull) {
  auto mapper = RowMapper::Create(BuildRequisitionSchema({}), kUserColumns);
  ASSERT_TRUE(mapper.ok()) << mapper.status();
  EXPECT_TRUE(mapper->reads_users());

  Row row;
  mapper->Map(Parse(R"({"id": "r1", "creator": "u-ada"})"), &row);
  EXPECT_EQ(Texts(row), std::vector<std::string>(6, "<null>"));
  EXPECT_THAT(row.warnings(), IsEmpty());
}

TEST(UserColumnsTest, ARowReusedAfterAHitHoldsNoStaleName) {
  const lever::UserDirectory users = Directory();
  auto mapper =
      RowMapper::Create(BuildRequisitionSchema({}), {"creator_name"}, &users);
  ASSERT_TRUE(mapper.ok()) << mapper.status();

  Row row;
  mapper->Map(Parse(R"({"creator": "u-grace"})"), &row);
  EXPECT_EQ(Texts(row), std::vector<std::string>{"Grace Hopper"});
  mapper->Map(Parse(R"({"creator": "u-ada"})"), &row);
  EXPECT_EQ(Texts(row), std::vector<std::string>{"Ada Lovelace"});
  mapper->Map(Parse(R"({"creator": "u-gone"})"), &row);
  EXPECT_EQ(Texts(row), std::vector<std::string>{"<null>"});
}

TEST(UserColumnsTest, TheDirectoryMayBeFilledAfterCreate) {
  lever::UserDirectory users;
  auto mapper =
      RowMapper::Create(BuildRequisitionSchema({}), {"owner_email"}, &users);
  ASSERT_TRUE(mapper.ok()) << mapper.status();
  users = Directory();

  Row row;
  mapper->Map(Parse(R"({"owner": "u-grace"})"), &row);
  EXPECT_EQ(Texts(row), std::vector<std::string>{"grace.hopper@example.com"});
}

TEST(UserColumnsTest, OnlySelectedUserColumnsReadUsers) {
  const v1::RequisitionSchema schema = BuildRequisitionSchema({});
  auto all = RowMapper::Create(schema, {});
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_TRUE(all->reads_users());
  auto ids_only = RowMapper::Create(schema, {"id", "creator", "owner"});
  ASSERT_TRUE(ids_only.ok()) << ids_only.status();
  EXPECT_FALSE(ids_only->reads_users());
  auto one = RowMapper::Create(schema, {"id", "hiring_manager_email"});
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_TRUE(one->reads_users());
}

TEST(UserColumnsTest, AnUnknownUserMemberOrAListIsRejected) {
  v1::RequisitionSchema schema;
  v1::Column* column = schema.add_columns();
  column->set_name("creator_phone");
  column->set_type(v1::COLUMN_TYPE_STRING);
  column->set_source(v1::COLUMN_SOURCE_STANDARD);
  column->set_lever_path("creator -> users.phone");
  auto phone = RowMapper::Create(schema, {});
  EXPECT_EQ(phone.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(phone.status().message(), HasSubstr("'phone'"));

  column->set_lever_path("creator -> users.name");
  column->set_list(true);
  auto list = RowMapper::Create(schema, {});
  EXPECT_EQ(list.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(list.status().message(), HasSubstr("must be a string"));
}

}  // namespace
}  // namespace leverconnect::mapping

#include "tests/fakes/fake_lever.h"

#include <httplib.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "tests/fakes/page_token.h"

namespace leverconnect::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::SizeIs;

constexpr char kKey[] = "all-permissions-key";
constexpr char kFieldsOnlyKey[] = "fields-only-key";
constexpr char kNoPermissionKey[] = "no-permission-key";

const std::string kRecordedDir = LEVERCONNECT_RECORDED_DIR;
const std::string kTestDataDir = LEVERCONNECT_TEST_DATA_DIR;

// One answer of the fake, with its body parsed when it is JSON.
struct Answer {
  int status = 0;
  std::string content_type;
  std::string body;
  rapidjson::Document json;
};

// One requisition of a listing, re-serialized so that member order counts
// when two are compared.
struct Item {
  std::string id;
  std::int64_t created_at = 0;
  std::string json;
};

std::string Serialize(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

std::string PercentDecode(const std::string& text) {
  std::string decoded;
  for (std::size_t index = 0; index < text.size(); ++index) {
    if (text[index] == '%' && index + 2 < text.size()) {
      decoded += static_cast<char>(
          std::stoi(text.substr(index + 1, 2), nullptr, /*base=*/16));
      index += 2;
    } else {
      decoded += text[index];
    }
  }
  return decoded;
}

FakeLeverOptions OptionsWithKeys() {
  FakeLeverOptions options;
  options.api_keys[kKey] = {"requisitions:read", "requisition_fields:read",
                            "users:read"};
  options.api_keys[kFieldsOnlyKey] = {"requisition_fields:read"};
  options.api_keys[kNoPermissionKey] = {};
  return options;
}

FakeLeverOptions GeneratedOptions(int count, std::uint64_t seed = 1) {
  FakeLeverOptions options = OptionsWithKeys();
  options.generate = count;
  options.seed = seed;
  return options;
}

FakeLeverOptions FileOptions(const std::string& requisitions,
                             const std::string& fields) {
  FakeLeverOptions options = OptionsWithKeys();
  options.requisitions_file = requisitions;
  options.requisition_fields_file = fields;
  return options;
}

std::unique_ptr<FakeLever> StartLever(const FakeLeverOptions& options) {
  absl::StatusOr<std::unique_ptr<FakeLever>> lever = FakeLever::Start(options);
  EXPECT_TRUE(lever.ok()) << lever.status();
  return lever.ok() ? *std::move(lever) : nullptr;
}

// GET <base>/v1<path_and_query>, with `key` as the Basic user unless empty.
Answer Get(const FakeLever& lever, const std::string& path_and_query,
           const std::string& key = kKey) {
  httplib::Client client("127.0.0.1", lever.port());
  if (!key.empty()) client.set_basic_auth(key, "");
  const httplib::Result result = client.Get("/v1" + path_and_query);
  Answer answer;
  if (!result) {
    ADD_FAILURE() << "no answer for " << path_and_query;
    return answer;
  }
  answer.status = result->status;
  answer.content_type = result->get_header_value("Content-Type");
  answer.body = result->body;
  answer.json.Parse(answer.body.c_str());
  return answer;
}

void ExpectLeverError(const Answer& answer, int status, const std::string& code,
                      const std::string& message) {
  EXPECT_EQ(answer.status, status) << answer.body;
  ASSERT_TRUE(answer.json.IsObject()) << answer.body;
  ASSERT_TRUE(answer.json.HasMember("code") && answer.json["code"].IsString());
  ASSERT_TRUE(answer.json.HasMember("message") &&
              answer.json["message"].IsString());
  EXPECT_EQ(answer.json["code"].GetString(), code);
  EXPECT_EQ(answer.json["message"].GetString(), message);
  EXPECT_EQ(answer.content_type, "application/json; charset=utf-8");
}

std::vector<Item> ItemsOf(const Answer& answer) {
  std::vector<Item> items;
  if (!answer.json.IsObject() || !answer.json.HasMember("data")) return items;
  for (const rapidjson::Value& value : answer.json["data"].GetArray()) {
    items.push_back({value["id"].GetString(), value["createdAt"].GetInt64(),
                     Serialize(value)});
  }
  return items;
}

// Every page of <list>?<query> (/requisitions unless said), following the
// `next` tokens.
std::vector<Answer> ListPages(const FakeLever& lever, const std::string& query,
                              const std::string& key = kKey,
                              const std::string& list = "/requisitions") {
  std::vector<Answer> pages;
  std::string offset;
  for (int guard = 0; guard < 10000; ++guard) {
    pages.push_back(Get(lever, list + "?" + query + offset, key));
    const Answer& page = pages.back();
    if (page.status != 200 || !page.json["hasNext"].GetBool()) break;
    offset = std::string("&offset=") + page.json["next"].GetString();
  }
  return pages;
}

std::vector<Item> ListAll(const FakeLever& lever, const std::string& query) {
  std::vector<Item> items;
  for (const Answer& page : ListPages(lever, query)) {
    EXPECT_EQ(page.status, 200) << page.body;
    for (Item& item : ItemsOf(page)) items.push_back(std::move(item));
  }
  return items;
}

std::vector<std::string> IdsOf(const std::vector<Item>& items) {
  std::vector<std::string> ids;
  for (const Item& item : items) ids.push_back(item.id);
  return ids;
}

// The ids of `items` whose parsed object satisfies `keep`.
template <typename Predicate>
std::vector<std::string> IdsWhere(const std::vector<Item>& items,
                                  Predicate keep) {
  std::vector<std::string> ids;
  for (const Item& item : items) {
    rapidjson::Document object;
    object.Parse(item.json.c_str());
    if (keep(object)) ids.push_back(item.id);
  }
  return ids;
}

std::string StringMember(const rapidjson::Value& object, const char* name) {
  return object[name].IsString() ? object[name].GetString() : "";
}

TEST(FakeLeverAuthTest, MissingKeyGets401) {
  auto lever = StartLever(GeneratedOptions(3));
  ASSERT_NE(lever, nullptr);
  ExpectLeverError(Get(*lever, "/requisitions", ""), 401, "UnauthorizedError",
                   "Invalid API key");
}

TEST(FakeLeverAuthTest, UnknownKeyGets401WithoutEchoingIt) {
  auto lever = StartLever(GeneratedOptions(3));
  ASSERT_NE(lever, nullptr);
  const Answer answer = Get(*lever, "/requisitions", "secret-unknown-key");
  ExpectLeverError(answer, 401, "UnauthorizedError", "Invalid API key");
  EXPECT_THAT(answer.body, ::testing::Not(HasSubstr("secret-unknown-key")));
}

TEST(FakeLeverAuthTest, KeyWithoutPermissionGets403PerEndpoint) {
  auto lever = StartLever(GeneratedOptions(3));
  ASSERT_NE(lever, nullptr);
  const std::string prefix = "This API key does not have the permission to ";
  ExpectLeverError(Get(*lever, "/requisitions", kNoPermissionKey), 403,
                   "ForbiddenError", prefix + "list requisitions");
  ExpectLeverError(Get(*lever, "/requisition_fields", kNoPermissionKey), 403,
                   "ForbiddenError", prefix + "list requisition fields");
  ExpectLeverError(Get(*lever, "/requisitions/some-id", kFieldsOnlyKey), 403,
                   "ForbiddenError", prefix + "get requisitions");
  ExpectLeverError(Get(*lever, "/users", kFieldsOnlyKey), 403, "ForbiddenError",
                   prefix + "list users");
  EXPECT_EQ(Get(*lever, "/requisition_fields", kFieldsOnlyKey).status, 200);
}

TEST(FakeLeverAuthTest, KeyIsTheUserNameWithAnyPassword) {
  auto lever = StartLever(GeneratedOptions(3));
  ASSERT_NE(lever, nullptr);
  httplib::Client client("127.0.0.1", lever->port());
  client.set_basic_auth("", kKey);  // the key as password is not accepted
  EXPECT_EQ(client.Get("/v1/requisitions")->status, 401);
}

TEST(FakeLeverRoutesTest, UnknownRouteGets404InLeverShape) {
  auto lever = StartLever(GeneratedOptions(3));
  ASSERT_NE(lever, nullptr);
  ExpectLeverError(Get(*lever, "/postings"), 404, "NotFoundError",
                   "No such endpoint");
  httplib::Client client("127.0.0.1", lever->port());
  client.set_basic_auth(kKey, "");
  const httplib::Result posted =
      client.Post("/v1/users", "{}", "application/json");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->status, 404);
  EXPECT_THAT(posted->body, HasSubstr("\"NotFoundError\""));
}

TEST(FakeLeverRoutesTest, GetsOneRequisitionOr404) {
  auto lever = StartLever(GeneratedOptions(20));
  ASSERT_NE(lever, nullptr);
  const std::vector<Item> items = ListAll(*lever, "");
  ASSERT_THAT(items, SizeIs(20));

  const Answer found = Get(*lever, "/requisitions/" + items[7].id);
  EXPECT_EQ(found.status, 200);
  ASSERT_TRUE(found.json.IsObject() && found.json.HasMember("data"));
  EXPECT_EQ(Serialize(found.json["data"]), items[7].json);
  ExpectLeverError(Get(*lever, "/requisitions/no-such-id"), 404,
                   "NotFoundError",
                   "That requisition doesn't exist on your account");
}

TEST(FakeLeverPagingTest, PagesGeneratedRequisitionsInOrder) {
  auto lever = StartLever(GeneratedOptions(250));
  ASSERT_NE(lever, nullptr);
  const std::vector<Answer> pages = ListPages(*lever, "limit=100");
  ASSERT_THAT(pages, SizeIs(3));

  const std::regex token_shape(R"(%5B\d+%2C%22[0-9a-f-]{36}%22%5D)");
  std::vector<Item> items;
  for (std::size_t index = 0; index < pages.size(); ++index) {
    const Answer& page = pages[index];
    const bool last = index + 1 == pages.size();
    EXPECT_EQ(page.json["hasNext"].GetBool(), !last);
    EXPECT_EQ(page.json.HasMember("next"), !last);
    if (!last) {
      EXPECT_TRUE(std::regex_match(page.json["next"].GetString(), token_shape))
          << page.json["next"].GetString();
    }
    for (Item& item : ItemsOf(page)) items.push_back(std::move(item));
  }
  EXPECT_THAT(ItemsOf(pages[2]), SizeIs(50));
  ASSERT_THAT(items, SizeIs(250));
  const std::vector<std::string> ids = IdsOf(items);
  EXPECT_THAT(std::set<std::string>(ids.begin(), ids.end()), SizeIs(250));
  // Lever's order: the highest id first, whatever the creation times.
  bool creation_order = true;
  for (std::size_t index = 1; index < items.size(); ++index) {
    EXPECT_GT(items[index - 1].id, items[index].id);
    creation_order = creation_order &&
                     items[index - 1].created_at <= items[index].created_at;
  }
  EXPECT_FALSE(creation_order);
}

TEST(FakeLeverPagingTest, TokenIsPercentEncodedJsonOfTheLastItem) {
  auto lever = StartLever(GeneratedOptions(30));
  ASSERT_NE(lever, nullptr);
  const Answer page = Get(*lever, "/requisitions?limit=10");
  const std::vector<Item> items = ItemsOf(page);
  ASSERT_THAT(items, SizeIs(10));
  const std::string token = page.json["next"].GetString();
  EXPECT_EQ(PercentDecode(token), "[" + std::to_string(items[9].created_at) +
                                      ",\"" + items[9].id + "\"]");
}

TEST(FakeLeverPagingTest, DefaultLimitIs100AndBadLimitsAre400) {
  auto lever = StartLever(GeneratedOptions(150));
  ASSERT_NE(lever, nullptr);
  EXPECT_THAT(ItemsOf(Get(*lever, "/requisitions")), SizeIs(100));
  EXPECT_THAT(ItemsOf(Get(*lever, "/requisitions?limit=1")), SizeIs(1));
  for (const char* limit : {"0", "101", "-5", "ten", ""}) {
    const Answer answer =
        Get(*lever, std::string("/requisitions?limit=") + limit);
    EXPECT_EQ(answer.status, 400) << limit;
    EXPECT_STREQ(answer.json["code"].GetString(), "BadRequestError");
  }
}

TEST(FakeLeverPagingTest, InvalidOffsetTokenIs400) {
  auto lever = StartLever(GeneratedOptions(10));
  ASSERT_NE(lever, nullptr);
  for (const std::string& token :
       {std::string("garbage"), std::string(""), PercentEncode("[1]"),
        PercentEncode("[\"a\",\"b\"]"), PercentEncode("{\"a\":1}"),
        PercentEncode(PercentEncode("[1,\"b\"]"))}) {
    ExpectLeverError(Get(*lever, "/requisitions?offset=" + token), 400,
                     "BadRequestError", "Invalid offset token");
  }
}

TEST(FakeLeverFilesTest, ServesRecordedFileUnchanged) {
  auto lever =
      StartLever(FileOptions(kRecordedDir + "/list_requisitions.json",
                             kRecordedDir + "/list_requisition_fields.json"));
  ASSERT_NE(lever, nullptr);
  rapidjson::Document recorded;
  recorded.Parse(ReadFile(kRecordedDir + "/list_requisitions.json").c_str());
  ASSERT_TRUE(recorded.IsObject());

  const std::vector<Answer> pages = ListPages(*lever, "");
  ASSERT_THAT(pages, SizeIs(1));
  const std::vector<Item> items = ItemsOf(pages[0]);
  ASSERT_THAT(items, SizeIs(27));
  ASSERT_EQ(recorded["data"].Size(), 27u);
  for (const rapidjson::Value& expected : recorded["data"].GetArray()) {
    const Answer answer =
        Get(*lever, std::string("/requisitions/") + expected["id"].GetString());
    ASSERT_EQ(answer.status, 200);
    EXPECT_TRUE(answer.json["data"] == expected) << expected["id"].GetString();
    EXPECT_EQ(Serialize(answer.json["data"]), Serialize(expected));
  }
}

TEST(FakeLeverFilesTest, ServesRecordedFieldsUnchanged) {
  auto lever =
      StartLever(FileOptions(kRecordedDir + "/list_requisitions.json",
                             kRecordedDir + "/list_requisition_fields.json"));
  ASSERT_NE(lever, nullptr);
  rapidjson::Document recorded;
  recorded.Parse(
      ReadFile(kRecordedDir + "/list_requisition_fields.json").c_str());
  const Answer answer = Get(*lever, "/requisition_fields");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(Serialize(answer.json), Serialize(recorded));
}

TEST(FakeLeverFilesTest, ServesDemoData) {
  auto lever =
      StartLever(FileOptions(kTestDataDir + "/demo_requisitions.json",
                             kTestDataDir + "/demo_requisition_fields.json"));
  ASSERT_NE(lever, nullptr);
  EXPECT_THAT(ListAll(*lever, ""), SizeIs(12));
  const Answer fields = Get(*lever, "/requisition_fields");
  ASSERT_EQ(fields.status, 200);
  std::set<std::string> types;
  for (const rapidjson::Value& field : fields.json["data"].GetArray()) {
    types.insert(field["type"].GetString());
  }
  EXPECT_THAT(types,
              ::testing::IsSupersetOf({"text", "number", "date", "object"}));
}

TEST(FakeLeverFilesTest, MissingOrMalformedFileFailsToStart) {
  FakeLeverOptions options = OptionsWithKeys();
  options.requisitions_file = kTestDataDir + "/no_such_file.json";
  EXPECT_EQ(FakeLever::Start(options).status().code(),
            absl::StatusCode::kNotFound);

  const std::string malformed = ::testing::TempDir() + "fake_lever_bad.json";
  std::ofstream(malformed) << "{\"data\": {}}";
  options.requisitions_file = malformed;
  EXPECT_EQ(FakeLever::Start(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FakeLeverFilesTest, EmptyListWithoutData) {
  auto lever = StartLever(OptionsWithKeys());
  ASSERT_NE(lever, nullptr);
  const Answer answer = Get(*lever, "/requisitions");
  EXPECT_EQ(answer.body, "{\"data\":[],\"hasNext\":false}");
  EXPECT_EQ(Get(*lever, "/requisition_fields").body, "{\"data\":[]}");
}

TEST(FakeLeverFilesTest, GenerateWinsOverFile) {
  FakeLeverOptions options =
      FileOptions(kRecordedDir + "/list_requisitions.json", "");
  options.generate = 5;
  auto lever = StartLever(options);
  ASSERT_NE(lever, nullptr);
  EXPECT_THAT(ListAll(*lever, ""), SizeIs(5));
}

class FakeLeverFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lever_ = StartLever(GeneratedOptions(300, 42));
    ASSERT_NE(lever_, nullptr);
    all_ = ListAll(*lever_, "");
    ASSERT_THAT(all_, SizeIs(300));
  }

  std::unique_ptr<FakeLever> lever_;
  std::vector<Item> all_;
};

TEST_F(FakeLeverFilterTest, StatusMayRepeat) {
  const auto is = [](const char* status) {
    return [status](const rapidjson::Value& object) {
      return StringMember(object, "status") == status;
    };
  };
  const std::vector<std::string> open = IdsWhere(all_, is("open"));
  EXPECT_FALSE(open.empty());
  EXPECT_EQ(IdsOf(ListAll(*lever_, "status=open&limit=7")), open);

  const std::vector<std::string> open_or_on_hold =
      IdsWhere(all_, [](const rapidjson::Value& object) {
        const std::string status = StringMember(object, "status");
        return status == "open" || status == "onHold";
      });
  EXPECT_GT(open_or_on_hold.size(), open.size());
  EXPECT_EQ(IdsOf(ListAll(*lever_, "status=open&status=onHold&limit=50")),
            open_or_on_hold);
  EXPECT_THAT(ListAll(*lever_, "status=unheardOf"), SizeIs(0));
}

TEST_F(FakeLeverFilterTest, RequisitionCodeMayRepeat) {
  EXPECT_THAT(IdsOf(ListAll(*lever_,
                            "requisition_code=REQ-000017&requisition_code="
                            "REQ-000250&requisition_code=REQ-999999")),
              SizeIs(2));
  const std::vector<Item> one = ListAll(*lever_, "requisition_code=REQ-000017");
  ASSERT_THAT(one, SizeIs(1));
  EXPECT_THAT(one[0].json, HasSubstr("\"requisitionCode\":\"REQ-000017\""));
}

TEST_F(FakeLeverFilterTest, CreatedRangeIsInclusive) {
  std::vector<Item> by_creation = all_;
  std::sort(by_creation.begin(), by_creation.end(),
            [](const Item& left, const Item& right) {
              return left.created_at < right.created_at;
            });
  const std::int64_t start = by_creation[10].created_at;
  const std::int64_t end = by_creation[20].created_at;
  const std::vector<Item> window = ListAll(
      *lever_, "created_at_start=" + std::to_string(start) +
                   "&created_at_end=" + std::to_string(end) + "&limit=4");
  ASSERT_THAT(window, SizeIs(11));
  std::vector<std::string> expected;
  for (int index = 10; index <= 20; ++index) {
    expected.push_back(by_creation[index].id);
  }
  std::vector<std::string> ids = IdsOf(window);
  std::sort(ids.begin(), ids.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(ids, expected);
  EXPECT_THAT(
      ListAll(*lever_, "created_at_start=" + std::to_string(start + 1) +
                           "&created_at_end=" + std::to_string(end - 1)),
      SizeIs(9));
  EXPECT_EQ(Get(*lever_, "/requisitions?created_at_end=yesterday").status, 400);
}

TEST_F(FakeLeverFilterTest, Confidentiality) {
  const auto has = [](const char* confidentiality) {
    return [confidentiality](const rapidjson::Value& object) {
      return StringMember(object, "confidentiality") == confidentiality;
    };
  };
  const std::vector<std::string> confidential =
      IdsWhere(all_, has("confidential"));
  const std::vector<std::string> public_ones =
      IdsWhere(all_, has("non-confidential"));
  EXPECT_FALSE(confidential.empty());
  EXPECT_FALSE(public_ones.empty());
  EXPECT_EQ(IdsOf(ListAll(*lever_, "confidentiality=confidential")),
            confidential);
  EXPECT_EQ(IdsOf(ListAll(*lever_, "confidentiality=non-confidential")),
            public_ones);
  EXPECT_EQ(IdsOf(ListAll(*lever_, "confidentiality=all")), IdsOf(all_));
  EXPECT_EQ(Get(*lever_, "/requisitions?confidentiality=secret").status, 400);
}

TEST(FakeLeverGeneratorTest, SameSeedSameDataOtherSeedOtherData) {
  auto first = StartLever(GeneratedOptions(120, 9));
  auto second = StartLever(GeneratedOptions(120, 9));
  auto other = StartLever(GeneratedOptions(120, 10));
  ASSERT_TRUE(first && second && other);
  std::vector<std::string> first_pages;
  for (const Answer& page : ListPages(*first, "limit=50")) {
    first_pages.push_back(page.body);
  }
  std::vector<std::string> second_pages;
  for (const Answer& page : ListPages(*second, "limit=50")) {
    second_pages.push_back(page.body);
  }
  EXPECT_THAT(first_pages, SizeIs(3));
  EXPECT_EQ(first_pages, second_pages);
  EXPECT_NE(IdsOf(ListAll(*first, "")), IdsOf(ListAll(*other, "")));
}

std::vector<std::string> MemberNames(const rapidjson::Value& object) {
  std::vector<std::string> names;
  for (const auto& member : object.GetObject()) {
    names.push_back(member.name.GetString());
  }
  return names;
}

// What a generated data set contains, counted over all its requisitions.
struct Traits {
  std::set<std::string> statuses;
  std::set<std::string> confidentialities;
  std::set<std::string> codes;
  int unlimited = 0;
  int null_bands = 0;
  int dynamic_approvers = 0;
  int static_approvers = 0;
  int custom_values = 0;
  int wrong_types = 0;
  int absent_values = 0;
};

void CountApprovers(const rapidjson::Value& approval, Traits& traits) {
  for (const rapidjson::Value& step : approval["steps"].GetArray()) {
    for (const rapidjson::Value& approver : step["approvers"].GetArray()) {
      ++(approver["user"].IsString() ? traits.dynamic_approvers
                                     : traits.static_approvers);
    }
  }
}

void CountCustomValues(const rapidjson::Value& custom, Traits& traits) {
  const auto count = [&](const char* id, bool right_type) {
    if (!custom.HasMember(id)) {
      ++traits.absent_values;
      return;
    }
    ++traits.custom_values;
    if (!right_type) ++traits.wrong_types;
  };
  const auto is = [&](const char* id, auto check) {
    return custom.HasMember(id) && check(custom[id]);
  };
  count("cost_center", is("cost_center", [](auto& v) { return v.IsString(); }));
  count("level", is("level", [](auto& v) { return v.IsInt64(); }));
  count("target_hire_date",
        is("target_hire_date", [](auto& v) { return v.IsInt64(); }));
  count("budget", is("budget", [](auto& v) {
          return v.IsObject() && v["code"].IsString() && v["amount"].IsInt64();
        }));
  count("priority", is("priority", [](auto& v) { return v.IsString(); }));
}

TEST(FakeLeverGeneratorTest, HasTheRecordedShapeAndItsTraps) {
  rapidjson::Document recorded;
  recorded.Parse(ReadFile(kRecordedDir + "/list_requisitions.json").c_str());
  const std::vector<std::string> recorded_members =
      MemberNames(recorded["data"][0]);
  auto lever = StartLever(GeneratedOptions(1000, 3));
  ASSERT_NE(lever, nullptr);

  Traits traits;
  for (const Item& item : ListAll(*lever, "")) {
    rapidjson::Document object;
    object.Parse(item.json.c_str());
    ASSERT_EQ(MemberNames(object), recorded_members) << item.json;
    traits.statuses.insert(object["status"].GetString());
    traits.confidentialities.insert(object["confidentiality"].GetString());
    traits.codes.insert(object["requisitionCode"].GetString());
    if (object["headcountTotal"].IsString()) {
      EXPECT_STREQ(object["headcountTotal"].GetString(), "unlimited");
      EXPECT_TRUE(object["headcountInfinite"].GetBool());
      ++traits.unlimited;
    }
    if (object["compensationBand"].IsNull()) ++traits.null_bands;
    CountApprovers(object["approval"], traits);
    CountCustomValues(object["customFields"], traits);
  }
  EXPECT_EQ(traits.statuses,
            std::set<std::string>(
                {"open", "closed", "onHold", "pending", "draft", "rejected"}));
  EXPECT_THAT(traits.confidentialities, SizeIs(2));
  EXPECT_THAT(traits.codes, SizeIs(1000));
  EXPECT_TRUE(traits.codes.count("REQ-000123"));
  EXPECT_GT(traits.unlimited, 0);
  EXPECT_GT(traits.null_bands, 0);
  EXPECT_GT(traits.dynamic_approvers, 0);
  EXPECT_GT(traits.static_approvers, 0);
  EXPECT_GT(traits.absent_values, 0);
  const double wrong_share =
      static_cast<double>(traits.wrong_types) / traits.custom_values;
  EXPECT_GT(wrong_share, 0.02);
  EXPECT_LT(wrong_share, 0.09);
}

TEST(FakeLeverGeneratorTest, FieldsDescribeTheCustomValues) {
  auto lever = StartLever(GeneratedOptions(5));
  ASSERT_NE(lever, nullptr);
  const Answer answer = Get(*lever, "/requisition_fields");
  ASSERT_EQ(answer.status, 200);
  std::vector<std::pair<std::string, std::string>> fields;
  for (const rapidjson::Value& field : answer.json["data"].GetArray()) {
    fields.emplace_back(field["id"].GetString(), field["type"].GetString());
  }
  EXPECT_THAT(
      fields,
      ElementsAre(Pair("cost_center", "text"), Pair("level", "number"),
                  Pair("target_hire_date", "date"), Pair("budget", "object"),
                  Pair("priority", "dropdown")));
  EXPECT_EQ(Serialize(answer.json["data"][3]["subfields"]),
            R"([{"id":"code","text":"Budget code","type":"text"},)"
            R"({"id":"amount","text":"Amount","type":"number"}])");
  EXPECT_EQ(Serialize(answer.json["data"][4]["options"]),
            R"([{"text":"High"},{"text":"Low"}])");
}

TEST(FakeLeverObservationTest, HookSeesRequestNumbersAndPaths) {
  auto lever = StartLever(GeneratedOptions(5));
  ASSERT_NE(lever, nullptr);
  std::mutex mutex;
  std::vector<std::pair<int, std::string>> seen;
  lever->SetRequestHook([&](int number, const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex);
    seen.emplace_back(number, path);
  });
  Get(*lever, "/requisitions");
  Get(*lever, "/requisition_fields", "");
  Get(*lever, "/requisitions/abc");
  EXPECT_THAT(seen, ElementsAre(Pair(1, "/v1/requisitions"),
                                Pair(2, "/v1/requisition_fields"),
                                Pair(3, "/v1/requisitions/abc")));
}

TEST(FakeLeverObservationTest, HookHoldsARequestInFlight) {
  auto lever = StartLever(GeneratedOptions(5));
  ASSERT_NE(lever, nullptr);
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  lever->SetRequestHook([&](int number, const std::string&) {
    if (number != 2) return;
    entered.set_value();
    released.wait();
  });
  Get(*lever, "/requisitions");

  Answer held;
  std::thread client([&] { held = Get(*lever, "/requisitions?limit=2"); });
  entered.get_future().wait();
  EXPECT_EQ(lever->RequestCount("/v1/requisitions"), 2);
  EXPECT_THAT(lever->StatsJson(), HasSubstr("\"total\":1,"));
  release.set_value();
  client.join();
  EXPECT_EQ(held.status, 200);
  EXPECT_THAT(lever->StatsJson(), HasSubstr("\"total\":2,"));
}

TEST(FakeLeverObservationTest, CountsByPathPrefixAndReportsStats) {
  auto lever = StartLever(GeneratedOptions(5));
  ASSERT_NE(lever, nullptr);
  Get(*lever, "/requisitions");
  Get(*lever, "/requisitions");
  Get(*lever, "/requisitions/missing");
  Get(*lever, "/requisition_fields", "");
  EXPECT_EQ(lever->RequestCount("/v1/requisitions"), 3);
  EXPECT_EQ(lever->RequestCount("/v1/requisitions/"), 1);
  EXPECT_EQ(lever->RequestCount("/v1/requisition_fields"), 1);
  EXPECT_EQ(lever->RequestCount("/v1"), 4);
  rapidjson::Document stats;
  stats.Parse(lever->StatsJson().c_str());
  ASSERT_TRUE(stats.IsObject());
  EXPECT_EQ(Serialize(stats["requests"]),
            R"({"GET /v1/requisition_fields 401":1,)"
            R"("GET /v1/requisitions 200":2,)"
            R"("GET /v1/requisitions/{id} 404":1})");
  EXPECT_EQ(stats["total"].GetInt64(), 4);
}

TEST(FakeLeverObservationTest, ServesManyClientsAtOnce) {
  auto lever = StartLever(GeneratedOptions(250));
  ASSERT_NE(lever, nullptr);
  constexpr int kClients = 32;
  std::vector<std::size_t> counts(kClients);
  std::vector<std::thread> clients;
  for (int index = 0; index < kClients; ++index) {
    clients.emplace_back(
        [&, index] { counts[index] = ListAll(*lever, "limit=100").size(); });
  }
  for (std::thread& client : clients) client.join();
  EXPECT_THAT(counts, ::testing::Each(250u));
  EXPECT_EQ(lever->RequestCount("/v1/requisitions"), 3 * kClients);
}

TEST(FakeLeverLifecycleTest, BaseUrlAndRepeatedStop) {
  auto lever = StartLever(GeneratedOptions(1));
  ASSERT_NE(lever, nullptr);
  EXPECT_GT(lever->port(), 0);
  EXPECT_EQ(lever->base_url(),
            "http://127.0.0.1:" + std::to_string(lever->port()) + "/v1");
  lever->Stop();
  lever->Stop();
}

// Every user of every page of /users?<query>, as id -> object text.
std::map<std::string, std::string> ListUsers(const FakeLever& lever,
                                             const std::string& query) {
  std::map<std::string, std::string> users;
  for (const Answer& page : ListPages(lever, query, kKey, "/users")) {
    EXPECT_EQ(page.status, 200) << page.body;
    for (const Item& item : ItemsOf(page)) users[item.id] = item.json;
  }
  return users;
}

// The user ids generated requisitions refer to: creator, owner, hiring
// manager, approval creator and approvers.
std::set<std::string> ReferencedUserIds(const std::vector<Item>& items) {
  std::set<std::string> ids;
  for (const Item& item : items) {
    rapidjson::Document object;
    object.Parse(item.json.c_str());
    for (const char* member : {"creator", "owner", "hiringManager"}) {
      if (object[member].IsString()) ids.insert(object[member].GetString());
    }
    const rapidjson::Value& approval = object["approval"];
    if (approval.HasMember("createdBy")) {
      ids.insert(approval["createdBy"].GetString());
    }
    for (const rapidjson::Value& step : approval["steps"].GetArray()) {
      for (const rapidjson::Value& approver : step["approvers"].GetArray()) {
        ids.insert(approver["id"].GetString());
      }
    }
  }
  return ids;
}

TEST(FakeLeverUsersTest, GeneratedUsersCoverEveryReferencedId) {
  auto lever = StartLever(GeneratedOptions(300, 5));
  ASSERT_NE(lever, nullptr);
  const std::set<std::string> referenced =
      ReferencedUserIds(ListAll(*lever, ""));
  const auto users = ListUsers(*lever, "limit=5&includeDeactivated=true");
  std::set<std::string> listed;
  int deactivated = 0;
  for (const auto& [id, json] : users) {
    listed.insert(id);
    rapidjson::Document user;
    user.Parse(json.c_str());
    EXPECT_TRUE(user["name"].IsString()) << json;
    EXPECT_THAT(user["email"].GetString(), HasSubstr("@example.com"));
    if (!user["deactivatedAt"].IsNull()) ++deactivated;
  }
  EXPECT_EQ(listed, referenced);
  EXPECT_EQ(deactivated, 1);
  // Lever lists active users only, unless asked.
  EXPECT_EQ(ListUsers(*lever, "limit=5").size(), users.size() - 1);
  EXPECT_EQ(ListUsers(*lever, "includeDeactivated=false").size(),
            users.size() - 1);
}

TEST(FakeLeverUsersTest, UsersPageLikeRequisitions) {
  auto lever = StartLever(GeneratedOptions(10));
  ASSERT_NE(lever, nullptr);
  const std::vector<Answer> pages =
      ListPages(*lever, "limit=5&includeDeactivated=true", kKey, "/users");
  ASSERT_THAT(pages, SizeIs(3));
  EXPECT_THAT(ItemsOf(pages[0]), SizeIs(5));
  EXPECT_THAT(ItemsOf(pages[2]), SizeIs(2));
  const std::vector<Item> first = ItemsOf(pages[0]);
  EXPECT_EQ(
      PercentDecode(pages[0].json["next"].GetString()),
      "[" + std::to_string(first[4].created_at) + ",\"" + first[4].id + "\"]");
  EXPECT_FALSE(pages[2].json.HasMember("next"));
  EXPECT_THAT(ItemsOf(Get(*lever, "/users?limit=1")), SizeIs(1));

  ExpectLeverError(Get(*lever, "/users?offset=garbage"), 400, "BadRequestError",
                   "Invalid offset token");
  ExpectLeverError(Get(*lever, "/users?limit=101"), 400, "BadRequestError",
                   "Invalid limit: must be an integer from 1 to 100");
  ExpectLeverError(Get(*lever, "/users?includeDeactivated=yes"), 400,
                   "BadRequestError",
                   "Invalid includeDeactivated: must be true or false");
  EXPECT_EQ(lever->RequestCount("/v1/users"), 7);
}

TEST(FakeLeverUsersTest, ServesTheUsersFileUnchanged) {
  FakeLeverOptions options =
      FileOptions(kTestDataDir + "/demo_requisitions.json",
                  kTestDataDir + "/demo_requisition_fields.json");
  options.users_file = kTestDataDir + "/demo_users.json";
  auto lever = StartLever(options);
  ASSERT_NE(lever, nullptr);
  rapidjson::Document file;
  file.Parse(ReadFile(options.users_file).c_str());
  ASSERT_TRUE(file.IsObject());
  std::map<std::string, std::string> expected;
  int deactivated = 0;
  for (const rapidjson::Value& user : file["data"].GetArray()) {
    expected[user["id"].GetString()] = Serialize(user);
    if (!user["deactivatedAt"].IsNull()) ++deactivated;
  }
  EXPECT_EQ(ListUsers(*lever, "includeDeactivated=true"), expected);
  EXPECT_EQ(deactivated, 1);
  EXPECT_EQ(ListUsers(*lever, "").size(), expected.size() - 1);

  // The demo data names one user the file lacks, to show empty cells.
  std::set<std::string> unknown;
  for (const std::string& id : ReferencedUserIds(ListAll(*lever, ""))) {
    if (expected.count(id) == 0) unknown.insert(id);
  }
  EXPECT_THAT(unknown, SizeIs(1));
}

TEST(FakeLeverUsersTest, NoUsersFileMeansNoUsersAndABadOneFailsToStart) {
  auto lever = StartLever(OptionsWithKeys());
  ASSERT_NE(lever, nullptr);
  EXPECT_EQ(Get(*lever, "/users").body, "{\"data\":[],\"hasNext\":false}");

  FakeLeverOptions options = OptionsWithKeys();
  options.users_file = kTestDataDir + "/no_such_users.json";
  EXPECT_EQ(FakeLever::Start(options).status().code(),
            absl::StatusCode::kNotFound);
  const std::string malformed = ::testing::TempDir() + "fake_lever_users.json";
  std::ofstream(malformed) << R"({"data": ["not a user"]})";
  options.users_file = malformed;
  EXPECT_EQ(FakeLever::Start(options).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(FakeLeverUsersTest, FaultsAndTheRateLimitReachUsersToo) {
  FakeLeverOptions options = GeneratedOptions(3);
  options.fault_script[1] = FaultKind::kServiceUnavailable;
  // Two tokens, and the next one in about a quarter of an hour.
  options.rate = 0.001;
  options.burst = 2;
  auto lever = StartLever(options);
  ASSERT_NE(lever, nullptr);
  EXPECT_EQ(Get(*lever, "/users").status, 503);
  EXPECT_EQ(Get(*lever, "/users").status, 200);
  EXPECT_EQ(Get(*lever, "/users").status, 429);
  EXPECT_EQ(lever->FaultCount(FaultKind::kServiceUnavailable), 1);
  EXPECT_EQ(lever->RateLimitedCount(), 1);
}

TEST(PageTokenTest, RoundTripsThroughPercentDecoding) {
  const std::string token = MakePageToken({1733206956064, "c21d911f-8292"});
  EXPECT_EQ(token, "%5B1733206956064%2C%22c21d911f-8292%22%5D");
  const absl::StatusOr<PagePosition> position =
      ParsePageToken(PercentDecode(token));
  ASSERT_TRUE(position.ok()) << position.status();
  EXPECT_EQ(position->created_at, 1733206956064);
  EXPECT_EQ(position->id, "c21d911f-8292");
}

}  // namespace
}  // namespace leverconnect::testing

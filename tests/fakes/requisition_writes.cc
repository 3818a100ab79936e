#include "tests/fakes/requisition_writes.h"

#include <utility>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace leverconnect::testing {
namespace {

using Allocator = rapidjson::Document::AllocatorType;

// The account every fake requisition belongs to.
constexpr char kAccountId[] = "5c0ffee0-0000-4000-8000-00000000acc7";

// The members PUT replaces, with the name a write uses and the name a read
// shows, and the value when the body leaves them out.
enum class Default { kNull, kEmptyObject, kEmptyList, kEmptyText, kFalse };
struct WritableMember {
  const char* write_name;
  const char* read_name;
  Default empty;
};
constexpr WritableMember kWritable[] = {
    {"requisitionCode", "requisitionCode", Default::kNull},
    {"name", "name", Default::kNull},
    {"status", "status", Default::kNull},
    {"headcountTotal", "headcountTotal", Default::kNull},
    {"backfill", "backfill", Default::kFalse},
    {"compensationBand", "compensationBand", Default::kNull},
    {"employmentStatus", "employmentStatus", Default::kNull},
    {"location", "location", Default::kNull},
    {"team", "team", Default::kNull},
    {"department", "department", Default::kNull},
    {"internalNotes", "internalNotes", Default::kEmptyText},
    {"owner", "owner", Default::kNull},
    {"hiringManager", "hiringManager", Default::kNull},
    {"customFields", "customFields", Default::kEmptyObject},
    {"postingIds", "postings", Default::kEmptyList},
    {"timeToFillStartAt", "timeToFillStartAt", Default::kNull},
    {"timeToFillEndAt", "timeToFillEndAt", Default::kNull},
};

constexpr const char* kTextMembers[] = {
    "requisitionCode", "status", "employmentStatus",
    "location",        "team",   "department",
    "internalNotes",   "owner",  "hiringManager"};

rapidjson::Value Empty(Default empty) {
  switch (empty) {
    case Default::kEmptyObject:
      return rapidjson::Value(rapidjson::kObjectType);
    case Default::kEmptyList:
      return rapidjson::Value(rapidjson::kArrayType);
    case Default::kEmptyText:
      return rapidjson::Value("");
    case Default::kFalse:
      return rapidjson::Value(false);
    case Default::kNull:
      break;
  }
  return rapidjson::Value(rapidjson::kNullType);
}

void Set(rapidjson::Value& object, const char* name, rapidjson::Value value,
         Allocator& allocator) {
  const auto member = object.FindMember(name);
  if (member != object.MemberEnd()) {
    member->value = std::move(value);
  } else {
    object.AddMember(rapidjson::StringRef(name), std::move(value), allocator);
  }
}

const rapidjson::Value* Member(const rapidjson::Value& object,
                               const char* name) {
  const auto member = object.FindMember(name);
  return member == object.MemberEnd() ? nullptr : &member->value;
}

// Sets every writable member from `body`, or its empty value.
void ApplyWritable(const rapidjson::Value& body, rapidjson::Value& record,
                   Allocator& allocator) {
  for (const WritableMember& writable : kWritable) {
    const rapidjson::Value* given = Member(body, writable.write_name);
    Set(record, writable.read_name,
        given != nullptr ? rapidjson::Value(*given, allocator)
                         : Empty(writable.empty),
        allocator);
  }
  const rapidjson::Value* headcount = Member(record, "headcountTotal");
  Set(record, "headcountInfinite",
      rapidjson::Value(headcount != nullptr && headcount->IsString()),
      allocator);
}

void SetTime(rapidjson::Value& record, const char* name, std::int64_t value,
             Allocator& allocator) {
  Set(record, name, rapidjson::Value(static_cast<int64_t>(value)), allocator);
}

std::string Text(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

// Copies `name` of `record` into `answer` as `as`; null when absent.
void Copy(const rapidjson::Value& record, const char* name, const char* as,
          rapidjson::Value& answer, Allocator& allocator) {
  const rapidjson::Value* value = Member(record, name);
  answer.AddMember(rapidjson::StringRef(as),
                   value != nullptr ? rapidjson::Value(*value, allocator)
                                    : rapidjson::Value(rapidjson::kNullType),
                   allocator);
}

}  // namespace

std::optional<std::string> RequisitionBodyProblem(
    const rapidjson::Value& body) {
  if (!body.IsObject()) return "The request body must be a JSON object";
  const rapidjson::Value* name = Member(body, "name");
  if (name == nullptr || !name->IsString() || name->GetStringLength() == 0) {
    return "name is required";
  }
  for (const char* text : kTextMembers) {
    const rapidjson::Value* value = Member(body, text);
    if (value != nullptr && !value->IsString() && !value->IsNull()) {
      return std::string(text) + " must be a string";
    }
  }
  const rapidjson::Value* headcount = Member(body, "headcountTotal");
  if (headcount != nullptr && !headcount->IsNull() &&
      !(headcount->IsInt64() && headcount->GetInt64() >= 0) &&
      !(headcount->IsString() &&
        std::string(headcount->GetString()) == "unlimited")) {
    return "headcountTotal must be a whole number or \"unlimited\"";
  }
  const rapidjson::Value* backfill = Member(body, "backfill");
  if (backfill != nullptr && !backfill->IsBool()) {
    return "backfill must be a boolean";
  }
  for (const char* object : {"customFields", "compensationBand"}) {
    const rapidjson::Value* value = Member(body, object);
    if (value != nullptr && !value->IsObject() &&
        !(value->IsNull() && std::string(object) == "compensationBand")) {
      return std::string(object) + " must be an object";
    }
  }
  for (const char* time : {"timeToFillStartAt", "timeToFillEndAt"}) {
    const rapidjson::Value* value = Member(body, time);
    if (value != nullptr && !value->IsNull() && !value->IsInt64()) {
      return std::string(time) + " must be a timestamp in milliseconds";
    }
  }
  const rapidjson::Value* postings = Member(body, "postingIds");
  if (postings != nullptr && !postings->IsArray()) {
    return "postingIds must be a list of posting ids";
  }
  return std::nullopt;
}

rapidjson::Document CreatedRecord(const rapidjson::Value& body,
                                  const std::string& id, std::int64_t now_ms,
                                  bool draft) {
  rapidjson::Document record(rapidjson::kObjectType);
  Allocator& allocator = record.GetAllocator();
  record.AddMember("id", rapidjson::Value(id.c_str(), allocator), allocator);
  SetTime(record, "createdAt", now_ms, allocator);
  record.AddMember("confidentiality", "non-confidential", allocator);
  ApplyWritable(body, record, allocator);
  const rapidjson::Value* status = Member(record, "status");
  if (draft) {
    Set(record, "status", rapidjson::Value("draft"), allocator);
  } else if (status == nullptr || status->IsNull()) {
    Set(record, "status", rapidjson::Value("open"), allocator);
  }
  record.AddMember("headcountHired", 0, allocator);
  record.AddMember("creator", rapidjson::Value(rapidjson::kNullType),
                   allocator);
  rapidjson::Value approval(rapidjson::kObjectType);
  approval.AddMember("steps", rapidjson::Value(rapidjson::kArrayType),
                     allocator);
  record.AddMember("approval", approval, allocator);
  record.AddMember("offerIds", rapidjson::Value(rapidjson::kArrayType),
                   allocator);
  record.AddMember("closedAt", rapidjson::Value(rapidjson::kNullType),
                   allocator);
  SetTime(record, "updatedAt", now_ms, allocator);
  return record;
}

rapidjson::Document ReplacedRecord(const rapidjson::Value& current,
                                   const rapidjson::Value& body,
                                   std::int64_t now_ms) {
  rapidjson::Document record;
  record.CopyFrom(current, record.GetAllocator());
  ApplyWritable(body, record, record.GetAllocator());
  SetTime(record, "updatedAt", now_ms, record.GetAllocator());
  return record;
}

rapidjson::Document EditedRecord(const rapidjson::Value& current,
                                 const rapidjson::Value& patch,
                                 std::int64_t now_ms) {
  rapidjson::Document record;
  record.CopyFrom(current, record.GetAllocator());
  Allocator& allocator = record.GetAllocator();
  if (patch.IsObject()) {
    for (const auto& member : patch.GetObject()) {
      const auto found = record.FindMember(member.name);
      if (found != record.MemberEnd()) {
        found->value.CopyFrom(member.value, allocator);
      } else {
        record.AddMember(rapidjson::Value(member.name, allocator),
                         rapidjson::Value(member.value, allocator), allocator);
      }
    }
  }
  SetTime(record, "updatedAt", now_ms, allocator);
  return record;
}

std::string WriteAnswer(const rapidjson::Value& record) {
  rapidjson::Document answer(rapidjson::kObjectType);
  Allocator& allocator = answer.GetAllocator();
  rapidjson::Value data(rapidjson::kObjectType);
  data.AddMember("accountId", kAccountId, allocator);
  Copy(record, "backfill", "backfill", data, allocator);
  Copy(record, "createdAt", "createdAt", data, allocator);
  Copy(record, "creator", "creatorUserId", data, allocator);
  data.AddMember("hasConfidentialPosting", false, allocator);
  Copy(record, "internalNotes", "internalNotes", data, allocator);
  Copy(record, "name", "name", data, allocator);
  Copy(record, "owner", "ownerUserId", data, allocator);
  Copy(record, "postings", "postingIds", data, allocator);
  Copy(record, "requisitionCode", "requisitionCode", data, allocator);
  data.AddMember("reservedOfferIds", rapidjson::Value(rapidjson::kArrayType),
                 allocator);
  Copy(record, "status", "status", data, allocator);
  rapidjson::Value state(rapidjson::kObjectType);
  Copy(record, "createdAt", "beginAt", state, allocator);
  Copy(record, "status", "status", state, allocator);
  rapidjson::Value attribution(rapidjson::kObjectType);
  Copy(record, "updatedAt", "timestamp", attribution, allocator);
  attribution.AddMember("service", "data-api", allocator);
  state.AddMember("attribution", attribution, allocator);
  rapidjson::Value history(rapidjson::kArrayType);
  history.PushBack(state, allocator);
  data.AddMember("stateHistory", history, allocator);
  for (const char* name :
       {"updatedAt", "headcountInfinite", "headcountTotal", "headcountHired",
        "employmentStatus", "location", "team", "customFields", "id"}) {
    Copy(record, name, name, data, allocator);
  }
  answer.AddMember("data", data, allocator);
  return Text(answer);
}

}  // namespace leverconnect::testing

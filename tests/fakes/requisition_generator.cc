#include "tests/fakes/requisition_generator.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <utility>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "absl/strings/str_format.h"
#include "tests/fakes/deterministic_random.h"
#include "tests/fakes/generated_custom_fields.h"

namespace leverconnect::testing {
namespace {

constexpr std::int64_t kDay = 24LL * 60 * 60 * 1000;
constexpr std::int64_t kFirstCreatedAt = 1609459200000;  // 2021-01-01 UTC
constexpr std::int64_t kCreationSpan = 3 * 365 * kDay;

struct Role {
  const char* title;
  const char* team;
  const char* department;
};

constexpr Role kRoles[] = {
    {"Backend Engineer", "Platform", "Engineering"},
    {"Frontend Engineer", "Web", "Engineering"},
    {"Site Reliability Engineer", "Infrastructure", "Engineering"},
    {"Data Analyst", "Insights", "Data"},
    {"Machine Learning Engineer", "Forecasting", "Data"},
    {"Product Designer", "Design Systems", "Product"},
    {"Product Manager", "Growth", "Product"},
    {"Account Executive", "Mid-Market", "Sales"},
    {"Sales Development Representative", "Outbound", "Sales"},
    {"Customer Success Manager", "Enterprise", "Customer Success"},
    {"Support Specialist", "Tier 1", "Customer Success"},
    {"Payroll Specialist", "Payroll", "Finance"},
    {"Financial Controller", "Accounting", "Finance"},
    {"Recruiter", "Talent Acquisition", "People"},
    {"Office Manager", "Workplace", "People"},
    {"Content Marketing Manager", "Brand", "Marketing"},
};
constexpr const char* kSeniorities[] = {"",        "",       "",     "Junior ",
                                        "Senior ", "Staff ", "Lead "};
constexpr const char* kStatuses[] = {"open",   "open",    "open",   "open",
                                     "closed", "closed",  "onHold", "pending",
                                     "draft",  "rejected"};
constexpr const char* kEmploymentStatuses[] = {
    "Full-Time", "Exempt Full-Time", "Non-Exempt Full Time",
    "Part-Time", "Contract",         "full-time",
    "Intern"};
constexpr const char* kLocations[] = {
    "Lisbon",    "Toronto, ON",  "Austin, TX", "Remote",       "Berlin",
    "Singapore", "New York, NY", "Manchester", "Remote - EMEA"};
constexpr const char* kNotes[] = {
    "Replaces a departure in the second quarter",
    "Budget confirmed by finance",
    "Two openings: one senior, one mid-level",
    "Hold until the reorganisation settles",
    "Prefer candidates within two hours of CET",
    "Contract may convert to permanent after six months"};
constexpr const char* kCurrencies[] = {"USD", "USD", "USD",
                                       "EUR", "GBP", "CAD"};

// The people of a generated account, one per user id.
struct Person {
  const char* name;
  const char* email;
  const char* access_role;
};
constexpr Person kPeople[] = {
    {"Ada Lovelace", "ada@example.com", "super admin"},
    {"Grace Hopper", "grace.hopper@example.com", "admin"},
    {"Alan Turing", "alan.turing@example.com", "team member"},
    {"Katherine Johnson", "katherine.johnson@example.com", "team member"},
    {"Edsger Dijkstra", "edsger@example.com", "limited team member"},
    {"Barbara Liskov", "barbara.liskov@example.com", "admin"},
    {"Donald Knuth", "don.knuth@example.com", "team member"},
    {"Margaret Hamilton", "margaret.hamilton@example.com", "team member"},
    {"Radia Perlman", "radia@example.com", "interviewer"},
    {"Frances Allen", "frances.allen@example.com", "team member"},
    {"John Backus", "john.backus@example.com", "limited team member"},
    {"Hedy Lamarr", "hedy.lamarr@example.com", "team member"},
};
constexpr int kUsersPerAccount = sizeof(kPeople) / sizeof(kPeople[0]);

// What every requisition of one generated account shares.
struct Account {
  std::string id;
  std::vector<std::string> users;
};

// The facts about one requisition that several members depend on.
struct Facts {
  std::string id;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::int64_t> closed_at;
  std::string status;
  std::string confidentiality;
  std::string requisition_code;
  std::string name;
  const Role* role = nullptr;
  std::string creator;
  std::optional<std::string> hiring_manager;
};

void WriteString(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void WriteOptionalString(JsonWriter& writer,
                         const std::optional<std::string>& text) {
  if (text.has_value()) {
    WriteString(writer, *text);
  } else {
    writer.Null();
  }
}

void WriteOptionalTime(JsonWriter& writer,
                       std::optional<std::int64_t> epoch_milliseconds) {
  if (epoch_milliseconds.has_value()) {
    writer.Int64(*epoch_milliseconds);
  } else {
    writer.Null();
  }
}

// A string member that is null `null_percent` of the time.
void WriteSometimesNull(JsonWriter& writer, DeterministicRandom& random,
                        int null_percent, std::string_view value) {
  if (random.Percent(null_percent)) {
    writer.Null();
  } else {
    WriteString(writer, value);
  }
}

Account MakeAccount(std::uint64_t seed) {
  DeterministicRandom random(seed ^ 0x5EED0ACC0117ULL);
  Account account;
  account.id = random.Uuid();
  for (int user = 0; user < kUsersPerAccount; ++user) {
    account.users.push_back(random.Uuid());
  }
  return account;
}

const std::string& PickUser(DeterministicRandom& random,
                            const Account& account) {
  return account.users[random.Below(account.users.size())];
}

Facts MakeFacts(int index, int count, const Account& account,
                DeterministicRandom& random) {
  Facts facts;
  facts.id = random.Uuid();
  const std::int64_t step = std::max<std::int64_t>(1, kCreationSpan / count);
  facts.created_at = kFirstCreatedAt + index * step + random.Below(step);
  facts.status = random.Pick(kStatuses);
  facts.confidentiality =
      random.Percent(20) ? "confidential" : "non-confidential";
  facts.requisition_code = absl::StrFormat("REQ-%06d", index + 1);
  facts.role = &random.Pick(kRoles);
  facts.name = std::string(random.Pick(kSeniorities)) + facts.role->title;
  if (random.Percent(5)) facts.name += ' ';  // real names carry these too
  facts.creator = PickUser(random, account);
  if (!random.Percent(15)) facts.hiring_manager = PickUser(random, account);
  facts.updated_at = facts.created_at + random.Below(90 * kDay);
  if (facts.status == "closed") {
    facts.closed_at = facts.created_at + random.Between(20, 200) * kDay;
    facts.updated_at = std::max(facts.updated_at, *facts.closed_at);
  }
  return facts;
}

void WriteHeadcount(JsonWriter& writer, DeterministicRandom& random) {
  const bool unlimited = random.Percent(8);
  const std::int64_t total = random.Between(1, 10);
  writer.Key("headcountTotal");
  if (unlimited) {
    writer.String("unlimited");
  } else {
    writer.Int64(total);
  }
  writer.Key("headcountHired");
  writer.Int64(random.Between(0, unlimited ? 4 : total));
  writer.Key("headcountInfinite");
  writer.Bool(unlimited);
}

void WriteCompensationBand(JsonWriter& writer, DeterministicRandom& random) {
  if (random.Percent(25)) {
    writer.Null();
    return;
  }
  const std::int64_t minimum = random.Between(8, 40) * 5000;
  writer.StartObject();
  writer.Key("min");
  writer.Int64(minimum);
  writer.Key("max");
  writer.Int64(minimum + random.Between(2, 16) * 5000);
  writer.Key("currency");
  writer.String(random.Pick(kCurrencies));
  writer.Key("interval");
  writer.String("per-year-salary");
  writer.EndObject();
}

// How far the approval chain of a requisition has gone.
enum class Approval { kNone, kNotStarted, kInProgress, kApproved, kDenied };

Approval ChooseApproval(const Facts& facts, DeterministicRandom& random) {
  if (facts.status == "rejected") return Approval::kDenied;
  if (facts.status == "pending") return Approval::kInProgress;
  if (random.Percent(45)) return Approval::kNone;
  if (facts.status == "draft") return Approval::kNotStarted;
  return Approval::kApproved;
}

const char* ApprovalStatus(Approval approval) {
  switch (approval) {
    case Approval::kInProgress:
      return "inprogress";
    case Approval::kApproved:
      return "approved";
    case Approval::kDenied:
      return "denied";
    default:
      return nullptr;
  }
}

// One approver: dynamic ("user" is a role name) or static ("user" is an
// object). Decided approvers carry "approved" and "approvedAt".
void WriteApprover(JsonWriter& writer, DeterministicRandom& random,
                   const Account& account, Approval approval,
                   std::int64_t decided_at) {
  const bool dynamic = random.Percent(60);
  const std::string& user = PickUser(random, account);
  writer.StartObject();
  writer.Key("id");
  WriteString(writer, user);
  writer.Key("user");
  if (dynamic) {
    writer.String("Requisition hiring manager");
  } else {
    writer.StartObject();
    writer.Key("userId");
    WriteString(writer, user);
    writer.Key("email");
    writer.String("<redacted>");
    writer.EndObject();
  }
  writer.Key("isDynamic");
  writer.Bool(dynamic);
  if (approval == Approval::kApproved || approval == Approval::kDenied) {
    writer.Key("approved");
    writer.Bool(approval == Approval::kApproved);
    writer.Key("approvedAt");
    writer.Int64(decided_at);
  }
  writer.Key("type");
  writer.String(dynamic ? "dynamic" : "static");
  writer.EndObject();
}

void WriteApprovalStep(JsonWriter& writer, DeterministicRandom& random,
                       const Account& account, Approval approval,
                       std::int64_t decided_at) {
  const char* status = ApprovalStatus(approval);
  writer.StartObject();
  writer.Key("completed");
  writer.Bool(approval == Approval::kApproved || approval == Approval::kDenied);
  writer.Key("status");
  status == nullptr ? writer.Null() : writer.String(status);
  writer.Key("outOfBandOnly");
  writer.Bool(false);
  writer.Key("approvalsRequired");
  writer.Int(1);
  writer.Key("approvers");
  writer.StartArray();
  WriteApprover(writer, random, account, approval, decided_at);
  writer.EndArray();
  if (approval != Approval::kNotStarted) {
    writer.Key("id");
    WriteString(writer, random.Uuid());
  }
  writer.EndObject();
}

void WriteApproval(JsonWriter& writer, DeterministicRandom& random,
                   const Account& account, const Facts& facts) {
  const Approval approval = ChooseApproval(facts, random);
  writer.StartObject();
  writer.Key("steps");
  writer.StartArray();
  if (approval == Approval::kNone) {
    writer.EndArray();
    writer.EndObject();
    return;
  }
  const std::int64_t started_at = facts.created_at + random.Between(1, 5000);
  const std::int64_t decided_at = started_at + random.Between(1, 3 * kDay);
  WriteApprovalStep(writer, random, account, approval, decided_at);
  writer.EndArray();

  const char* status = ApprovalStatus(approval);
  writer.Key("id");
  WriteString(writer, random.Uuid());
  writer.Key("status");
  status == nullptr ? writer.Null() : writer.String(status);
  if (approval != Approval::kNotStarted) {
    writer.Key("startedAt");
    writer.Int64(started_at);
  }
  writer.Key("approvedAt");
  WriteOptionalTime(writer, approval == Approval::kApproved
                                ? std::optional<std::int64_t>(decided_at + 6)
                                : std::nullopt);
  writer.Key("accountId");
  WriteString(writer, account.id);
  writer.Key("createdBy");
  WriteString(writer, facts.creator);
  writer.EndObject();
}

void WriteIds(JsonWriter& writer, DeterministicRandom& random, int count) {
  writer.StartArray();
  for (int index = 0; index < count; ++index) {
    WriteString(writer, random.Uuid());
  }
  writer.EndArray();
}

void WriteIdentity(JsonWriter& writer, const Facts& facts) {
  writer.Key("id");
  WriteString(writer, facts.id);
  writer.Key("createdAt");
  writer.Int64(facts.created_at);
  writer.Key("confidentiality");
  WriteString(writer, facts.confidentiality);
  writer.Key("status");
  WriteString(writer, facts.status);
  writer.Key("name");
  WriteString(writer, facts.name);
  writer.Key("requisitionCode");
  WriteString(writer, facts.requisition_code);
}

void WritePeople(JsonWriter& writer, DeterministicRandom& random,
                 const Account& account, const Facts& facts) {
  writer.Key("creator");
  WriteString(writer, facts.creator);
  writer.Key("owner");
  WriteString(writer,
              random.Percent(70) ? facts.creator : PickUser(random, account));
  writer.Key("hiringManager");
  WriteOptionalString(writer, facts.hiring_manager);
  writer.Key("internalNotes");
  const std::uint64_t roll = random.Below(100);
  writer.String(roll < 45 ? "" : roll < 50 ? " " : random.Pick(kNotes));
}

void WritePlacement(JsonWriter& writer, DeterministicRandom& random,
                    const Facts& facts) {
  writer.Key("employmentStatus");
  WriteSometimesNull(writer, random, 10, random.Pick(kEmploymentStatuses));
  writer.Key("location");
  WriteSometimesNull(writer, random, 12, random.Pick(kLocations));
  writer.Key("team");
  WriteSometimesNull(writer, random, 10, facts.role->team);
  writer.Key("department");
  WriteSometimesNull(writer, random, 8, facts.role->department);
}

void WritePostingsAndOffers(JsonWriter& writer, DeterministicRandom& random,
                            const Facts& facts) {
  const bool closed = facts.closed_at.has_value();
  writer.Key("postings");
  WriteIds(writer, random, static_cast<int>(random.Below(closed ? 2 : 4)));
  writer.Key("offerIds");
  WriteIds(writer, random,
           static_cast<int>(closed ? random.Between(1, 3) : random.Below(2)));
}

void WriteTimeToFill(JsonWriter& writer, DeterministicRandom& random,
                     const Facts& facts) {
  std::optional<std::int64_t> start;
  if (random.Percent(50)) start = facts.created_at + random.Below(7 * kDay);
  writer.Key("timeToFillStartAt");
  WriteOptionalTime(writer, start);
  writer.Key("timeToFillEndAt");
  WriteOptionalTime(writer, start.has_value() ? facts.closed_at : std::nullopt);
}

std::string WriteRequisition(DeterministicRandom& random,
                             const Account& account, const Facts& facts) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  WriteIdentity(writer, facts);
  WriteHeadcount(writer, random);
  writer.Key("backfill");
  writer.Bool(random.Percent(20));
  WritePeople(writer, random, account, facts);
  writer.Key("compensationBand");
  WriteCompensationBand(writer, random);
  writer.Key("approval");
  WriteApproval(writer, random, account, facts);
  WritePlacement(writer, random, facts);
  WritePostingsAndOffers(writer, random, facts);
  WriteTimeToFill(writer, random, facts);
  writer.Key("updatedAt");
  writer.Int64(facts.updated_at);
  writer.Key("customFields");
  WriteGeneratedCustomFields(facts.created_at, facts.requisition_code, random,
                             writer);
  writer.Key("closedAt");
  WriteOptionalTime(writer, facts.closed_at);
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

// One user of the account in Lever's shape; `deactivated_at` is null for
// an active user.
std::string WriteUser(const std::string& id, const Person& person,
                      std::int64_t created_at,
                      std::optional<std::int64_t> deactivated_at) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("id");
  WriteString(writer, id);
  writer.Key("name");
  writer.String(person.name);
  writer.Key("username");
  writer.String(person.email);
  writer.Key("email");
  writer.String(person.email);
  writer.Key("accessRole");
  writer.String(person.access_role);
  writer.Key("photo");
  writer.Null();
  writer.Key("createdAt");
  writer.Int64(created_at);
  writer.Key("deactivatedAt");
  WriteOptionalTime(writer, deactivated_at);
  for (const char* absent :
       {"externalDirectoryId", "linkedContactIds", "jobTitle", "managerId"}) {
    writer.Key(absent);
    writer.Null();
  }
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

std::vector<StoredUser> GenerateUsers(std::uint64_t seed) {
  const Account account = MakeAccount(seed);
  std::vector<StoredUser> users;
  for (int index = 0; index < kUsersPerAccount; ++index) {
    StoredUser user;
    user.id = account.users[index];
    // A month apart, before the first requisition; the last one left.
    user.created_at = kFirstCreatedAt - (kUsersPerAccount - index) * 30 * kDay;
    user.deactivated = index == kUsersPerAccount - 1;
    user.json = WriteUser(user.id, kPeople[index], user.created_at,
                          user.deactivated ? std::optional<std::int64_t>(
                                                 kFirstCreatedAt + 400 * kDay)
                                           : std::nullopt);
    users.push_back(std::move(user));
  }
  return users;
}

std::vector<StoredRequisition> GenerateRequisitions(int count,
                                                    std::uint64_t seed) {
  const Account account = MakeAccount(seed);
  std::vector<StoredRequisition> requisitions;
  requisitions.reserve(count > 0 ? count : 0);
  for (int index = 0; index < count; ++index) {
    // Each requisition has its own stream, so changing how one is written
    // does not shift the values of all that follow.
    DeterministicRandom random(seed * 0x100000001B3ULL + index);
    const Facts facts = MakeFacts(index, count, account, random);
    StoredRequisition requisition;
    requisition.json = WriteRequisition(random, account, facts);
    requisition.id = facts.id;
    requisition.created_at = facts.created_at;
    requisition.status = facts.status;
    requisition.confidentiality = facts.confidentiality;
    requisition.requisition_code = facts.requisition_code;
    requisitions.push_back(std::move(requisition));
  }
  return requisitions;
}

}  // namespace leverconnect::testing

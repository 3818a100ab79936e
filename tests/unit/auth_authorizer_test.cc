// What each principal may do, as tables of (principal, RPC, connection,
// application) -> code.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/auth/authorizer.h"

namespace leverconnect::auth {
namespace {

using ::testing::HasSubstr;

const Principal kAdmin{"ops", Role::kAdmin, {}};
const Principal kPlanner{"planner", Role::kMember, {"planning", "app"}};
const Principal kReporter{"reporter", Role::kMember, {"reporting"}};

const ConnectionFacts kGranted{"connections/acme", true, {"planning"}};
const ConnectionFacts kUngranted{"connections/beta", true, {"finance"}};
const ConnectionFacts kMissing{"connections/gone", false, {}};

constexpr absl::StatusCode kOk = absl::StatusCode::kOk;
constexpr absl::StatusCode kDenied = absl::StatusCode::kPermissionDenied;
constexpr absl::StatusCode kNotFound = absl::StatusCode::kNotFound;

const std::vector<Method> kAllMethods = {Method::kCreateConnection,
                                         Method::kGetConnection,
                                         Method::kListConnections,
                                         Method::kUpdateConnection,
                                         Method::kDeleteConnection,
                                         Method::kTestConnection,
                                         Method::kRotateApiKey,
                                         Method::kGetRequisitionSchema,
                                         Method::kStreamRequisitions,
                                         Method::kStartImport,
                                         Method::kGetImport,
                                         Method::kListImports,
                                         Method::kCancelImport,
                                         Method::kWatchImport,
                                         Method::kPlanRequisitionChanges,
                                         Method::kApplyRequisitionChanges};

TEST(AuthorizerTest, MethodTable) {
  struct Row {
    Method method;
    absl::StatusCode admin;
    absl::StatusCode member;
  };
  const std::vector<Row> table = {
      {Method::kCreateConnection, kOk, kDenied},
      {Method::kGetConnection, kOk, kOk},
      {Method::kListConnections, kOk, kOk},
      {Method::kUpdateConnection, kOk, kDenied},
      {Method::kDeleteConnection, kOk, kDenied},
      {Method::kTestConnection, kOk, kOk},
      {Method::kRotateApiKey, kOk, kDenied},
      {Method::kGetRequisitionSchema, kOk, kOk},
      {Method::kStreamRequisitions, kOk, kOk},
      {Method::kStartImport, kOk, kOk},
      {Method::kGetImport, kOk, kOk},
      {Method::kListImports, kOk, kOk},
      {Method::kCancelImport, kOk, kOk},
      {Method::kWatchImport, kOk, kOk},
      {Method::kPlanRequisitionChanges, kOk, kOk},
      {Method::kApplyRequisitionChanges, kOk, kOk},
  };
  ASSERT_EQ(table.size(), kAllMethods.size());
  for (const Row& row : table) {
    SCOPED_TRACE(std::string(MethodName(row.method)));
    EXPECT_EQ(AuthorizeMethod(kAdmin, row.method).code(), row.admin);
    const absl::Status member = AuthorizeMethod(kPlanner, row.method);
    EXPECT_EQ(member.code(), row.member);
    if (!member.ok()) {
      EXPECT_EQ(member.message(), "principal \"planner\" may not call " +
                                      std::string(MethodName(row.method)) +
                                      ": only admins change connections");
    }
  }
}

TEST(AuthorizerTest, ConnectionTable) {
  struct Row {
    const Principal& principal;
    Method method;
    const ConnectionFacts& connection;
    std::string application;
    absl::StatusCode code;
    std::string message;  // a part of it; empty for OK
  };
  const std::vector<Row> table = {
      // Admins: everything, NOT_FOUND when missing.
      {kAdmin, Method::kGetConnection, kGranted, "", kOk, ""},
      {kAdmin, Method::kGetConnection, kUngranted, "", kOk, ""},
      {kAdmin, Method::kDeleteConnection, kUngranted, "", kOk, ""},
      {kAdmin, Method::kGetConnection, kMissing, "", kNotFound,
       "connection \"connections/gone\" not found"},
      {kAdmin, Method::kRotateApiKey, kMissing, "", kNotFound, "not found"},
      {kAdmin, Method::kStreamRequisitions, kGranted, "planning", kOk, ""},
      {kAdmin, Method::kStreamRequisitions, kGranted, "finance", kDenied,
       "connection \"connections/acme\" does not allow application "
       "\"finance\""},
      {kAdmin, Method::kGetRequisitionSchema, kMissing, "planning", kNotFound,
       "not found"},
      // A member of the granted application.
      {kPlanner, Method::kGetConnection, kGranted, "", kOk, ""},
      {kPlanner, Method::kTestConnection, kGranted, "", kOk, ""},
      {kPlanner, Method::kGetRequisitionSchema, kGranted, "planning", kOk, ""},
      {kPlanner, Method::kStreamRequisitions, kGranted, "planning", kOk, ""},
      {kPlanner, Method::kUpdateConnection, kGranted, "", kDenied,
       "may not call UpdateConnection"},
      {kPlanner, Method::kRotateApiKey, kGranted, "", kDenied,
       "may not call RotateApiKey"},
      {kPlanner, Method::kDeleteConnection, kMissing, "", kDenied,
       "may not call DeleteConnection"},
      // Its own other application, which the connection does not allow.
      {kPlanner, Method::kStreamRequisitions, kGranted, "app", kDenied,
       "does not allow application \"app\""},
      // An application it does not act for, even one the connection allows.
      {kReporter, Method::kStreamRequisitions, kGranted, "planning", kDenied,
       "principal \"reporter\" does not act for application \"planning\""},
      {kPlanner, Method::kGetRequisitionSchema, kUngranted, "finance", kDenied,
       "principal \"planner\" does not act for application \"finance\""},
      // Ungranted and missing connections: the same answer.
      {kPlanner, Method::kGetConnection, kUngranted, "", kDenied,
       "principal \"planner\" may not use connection \"connections/beta\""},
      {kPlanner, Method::kGetConnection, kMissing, "", kDenied,
       "principal \"planner\" may not use connection \"connections/gone\""},
      {kPlanner, Method::kTestConnection, kMissing, "", kDenied,
       "may not use connection"},
      {kPlanner, Method::kStreamRequisitions, kUngranted, "planning", kDenied,
       "may not use connection \"connections/beta\""},
      {kPlanner, Method::kStreamRequisitions, kMissing, "planning", kDenied,
       "may not use connection \"connections/gone\""},
      {kReporter, Method::kGetConnection, kGranted, "", kDenied,
       "principal \"reporter\" may not use connection \"connections/acme\""},
      // Import runs: starting one checks the application like an import;
      // reading runs needs only the connection.
      {kPlanner, Method::kStartImport, kGranted, "planning", kOk, ""},
      {kPlanner, Method::kStartImport, kGranted, "app", kDenied,
       "does not allow application \"app\""},
      {kReporter, Method::kStartImport, kGranted, "planning", kDenied,
       "does not act for application \"planning\""},
      {kPlanner, Method::kGetImport, kGranted, "", kOk, ""},
      {kPlanner, Method::kListImports, kGranted, "", kOk, ""},
      {kPlanner, Method::kCancelImport, kUngranted, "", kDenied,
       "may not use connection \"connections/beta\""},
      {kPlanner, Method::kWatchImport, kMissing, "", kDenied,
       "may not use connection \"connections/gone\""},
      {kAdmin, Method::kWatchImport, kMissing, "", kNotFound, "not found"},
      // Write-back: as starting an import.
      {kPlanner, Method::kPlanRequisitionChanges, kGranted, "planning", kOk,
       ""},
      {kPlanner, Method::kApplyRequisitionChanges, kGranted, "planning", kOk,
       ""},
      {kPlanner, Method::kApplyRequisitionChanges, kGranted, "app", kDenied,
       "does not allow application \"app\""},
      {kReporter, Method::kApplyRequisitionChanges, kGranted, "planning",
       kDenied, "does not act for application \"planning\""},
      {kPlanner, Method::kApplyRequisitionChanges, kMissing, "planning",
       kDenied, "may not use connection \"connections/gone\""},
  };
  for (const Row& row : table) {
    SCOPED_TRACE(row.principal.id + " " + std::string(MethodName(row.method)) +
                 " " + row.connection.name + " " + row.application);
    const absl::Status status = AuthorizeConnection(
        row.principal, row.method, row.connection, row.application);
    EXPECT_EQ(status.code(), row.code) << status;
    EXPECT_THAT(status.message(), HasSubstr(row.message));
  }
}

TEST(AuthorizerTest, MissingAndUngrantedLookTheSameToMembers) {
  for (Method method : kAllMethods) {
    SCOPED_TRACE(std::string(MethodName(method)));
    ConnectionFacts missing{"connections/x", false, {}};
    ConnectionFacts ungranted{"connections/x", true, {"finance"}};
    EXPECT_EQ(AuthorizeConnection(kPlanner, method, missing, "planning"),
              AuthorizeConnection(kPlanner, method, ungranted, "planning"));
  }
}

TEST(AuthorizerTest, ListingShowsMembersTheirConnectionsOnly) {
  EXPECT_TRUE(MaySee(kAdmin, {"finance"}));
  EXPECT_TRUE(MaySee(kAdmin, {}));
  EXPECT_TRUE(MaySee(kPlanner, {"finance", "app"}));
  EXPECT_TRUE(MaySee(kPlanner, {"planning"}));
  EXPECT_FALSE(MaySee(kPlanner, {"finance"}));
  EXPECT_FALSE(MaySee(kPlanner, {}));

  EXPECT_TRUE(AuthorizeApplicationFilter(kPlanner, "").ok());
  EXPECT_TRUE(AuthorizeApplicationFilter(kPlanner, "app").ok());
  EXPECT_TRUE(AuthorizeApplicationFilter(kAdmin, "finance").ok());
  const absl::Status other = AuthorizeApplicationFilter(kPlanner, "finance");
  EXPECT_EQ(other.code(), kDenied);
  EXPECT_EQ(other.message(),
            "principal \"planner\" does not act for application \"finance\"");
}

}  // namespace
}  // namespace leverconnect::auth

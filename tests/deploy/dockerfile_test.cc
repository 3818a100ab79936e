// Static checks of deploy/Dockerfile, which cannot be built here (no
// container engine): a multi-stage build on Debian 12, the two binaries
// built with Ninja and tests off, a non-root numeric user, no secret baked
// in, and the same build packages as scripts/setup.sh.
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace leverconnect::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::SizeIs;

const std::string kSourceDir = LEVERCONNECT_SOURCE_DIR;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

// The Dockerfile's instructions, continuation lines joined and comments
// dropped, each as one line starting with its upper-case keyword.
std::vector<std::string> Instructions() {
  std::vector<std::string> instructions;
  std::string current;
  for (absl::string_view line :
       absl::StrSplit(ReadFile(kSourceDir + "/deploy/Dockerfile"), '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    const bool continued = absl::ConsumeSuffix(&line, "\\");
    current += std::string(line) + " ";
    if (continued) continue;
    instructions.push_back(
        std::string(absl::StripTrailingAsciiWhitespace(current)));
    current.clear();
  }
  return instructions;
}

std::vector<std::string> WithKeyword(absl::string_view keyword) {
  std::vector<std::string> found;
  for (const std::string& instruction : Instructions()) {
    if (absl::StartsWith(instruction, absl::StrCat(keyword, " "))) {
      found.push_back(instruction);
    }
  }
  return found;
}

TEST(DockerfileTest, BuildsInOneStageAndRunsInAnotherOnDebian12) {
  const std::vector<std::string> stages = WithKeyword("FROM");
  ASSERT_THAT(stages, SizeIs(2));
  EXPECT_EQ(stages[0], "FROM debian:12-slim AS build");
  EXPECT_EQ(stages[1], "FROM debian:12-slim");
}

TEST(DockerfileTest, BuildsOnlyTheTwoBinariesWithNinjaAndTestsOff) {
  std::string build;
  for (const std::string& run : WithKeyword("RUN")) {
    if (absl::StrContains(run, "cmake -S")) build = run;
  }
  EXPECT_THAT(build, HasSubstr("-G Ninja"));
  EXPECT_THAT(build, HasSubstr("-DLEVERCONNECT_BUILD_TESTS=OFF"));
  EXPECT_THAT(build, HasSubstr("--target leverconnect-server leverctl"));
}

TEST(DockerfileTest, CopiesBothBinariesFromTheBuildStage) {
  const std::vector<std::string> copies = WithKeyword("COPY");
  EXPECT_THAT(copies, Contains(AllOf(HasSubstr("--from=build"),
                                     HasSubstr("leverconnect-server"),
                                     HasSubstr("leverctl"))));
}

TEST(DockerfileTest, RunsAsANumericNonRootUser) {
  const std::vector<std::string> users = WithKeyword("USER");
  ASSERT_FALSE(users.empty());
  const std::string user = users.back().substr(5);
  int uid = -1;
  ASSERT_TRUE(absl::SimpleAtoi(user.substr(0, user.find(':')), &uid)) << user;
  EXPECT_GT(uid, 0);
  // Nothing after the last USER switches back or runs as root.
  const std::vector<std::string> all = Instructions();
  bool after_user = false;
  for (const std::string& instruction : all) {
    if (instruction == users.back()) after_user = true;
    if (after_user) {
      EXPECT_FALSE(absl::StartsWith(instruction, "RUN ")) << instruction;
    }
  }
}

TEST(DockerfileTest, BakesNoSecretIn) {
  for (const std::string& instruction : Instructions()) {
    const std::string lower = absl::AsciiStrToLower(instruction);
    if (absl::StartsWith(lower, "env ") || absl::StartsWith(lower, "arg ")) {
      for (const char* word : {"key", "token", "password", "secret"}) {
        EXPECT_THAT(lower, ::testing::Not(HasSubstr(word))) << instruction;
      }
    }
    if (absl::StartsWith(lower, "copy ") || absl::StartsWith(lower, "add ")) {
      for (const char* file : {".key", ".pem", ".token", "principals"}) {
        EXPECT_THAT(lower, ::testing::Not(HasSubstr(file))) << instruction;
      }
    }
  }
  const std::string ignored = ReadFile(kSourceDir + "/.dockerignore");
  for (const char* pattern : {"build", ".git", "*.key", "*.pem", "state"}) {
    EXPECT_THAT(ignored, HasSubstr(pattern));
  }
}

// The image builds with what scripts/setup.sh installs, less what only the
// tests need.
TEST(DockerfileTest, InstallsTheBuildPackagesOfSetup) {
  const std::string setup = ReadFile(kSourceDir + "/scripts/setup.sh");
  const std::size_t start = setup.find("packages=(");
  const std::size_t end = setup.find(')', start);
  ASSERT_NE(start, std::string::npos);
  std::set<std::string> packages;
  for (absl::string_view word :
       absl::StrSplit(setup.substr(start + 10, end - start - 10),
                      absl::ByAnyChar(" \n"), absl::SkipEmpty())) {
    packages.insert(std::string(word));
  }
  ASSERT_THAT(packages, Contains("libgrpc++-dev"));
  std::string installs;
  for (const std::string& run : WithKeyword("RUN")) {
    if (absl::StrContains(run, "apt-get install")) installs += run + " ";
  }
  for (const std::string& package : packages) {
    // Test-only: GoogleTest, and the PostgreSQL server the tests start.
    if (absl::StartsWith(package, "libgtest") ||
        absl::StartsWith(package, "libgmock") || package == "postgresql") {
      continue;
    }
    EXPECT_THAT(installs, HasSubstr(" " + package + " ")) << package;
  }
}

}  // namespace
}  // namespace leverconnect::testing

#include <map>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "client/leverctl/app.h"
#include "client/leverctl/argument_values.h"
#include "client/leverctl/command_line.h"
#include "client/text_table.h"

namespace leverconnect::leverctl {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A small tool: "tool things add NAME --kind K [--tag T ...] [--force]" and
// "tool things list [--limit N]".
CommandLineSpec ToolSpec() {
  CommandLineSpec spec;
  spec.program = "tool";
  spec.description = "A tool.\n";
  spec.epilogue = "The end.\n";
  spec.global_flags = {{"output", "FORMAT", "format", false, false, 'o'},
                       {"help", "", "show help", false, false, 'h'}};
  spec.refused_flags = {{"secret", "secrets are never flags"}};
  spec.groups = {{"things", "things to keep"}};
  spec.commands = {
      {"things",
       "add",
       "NAME",
       "add a thing",
       "Adds a thing.\n",
       {{"kind", "K", "its kind", true},
        {"tag", "T", "a tag", false, true},
        {"force", "", "replace an existing thing"}},
       {}},
      {"things",
       "list",
       "",
       "list things",
       "Lists things.\n",
       {{"limit", "N", "at most N"}},
       {}},
  };
  return spec;
}

Invocation Parse(const std::vector<std::string>& arguments) {
  return ParseCommandLine(ToolSpec(), arguments);
}

TEST(ParseCommandLineTest, CommandArgumentAndFlags) {
  const Invocation invocation =
      Parse({"things", "add", "box", "--kind", "crate", "--force"});
  EXPECT_EQ(invocation.error, "");
  EXPECT_FALSE(invocation.help);
  EXPECT_EQ(invocation.group, "things");
  EXPECT_EQ(invocation.command_index, 0);
  EXPECT_EQ(invocation.argument, "box");
  EXPECT_EQ(invocation.Value("kind"), "crate");
  EXPECT_TRUE(invocation.Enabled("force"));
  EXPECT_FALSE(invocation.Has("tag"));
}

TEST(ParseCommandLineTest, GlobalFlagsBeforeAndAfterTheCommand) {
  const Invocation before = Parse({"--output", "json", "things", "list"});
  EXPECT_EQ(before.error, "");
  EXPECT_EQ(before.command_index, 1);
  EXPECT_EQ(before.Value("output"), "json");

  const Invocation after = Parse({"things", "list", "-o", "csv"});
  EXPECT_EQ(after.error, "");
  EXPECT_EQ(after.Value("output"), "csv");
}

TEST(ParseCommandLineTest, ValueAfterAnEqualsSign) {
  const Invocation invocation =
      Parse({"things", "add", "box", "--kind=a=b", "--output="});
  EXPECT_EQ(invocation.error, "");
  EXPECT_EQ(invocation.Value("kind"), "a=b");
  EXPECT_TRUE(invocation.Has("output"));
  EXPECT_EQ(invocation.Value("output"), "");
}

TEST(ParseCommandLineTest, RepeatableFlagKeepsItsValuesInOrder) {
  const Invocation invocation =
      Parse({"things", "add", "--tag", "b", "box", "--kind", "k", "--tag=a"});
  EXPECT_EQ(invocation.error, "");
  EXPECT_EQ(invocation.argument, "box");
  EXPECT_THAT(invocation.Values("tag"), ElementsAre("b", "a"));
  EXPECT_THAT(invocation.Values("absent"), IsEmpty());
}

TEST(ParseCommandLineTest, OtherFlagsOnlyOnce) {
  EXPECT_EQ(Parse({"things", "add", "box", "--kind", "a", "--kind", "b"}).error,
            "flag --kind is given more than once");
}

TEST(ParseCommandLineTest, UnknownFlag) {
  const Invocation invocation = Parse({"things", "list", "--colour=red"});
  EXPECT_EQ(invocation.error, "unknown flag --colour");
  EXPECT_EQ(invocation.command_index, 1);  // for the hint
  EXPECT_EQ(Parse({"things", "list", "-x"}).error, "unknown flag -x");
}

TEST(ParseCommandLineTest, FlagOfAnotherCommand) {
  EXPECT_EQ(Parse({"things", "list", "--kind", "k"}).error,
            "flag --kind is not a flag of 'things list'");
}

TEST(ParseCommandLineTest, MissingValue) {
  EXPECT_EQ(Parse({"things", "list", "--limit"}).error,
            "flag --limit needs a value N");
}

TEST(ParseCommandLineTest, SwitchTakesNoValue) {
  EXPECT_EQ(Parse({"things", "add", "b", "--kind", "k", "--force=yes"}).error,
            "flag --force is a switch: give it alone, without a value");
  const Invocation disabled =
      Parse({"things", "add", "b", "--kind", "k", "--force=false"});
  EXPECT_EQ(disabled.error, "");
  EXPECT_FALSE(disabled.Enabled("force"));
}

TEST(ParseCommandLineTest, RefusedFlagExplainsWhy) {
  EXPECT_EQ(Parse({"things", "list", "--secret", "x"}).error,
            "secrets are never flags");
  EXPECT_EQ(Parse({"--secret=x", "things", "list"}).error,
            "secrets are never flags");
}

TEST(ParseCommandLineTest, RequiredFlagAndArgument) {
  EXPECT_EQ(Parse({"things", "add", "box"}).error, "missing --kind K");
  EXPECT_EQ(Parse({"things", "add", "--kind", "k"}).error, "missing NAME");
  EXPECT_EQ(Parse({"things", "add", "a", "b", "--kind", "k"}).error,
            "unexpected argument 'b'");
  EXPECT_EQ(Parse({"things", "list", "extra"}).error,
            "unexpected argument 'extra'");
}

TEST(ParseCommandLineTest, DoubleDashEndsTheFlags) {
  const Invocation invocation =
      Parse({"things", "add", "--kind", "k", "--", "--odd-name"});
  EXPECT_EQ(invocation.error, "");
  EXPECT_EQ(invocation.argument, "--odd-name");
}

TEST(ParseCommandLineTest, UnknownGroupOrCommand) {
  EXPECT_EQ(Parse({"stuff", "list"}).error,
            "unknown command group 'stuff'; the groups are things");
  EXPECT_EQ(Parse({"things", "remove"}).error,
            "unknown command 'things remove'; the commands of things are add, "
            "list");
}

TEST(ParseCommandLineTest, HelpSkipsTheChecksOfTheCommand) {
  for (const std::vector<std::string>& arguments :
       std::vector<std::vector<std::string>>{{"things", "add", "--help"},
                                             {"-h", "things", "add"},
                                             {"help", "things", "add"}}) {
    const Invocation invocation = Parse(arguments);
    EXPECT_EQ(invocation.error, "");
    EXPECT_TRUE(invocation.help);
    EXPECT_EQ(invocation.command_index, 0);
  }
}

TEST(ParseCommandLineTest, NoCommandShowsHelp) {
  const Invocation nothing = Parse({});
  EXPECT_TRUE(nothing.help);
  EXPECT_EQ(nothing.group, "");

  const Invocation group = Parse({"things"});
  EXPECT_TRUE(group.help);
  EXPECT_EQ(group.group, "things");
  EXPECT_EQ(group.command_index, -1);
}

TEST(HelpTest, CommandHelpShowsUsageAndFlags) {
  const CommandLineSpec spec = ToolSpec();
  EXPECT_EQ(CommandHelp(spec, spec.commands[0]),
            "Adds a thing.\n"
            "\n"
            "Usage:\n"
            "  tool things add NAME --kind K [flags]\n"
            "\n"
            "Flags:\n"
            "  --kind K   its kind (required)\n"
            "  --tag T    a tag (repeatable)\n"
            "  --force    replace an existing thing\n"
            "\n"
            "Global flags:\n"
            "  -o, --output FORMAT   format\n"
            "  -h, --help            show help\n");
}

TEST(HelpTest, HintNamesTheDeepestLevelReached) {
  const CommandLineSpec spec = ToolSpec();
  EXPECT_EQ(HelpCommandFor(spec, Parse({"things", "add"})),
            "tool things add --help");
  EXPECT_EQ(HelpCommandFor(spec, Parse({"things", "nope"})),
            "tool things --help");
  EXPECT_EQ(HelpCommandFor(spec, Parse({"nope"})), "tool --help");
}

// Every help text of leverctl fits in 80 columns.
TEST(LeverctlSpecTest, HelpFitsInEightyColumns) {
  const CommandLineSpec& spec = LeverctlSpec();
  std::vector<std::string> texts = {ProgramHelp(spec)};
  for (const GroupSpec& group : spec.groups) {
    texts.push_back(GroupHelp(spec, group.name));
  }
  for (const CommandSpec& command : spec.commands) {
    texts.push_back(CommandHelp(spec, command));
  }
  for (const std::string& text : texts) {
    for (absl::string_view line : absl::StrSplit(text, '\n')) {
      EXPECT_LE(client::DisplayWidth(line), 80) << line;
    }
  }
}

// The parser decides whether a flag takes a value before it knows the
// command, so a flag name must mean the same in every command.
TEST(LeverctlSpecTest, AFlagNameTakesAValueEverywhereOrNowhere) {
  std::map<std::string, bool> is_switch;
  for (const CommandSpec& command : LeverctlSpec().commands) {
    for (const FlagSpec& flag : command.flags) {
      const auto [known, inserted] =
          is_switch.emplace(std::string(flag.name), flag.is_switch());
      EXPECT_EQ(known->second, flag.is_switch()) << flag.name;
    }
  }
  EXPECT_FALSE(is_switch.empty());
}

// The standard columns of the server's requisition schema.
bool IsColumnName(absl::string_view name) {
  static const auto* const kStandard =
      new std::set<absl::string_view>{"id",
                                      "requisition_code",
                                      "name",
                                      "status",
                                      "confidentiality",
                                      "backfill",
                                      "headcount_total",
                                      "headcount_hired",
                                      "headcount_infinite",
                                      "created_at",
                                      "updated_at",
                                      "closed_at",
                                      "time_to_fill_start_at",
                                      "time_to_fill_end_at",
                                      "creator",
                                      "owner",
                                      "hiring_manager",
                                      "employment_status",
                                      "location",
                                      "team",
                                      "department",
                                      "internal_notes",
                                      "compensation_band_min",
                                      "compensation_band_max",
                                      "compensation_band_currency",
                                      "compensation_band_interval",
                                      "postings",
                                      "offer_ids",
                                      "approval_id",
                                      "approval_status",
                                      "approval_started_at",
                                      "approval_approved_at",
                                      "approval_account_id",
                                      "approval_created_by",
                                      "approval_step_count",
                                      "approval_approver_ids",
                                      "approval_approver_roles"};
  return kStandard->count(name) > 0 ||
         (absl::StartsWith(name, "custom.") && name.size() > 7);
}

// The columns named after --columns in the examples of every command.
std::vector<std::string> ExampleColumns() {
  std::vector<std::string> columns;
  for (const CommandSpec& command : LeverctlSpec().commands) {
    for (absl::string_view example : command.examples) {
      std::vector<std::string> words =
          absl::StrSplit(example, ' ', absl::SkipEmpty());
      for (size_t i = 0; i + 1 < words.size(); ++i) {
        if (words[i] != "--columns") continue;
        for (std::string& name : SplitColumns({words[i + 1]})) {
          columns.push_back(std::move(name));
        }
      }
    }
  }
  return columns;
}

TEST(LeverctlSpecTest, ExamplesNameRealColumns) {
  const std::vector<std::string> columns = ExampleColumns();
  EXPECT_THAT(columns, Contains("requisition_code"));
  for (const std::string& name : columns) {
    EXPECT_TRUE(IsColumnName(name)) << name;
  }
}

TEST(LeverctlSpecTest, ImportHelpPointsAtTheSchemaAndExplainsLists) {
  const CommandLineSpec& spec = LeverctlSpec();
  const Invocation invocation =
      ParseCommandLine(spec, {"requisitions", "import", "--help"});
  const std::string help = HelpFor(spec, invocation);
  EXPECT_THAT(help, HasSubstr("'leverctl requisitions schema' lists them"));
  EXPECT_THAT(help, HasSubstr("custom.<field id>"));
  EXPECT_THAT(help, HasSubstr("join the elements with \"|\""));
  EXPECT_THAT(help, HasSubstr("an empty text is \"\""));
  EXPECT_THAT(help, HasSubstr("1 to 100"));
}

TEST(LeverctlSpecTest, ListHelpSaysTheServerLowersLargePages) {
  const CommandLineSpec& spec = LeverctlSpec();
  const std::string help =
      HelpFor(spec, ParseCommandLine(spec, {"connections", "list", "-h"}));
  EXPECT_THAT(help, HasSubstr("1 or more"));
  EXPECT_THAT(help, HasSubstr("above 1000 to 1000"));
}

TEST(LeverctlSpecTest, DeleteHelpSaysWhereTheConfirmationGoes) {
  const CommandLineSpec& spec = LeverctlSpec();
  const std::string help =
      HelpFor(spec, ParseCommandLine(spec, {"connections", "delete", "-h"}));
  EXPECT_THAT(help, HasSubstr("goes to standard error"));
  EXPECT_THAT(help, HasSubstr("{}"));
}

TEST(LeverctlSpecTest, ApiKeyFlagIsRefused) {
  const Invocation invocation = ParseCommandLine(
      LeverctlSpec(), {"connections", "rotate-key", "x", "--api-key=secret"});
  EXPECT_THAT(invocation.error, HasSubstr("never taken from the command line"));
  EXPECT_THAT(invocation.error, HasSubstr("LEVER_API_KEY"));
}

TEST(ArgumentValuesTest, ConnectionNames) {
  EXPECT_EQ(ConnectionName("acme-prod"), "connections/acme-prod");
  EXPECT_EQ(ConnectionName("connections/acme-prod"), "connections/acme-prod");
  EXPECT_EQ(ConnectionId("connections/acme-prod"), "acme-prod");
  EXPECT_EQ(ConnectionId("acme-prod"), "acme-prod");
}

TEST(ArgumentValuesTest, Environments) {
  EXPECT_EQ(*ParseEnvironment("production"), v1::ENVIRONMENT_PRODUCTION);
  EXPECT_EQ(*ParseEnvironment("sandbox"), v1::ENVIRONMENT_SANDBOX);
  EXPECT_EQ(ParseEnvironment("prod").status().message(),
            "--environment: 'prod' is not an environment; use production or "
            "sandbox");
}

TEST(ArgumentValuesTest, TimesInRfc3339OrAsDates) {
  absl::StatusOr<google::protobuf::Timestamp> utc =
      ParseTime("created-after", "2019-07-30T19:10:32.308Z");
  ASSERT_TRUE(utc.ok()) << utc.status();
  EXPECT_EQ(utc->seconds(), 1564513832);
  EXPECT_EQ(utc->nanos(), 308000000);

  absl::StatusOr<google::protobuf::Timestamp> offset =
      ParseTime("created-after", "2024-01-31T09:00:00+01:00");
  ASSERT_TRUE(offset.ok()) << offset.status();
  EXPECT_EQ(offset->seconds(), 1706688000);

  absl::StatusOr<google::protobuf::Timestamp> date =
      ParseTime("created-before", "2024-01-01");
  ASSERT_TRUE(date.ok()) << date.status();
  EXPECT_EQ(date->seconds(), 1704067200);
  EXPECT_EQ(date->nanos(), 0);

  EXPECT_THAT(ParseTime("created-before", "yesterday").status().message(),
              HasSubstr("--created-before: cannot read 'yesterday'"));
  EXPECT_FALSE(ParseTime("created-before", "2024-13-01").ok());
}

TEST(ArgumentValuesTest, Timeouts) {
  EXPECT_EQ(*ParseTimeout("30s"), absl::Seconds(30));
  EXPECT_EQ(*ParseTimeout("5m"), absl::Minutes(5));
  EXPECT_EQ(*ParseTimeout("1h30m"), absl::Minutes(90));
  EXPECT_EQ(*ParseTimeout("0"), absl::InfiniteDuration());
  EXPECT_FALSE(ParseTimeout("30").ok());
  EXPECT_FALSE(ParseTimeout("-5s").ok());
}

TEST(ArgumentValuesTest, PositiveIntegers) {
  EXPECT_EQ(*ParsePositiveInteger("page-size", "100"), 100);
  EXPECT_EQ(ParsePositiveInteger("page-size", "0").status().message(),
            "--page-size: '0' is not a whole number above 0");
  EXPECT_FALSE(ParsePositiveInteger("page-size", "ten").ok());
  EXPECT_FALSE(ParsePositiveInteger("page-size", "99999999999").ok());
}

TEST(ArgumentValuesTest, IntegersInARange) {
  EXPECT_EQ(*ParseIntegerBetween("page-size", "1", 1, 100), 1);
  EXPECT_EQ(*ParseIntegerBetween("page-size", "100", 1, 100), 100);
  for (const char* text :
       {"0", "101", "500", "-1", "ten", "", "1.5", "99999999999"}) {
    EXPECT_EQ(ParseIntegerBetween("page-size", text, 1, 100).status().message(),
              "--page-size must be between 1 and 100")
        << text;
  }
}

TEST(ArgumentValuesTest, ColumnLists) {
  EXPECT_THAT(SplitColumns({"id, name,,", " custom.level "}),
              ElementsAre("id", "name", "custom.level"));
  EXPECT_THAT(SplitColumns({}), IsEmpty());
}

}  // namespace
}  // namespace leverconnect::leverctl

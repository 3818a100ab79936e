// fake-pigment: serves a fake Pigment import API until SIGINT or SIGTERM.
//
// Used by the demo and by end-to-end tests that run the fake in its own
// process. See kUsage for the flags.
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "tests/fakes/fake_main.h"
#include "tests/fakes/fake_pigment.h"

namespace leverconnect::testing {
namespace {

constexpr char kUsage[] =
    R"(Usage: fake-pigment [flags]

Serves a fake Pigment import API over HTTP until SIGINT or SIGTERM:
  POST /api/v1/import/push/csv?configurationId=ID   (a whole CSV file)
  GET  /api/v1/import/{importId}/status?includedDetailedReport=true
both with "Authorization: Bearer KEY". GET /_stats (no key needed) reports
the pushes, status polls and files received, as JSON.

  --listen HOST:PORT          where to listen (default 127.0.0.1:0, any port)
  --port-file PATH            once bound, write the port and a newline here
  --api-key KEY               a valid import API key; repeat for more keys
  --configuration SPEC        an import configuration; repeat for more:
      ID=COLUMN[:TYPE][,COLUMN[:TYPE]...][;SETTING...]
    The columns are the header row, in order; a push must match it
    exactly. TYPE (default text) decides which cells a row may hold:
      text      anything
      number    [+-]DIGITS[.DIGITS]
      integer   [+-]DIGITS
      date      YYYY-MM-DD, or a datetime
      datetime  YYYY-MM-DDTHH:MM:SS[.FFF] then Z or +HH:MM / -HH:MM
      boolean   true or false, in any case
    An empty cell fits every type. A row with a cell that does not fit, or
    with too few or too many cells, is skipped and reported.
    SETTING:
      separator=comma|semicolon  how cells are separated (default comma)
      bom                        the file may start with a UTF-8 byte
                                 order mark
      unique=COLUMN              rows whose COLUMN value was imported
                                 before count as updated, not inserted
      fail=DESCRIPTION           every import ends Failed with this error
      block=NAME                 the block the report names (default
                                 Requisitions)
    A backslash makes the next character plain, for names holding , ; :
    Example:
      --configuration 'cfg-1=Id,Name,Headcount:integer,Opened:date;unique=Id'
  --status-polls N            status polls an import answers InProgress
                              before it may finish (default 1)
  --delay-ms N                milliseconds after its push before an import
                              may finish (default 0)
  --push-limit N              pushes one configuration accepts in an hour;
                              beyond, 429 without Retry-After (default 300)
  --keep-dir DIR              also write each accepted file to
                              DIR/<importId>.csv
  --fail-pushes COUNT:STATUS  answer the next COUNT pushes with STATUS
                              (400 to 599) or reset their connection
                              (STATUS "reset"), for example 2:503
  --fail-status-polls COUNT:STATUS
                              the same for status polls
  --help                      show this text
)";

struct Flags {
  FakePigmentOptions options;
  std::string port_file;
  bool help = false;
};

// "COUNT:STATUS" with STATUS a number or "reset".
absl::Status ParseFailures(absl::string_view flag, absl::string_view value,
                           ScriptedFailures& failures) {
  const std::size_t colon = value.find(':');
  const absl::string_view status = value.substr(colon + 1);
  const bool parsed =
      colon != absl::string_view::npos &&
      absl::SimpleAtoi(value.substr(0, colon), &failures.count) &&
      failures.count >= 0 &&
      (status == "reset" || absl::SimpleAtoi(status, &failures.status)) &&
      (status == "reset" || (failures.status >= 400 && failures.status <= 599));
  if (!parsed) return BadFlagValue(flag, "COUNT:STATUS, for example 2:503");
  if (status == "reset") failures.status = kResetConnection;
  return absl::OkStatus();
}

absl::Status ParseCount(absl::string_view flag, absl::string_view value,
                        int& count) {
  if (!absl::SimpleAtoi(value, &count) || count < 0) {
    return BadFlagValue(flag, "a whole number from 0");
  }
  return absl::OkStatus();
}

absl::Status ApplyFlag(absl::string_view name, absl::string_view value,
                       Flags& flags) {
  FakePigmentOptions& options = flags.options;
  if (name == "help") {
    flags.help = true;
  } else if (name == "listen") {
    return ParseListenFlag(value, options.host, options.port);
  } else if (value.empty()) {
    return BadFlagValue(name, "a value");
  } else if (name == "port-file") {
    flags.port_file = std::string(value);
  } else if (name == "api-key") {
    options.api_keys.insert(std::string(value));  // never echoed
  } else if (name == "configuration") {
    absl::StatusOr<ImportConfiguration> configuration =
        ParseImportConfiguration(value);
    if (!configuration.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "bad value for --configuration: ", configuration.status().message()));
    }
    options.configurations.push_back(*std::move(configuration));
  } else if (name == "status-polls") {
    return ParseCount(name, value, options.status_polls_before_done);
  } else if (name == "delay-ms") {
    int milliseconds = 0;
    absl::Status parsed = ParseCount(name, value, milliseconds);
    options.delay = absl::Milliseconds(milliseconds);
    return parsed;
  } else if (name == "push-limit") {
    return ParseCount(name, value, options.push_limit);
  } else if (name == "keep-dir") {
    options.keep_dir = std::string(value);
  } else if (name == "fail-pushes") {
    return ParseFailures(name, value, options.push_failures);
  } else if (name == "fail-status-polls") {
    return ParseFailures(name, value, options.status_poll_failures);
  }
  return absl::OkStatus();
}

absl::StatusOr<Flags> ParseFlags(int argc, char** argv) {
  Flags flags;
  const absl::Status parsed = ForEachFlag(
      argc, argv,
      {"listen", "port-file", "api-key", "configuration", "status-polls",
       "delay-ms", "push-limit", "keep-dir", "fail-pushes",
       "fail-status-polls"},
      {"help"}, [&flags](absl::string_view name, absl::string_view value) {
        return ApplyFlag(name, value, flags);
      });
  if (!parsed.ok()) return parsed;
  return flags;
}

}  // namespace
}  // namespace leverconnect::testing

int main(int argc, char** argv) {
  using leverconnect::testing::FakePigment;
  using leverconnect::testing::Flags;
  return leverconnect::testing::ServeFake<FakePigment, Flags>(
      "fake-pigment", leverconnect::testing::kUsage,
      leverconnect::testing::ParseFlags(argc, argv));
}

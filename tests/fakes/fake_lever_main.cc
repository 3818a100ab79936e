// fake-lever: serves a fake Lever Data API until SIGINT or SIGTERM.
//
// Used by the demo, benchmarks and end-to-end tests that run the fake in
// its own process. See Usage() for the flags.
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "tests/fakes/fake_lever.h"
#include "tests/fakes/fake_main.h"

namespace leverconnect::testing {
namespace {

constexpr char kUsage[] =
    R"(Usage: fake-lever [flags]

Serves a fake Lever Data API (GET, POST /v1/requisitions, GET, PUT, DELETE
/v1/requisitions/{id}, GET /v1/requisition_fields, GET /v1/users) over HTTP
until SIGINT or SIGTERM. GET /_stats (no key needed) reports what it served,
as JSON.

  --listen HOST:PORT          where to listen (default 127.0.0.1:0, any port)
  --port-file PATH            once bound, write the port and a newline here
  --requisitions FILE         a Lever list page JSON {"data": [...]}
  --requisition-fields FILE   a Lever /requisition_fields JSON {"data": [...]}
  --users-file FILE           a Lever /users list page JSON {"data": [...]}
                              (default: no users)
  --generate N                serve N generated requisitions, their fields
                              and their users instead of the files
  --seed S                    seed of the generated data (default 1)
  --api-key KEY=PERMISSION[,PERMISSION...]
                              a valid key and what it may do, for example
                              requisitions:read,requisition_fields:read,
                              users:read,requisitions:write; repeat for
                              more keys
  --drafts                    requisitions created through the API arrive
                              as drafts (status "draft"), as in Lever's
                              default "hybrid" mode
  --help                      show this text

Misbehaving like Lever and the proxies in front of it (requests under /v1/
only):
  --rate R                    limit each API key to R requests per second,
                              as Lever does (a token bucket); over it, 429;
                              0, the default, means no limit
  --burst B                   requests a key may make at once before the
                              limit bites: the bucket size (default R, and
                              at least 1)
  --no-retry-after            send 429s without a Retry-After header (by
                              default it gives the seconds until a token)
  --latency-ms N              wait N milliseconds before each answer
  --faults KIND:P[,KIND:P...]
                              answer each request with fault KIND with
                              probability P (0 to 1; all P add up to at
                              most 1), for example
                              429:0.05,500:0.02,503:0.02,reset:0.01
  --fault-seed S              seed of the random faults (default 1): the
                              same seed and the same requests fail the
                              same way
  --fault-script N:KIND[,N:KIND...]
                              give the Nth request (counting from 1, all
                              requests under /v1/) fault KIND, for example
                              3:429,4:reset; wins over --faults

Fault kinds:
  429         429 {"code":"TooManyRequests",...} with Retry-After: 1
  500         500 with Lever's JSON error
  502 503 504 that status with a load balancer's HTML page
  reset       the connection is reset before any answer
  html        200 with an HTML page (a proxy's sign-in page) instead of JSON
  truncate    the answer's headers, then half its body, then the connection
              drops
  empty       200 with an empty body
  badtoken    400 "Invalid offset token" for GET /v1/requisitions with an
              offset; other requests are answered normally
  lost        the request is done (a write is made), then the connection
              is reset before the answer
)";

struct Flags {
  FakeLeverOptions options;
  std::string port_file;
  bool help = false;
};

// Never echoes the value: it holds a key.
absl::Status ParseApiKey(absl::string_view value, FakeLeverOptions& options) {
  const std::size_t equals = value.find('=');
  if (equals == absl::string_view::npos || equals == 0) {
    return BadFlagValue("api-key", "KEY=PERMISSION[,PERMISSION...]");
  }
  std::set<std::string>& permissions =
      options.api_keys[std::string(value.substr(0, equals))];
  for (absl::string_view permission :
       absl::StrSplit(value.substr(equals + 1), ',', absl::SkipEmpty())) {
    permissions.emplace(std::string(permission));
  }
  return absl::OkStatus();
}

// `status`, a refused value, with the flag's name in front.
absl::Status FlagError(absl::string_view flag, const absl::Status& status) {
  return absl::InvalidArgumentError(
      absl::StrCat("bad value for --", flag, ": ", status.message()));
}

// A finite number that is at least `minimum`.
bool ParseNumber(absl::string_view value, double minimum, double& number) {
  return absl::SimpleAtod(value, &number) && std::isfinite(number) &&
         number >= minimum;
}

// --rate, --burst and --latency-ms.
absl::Status ApplyPaceFlag(absl::string_view name, absl::string_view value,
                           FakeLeverOptions& options) {
  if (name == "rate" && !ParseNumber(value, 0, options.rate)) {
    return BadFlagValue(name, "requests per second, from 0");
  }
  if (name == "burst" && (!ParseNumber(value, 0, options.burst) ||
                          (options.burst > 0 && options.burst < 1))) {
    return BadFlagValue(name, "0 or a number of requests from 1");
  }
  if (name == "latency-ms" && (!absl::SimpleAtoi(value, &options.latency_ms) ||
                               options.latency_ms < 0)) {
    return BadFlagValue(name, "milliseconds, from 0");
  }
  return absl::OkStatus();
}

// --faults, --fault-seed and --fault-script.
absl::Status ApplyFaultFlag(absl::string_view name, absl::string_view value,
                            FakeLeverOptions& options) {
  const std::string_view text(value.data(), value.size());
  if (name == "faults") {
    absl::StatusOr<FaultChances> chances = ParseFaultChances(text);
    if (!chances.ok()) return FlagError(name, chances.status());
    options.faults = *std::move(chances);
  } else if (name == "fault-script") {
    absl::StatusOr<FaultScript> script = ParseFaultScript(text);
    if (!script.ok()) return FlagError(name, script.status());
    options.fault_script = *std::move(script);
  } else if (name == "fault-seed" &&
             !absl::SimpleAtoi(value, &options.fault_seed)) {
    return BadFlagValue(name, "an unsigned integer");
  }
  return absl::OkStatus();
}

absl::Status ApplyFlag(absl::string_view name, absl::string_view value,
                       Flags& flags) {
  FakeLeverOptions& options = flags.options;
  if (name == "listen") {
    return ParseListenFlag(value, options.host, options.port);
  }
  if (name == "api-key") return ParseApiKey(value, options);
  if (value.empty()) return BadFlagValue(name, "a value");
  if (name == "rate" || name == "burst" || name == "latency-ms") {
    return ApplyPaceFlag(name, value, options);
  }
  if (name == "faults" || name == "fault-seed" || name == "fault-script") {
    return ApplyFaultFlag(name, value, options);
  }
  if (name == "port-file") {
    flags.port_file = std::string(value);
  } else if (name == "requisitions") {
    options.requisitions_file = std::string(value);
  } else if (name == "requisition-fields") {
    options.requisition_fields_file = std::string(value);
  } else if (name == "users-file") {
    options.users_file = std::string(value);
  } else if (name == "generate") {
    if (!absl::SimpleAtoi(value, &options.generate) || options.generate < 0) {
      return BadFlagValue(name, "a count from 0");
    }
  } else if (name == "seed" && !absl::SimpleAtoi(value, &options.seed)) {
    return BadFlagValue(name, "an unsigned integer");
  }
  return absl::OkStatus();
}

absl::StatusOr<Flags> ParseFlags(int argc, char** argv) {
  Flags flags;
  const absl::Status parsed =
      ForEachFlag(argc, argv,
                  {"listen", "port-file", "requisitions", "requisition-fields",
                   "users-file", "generate", "seed", "api-key", "rate", "burst",
                   "latency-ms", "faults", "fault-seed", "fault-script"},
                  {"help", "no-retry-after", "drafts"},
                  [&flags](absl::string_view name, absl::string_view value) {
                    if (name == "help") {
                      flags.help = true;
                    } else if (name == "no-retry-after") {
                      flags.options.retry_after = false;
                    } else if (name == "drafts") {
                      flags.options.drafts = true;
                    } else {
                      return ApplyFlag(name, value, flags);
                    }
                    return absl::OkStatus();
                  });
  if (!parsed.ok()) return parsed;
  return flags;
}

}  // namespace
}  // namespace leverconnect::testing

int main(int argc, char** argv) {
  using leverconnect::testing::FakeLever;
  using leverconnect::testing::Flags;
  return leverconnect::testing::ServeFake<FakeLever, Flags>(
      "fake-lever", leverconnect::testing::kUsage,
      leverconnect::testing::ParseFlags(argc, argv));
}

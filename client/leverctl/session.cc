#include "client/leverctl/session.h"

#include <utility>

#include "absl/status/status.h"

namespace leverconnect::leverctl {

void PrintUsageError(absl::string_view message, absl::string_view help_command,
                     std::ostream& err) {
  err << "leverctl: " << message << "\nRun '" << help_command
      << "' for usage.\n";
}

Session::Session(Environment& environment, std::string help_command,
                 client::OutputFormat format, client::CallOptions call_options,
                 std::unique_ptr<client::Client> client)
    : environment_(environment),
      help_command_(std::move(help_command)),
      format_(format),
      call_options_(call_options),
      client_(std::move(client)) {}

int Session::UsageError(absl::string_view message) {
  PrintUsageError(message, help_command_, err());
  return kUsageError;
}

int Session::ServerError(const absl::Status& status) {
  err() << "leverctl: " << absl::StatusCodeToString(status.code()) << ": "
        << status.message() << "\n";
  return kServerError;
}

int Session::Finish(const absl::Status& status) {
  return status.ok() ? kSuccess : ServerError(status);
}

}  // namespace leverconnect::leverctl

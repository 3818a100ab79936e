#include "client/leverctl/session.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace leverconnect::leverctl {

bool IsUnreachable(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kUnavailable) return false;
  const std::string message =
      absl::AsciiStrToLower(std::string(status.message()));
  return absl::StrContains(message, "failed to connect");
}

void PrintUsageError(absl::string_view message, absl::string_view help_command,
                     std::ostream& err) {
  err << "leverctl: " << message << "\nRun '" << help_command
      << "' for usage.\n";
}

Session::Session(Environment& environment, std::string help_command,
                 client::OutputFormat format, client::CallOptions call_options,
                 std::string server, bool client_certificate,
                 std::unique_ptr<client::Client> client)
    : environment_(environment),
      help_command_(std::move(help_command)),
      format_(format),
      call_options_(call_options),
      server_(std::move(server)),
      client_certificate_(client_certificate),
      client_(std::move(client)) {}

int Session::UsageError(absl::string_view message) {
  PrintUsageError(message, help_command_, err());
  return kUsageError;
}

int Session::ServerError(const absl::Status& status) {
  err() << "leverctl: " << absl::StatusCodeToString(status.code()) << ": "
        << status.message() << "\n";
  if (IsUnreachable(status)) {
    err() << "leverctl: is a leverconnect server running at " << server_
          << "? Set --server or LEVERCONNECT_SERVER.\n";
  }
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    err() << "leverctl: set LEVERCONNECT_TOKEN or --token-file to a token the "
             "server knows";
    if (client_certificate_) {
      err() << ", or --client-cert and --client-key to a certificate it "
               "trusts";
    }
    err() << "\n";
  }
  return kServerError;
}

int Session::Finish(const absl::Status& status) {
  return status.ok() ? kSuccess : ServerError(status);
}

}  // namespace leverconnect::leverctl

// What a leverctl command works with once its command line is parsed: the
// client, the output format, the call options, and the ways to end.
#ifndef LEVERCONNECT_CLIENT_LEVERCTL_SESSION_H_
#define LEVERCONNECT_CLIENT_LEVERCTL_SESSION_H_

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "client/leverconnect_client.h"
#include "client/leverctl/environment.h"
#include "client/output.h"

namespace leverconnect::leverctl {

class Session {
 public:
  // `help_command` is where a usage error sends the reader, e.g.
  // "leverctl connections create --help"; `server` is the "host:port"
  // `client` talks to; `client_certificate` says whether `client` presents
  // a client certificate.
  Session(Environment& environment, std::string help_command,
          client::OutputFormat format, client::CallOptions call_options,
          std::string server, bool client_certificate,
          std::unique_ptr<client::Client> client);

  Environment& environment() { return environment_; }
  std::ostream& out() { return *environment_.out; }
  std::ostream& err() { return *environment_.err; }
  client::Client& client() { return *client_; }
  client::OutputFormat format() const { return format_; }
  const client::CallOptions& call_options() const { return call_options_; }

  // Prints "leverctl: <message>" and where to read the usage; returns
  // kUsageError.
  int UsageError(absl::string_view message);

  // Prints "leverctl: <CODE>: <message>"; returns kServerError. When the
  // server could not be reached, adds a line that asks whether one runs at
  // the address and how to give another; when it did not know the caller
  // (UNAUTHENTICATED), a line that says how to give a token.
  int ServerError(const absl::Status& status);

  // kSuccess when `status` is OK, else ServerError(status).
  int Finish(const absl::Status& status);

 private:
  Environment& environment_;
  std::string help_command_;
  client::OutputFormat format_;
  client::CallOptions call_options_;
  std::string server_;
  bool client_certificate_;
  std::unique_ptr<client::Client> client_;
};

// True for the UNAVAILABLE that gRPC returns when it cannot connect to the
// server at all, as opposed to a server that answers UNAVAILABLE itself.
bool IsUnreachable(const absl::Status& status);

// Prints a usage error to `err` the way Session::UsageError does.
void PrintUsageError(absl::string_view message, absl::string_view help_command,
                     std::ostream& err);

}  // namespace leverconnect::leverctl

#endif  // LEVERCONNECT_CLIENT_LEVERCTL_SESSION_H_

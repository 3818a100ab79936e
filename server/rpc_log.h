// One JSON log line per finished RPC: method, caller, connection, rows,
// status code and message, elapsed milliseconds, also counted in the
// gRPC metrics (lib/metrics/metrics.h); and an audit line for
// every connection change and every import, started or refused. Never a
// secret: callers put only principal ids, resource names and counts here.
#ifndef LEVERCONNECT_SERVER_RPC_LOG_H_
#define LEVERCONNECT_SERVER_RPC_LOG_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"
#include "server/caller.h"

namespace leverconnect::server {

class RpcLog {
 public:
  RpcLog(absl::string_view method, const Caller& caller);

  // For calls whose caller is known only after authentication: until
  // set_caller, the caller is logged as "(unauthenticated)".
  explicit RpcLog(absl::string_view method);

  void set_caller(const Caller& caller) { caller_ = caller.id; }

  void set_connection(absl::string_view name) {
    connection_ = std::string(name);
  }
  void set_rows(std::int64_t rows) { rows_ = rows; }

  // Writes the line and returns `status` as a gRPC status. Calls that
  // change a connection, and imports, also get an audit line.
  grpc::Status Finish(const absl::Status& status);

  // Writes an audit line now: {"audit": true, "principal", "action" (the
  // method), "resource" (the connection), "outcome"}.
  void Audit(absl::string_view outcome) const;

 private:
  std::string method_;
  std::string caller_;
  std::string connection_;
  std::int64_t rows_ = -1;
  absl::Time start_;
};

}  // namespace leverconnect::server

#endif  // LEVERCONNECT_SERVER_RPC_LOG_H_

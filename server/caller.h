// Who is calling. Every RPC asks IdentifyCaller first, so that this is the
// one place where credentials will be read and checked.
#ifndef LEVERCONNECT_SERVER_CALLER_H_
#define LEVERCONNECT_SERVER_CALLER_H_

#include <string>

#include "grpcpp/server_context.h"

namespace leverconnect::server {

struct Caller {
  // Stable id of the caller, for logs and audit; "anonymous" when the
  // server does not authenticate.
  std::string id;
};

// The server does not authenticate callers yet: every caller is trusted and
// is "anonymous". Access to a connection is limited only by the
// application named in import requests. Authentication (bearer tokens or
// client certificates) belongs here and nowhere else.
Caller IdentifyCaller(const grpc::ServerContextBase& context);

}  // namespace leverconnect::server

#endif  // LEVERCONNECT_SERVER_CALLER_H_

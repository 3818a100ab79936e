#include "server/caller.h"

namespace leverconnect::server {

Caller IdentifyCaller(const grpc::ServerContextBase& context) {
  return Caller{"anonymous"};
}

}  // namespace leverconnect::server

#include "tests/fakes/connection_abort.h"

#include <dirent.h>
#include <netdb.h>

#include <cstdlib>
#include <string>

#include <netinet/in.h>
#include <sys/socket.h>

namespace leverconnect::testing {
namespace {

// A socket address as httplib writes it into a Request.
struct Endpoint {
  std::string address;
  int port = -1;

  bool operator==(const Endpoint& other) const {
    return port == other.port && address == other.address;
  }
};

// Like httplib: the numeric host from getnameinfo and the port.
bool ToEndpoint(const sockaddr_storage& storage, socklen_t length,
                Endpoint& endpoint) {
  if (storage.ss_family == AF_INET) {
    endpoint.port =
        ntohs(reinterpret_cast<const sockaddr_in&>(storage).sin_port);
  } else if (storage.ss_family == AF_INET6) {
    endpoint.port =
        ntohs(reinterpret_cast<const sockaddr_in6&>(storage).sin6_port);
  } else {
    return false;
  }
  char host[NI_MAXHOST] = {};
  if (getnameinfo(reinterpret_cast<const sockaddr*>(&storage), length, host,
                  sizeof(host), nullptr, 0, NI_NUMERICHOST) != 0) {
    return false;
  }
  endpoint.address = host;
  return true;
}

bool LocalEndpoint(int descriptor, Endpoint& endpoint) {
  sockaddr_storage storage = {};
  socklen_t length = sizeof(storage);
  return getsockname(descriptor, reinterpret_cast<sockaddr*>(&storage),
                     &length) == 0 &&
         ToEndpoint(storage, length, endpoint);
}

bool PeerEndpoint(int descriptor, Endpoint& endpoint) {
  sockaddr_storage storage = {};
  socklen_t length = sizeof(storage);
  return getpeername(descriptor, reinterpret_cast<sockaddr*>(&storage),
                     &length) == 0 &&
         ToEndpoint(storage, length, endpoint);
}

// The descriptor of the connected socket between `local` and `peer`, or
// -1. A TCP connection is unique by these four values.
int FindSocket(const Endpoint& local, const Endpoint& peer) {
  DIR* directory = opendir("/proc/self/fd");
  if (directory == nullptr) return -1;
  int found = -1;
  while (const dirent* entry = readdir(directory)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    const int descriptor = std::atoi(entry->d_name);
    Endpoint its_local;
    Endpoint its_peer;
    if (LocalEndpoint(descriptor, its_local) && its_local == local &&
        PeerEndpoint(descriptor, its_peer) && its_peer == peer) {
      found = descriptor;
      break;
    }
  }
  closedir(directory);
  return found;
}

}  // namespace

bool AbortConnection(const httplib::Request& request) {
  const int descriptor = FindSocket({request.local_addr, request.local_port},
                                    {request.remote_addr, request.remote_port});
  if (descriptor < 0) return false;
  // Linux: connecting a TCP socket to AF_UNSPEC drops its connection with
  // a reset and leaves the descriptor open but unconnected.
  sockaddr unspecified = {};
  unspecified.sa_family = AF_UNSPEC;
  return connect(descriptor, &unspecified, sizeof(unspecified)) == 0;
}

}  // namespace leverconnect::testing

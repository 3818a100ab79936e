// When a server may listen without TLS.
//
// Bearer tokens, Lever API keys and requisitions cross the connection, so
// plaintext is acceptable only where nothing leaves the machine: a
// loopback address (127.0.0.0/8, ::1, "localhost") or a Unix socket.
#ifndef LEVERCONNECT_LIB_AUTH_TRANSPORT_POLICY_H_
#define LEVERCONNECT_LIB_AUTH_TRANSPORT_POLICY_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace leverconnect::auth {

// Whether the gRPC listen address `address` ("host:port", "[v6]:port" or
// "unix:path") is reachable only from this machine.
bool IsLoopbackAddress(absl::string_view address);

// OK when a plaintext listener on `address` is acceptable: a loopback
// address, or `allow_plaintext` (something else encrypts the traffic).
// Otherwise FAILED_PRECONDITION saying why and how to proceed, naming
// --tls-cert, --tls-key and --allow-plaintext.
absl::Status CheckPlaintextListener(absl::string_view address,
                                    bool allow_plaintext);

}  // namespace leverconnect::auth

#endif  // LEVERCONNECT_LIB_AUTH_TRANSPORT_POLICY_H_

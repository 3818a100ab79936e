// Ends an HTTP exchange at the TCP level, as a crashing proxy does.
#ifndef LEVERCONNECT_TESTS_FAKES_CONNECTION_ABORT_H_
#define LEVERCONNECT_TESTS_FAKES_CONNECTION_ABORT_H_

#include <httplib.h>

namespace leverconnect::testing {

// Resets the connection `request` arrived on, from the handler serving it:
// the client gets a TCP reset and no byte of an answer. Whatever the
// server writes afterwards fails, and it closes the socket as usual.
//
// httplib does not show handlers their socket, so this finds it among the
// process's descriptors by the request's local and remote addresses, then
// disconnects it with connect(AF_UNSPEC), which keeps the descriptor
// valid. Linux only. Returns false when the socket was not found or not
// reset; the connection is then untouched.
bool AbortConnection(const httplib::Request& request);

}  // namespace leverconnect::testing

#endif  // LEVERCONNECT_TESTS_FAKES_CONNECTION_ABORT_H_

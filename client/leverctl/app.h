// leverctl as a function: parses a command line, runs the command against
// the server, prints the results, and returns the exit status.
#ifndef LEVERCONNECT_CLIENT_LEVERCTL_APP_H_
#define LEVERCONNECT_CLIENT_LEVERCTL_APP_H_

#include <string>
#include <vector>

#include "client/leverctl/command_line.h"
#include "client/leverctl/environment.h"

namespace leverconnect::leverctl {

// The server used when neither --server nor LEVERCONNECT_SERVER is given.
inline constexpr char kDefaultServer[] = "127.0.0.1:50051";

// Runs `arguments` (without the program name); returns an ExitCode. Writes
// only to environment.out and environment.err.
int RunLeverctl(const std::vector<std::string>& arguments,
                Environment& environment);

// Every group, command and flag of leverctl.
const CommandLineSpec& LeverctlSpec();

}  // namespace leverconnect::leverctl

#endif  // LEVERCONNECT_CLIENT_LEVERCTL_APP_H_

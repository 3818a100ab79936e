// Where leverctl gets a Lever API key: the environment or standard input,
// never the command line (where other users see it in the process list and
// the shell keeps it in its history).
#ifndef LEVERCONNECT_CLIENT_LEVERCTL_API_KEY_H_
#define LEVERCONNECT_CLIENT_LEVERCTL_API_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "client/leverctl/environment.h"

namespace leverconnect::leverctl {

// The key from LEVER_API_KEY when that variable is set, else from
// environment.read_api_key. A trailing line end (LF, CRLF) is removed.
// INVALID_ARGUMENT when nothing is left, naming where the key came from:
// "the Lever API key in LEVER_API_KEY is empty" or "the Lever API key read
// from standard input is empty".
absl::StatusOr<std::string> ReadApiKey(const Environment& environment);

// One line of standard input without its line end. When standard input is
// a terminal, first prompts "Lever API key: " on stderr and keeps echo off
// until the line is read; echo comes back also when the reading is
// interrupted (Ctrl-C).
absl::StatusOr<std::string> ReadApiKeyFromStandardInput();

}  // namespace leverconnect::leverctl

#endif  // LEVERCONNECT_CLIENT_LEVERCTL_API_KEY_H_

// leverctl: the command-line tool of leverconnect. Everything but the wiring
// to this process (streams, variables, terminal, network) is in
// client/leverctl/, where tests run it in-process.
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "client/leverconnect_client.h"
#include "client/leverctl/api_key.h"
#include "client/leverctl/app.h"

namespace {

std::optional<std::string> Variable(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace

int main(int argc, char** argv) {
  namespace leverctl = leverconnect::leverctl;
  leverctl::Environment environment;
  environment.out = &std::cout;
  environment.err = &std::cerr;
  environment.variable = Variable;
  environment.read_api_key = leverctl::ReadApiKeyFromStandardInput;
  environment.connect = [](const std::string& address,
                           const leverconnect::client::ClientOptions& options) {
    return leverconnect::client::Client::Connect(address, options);
  };
  environment.show_progress = isatty(STDERR_FILENO) != 0;
  environment.input_is_terminal = isatty(STDIN_FILENO) != 0;
  environment.ask = [](const std::string& question) {
    std::cerr << question << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    return answer;
  };

  const std::vector<std::string> arguments(argv + 1, argv + argc);
  const int exit_code = leverctl::RunLeverctl(arguments, environment);
  std::cout.flush();
  return exit_code;
}

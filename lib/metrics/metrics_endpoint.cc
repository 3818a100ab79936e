#include "lib/metrics/metrics_endpoint.h"

#include <httplib.h>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "lib/metrics/metrics.h"

namespace leverconnect::metrics {
namespace {

constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

// Scrapes are rare and small: a couple of threads answer them.
constexpr std::size_t kThreads = 2;

}  // namespace

MetricsEndpoint::MetricsEndpoint()
    : server_(std::make_unique<httplib::Server>()) {}

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const std::string& address) {
  const std::size_t colon = address.rfind(':');
  int port = -1;
  std::string host;
  if (colon != std::string::npos) {
    host = address.substr(0, colon);
    if (!absl::SimpleAtoi(address.substr(colon + 1), &port)) port = -1;
  }
  host = std::string(absl::StripSuffix(absl::StripPrefix(host, "["), "]"));
  if (host.empty() || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("the metrics address \"", address, "\" is not HOST:PORT"));
  }

  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint);
  httplib::Server& server = *endpoint->server_;
  server.new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  server.set_keep_alive_max_count(1);
  server.Get("/metrics",
             [](const httplib::Request&, httplib::Response& response) {
               response.set_content(TextExposition(), kContentType);
             });
  const bool bound = port == 0 ? (port = server.bind_to_any_port(host)) > 0
                               : server.bind_to_port(host, port);
  if (!bound) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", address, " for metrics"));
  }
  endpoint->port_ = port;
  endpoint->listener_ = std::thread([&server] { server.listen_after_bind(); });
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() {
  server_->stop();
  if (listener_.joinable()) listener_.join();
}

}  // namespace leverconnect::metrics

// An HTTP listener that serves metrics::TextExposition() at /metrics in
// Prometheus' text format, on threads of its own. Plaintext and without
// authentication: the metrics hold counts, never a secret. Each answer
// closes its connection, so that stopping never waits for an idle
// scraper.
#ifndef LEVERCONNECT_LIB_METRICS_METRICS_ENDPOINT_H_
#define LEVERCONNECT_LIB_METRICS_METRICS_ENDPOINT_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace leverconnect::metrics {

class MetricsEndpoint {
 public:
  // Listens on `address`, "HOST:PORT" (port 0 picks a free port; an IPv6
  // host in brackets); UNAVAILABLE naming the address when it cannot.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const std::string& address);

  // Stops listening and waits for answers in progress.
  ~MetricsEndpoint();

  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  // The bound port.
  int port() const { return port_; }

 private:
  MetricsEndpoint();

  std::unique_ptr<httplib::Server> server_;
  std::thread listener_;
  int port_ = 0;
};

}  // namespace leverconnect::metrics

#endif  // LEVERCONNECT_LIB_METRICS_METRICS_ENDPOINT_H_

// An HTTP listener that serves metrics::ProcessRegistry() at /metrics in
// Prometheus' text format, on threads of its own (prometheus-cpp's
// exposer). Plaintext and without authentication: the metrics hold counts,
// never a secret.
#ifndef LEVERCONNECT_LIB_METRICS_METRICS_ENDPOINT_H_
#define LEVERCONNECT_LIB_METRICS_METRICS_ENDPOINT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace prometheus {
class Exposer;
}  // namespace prometheus

namespace leverconnect::metrics {

class MetricsEndpoint {
 public:
  // Listens on `address`, "HOST:PORT" (port 0 picks a free port);
  // UNAVAILABLE naming the address when it cannot.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      const std::string& address);

  ~MetricsEndpoint();

  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  // The bound port.
  int port() const { return port_; }

 private:
  MetricsEndpoint() = default;

  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace leverconnect::metrics

#endif  // LEVERCONNECT_LIB_METRICS_METRICS_ENDPOINT_H_

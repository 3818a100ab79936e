#include "lib/metrics/metrics_endpoint.h"

#include <exception>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "lib/metrics/metrics.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"

namespace leverconnect::metrics {

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const std::string& address) {
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint);
  try {
    endpoint->exposer_ = std::make_unique<prometheus::Exposer>(address);
  } catch (const std::exception& error) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address,
                                               " for metrics: ", error.what()));
  }
  const std::vector<int> ports = endpoint->exposer_->GetListeningPorts();
  if (ports.empty()) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", address, " for metrics"));
  }
  endpoint->port_ = ports.front();
  endpoint->exposer_->RegisterCollectable(ProcessRegistry());
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() = default;

}  // namespace leverconnect::metrics

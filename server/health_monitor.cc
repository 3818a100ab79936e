#include "server/health_monitor.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/log/log.h"

namespace leverconnect::server {

absl::Status CheckFileReadable(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot read the file ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

HealthMonitor::HealthMonitor(std::vector<ReadinessCheck> checks,
                             Publish publish, retry::Clock& clock,
                             absl::Duration interval)
    : checks_(std::move(checks)),
      publish_(std::move(publish)),
      clock_(clock),
      interval_(interval) {}

// Publishes nothing: what it would publish to may be gone already.
HealthMonitor::~HealthMonitor() { StopThread(); }

absl::Status HealthMonitor::CheckNow() {
  absl::MutexLock serial(&check_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (draining_) return absl::UnavailableError("the server is draining");
  }
  absl::Status failure;
  std::string failed_check;
  for (const ReadinessCheck& readiness : checks_) {
    failure = readiness.check();
    if (!failure.ok()) {
      failed_check = readiness.name;
      break;
    }
  }
  const bool ready = failure.ok();

  bool changed;
  {
    absl::MutexLock lock(&mu_);
    const std::string description = failure.ToString();
    changed = !published_ || ready != ready_ ||
              (!ready && description != last_failure_);
    published_ = true;
    ready_ = ready;
    last_failure_ = ready ? "" : description;
  }
  if (!changed) return failure;
  if (ready) {
    log::Log(log::Severity::kInfo, "ready");
  } else {
    log::Log(log::Severity::kWarning, "not ready",
             {{"check", failed_check}, {"error", failure}});
  }
  publish_(ready);
  return failure;
}

void HealthMonitor::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void HealthMonitor::Loop() {
  const auto draining = [this] {
    absl::MutexLock lock(&mu_);
    return draining_;
  };
  while (clock_.Sleep(interval_, draining)) {
    if (draining()) return;
    CheckNow().IgnoreError();  // CheckNow logs and publishes changes
  }
}

bool HealthMonitor::StopThread() {
  {
    absl::MutexLock lock(&mu_);
    if (draining_) return false;
    draining_ = true;
  }
  if (thread_.joinable()) thread_.join();
  return true;
}

void HealthMonitor::Drain() {
  if (!StopThread()) return;
  absl::MutexLock serial(&check_mu_);
  {
    absl::MutexLock lock(&mu_);
    ready_ = false;
    published_ = true;
  }
  publish_(false);
}

bool HealthMonitor::ready() const {
  absl::MutexLock lock(&mu_);
  return ready_;
}

}  // namespace leverconnect::server

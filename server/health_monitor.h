// Keeps the server's readiness true to what it can do.
//
// Readiness is SERVING only while every check passes (the store answers,
// the master keyring file can be read, ...) and the server is not
// draining. A background thread runs the checks every `interval` and
// publishes each change; Drain() turns readiness off for good, at once.
// Liveness is not decided here: the process answering is the signal.
//
// Thread-safe. The checks and the publish callback run on the monitor's
// thread, or on the caller's for CheckNow and Drain, one at a time.
#ifndef LEVERCONNECT_SERVER_HEALTH_MONITOR_H_
#define LEVERCONNECT_SERVER_HEALTH_MONITOR_H_

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "lib/retry/clock.h"

namespace leverconnect::server {

// One condition of readiness; `check` returns OK when it holds, else a
// status saying what is wrong (never a secret).
struct ReadinessCheck {
  std::string name;  // "store", "master_keyring"
  std::function<absl::Status()> check;
};

// OK when `path` can be opened for reading now; FAILED_PRECONDITION naming
// the file otherwise.
absl::Status CheckFileReadable(const std::string& path);

class HealthMonitor {
 public:
  // Called with the readiness to publish, first by the first CheckNow and
  // then at each change.
  using Publish = std::function<void(bool ready)>;

  // `clock` paces the background thread and must outlive the monitor.
  HealthMonitor(std::vector<ReadinessCheck> checks, Publish publish,
                retry::Clock& clock, absl::Duration interval);
  ~HealthMonitor();

  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

  // Runs every check now and publishes the outcome when it changed (or
  // was never published). Returns the first failure, OK when ready. After
  // Drain it checks nothing and returns UNAVAILABLE.
  absl::Status CheckNow();

  // Starts the thread that calls CheckNow every `interval`.
  void Start();

  // Stops the thread and publishes NOT_SERVING; later checks change
  // nothing. Idempotent.
  void Drain();

  bool ready() const;

 private:
  void Loop();
  // Marks the monitor draining and joins its thread; false when it was
  // already draining.
  bool StopThread();

  const std::vector<ReadinessCheck> checks_;
  const Publish publish_;
  retry::Clock& clock_;
  const absl::Duration interval_;

  // Serialises CheckNow and Drain, so that publications never cross.
  absl::Mutex check_mu_;
  mutable absl::Mutex mu_;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  bool published_ ABSL_GUARDED_BY(mu_) = false;
  bool ready_ ABSL_GUARDED_BY(mu_) = false;
  std::string last_failure_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace leverconnect::server

#endif  // LEVERCONNECT_SERVER_HEALTH_MONITOR_H_

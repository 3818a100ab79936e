// The windows of creation time that a parallel import reads at once.
//
// The created-at range is cut into half-open windows [start, end), so no
// requisition belongs to two. Workers take windows from the queue; a
// window whose first page shows more pages is split in two when a worker
// would otherwise sit idle, so the import keeps enough requests in flight
// to use the key's budget even when one part of the range is dense.
// Thread-safe.
#ifndef LEVERCONNECT_LIB_IMPORTER_WINDOW_QUEUE_H_
#define LEVERCONNECT_LIB_IMPORTER_WINDOW_QUEUE_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace leverconnect::importer {

// Creation times from `start_ms` (inclusive) to `end_ms` (exclusive), in
// milliseconds since the epoch, of requisitions with `status` (any when
// empty).
struct Window {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::string status;
};

// [start_ms, end_ms) cut into `parts` windows of (nearly) equal width that
// together cover it exactly. REQUIRES: start_ms < end_ms, parts >= 1.
std::vector<Window> SplitRange(std::int64_t start_ms, std::int64_t end_ms,
                               int parts, const std::string& status);

class WindowQueue {
 public:
  // `workers` take windows at once; windows narrower than 2 *
  // `min_width_ms` are never split.
  WindowQueue(int workers, std::int64_t min_width_ms);

  void Push(Window window);

  // Takes the next window, waiting while none is queued but some worker
  // may still split one. False when every window is done, or after Stop.
  bool Next(Window* window);

  // A worker finished the window it took.
  void Done();

  // After the first page of `window` showed more pages: when the queue is
  // empty and a worker is idle, queues `window` cut into one part for the
  // caller and one per idle worker, and returns true (the caller then
  // drops the window); false otherwise.
  bool SplitIfIdle(const Window& window);

  // Wakes every waiting worker; Next returns false from now on.
  void Stop();

  int splits() const;

 private:
  const int workers_;
  const std::int64_t min_width_ms_;
  mutable absl::Mutex mu_;
  std::deque<Window> queue_ ABSL_GUARDED_BY(mu_);
  int active_ ABSL_GUARDED_BY(mu_) = 0;
  int splits_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace leverconnect::importer

#endif  // LEVERCONNECT_LIB_IMPORTER_WINDOW_QUEUE_H_

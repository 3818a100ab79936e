#include "lib/importer/window_queue.h"

#include <algorithm>
#include <utility>

namespace leverconnect::importer {

std::vector<Window> SplitRange(std::int64_t start_ms, std::int64_t end_ms,
                               int parts, const std::string& status) {
  std::vector<Window> windows;
  const std::int64_t width = end_ms - start_ms;
  std::int64_t start = start_ms;
  for (int part = 1; part <= parts; ++part) {
    // Computed from the whole range each time, so the last window ends
    // exactly at end_ms whatever the rounding.
    const std::int64_t end =
        part == parts ? end_ms : start_ms + width / parts * part;
    if (end > start) windows.push_back({start, end, status});
    start = end;
  }
  return windows;
}

WindowQueue::WindowQueue(int workers, std::int64_t min_width_ms)
    : workers_(workers), min_width_ms_(min_width_ms) {}

void WindowQueue::Push(Window window) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(window));
}

bool WindowQueue::Next(Window* window) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopped_ || !queue_.empty() || active_ == 0;
  };
  mu_.Await(absl::Condition(&ready));
  if (stopped_ || queue_.empty()) return false;
  *window = std::move(queue_.front());
  queue_.pop_front();
  ++active_;
  return true;
}

void WindowQueue::Done() {
  absl::MutexLock lock(&mu_);
  --active_;
}

bool WindowQueue::SplitIfIdle(const Window& window) {
  absl::MutexLock lock(&mu_);
  const std::int64_t width = window.end_ms - window.start_ms;
  if (stopped_ || !queue_.empty() || active_ >= workers_ ||
      width < 2 * min_width_ms_) {
    return false;
  }
  // One part for this worker and one for each idle one, so that a single
  // split (one page read twice) puts every worker back to work.
  const std::int64_t parts =
      std::min<std::int64_t>(workers_ - active_ + 1, width / min_width_ms_);
  for (Window& part : SplitRange(window.start_ms, window.end_ms,
                                 static_cast<int>(parts), window.status)) {
    queue_.push_back(std::move(part));
  }
  ++splits_;
  return true;
}

void WindowQueue::Stop() {
  absl::MutexLock lock(&mu_);
  stopped_ = true;
}

int WindowQueue::splits() const {
  absl::MutexLock lock(&mu_);
  return splits_;
}

}  // namespace leverconnect::importer

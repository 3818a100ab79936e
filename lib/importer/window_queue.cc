#include "lib/importer/window_queue.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace leverconnect::importer {
namespace {

// Windows from `cuts` (strictly increasing, all inside the window).
std::vector<Window> WindowsBetween(const Window& window,
                                   const std::vector<std::int64_t>& cuts) {
  std::vector<Window> windows;
  std::int64_t start = window.start_ms;
  for (std::int64_t cut : cuts) {
    windows.push_back({start, cut, window.status});
    start = cut;
  }
  windows.push_back({start, window.end_ms, window.status});
  return windows;
}

// The first 64 bits of a lower-case UUID ("xxxxxxxx-xxxx-xxxx-..."), or
// false when `id` is not one.
bool LeadingBits(absl::string_view id, std::uint64_t* bits) {
  if (id.size() != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' ||
      id[23] != '-') {
    return false;
  }
  *bits = 0;
  for (std::size_t i = 0; i < 18; ++i) {
    const char c = id[i];
    if (c == '-') continue;
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return false;
    }
    *bits = *bits << 4 | static_cast<std::uint64_t>(digit);
  }
  return true;
}

}  // namespace

int EstimatedPages(const std::vector<absl::string_view>& ids, int page_size) {
  if (ids.empty() || page_size < 1) return 0;
  for (std::size_t i = 1; i < ids.size(); ++i) {
    if (ids[i] >= ids[i - 1]) return 0;
  }
  std::uint64_t lowest = 0;
  if (!LeadingBits(ids.back(), &lowest)) return 0;
  const double share_above =
      1.0 - static_cast<double>(lowest) / 18446744073709551616.0;  // 2^64
  const double rows =
      static_cast<double>(ids.size()) / std::max(share_above, 1e-9);
  return static_cast<int>(std::ceil(std::min(rows / page_size, 1e6)));
}

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

std::vector<Window> SplitAtSample(const Window& window,
                                  const std::vector<std::int64_t>& created_ms,
                                  int parts, std::int64_t min_width_ms,
                                  std::int64_t horizon_ms) {
  std::vector<std::int64_t> sample;
  for (std::int64_t created : created_ms) {
    if (created >= window.start_ms && created < window.end_ms) {
      sample.push_back(created);
    }
  }
  const bool creation_order =
      sample.size() > 2 && std::is_sorted(sample.begin(), sample.end());
  std::sort(sample.begin(), sample.end());
  std::vector<std::int64_t> cuts;
  if (!creation_order && !sample.empty()) {
    for (int part = 1; part < parts; ++part) {
      const std::int64_t cut = sample[sample.size() * part / parts];
      // A cut at a time makes that time's requisitions start the next
      // part, so a cut at the window's start would leave an empty part.
      if (cut > window.start_ms && (cuts.empty() || cut > cuts.back())) {
        cuts.push_back(cut);
      }
    }
    if (!cuts.empty()) return WindowsBetween(window, cuts);
  }

  // Equal widths over where requisitions were seen and may still be.
  std::int64_t low = sample.empty() ? window.start_ms : sample.front();
  std::int64_t high = std::min(window.end_ms, horizon_ms);
  if (low >= high) {
    low = window.start_ms;
    high = window.end_ms;
  }
  const std::int64_t fitting = std::max<std::int64_t>(
      1, (high - low) / std::max<std::int64_t>(1, min_width_ms));
  const int equal_parts =
      static_cast<int>(std::min<std::int64_t>(parts, fitting));
  // The first equal part's start is not a cut: the first window reaches
  // back to the window's own start.
  for (const Window& part : SplitRange(low, high, equal_parts, "")) {
    if (part.start_ms > low) cuts.push_back(part.start_ms);
  }
  return WindowsBetween(window, cuts);
}

WindowQueue::WindowQueue(int workers, std::int64_t min_width_ms,
                         std::int64_t horizon_ms)
    : workers_(workers), min_width_ms_(min_width_ms), horizon_ms_(horizon_ms) {}

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
  if (!window->part) ++awaiting_first_page_;
  return true;
}

void WindowQueue::Done() {
  absl::MutexLock lock(&mu_);
  --active_;
}

bool WindowQueue::SplitAfterFirstPage(const Window& window,
                                      const FirstPage& page) {
  absl::MutexLock lock(&mu_);
  if (!window.part) --awaiting_first_page_;
  const int idle = workers_ - active_;
  if (stopped_ || !page.has_next || !queue_.empty() || idle <= 0) {
    return false;
  }
  // The idle workers are shared with the windows still awaiting their
  // first page, which may need splitting as much as this one.
  int parts = 1 + idle / (1 + awaiting_first_page_);
  if (page.max_parts > 0) parts = std::min(parts, page.max_parts);
  if (parts < 2) return false;
  std::vector<Window> windows =
      SplitAtSample(window, page.created_ms, parts, min_width_ms_, horizon_ms_);
  if (windows.size() < 2) return false;
  for (Window& part : windows) {
    part.part = true;
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

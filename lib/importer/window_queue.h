// The windows of creation time that a parallel import reads at once.
//
// The created-at range is cut into half-open windows [start, end), so no
// requisition belongs to two. An import starts with one window over its
// whole range. Workers take windows from the queue; when the first page of
// a window shows more pages and workers sit idle, the window is cut into
// one part for the reader and some for each idle worker, and the parts are
// read instead (the first page is read again, once, spread over the parts).
//
// Lever lists requisitions by id, which has nothing to do with creation
// time, so a first page is a fair sample of its window: cutting at the
// quantiles of its creation times gives parts of about the same number of
// requisitions, which then finish at about the same time. A sample that
// comes in creation order (a Lever that sorts by it) would put every cut in
// the oldest part; such a window is cut into parts of equal width instead.
// Thread-safe.
#ifndef LEVERCONNECT_LIB_IMPORTER_WINDOW_QUEUE_H_
#define LEVERCONNECT_LIB_IMPORTER_WINDOW_QUEUE_H_

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace leverconnect::importer {

// Creation times from `start_ms` (inclusive) to `end_ms` (exclusive), in
// milliseconds since the epoch, of requisitions with `status` (any when
// empty).
struct Window {
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  std::string status;
  bool part = false;  // made by splitting another window
};

// What the first page of a window showed.
struct FirstPage {
  bool has_next = false;
  // The creation times of its requisitions, in the order Lever listed them
  // (requisitions without one left out).
  std::vector<std::int64_t> created_ms;
  // The most parts worth cutting the window into: about the pages it is
  // thought to hold. 0 when unknown.
  int max_parts = 0;
};

// The pages a listing is thought to hold, from the ids of its first page
// in listing order, or 0 when unknown. Lever lists requisitions by id from
// the highest down, and ids are random UUIDs: a first page of m
// requisitions holds the m highest of n ids spread evenly, so the lowest
// of them lies near 1 - m/n of the id space. Only a guess, used to avoid
// cutting a small listing into more parts than it has pages; ids that are
// not lower-case UUIDs in that order give 0.
int EstimatedPages(const std::vector<absl::string_view>& ids, int page_size);

// [start_ms, end_ms) cut into `parts` windows of (nearly) equal width that
// together cover it exactly. REQUIRES: start_ms < end_ms, parts >= 1.
std::vector<Window> SplitRange(std::int64_t start_ms, std::int64_t end_ms,
                               int parts, const std::string& status);

// `window` cut into at most `parts` windows that together cover it
// exactly, at the quantiles of `created_ms` (creation times in listing
// order); fewer when the sample has fewer distinct times inside the
// window. Falls back to SplitRange over the part of the window from the
// earliest time seen to `horizon_ms` when the sample is in creation order
// or gives no cut, with parts no narrower than `min_width_ms`. The first
// part starts at window.start_ms and the last ends at window.end_ms.
std::vector<Window> SplitAtSample(const Window& window,
                                  const std::vector<std::int64_t>& created_ms,
                                  int parts, std::int64_t min_width_ms,
                                  std::int64_t horizon_ms);

class WindowQueue {
 public:
  // `workers` take windows at once. `horizon_ms` bounds where equal-width
  // cuts are placed (creation times after it are not expected);
  // `min_width_ms` is the narrowest such part.
  WindowQueue(int workers, std::int64_t min_width_ms, std::int64_t horizon_ms);

  void Push(Window window);

  // Takes the next window, waiting while none is queued but some worker
  // may still split one. False when every window is done, or after Stop.
  bool Next(Window* window);

  // A worker finished the window it took.
  void Done();

  // Called once per window taken, after its first page. When that page
  // shows more pages and workers sit idle, queues `window` cut into one
  // part for the caller and one per idle worker, and returns true: the
  // caller then drops the window. False otherwise. Idle workers are shared
  // with the pushed windows whose first page is still awaited, which may
  // need them as much; parts of a split are already balanced, so they do
  // not count.
  bool SplitAfterFirstPage(const Window& window, const FirstPage& page);

  // Wakes every waiting worker; Next returns false from now on.
  void Stop();

  int splits() const;

 private:
  const int workers_;
  const std::int64_t min_width_ms_;
  const std::int64_t horizon_ms_;
  mutable absl::Mutex mu_;
  std::deque<Window> queue_ ABSL_GUARDED_BY(mu_);
  int active_ ABSL_GUARDED_BY(mu_) = 0;
  // Pushed windows taken whose first page has not come back yet.
  int awaiting_first_page_ ABSL_GUARDED_BY(mu_) = 0;
  int splits_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace leverconnect::importer

#endif  // LEVERCONNECT_LIB_IMPORTER_WINDOW_QUEUE_H_

#include "lib/importer/window_queue.h"

#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace leverconnect::importer {
namespace {

std::vector<std::pair<std::int64_t, std::int64_t>> Bounds(
    const std::vector<Window>& windows) {
  std::vector<std::pair<std::int64_t, std::int64_t>> bounds;
  for (const Window& window : windows) {
    bounds.emplace_back(window.start_ms, window.end_ms);
  }
  return bounds;
}

TEST(SplitRangeTest, HalfOpenWindowsCoverTheRangeExactly) {
  EXPECT_EQ(Bounds(SplitRange(0, 8000, 8, "")),
            (std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 1000},
                                                                {1000, 2000},
                                                                {2000, 3000},
                                                                {3000, 4000},
                                                                {4000, 5000},
                                                                {5000, 6000},
                                                                {6000, 7000},
                                                                {7000, 8000}}));
  // Uneven widths still meet end to end and stop at the end.
  EXPECT_EQ(Bounds(SplitRange(10, 21, 3, "open")),
            (std::vector<std::pair<std::int64_t, std::int64_t>>{
                {10, 13}, {13, 16}, {16, 21}}));
  // A range narrower than the parts gives no empty windows.
  EXPECT_EQ(Bounds(SplitRange(5, 7, 4, "")),
            (std::vector<std::pair<std::int64_t, std::int64_t>>{{5, 7}}));
  EXPECT_EQ(SplitRange(0, 10, 2, "closed")[1].status, "closed");
}

TEST(WindowQueueTest, SplitsOnlyWhenAWorkerWouldSitIdle) {
  WindowQueue queue(/*workers=*/2, /*min_width_ms=*/10);
  queue.Push({0, 100, ""});
  queue.Push({100, 200, ""});
  Window first, second;
  ASSERT_TRUE(queue.Next(&first));
  // Another window is still queued: no split.
  EXPECT_FALSE(queue.SplitIfIdle(first));
  ASSERT_TRUE(queue.Next(&second));
  // Both workers busy: no split.
  EXPECT_FALSE(queue.SplitIfIdle(second));
  queue.Done();  // the first worker finished and would wait
  // One part for the caller, one for the idle worker.
  EXPECT_TRUE(queue.SplitIfIdle(second));
  queue.Done();
  Window half;
  ASSERT_TRUE(queue.Next(&half));
  EXPECT_EQ(half.start_ms, 100);
  EXPECT_EQ(half.end_ms, 150);
  queue.Done();
  ASSERT_TRUE(queue.Next(&half));
  EXPECT_EQ(half.start_ms, 150);
  EXPECT_EQ(half.end_ms, 200);
  queue.Done();
  EXPECT_FALSE(queue.Next(&half));
  EXPECT_EQ(queue.splits(), 1);
}

TEST(WindowQueueTest, OneSplitFeedsEveryIdleWorker) {
  WindowQueue queue(/*workers=*/4, /*min_width_ms=*/1);
  queue.Push({0, 400, ""});
  Window window;
  ASSERT_TRUE(queue.Next(&window));
  // Three workers idle: four parts, one for each worker.
  EXPECT_TRUE(queue.SplitIfIdle(window));
  queue.Done();
  std::vector<Window> parts;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(queue.Next(&window));
    parts.push_back(window);
  }
  EXPECT_EQ(Bounds(parts), (std::vector<std::pair<std::int64_t, std::int64_t>>{
                               {0, 100}, {100, 200}, {200, 300}, {300, 400}}));
}

TEST(WindowQueueTest, NarrowWindowsAreNotSplit) {
  WindowQueue queue(/*workers=*/4, /*min_width_ms=*/60);
  queue.Push({0, 100, ""});
  Window window;
  ASSERT_TRUE(queue.Next(&window));
  EXPECT_FALSE(queue.SplitIfIdle(window));
}

TEST(WindowQueueTest, StopEndsTheWork) {
  WindowQueue queue(/*workers=*/1, /*min_width_ms=*/1);
  queue.Push({0, 100, ""});
  queue.Stop();
  Window window;
  EXPECT_FALSE(queue.Next(&window));
}

}  // namespace
}  // namespace leverconnect::importer

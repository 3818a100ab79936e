#include "lib/importer/window_queue.h"

#include <algorithm>
#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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

using Bounds_ = std::vector<std::pair<std::int64_t, std::int64_t>>;

// A page whose creation times come unordered, as Lever lists by id.
FirstPage PageOf(std::vector<std::int64_t> created, bool has_next = true) {
  return FirstPage{has_next, std::move(created), 0};
}

// 0, 10, ..., 990 in a scrambled order.
std::vector<std::int64_t> Scrambled() {
  std::vector<std::int64_t> created;
  for (int i = 0; i < 100; ++i) created.push_back((i * 37 % 100) * 10);
  return created;
}

TEST(SplitAtSampleTest, CutsAtTheQuantilesOfAnUnorderedSample) {
  // Four parts of 25 sampled requisitions each; the first and last parts
  // reach the window's ends.
  EXPECT_EQ(Bounds(SplitAtSample({-5000, 5000, "open"}, Scrambled(), 4,
                                 /*min_width_ms=*/1, /*horizon_ms=*/5000)),
            (Bounds_{{-5000, 250}, {250, 500}, {500, 750}, {750, 5000}}));
  // A skewed sample gives narrow parts where requisitions are dense.
  std::vector<std::int64_t> skewed = {900, 3, 950, 1, 990, 2, 999, 4};
  EXPECT_EQ(Bounds(SplitAtSample({0, 1000, ""}, skewed, 2, 1, 1000)),
            (Bounds_{{0, 900}, {900, 1000}}));
}

TEST(SplitAtSampleTest, RepeatedTimesGiveFewerPartsNeverEmptyOnes) {
  // Every sampled requisition was created at 40: the only cut is there.
  EXPECT_EQ(
      Bounds(SplitAtSample({0, 100, ""}, {40, 40, 40, 41, 40}, 4, 1, 100)),
      (Bounds_{{0, 40}, {40, 100}}));
  // Times at the window's start cannot cut it; the others still do.
  EXPECT_EQ(Bounds(SplitAtSample({10, 100, ""}, {60, 10, 10, 10}, 4, 1, 100)),
            (Bounds_{{10, 60}, {60, 100}}));
}

TEST(SplitAtSampleTest, ASampleInCreationOrderIsCutIntoEqualWidths) {
  // Sorted times say the page holds the oldest requisitions, not a sample:
  // equal widths from the earliest seen to the horizon, the last part
  // still reaching the window's end.
  std::vector<std::int64_t> sorted = {100, 101, 102, 103};
  EXPECT_EQ(Bounds(SplitAtSample({0, 1000000, ""}, sorted, 4,
                                 /*min_width_ms=*/10, /*horizon_ms=*/500)),
            (Bounds_{{0, 200}, {200, 300}, {300, 400}, {400, 1000000}}));
  // No part narrower than min_width_ms.
  EXPECT_EQ(Bounds(SplitAtSample({0, 1000, ""}, sorted, 8, 200, 500)),
            (Bounds_{{0, 300}, {300, 1000}}));
  // Times outside the window are ignored; none left means equal widths
  // over the whole window.
  EXPECT_EQ(Bounds(SplitAtSample({0, 100, ""}, {500, 600}, 2, 1, 1000)),
            (Bounds_{{0, 50}, {50, 100}}));
}

TEST(WindowQueueTest, TheFirstWindowIsCutIntoOnePartPerWorker) {
  WindowQueue queue(/*workers=*/4, /*min_width_ms=*/1, /*horizon_ms=*/1000);
  queue.Push({0, 1000, "open"});
  Window window;
  ASSERT_TRUE(queue.Next(&window));
  EXPECT_TRUE(queue.SplitAfterFirstPage(window, PageOf(Scrambled())));
  queue.Done();
  std::vector<Window> parts;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(queue.Next(&window));
    parts.push_back(window);
    EXPECT_FALSE(queue.SplitAfterFirstPage(window, PageOf(Scrambled())))
        << "every worker is busy";
  }
  EXPECT_EQ(Bounds(parts),
            (Bounds_{{0, 250}, {250, 500}, {500, 750}, {750, 1000}}));
  EXPECT_EQ(parts[3].status, "open");
  for (int i = 0; i < 4; ++i) queue.Done();
  EXPECT_FALSE(queue.Next(&window));
  EXPECT_EQ(queue.splits(), 1);
}

TEST(WindowQueueTest, IdleWorkersAreSharedWithWindowsAwaitingTheirFirstPage) {
  // Two listings start at once on six workers: the first to answer takes
  // half of the four idle workers, not all of them.
  WindowQueue queue(/*workers=*/6, 1, 1000);
  queue.Push({0, 1000, "open"});
  queue.Push({0, 1000, "closed"});
  Window open, closed;
  ASSERT_TRUE(queue.Next(&open));
  ASSERT_TRUE(queue.Next(&closed));
  ASSERT_TRUE(queue.SplitAfterFirstPage(open, PageOf(Scrambled())));
  queue.Done();
  // 1 + 4 idle / (1 + 1 awaiting) = 3 parts.
  int open_parts = 0;
  Window window;
  while (open_parts < 3) {
    ASSERT_TRUE(queue.Next(&window));
    EXPECT_EQ(window.status, "open");
    ++open_parts;
  }
  // The other listing finds the remaining two workers idle.
  ASSERT_TRUE(queue.SplitAfterFirstPage(closed, PageOf(Scrambled())));
  queue.Done();
  int closed_parts = 0;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(queue.Next(&window));
    closed_parts += window.status == "closed";
  }
  EXPECT_EQ(closed_parts, 3);
}

TEST(WindowQueueTest, NoSplitWithoutMorePagesOrIdleWorkersOrBeyondTheEstimate) {
  WindowQueue queue(/*workers=*/2, 1, 1000);
  queue.Push({0, 1000, ""});
  Window window;
  ASSERT_TRUE(queue.Next(&window));
  EXPECT_FALSE(queue.SplitAfterFirstPage(window, PageOf(Scrambled(), false)));
  queue.Done();

  // Another window is queued: a worker will take it.
  queue.Push({0, 500, ""});
  queue.Push({500, 1000, ""});
  ASSERT_TRUE(queue.Next(&window));
  EXPECT_FALSE(queue.SplitAfterFirstPage(window, PageOf(Scrambled())));
  Window second;
  ASSERT_TRUE(queue.Next(&second));
  // Both workers busy.
  EXPECT_FALSE(queue.SplitAfterFirstPage(second, PageOf(Scrambled())));
  queue.Done();
  queue.Done();

  // A listing thought to hold one page is not cut, idle workers or not.
  queue.Push({0, 1000, ""});
  ASSERT_TRUE(queue.Next(&window));
  FirstPage one_page = PageOf(Scrambled());
  one_page.max_parts = 1;
  EXPECT_FALSE(queue.SplitAfterFirstPage(window, one_page));
  queue.Done();
  EXPECT_FALSE(queue.Next(&window));
  EXPECT_EQ(queue.splits(), 0);
}

// The first page of a listing of `count` random UUIDs: the highest
// `page_size`, highest first.
std::vector<std::string> FirstPageIds(int count, int page_size,
                                      std::uint32_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    const std::string hex = absl::StrFormat("%016x%016x", random(), random());
    ids.push_back(absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-",
                               hex.substr(12, 4), "-", hex.substr(16, 4), "-",
                               hex.substr(20)));
  }
  std::sort(ids.rbegin(), ids.rend());
  ids.resize(std::min<std::size_t>(ids.size(), page_size));
  return ids;
}

std::vector<absl::string_view> Views(const std::vector<std::string>& ids) {
  return std::vector<absl::string_view>(ids.begin(), ids.end());
}

TEST(EstimatedPagesTest, TheLowestIdOfTheFirstPageTellsTheListingsSize) {
  // A guess from 100 ids: its spread is about 10%.
  for (std::uint32_t seed = 1; seed <= 5; ++seed) {
    EXPECT_NEAR(EstimatedPages(Views(FirstPageIds(10000, 100, seed)), 100), 100,
                40)
        << seed;
    EXPECT_NEAR(EstimatedPages(Views(FirstPageIds(150, 100, seed)), 100), 2, 1)
        << seed;
  }
  EXPECT_NEAR(EstimatedPages(Views(FirstPageIds(2000, 100, 7)), 50), 40, 10);
}

TEST(EstimatedPagesTest, IdsThatAreNotRandomUuidsHighestFirstGiveNoEstimate) {
  std::vector<std::string> ids = FirstPageIds(1000, 100, 3);
  std::vector<std::string> ascending(ids.rbegin(), ids.rend());
  EXPECT_EQ(EstimatedPages(Views(ascending), 100), 0);
  std::vector<std::string> upper = ids;
  for (char& c : upper.back()) c = static_cast<char>(std::toupper(c));
  EXPECT_EQ(EstimatedPages(Views(upper), 100), 0);
  EXPECT_EQ(EstimatedPages(Views({"c", "b", "a"}), 100), 0);
  EXPECT_EQ(EstimatedPages({}, 100), 0);
}

TEST(WindowQueueTest, StopEndsTheWork) {
  WindowQueue queue(/*workers=*/1, /*min_width_ms=*/1, /*horizon_ms=*/100);
  queue.Push({0, 100, ""});
  queue.Stop();
  Window window;
  EXPECT_FALSE(queue.Next(&window));
}

}  // namespace
}  // namespace leverconnect::importer

// Active pixels per event and the budget N, on hand-counted events.
#include <gtest/gtest.h>

#include <cmath>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/stats.h"
#include "sparsepixels/error.h"
#include "temporary_folder.h"

namespace sparsepixels::data {
namespace {

TEST(Stats, CountActiveUsesChannelZeroStrictly) {
  // 3 pixels x 2 channels: channel 0 = 0.5, 0.4, 0; channel 1 non-zero everywhere.
  const float event[6] = {0.5f, 9, 0.4f, 9, 0, 9};
  EXPECT_EQ(count_active(event, 3, 2, 0.4), 1u);
  EXPECT_EQ(count_active(event, 3, 2, 0.0), 2u);
  EXPECT_EQ(count_active(event, 3, 2, -1.0), 3u);
}

TEST(Stats, SmallestBudgetKeepsTheFraction) {
  const std::vector<std::size_t> histogram{2, 3, 0, 5};  // 10 events with 0, 1, 3 active pixels
  EXPECT_EQ(smallest_budget(histogram, 0.2), 0u);
  EXPECT_EQ(smallest_budget(histogram, 0.5), 1u);
  EXPECT_EQ(smallest_budget(histogram, 0.51), 3u);
  EXPECT_EQ(smallest_budget(histogram, 1.0), 3u);
  EXPECT_THROW(smallest_budget(histogram, 0.0), Error);
  EXPECT_THROW(smallest_budget(histogram, 1.5), Error);
}

TEST(Stats, DistributionOfASplit) {
  testing::TemporaryFolder folder;
  DatasetInfo info;
  info.source = info.transform = "test";
  info.threshold = 0.25;
  info.class_names = {"a", "b"};
  info.height = 2;
  info.width = 3;
  info.channels = 1;
  Split test;
  test.height = 2;
  test.width = 3;
  test.channels = 1;
  // Active counts (> 0.25): 0, 1, 2, 2, 5; the 0.25 values are not active.
  const std::vector<std::vector<float>> events{{0, 0, 0, 0, 0.25f, 0},
                                               {0.3f, 0, 0, 0, 0, 0},
                                               {0.3f, 0.3f, 0.25f, 0, 0, 0},
                                               {0, 0, 0, 0, 1, 1},
                                               {1, 1, 1, 1, 1, 0.25f}};
  for (const auto& event : events) {
    test.x.insert(test.x.end(), event.begin(), event.end());
    test.y.push_back(0);
  }
  const std::string path = folder.file("d.h5");
  write_dataset(path, info, test, {}, test);
  const ActivePixelStats stats = active_pixel_stats(path, "test", std::nullopt, 0.8);
  EXPECT_EQ(stats.events, 5u);
  EXPECT_EQ(stats.threshold, 0.25);
  EXPECT_EQ(stats.pixels_per_event, 6u);
  EXPECT_EQ(stats.min, 0u);
  EXPECT_EQ(stats.max, 5u);
  EXPECT_DOUBLE_EQ(stats.mean, 2.0);
  EXPECT_DOUBLE_EQ(stats.standard_deviation, std::sqrt((4.0 + 1 + 0 + 0 + 9) / 5));
  EXPECT_EQ(stats.histogram, (std::vector<std::size_t>{1, 1, 2, 0, 0, 1, 0}));
  EXPECT_EQ(stats.n_active, 2u);
  EXPECT_EQ(stats.percentile(1.0), 5u);
  const ActivePixelStats lower = active_pixel_stats(path, "test", 0.0, 1.0);
  EXPECT_EQ(lower.max, 6u);  // the 0.25 pixels count above a threshold of 0
  EXPECT_THROW(active_pixel_stats(path, "val", std::nullopt, 0.9), Error);  // empty split
}

}  // namespace
}  // namespace sparsepixels::data

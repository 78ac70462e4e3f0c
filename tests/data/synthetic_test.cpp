// The built-in generator: deterministic, sparse like the real data, balanced, learnable. Its speed is
// a figure `sparsepixels bench` prints, not a test.
#include <gtest/gtest.h>

#include <algorithm>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/microboone.h"
#include "sparsepixels/data/synthetic.h"

namespace sparsepixels::data {
namespace {

std::size_t active_pixels(const Split& split, std::size_t i) {
  return static_cast<std::size_t>(
      std::count_if(split.event(i), split.event(i) + split.event_size(), [](float v) { return v > 0; }));
}

// The larger side of the bounding box of the active pixels (a cosmic crosses the window; a neutrino does
// not).
int extent(const Split& split, std::size_t i) {
  int row_min = 1000, row_max = -1, col_min = 1000, col_max = -1;
  for (int p = 0; p < 63 * 63; ++p) {
    if (split.event(i)[p] <= 0) continue;
    row_min = std::min(row_min, p / 63);
    row_max = std::max(row_max, p / 63);
    col_min = std::min(col_min, p % 63);
    col_max = std::max(col_max, p % 63);
  }
  return row_max < 0 ? 0 : std::max(row_max - row_min, col_max - col_min);
}

// Area under the ROC curve of a score (higher = more neutrino-like): the probability that a random neutrino
// event scores above a random cosmic one, ties counting one half (brute force over all pairs).
double area_under_curve(const std::vector<double>& scores, const std::vector<std::int32_t>& labels) {
  double wins = 0, pairs = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (labels[i] != 1) continue;
    for (std::size_t j = 0; j < scores.size(); ++j) {
      if (labels[j] != 0) continue;
      wins += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
      pairs += 1;
    }
  }
  return wins / pairs;
}

TEST(Synthetic, SameSeedSameEventsOtherSeedOtherEvents) {
  const Split a = generate_synthetic(300, 11), b = generate_synthetic(300, 11),
              c = generate_synthetic(300, 12);
  EXPECT_EQ(a.height, 63u);
  EXPECT_EQ(a.width, 63u);
  EXPECT_EQ(a.channels, 1u);
  EXPECT_EQ(a.x, b.x);
  EXPECT_EQ(a.y, b.y);
  EXPECT_NE(a.x, c.x);
}

// Each event equals its own single-threaded rendering taken through the real pipeline's dense pooling
// (so the result cannot depend on the thread count, and the pooling is the MicroBooNE one).
TEST(Synthetic, EveryEventIsItsWindowThroughTheMicroBooNEPooling) {
  const std::uint64_t seed = 5;
  const Split split = generate_synthetic(4000, seed);  // large enough to use several threads
  const microboone::Parameters parameters;
  for (std::size_t i :
       {std::size_t{0}, std::size_t{1}, std::size_t{1999}, std::size_t{2000}, std::size_t{3999}}) {
    const microboone::Image window =
        synthetic::render_window(synthetic::event_seed(seed, i), split.y[i] == 1);
    ASSERT_EQ(window.rows, 256u);
    ASSERT_EQ(window.cols, 512u);
    for (float value : window.values) {
      ASSERT_TRUE(value == 0 || (value >= 10 && value <= 100 && value == std::round(value))) << value;
    }
    const microboone::Image event = microboone::window_to_event(window, parameters);
    ASSERT_EQ(event.values.size(), split.event_size());
    EXPECT_TRUE(std::equal(event.values.begin(), event.values.end(), split.event(i))) << "event " << i;
  }
}

TEST(Synthetic, ClassesAreBalanced) {
  for (std::size_t events : {std::size_t{10}, std::size_t{1001}, std::size_t{2000}}) {
    const auto labels = synthetic::labels(events, 3);
    EXPECT_EQ(static_cast<std::size_t>(std::count(labels.begin(), labels.end(), 1)), events / 2);
    EXPECT_EQ(static_cast<std::size_t>(std::count(labels.begin(), labels.end(), 0)), events - events / 2);
  }
  const auto labels = synthetic::labels(1000, 3);
  EXPECT_FALSE(std::is_sorted(labels.begin(), labels.end()));  // shuffled, not all cosmics first
}

TEST(Synthetic, SparsityIsLikeTheRealData) {
  const Split split = generate_synthetic(2000, 21);
  double sum[2] = {0, 0};
  std::size_t count[2] = {0, 0}, dense_events = 0;
  for (std::size_t i = 0; i < split.size(); ++i) {
    const std::size_t active = active_pixels(split, i);
    sum[split.y[i]] += static_cast<double>(active);
    ++count[split.y[i]];
    if (active > 0.05 * 3969) ++dense_events;
    for (std::size_t p = 0; p < split.event_size(); ++p) {
      const float value = split.event(i)[p];
      ASSERT_TRUE(value == 0 || (value >= 700.0f / 3200 && value <= 1.0f)) << value;
    }
  }
  for (int label : {0, 1}) {
    const double fraction = sum[label] / static_cast<double>(count[label]) / 3969.0;
    EXPECT_GE(fraction, 0.003) << "class " << label;
    EXPECT_LE(fraction, 0.03) << "class " << label;
  }
  EXPECT_LT(dense_events, split.size() / 100);  // almost no event above 5% active
}

TEST(Synthetic, ClassesAreSeparableByASimpleStatistic) {
  const Split split = generate_synthetic(1000, 8);
  std::vector<double> scores;
  for (std::size_t i = 0; i < split.size(); ++i) scores.push_back(-extent(split, i));  // compact = neutrino
  const double auc = area_under_curve(scores, split.y);
  EXPECT_GT(auc, 0.7);
  EXPECT_LT(auc, 0.99);  // learnable, but not trivial
}

}  // namespace
}  // namespace sparsepixels::data

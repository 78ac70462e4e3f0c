// The generator at large sizes (issue 15 item 4): the same physics as hit lists at any size up to
// 2048 x 2048, --active setting the mean number of active pixels, the default 63x63 events unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/synthetic.h"
#include "sparsepixels/error.h"
#include "temporary_folder.h"

namespace sparsepixels::data {
namespace {

SyntheticOptions sized(std::size_t height, std::size_t width, double active = 0) {
  SyntheticOptions options;
  options.height = height;
  options.width = width;
  options.active = active;
  return options;
}

// Every hit inside the image, strictly in raster order per event, with a pooled value of the MicroBooNE
// transform (>= 700/3200, <= 32 x 100 / 3200 = 1).
void expect_valid_hits(const HitSplit& hits) {
  ASSERT_EQ(hits.offsets.size(), hits.size() + 1);
  ASSERT_EQ(hits.coords.size(), 2 * hits.hits());
  ASSERT_EQ(hits.values.size(), hits.hits());
  EXPECT_NO_THROW(validate_hit_coordinates({"generated", "all"}, hits.offsets.data(), hits.size(),
                                           hits.coords.data(), hits.height, hits.width));
  for (std::size_t e = 0; e < hits.size(); ++e) {
    for (auto k = static_cast<std::size_t>(hits.offsets[e]);
         k < static_cast<std::size_t>(hits.offsets[e + 1]); ++k) {
      ASSERT_LT(hits.coords[2 * k], hits.height);
      ASSERT_LT(hits.coords[2 * k + 1], hits.width);
      ASSERT_GE(hits.values[k], 700.0f / 3200) << "event " << e;
      ASSERT_LE(hits.values[k], 1.0f) << "event " << e;
    }
  }
}

double mean_hits(const HitSplit& hits) {
  return static_cast<double>(hits.hits()) / static_cast<double>(hits.size());
}

// The larger side of the bounding box of one event's hits.
std::size_t extent(const HitSplit& hits, std::size_t e) {
  std::size_t row_min = hits.height, row_max = 0, col_min = hits.width, col_max = 0;
  const auto begin = static_cast<std::size_t>(hits.offsets[e]),
             end = static_cast<std::size_t>(hits.offsets[e + 1]);
  if (begin == end) return 0;
  for (std::size_t k = begin; k < end; ++k) {
    row_min = std::min<std::size_t>(row_min, hits.coords[2 * k]);
    row_max = std::max<std::size_t>(row_max, hits.coords[2 * k]);
    col_min = std::min<std::size_t>(col_min, hits.coords[2 * k + 1]);
    col_max = std::max<std::size_t>(col_max, hits.coords[2 * k + 1]);
  }
  return std::max(row_max - row_min, col_max - col_min);
}

// The hit-list path at the default size and scale 1 makes exactly the hits of the dense generator
// (which itself is byte-identical to the generator before --height/--width existed).
TEST(LargeSynthetic, DefaultSizeHitListsAreTheDenseEventsHits) {
  const std::uint64_t seed = 17;
  const HitSplit expected = to_hits(generate_synthetic(1500, seed));
  EXPECT_DOUBLE_EQ(synthetic::physics_scale({}), 1.0);
  const HitSplit actual =
      synthetic::generate_hits_range(synthetic::labels(1500, seed), seed, 0, 1500, {}, 1.0);
  EXPECT_EQ(actual.height, 63u);
  EXPECT_EQ(actual.offsets, expected.offsets);
  EXPECT_EQ(actual.coords, expected.coords);
  EXPECT_EQ(actual.values, expected.values);
  EXPECT_EQ(actual.y, expected.y);
}

// --active sets the mean number of active pixels at any size, within 10% over 1,000 events; coordinates
// stay in range; the same seed gives the same events, another seed others.
TEST(LargeSynthetic, ActiveSetsTheMeanNumberOfHitsAtAnySize) {
  for (const auto& [side, active] : {std::pair<std::size_t, double>{512, 60}, {2048, 40}, {63, 30}}) {
    SCOPED_TRACE(std::to_string(side) + " --active " + std::to_string(active));
    const SyntheticOptions options = sized(side, side, active);
    const HitSplit hits = synthetic::generate_synthetic_hits(1000, 3, options);
    EXPECT_EQ(hits.height, side);
    EXPECT_EQ(hits.width, side);
    EXPECT_EQ(hits.size(), 1000u);
    expect_valid_hits(hits);
    EXPECT_NEAR(mean_hits(hits), active, 0.1 * active);
    EXPECT_EQ(std::count(hits.y.begin(), hits.y.end(), 1), 500);
    const HitSplit again = synthetic::generate_synthetic_hits(1000, 3, options);
    EXPECT_EQ(again.offsets, hits.offsets);
    EXPECT_EQ(again.coords, hits.coords);
    EXPECT_EQ(again.values, hits.values);
    const HitSplit other = synthetic::generate_synthetic_hits(1000, 4, options);
    EXPECT_NE(other.coords, hits.coords);
  }
}

// Without --active the physics fills the image: a 512x512 event holds about 8 times the hits of a 63x63
// one, cosmics cross it, and the classes stay separable by the events' extent (neutrinos are compact)
// without being trivially so.
TEST(LargeSynthetic, WithoutActiveThePhysicsFillsTheImage) {
  const HitSplit small = synthetic::generate_synthetic_hits(400, 8, {});
  const HitSplit large = synthetic::generate_synthetic_hits(400, 8, sized(512, 512));
  expect_valid_hits(large);
  EXPECT_NEAR(synthetic::physics_scale(sized(512, 512)), 512.0 / 63, 1e-12);
  const double ratio = mean_hits(large) / mean_hits(small);
  EXPECT_GT(ratio, 5.0);
  EXPECT_LT(ratio, 12.0);
  double wins = 0, pairs = 0;
  std::size_t crossing = 0;
  for (std::size_t i = 0; i < large.size(); ++i) {
    if (large.y[i] == 0 && extent(large, i) > 400) ++crossing;
    if (large.y[i] != 1) continue;
    for (std::size_t j = 0; j < large.size(); ++j) {
      if (large.y[j] != 0) continue;
      const std::size_t a = extent(large, i), b = extent(large, j);
      wins += a < b ? 1.0 : a == b ? 0.5 : 0.0;
      pairs += 1;
    }
  }
  EXPECT_GT(crossing, 100u);  // most of the 200 cosmic events cross most of the image
  EXPECT_GT(wins / pairs, 0.7);
  EXPECT_LT(wins / pairs, 0.99);
}

// A wide image: the window fills the shorter side and sits at random along the longer one.
TEST(LargeSynthetic, NonSquareImagesPlaceTheWindowInside) {
  const HitSplit hits = synthetic::generate_synthetic_hits(300, 2, sized(64, 1024));
  expect_valid_hits(hits);
  std::size_t right_half = 0;
  for (std::size_t k = 0; k < hits.hits(); ++k) right_half += hits.coords[2 * k + 1] >= 512 ? 1 : 0;
  EXPECT_GT(right_half, hits.hits() / 10);
  EXPECT_LT(right_half, hits.hits() * 9 / 10);
}

TEST(LargeSynthetic, BadOptionsAreUsageErrorsNamingTheOption) {
  auto message = [](const SyntheticOptions& options) {
    try {
      synthetic::physics_scale(options);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message(sized(2049, 512)).rfind("--height: 2049 is outside 16..2048", 0), 0u)
      << message(sized(2049, 512));
  EXPECT_EQ(message(sized(15, 512)).rfind("--height: 15", 0), 0u);
  EXPECT_EQ(message(sized(512, 4096)).rfind("--width: 4096 is outside 16..2048", 0), 0u);
  EXPECT_EQ(message(sized(512, 512, -1)).rfind("--active: -1", 0), 0u);
  EXPECT_EQ(message(sized(512, 512, std::numeric_limits<double>::quiet_NaN())).rfind("--active: nan", 0), 0u);
  // More than the physics filling the image gives, and fewer than the smallest scale gives.
  const std::string too_many = message(sized(512, 512, 5000));
  EXPECT_EQ(too_many.rfind("--active: 5000 is more than a 512x512 event holds on average", 0), 0u)
      << too_many;
  const std::string too_few = message(sized(512, 512, 0.01));
  EXPECT_EQ(too_few.rfind("--active: 0.01 is fewer than", 0), 0u) << too_few;
  // write_synthetic refuses before creating anything.
  testing::TemporaryFolder folder;
  EXPECT_THROW(synthetic::write_synthetic(folder.file("big.h5"), 20, 1, sized(4096, 4096)), UsageError);
  EXPECT_TRUE(folder.entries().empty());
}

// A 512x512 file in both layouts: the same events as the generator's hit lists, the size in its attributes.
TEST(LargeSynthetic, WritesLargeFilesInBothLayouts) {
  testing::TemporaryFolder folder;
  const SyntheticOptions options = sized(512, 512, 50);
  for (const DatasetLayout layout : {DatasetLayout::sparse, DatasetLayout::dense}) {
    const std::string path = folder.file(layout_name(layout) + ".h5");
    const DatasetInfo written = synthetic::write_synthetic(path, 40, 6, options, layout);
    const DatasetInfo info = read_dataset_info(path);
    EXPECT_EQ(info.height, 512u);
    EXPECT_EQ(info.width, 512u);
    EXPECT_EQ(info.layout, layout);
    EXPECT_EQ(info.split_sizes.at("train"), 28u);
    EXPECT_NE(info.transform.find("--active 50"), std::string::npos) << info.transform;
    const HitSplit all = synthetic::generate_synthetic_hits(40, 6, options);
    const HitSplit test = read_hit_split(path, "test");
    ASSERT_EQ(test.size(), 8u);
    const auto first = static_cast<std::size_t>(all.offsets[32]);
    EXPECT_EQ(test.hits(), all.hits() - first);
    EXPECT_TRUE(
        std::equal(test.values.begin(), test.values.end(), all.values.begin() + static_cast<long>(first)));
    EXPECT_TRUE(std::equal(test.coords.begin(), test.coords.end(),
                           all.coords.begin() + static_cast<long>(2 * first)));
  }
}

// The dense layout at 2048x2048 (16 MB an event): chunks of 256 events would exceed HDF5's 4 GB limit.
TEST(LargeSynthetic, DenseLayoutWorksAt2048) {
  testing::TemporaryFolder folder;
  const std::string path = folder.file("dense-2048.h5");
  synthetic::write_synthetic(path, 10, 2, sized(2048, 2048, 20), DatasetLayout::dense);
  const Split test = read_split(path, "test");
  ASSERT_EQ(test.size(), 2u);
  EXPECT_EQ(test.event_size(), 2048u * 2048u);
  const HitSplit all = synthetic::generate_synthetic_hits(10, 2, sized(2048, 2048, 20));
  const HitSplit expected = read_hit_split(path, "test");
  EXPECT_EQ(to_hits(test).coords, expected.coords);
  EXPECT_EQ(expected.hits(), all.hits() - static_cast<std::size_t>(all.offsets[8]));
}

}  // namespace
}  // namespace sparsepixels::data

#include "sparsepixels/util/finite.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <vector>

namespace {

using sparsepixels::util::first_non_finite;

// The independent reference: the standard library's classification, one value at a time.
std::size_t reference(const std::vector<float>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) return i;
  }
  return values.size();
}

TEST(FirstNonFinite, MatchesTheStandardClassificationAcrossBlockBoundaries) {
  const float specials[] = {std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::signaling_NaN(),
                            std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()};
  const float finite_edges[] = {std::numeric_limits<float>::max(),
                                -std::numeric_limits<float>::max(),
                                std::numeric_limits<float>::denorm_min(),
                                -0.0f,
                                0.0f,
                                std::numeric_limits<float>::min()};
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-1e3f, 1e3f);
  for (const std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{4095},
                                 std::size_t{4096}, std::size_t{4097}, std::size_t{12289}}) {
    std::vector<float> values(size);
    for (auto& v : values) v = value(rng);
    // Finite extremes never count.
    for (std::size_t i = 0; i < size; i += 97) values[i] = finite_edges[i % std::size(finite_edges)];
    ASSERT_EQ(first_non_finite(values.data(), values.size()), size) << "size " << size;
    if (size == 0) continue;
    std::uniform_int_distribution<std::size_t> where(0, size - 1);
    for (int trial = 0; trial < 40; ++trial) {
      std::vector<float> copy = values;
      const int bad = 1 + trial % 3;
      for (int b = 0; b < bad; ++b) copy[where(rng)] = specials[(trial + b) % std::size(specials)];
      ASSERT_EQ(first_non_finite(copy.data(), copy.size()), reference(copy))
          << "size " << size << ", trial " << trial;
    }
    // The last value alone, and a value just past a block's end.
    std::vector<float> last = values;
    last.back() = specials[size % std::size(specials)];
    EXPECT_EQ(first_non_finite(last.data(), last.size()), size - 1);
  }
}

}  // namespace

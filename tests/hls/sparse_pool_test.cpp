// Tests of nnet::sparse_average_pool and nnet::sparse_max_pool against Keras-style pooling of the
// zero-filled dense image, with the merge rule (lowest-index slot of a cell) checked explicitly.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "ap_fixed.h"
#include "nnet_sparse_pool.h"
#include "sparse_reference.h"

namespace {

using reference::Format;
using reference::Pooled;
using reference::reference_pool;
using reference::Rounding;
using reference::SparseEvent;

typedef ap_uint<6> hash_t;
typedef ap_ufixed<8, 2, AP_RND_CONV, AP_SAT> relu8_t;  // the paper's 8-bit activation
typedef ap_fixed<8, 3, AP_RND_CONV, AP_SAT> signed8_t;
const Format kRelu8{8, 2, false, Rounding::half_even};
const Format kSigned8{8, 3, true, Rounding::half_even};

template <unsigned H, unsigned W, unsigned PH, unsigned PW, unsigned N, unsigned C, unsigned Op>
struct PoolConfig : nnet::sparse_pool_config {
  static const unsigned in_height = H;
  static const unsigned in_width = W;
  static const unsigned pool_height = PH;
  static const unsigned pool_width = PW;
  static const unsigned out_height = H / PH;
  static const unsigned out_width = W / PW;
  static const unsigned n_sparse = N;
  static const unsigned n_chan = C;
  static const unsigned pool_op = Op;
  // Fan-in p_h*p_w <= 49 values of 6 fraction bits below 8 in magnitude: exact.
  typedef ap_fixed<24, 12> accum_t;
  typedef ::hash_t hash_t;
};

template <class input_t, class result_t, class Config>
Pooled run_kernel(const SparseEvent& event) {
  std::vector<input_t> features;
  std::vector<hash_t> hash;
  reference::to_kernel(event, features, hash);
  std::vector<result_t> out(Config::n_sparse * Config::n_chan, result_t(1.5));  // sentinel
  std::vector<hash_t> hash_out(2 * Config::n_sparse, hash_t(0));
  nnet::sparse_pool<input_t, result_t, Config>(features.data(), hash.data(), out.data(), hash_out.data());
  return Pooled{reference::to_doubles(out), reference::to_ints(hash_out)};
}

template <class input_t, class result_t, class Config>
void expect_matches_reference(const SparseEvent& event, const Format& result) {
  const Pooled actual = run_kernel<input_t, result_t, Config>(event);
  const Pooled expected = reference_pool(event, Config::pool_height, Config::pool_width,
                                         Config::pool_op == nnet::pool_max, result);
  EXPECT_EQ(actual.hash, expected.hash);
  EXPECT_EQ(actual.features, expected.features);
}

template <unsigned H, unsigned W, unsigned PH, unsigned PW, unsigned N, unsigned C>
void check_random_events(unsigned seed, int trials) {
  std::mt19937 generator(seed);
  for (int trial = 0; trial < trials; ++trial) {
    const int active = trial % 3 == 0 ? static_cast<int>(N) : static_cast<int>(N) * 2 / 3;
    const SparseEvent positive =
        reference::random_sparse_event(generator, H, W, C, N, active, kRelu8, trial % 2 == 0);
    expect_matches_reference<relu8_t, relu8_t, PoolConfig<H, W, PH, PW, N, C, nnet::pool_average>>(positive,
                                                                                                   kRelu8);
    expect_matches_reference<relu8_t, relu8_t, PoolConfig<H, W, PH, PW, N, C, nnet::pool_max>>(positive,
                                                                                               kRelu8);
    // Signed values (a linear activation before the pool): the implicit zero matters for max.
    const SparseEvent any_sign =
        reference::random_sparse_event(generator, H, W, C, N, active, kSigned8, trial % 2 == 1);
    expect_matches_reference<signed8_t, signed8_t, PoolConfig<H, W, PH, PW, N, C, nnet::pool_average>>(
        any_sign, kSigned8);
    expect_matches_reference<signed8_t, signed8_t, PoolConfig<H, W, PH, PW, N, C, nnet::pool_max>>(any_sign,
                                                                                                   kSigned8);
  }
}

SparseEvent make_event(int height, int width, int channels, std::vector<double> features,
                       std::vector<int> hash) {
  SparseEvent event;
  event.height = height;
  event.width = width;
  event.channels = channels;
  event.budget = static_cast<int>(hash.size() / 2);
  event.features = features;
  event.hash = hash;
  return event;
}

TEST(SparsePool, HandComputedAverageAndMax) {
  // 4x4, pool 2: (1,1)=0.5 and (2,2)=0.25 merge into cell (1,1); (1,3)=1 is cell (1,2);
  // (4,4)=0.75 is cell (2,2); slot 4 is empty (1,1) and is a duplicate of cell (1,1).
  const SparseEvent event = make_event(4, 4, 1, {0.5, 0.25, 1.0, 0.75, 0.0}, {1, 1, 2, 2, 1, 3, 4, 4, 1, 1});
  const std::vector<int> pooled_hash = {1, 1, 1, 1, 1, 2, 2, 2, 1, 1};
  typedef PoolConfig<4, 4, 2, 2, 5, 1, nnet::pool_average> Average;
  typedef PoolConfig<4, 4, 2, 2, 5, 1, nnet::pool_max> Max;
  const Pooled average = run_kernel<relu8_t, relu8_t, Average>(event);
  EXPECT_EQ(average.hash, pooled_hash);
  EXPECT_EQ(average.features, (std::vector<double>{0.1875, 0.0, 0.25, 0.1875, 0.0}));
  const Pooled max = run_kernel<relu8_t, relu8_t, Max>(event);
  EXPECT_EQ(max.hash, pooled_hash);
  EXPECT_EQ(max.features, (std::vector<double>{0.5, 0.0, 1.0, 0.75, 0.0}));
}

TEST(SparsePool, LowestIndexSlotTakesTheSumEvenWhenInactive) {
  // Slot 0 is empty (1,1); slot 1 is active at (2,1): both pool to (1,1), slot 0 receives the sum.
  const SparseEvent event = make_event(4, 4, 1, {0.0, 1.0, 0.0}, {1, 1, 2, 1, 1, 1});
  const Pooled average =
      run_kernel<relu8_t, relu8_t, PoolConfig<4, 4, 2, 2, 3, 1, nnet::pool_average>>(event);
  EXPECT_EQ(average.features, (std::vector<double>{0.25, 0.0, 0.0}));
  EXPECT_EQ(average.hash, (std::vector<int>{1, 1, 1, 1, 1, 1}));
  const Pooled max = run_kernel<relu8_t, relu8_t, PoolConfig<4, 4, 2, 2, 3, 1, nnet::pool_max>>(event);
  EXPECT_EQ(max.features, (std::vector<double>{1.0, 0.0, 0.0}));
}

TEST(SparsePool, PartialWindowOutsideTheGridIsZeroed) {
  // 5x5 with pool 2: the valid grid is 2x2; (5,5) pools to (3,3), (5,1) to (3,1): both zeroed.
  const SparseEvent event = make_event(5, 5, 1, {1.0, 0.5, 0.75}, {5, 5, 4, 4, 5, 1});
  const Pooled average =
      run_kernel<relu8_t, relu8_t, PoolConfig<5, 5, 2, 2, 3, 1, nnet::pool_average>>(event);
  EXPECT_EQ(average.features, (std::vector<double>{0.0, 0.125, 0.0}));
  EXPECT_EQ(average.hash, (std::vector<int>{3, 3, 2, 2, 3, 1}));
  const Pooled max = run_kernel<relu8_t, relu8_t, PoolConfig<5, 5, 2, 2, 3, 1, nnet::pool_max>>(event);
  EXPECT_EQ(max.features, (std::vector<double>{0.0, 0.5, 0.0}));
}

TEST(SparsePool, MaxIncludesTheImplicitZeroOnlyForPartlyEmptyCells) {
  // Signed values, pool 1x2: cell (1,1) fully active with -0.5 and -0.25 -> -0.25; cell (1,2) has
  // only (1,3) = -0.75 active -> 0; a merged duplicate (inactive) of cell (1,1) must not add a zero.
  const SparseEvent event = make_event(2, 4, 1, {0.0, -0.5, -0.25, -0.75}, {1, 1, 1, 1, 1, 2, 1, 3});
  const Pooled max = run_kernel<signed8_t, signed8_t, PoolConfig<2, 4, 1, 2, 4, 1, nnet::pool_max>>(event);
  EXPECT_EQ(max.features, (std::vector<double>{-0.25, 0.0, 0.0, 0.0}));
  const Pooled average =
      run_kernel<signed8_t, signed8_t, PoolConfig<2, 4, 1, 2, 4, 1, nnet::pool_average>>(event);
  EXPECT_EQ(average.features, (std::vector<double>{-0.375, 0.0, 0.0, -0.375}));
}

TEST(SparsePool, InexactReciprocalsAreRoundedHalfToEven) {
  // R for 3x3 = round(2^18/9) / 2^18 = 29127/2^18; for 7x7 = 5350/2^18; 2x3: 43691/2^18.
  EXPECT_EQ(nnet::pool_reciprocal_raw(9), 29127u);
  EXPECT_EQ(nnet::pool_reciprocal_raw(49), 5350u);
  EXPECT_EQ(nnet::pool_reciprocal_raw(6), 43691u);
  EXPECT_EQ(nnet::pool_reciprocal_raw(4), 65536u);
  for (unsigned area = 2; area <= 225; ++area)
    EXPECT_EQ(static_cast<double>(nnet::pool_reciprocal_raw(area)),
              std::ldexp(reference::pool_reciprocal(area), 18))
        << "area " << area;
  // A cell of 7x7 holding 49/64: the sum times R, not the exact average (which would be 1/64).
  typedef ap_fixed<16, 6, AP_RND_CONV, AP_SAT> wide_t;
  std::vector<double> features(49, 1.0 / 64);
  std::vector<int> hash;
  for (int pixel = 0; pixel < 49; ++pixel) {
    hash.push_back(pixel / 7 + 1);
    hash.push_back(pixel % 7 + 1);
  }
  const SparseEvent event = make_event(7, 7, 1, features, hash);
  const Pooled average =
      run_kernel<relu8_t, wide_t, PoolConfig<7, 7, 7, 7, 49, 1, nnet::pool_average>>(event);
  // 49/64 * 5350/2^18 = 0.0156288... -> nearest multiple of 2^-10 is 16/1024.
  EXPECT_EQ(average.features[0], 16.0 / 1024);
  expect_matches_reference<relu8_t, wide_t, PoolConfig<7, 7, 7, 7, 49, 1, nnet::pool_average>>(
      event, Format{16, 6, true, Rounding::half_even});
}

TEST(SparsePool, SquarePools) {
  check_random_events<8, 8, 2, 2, 12, 1>(101, 20);
  check_random_events<12, 12, 4, 4, 12, 1>(102, 20);
  check_random_events<9, 9, 3, 3, 16, 1>(103, 20);
}
TEST(SparsePool, RectangularPoolOnANonSquareImage) {
  check_random_events<7, 10, 2, 3, 12, 1>(104, 20);
}
TEST(SparsePool, PoolThatDoesNotDivideTheImage) {
  check_random_events<7, 9, 2, 2, 16, 1>(105, 20);
  check_random_events<10, 11, 3, 4, 16, 1>(106, 20);
}
TEST(SparsePool, AreaOneIsACopyWithMerging) {
  check_random_events<5, 6, 1, 1, 10, 1>(107, 20);
}
TEST(SparsePool, SeveralChannels) {
  check_random_events<6, 8, 2, 2, 10, 3>(108, 20);
}
TEST(SparsePool, ManySlotsMergingInOneCell) {
  // 6x6 with a 3x3 pool and 16 slots: cells hold several slots each.
  check_random_events<6, 6, 3, 3, 16, 2>(109, 20);
  check_random_events<63, 63, 7, 7, 20, 1>(110, 5);
}

}  // namespace

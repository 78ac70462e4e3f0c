// Tests of nnet::sparse_input_reduce against a reference that sorts the active pixels explicitly.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "ap_fixed.h"
#include "nnet_sparse_input_reduce.h"
#include "sparse_reference.h"

namespace {

using reference::Format;
using reference::reference_reduce;
using reference::Rounding;
using reference::Slots;

// The paper's 8-bit input type and its 16-bit one.
typedef ap_ufixed<8, 1> input8_t;
typedef ap_fixed<16, 6> input16_t;
const Format kInput8{8, 1, false, Rounding::floor};
const Format kInput16{16, 6, true, Rounding::floor};

template <unsigned H, unsigned W, unsigned C, unsigned N, unsigned Selection>
struct ReduceConfig : nnet::sparse_input_reduce_config {
  static const unsigned height = H;
  static const unsigned width = W;
  static const unsigned n_chan = C;
  static const unsigned n_sparse = N;
  static const unsigned selection = Selection;
  typedef ap_uint<7> hash_t;
};

/// Runs the kernel on a dense image given as doubles (already on the input type's grid).
template <class input_t, class Config>
Slots run_kernel(const std::vector<double>& image, double threshold) {
  const unsigned pixels = Config::height * Config::width;
  std::vector<input_t> x(pixels * Config::n_chan);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = image[i];
  std::vector<input_t> features(Config::n_sparse * Config::n_chan);
  std::vector<typename Config::hash_t> hash(2 * Config::n_sparse);
  // Sentinels: every output must be overwritten.
  for (auto& value : features) value = 0.5;
  for (auto& value : hash) value = 99;
  nnet::sparse_input_reduce<input_t, input_t, Config>(x.data(), input_t(threshold), features.data(),
                                                      hash.data());
  Slots slots;
  for (const auto& value : features) slots.features.push_back(value.to_double());
  for (const auto& value : hash) slots.hash.push_back(static_cast<int>(value.to_uint()));
  return slots;
}

template <class input_t, class Config>
void expect_matches_reference(const std::vector<double>& image, double threshold) {
  const Slots actual = run_kernel<input_t, Config>(image, threshold);
  const Slots expected =
      reference_reduce(image, Config::height, Config::width, Config::n_chan, Config::n_sparse, threshold,
                       Config::selection == nnet::select_topk);
  EXPECT_EQ(actual.features, expected.features);
  EXPECT_EQ(actual.hash, expected.hash);
}

/// A random image: about `active_fraction` of channel-0 values above the threshold, others below.
std::vector<double> random_image(std::mt19937& generator, const Format& format, int pixels, int channels,
                                 double threshold, double active_fraction) {
  std::vector<double> image(static_cast<std::size_t>(pixels * channels));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int pixel = 0; pixel < pixels; ++pixel) {
    const bool active = unit(generator) < active_fraction;
    for (int ch = 0; ch < channels; ++ch) {
      double value;
      if (ch == 0) {
        // Coarse grid values so equal values (topk ties) and values at the threshold occur.
        value = active ? reference::random_value(generator, Format{4, 1, false, Rounding::floor}, threshold,
                                                 format.highest(), 0.0)
                       : reference::random_value(generator, format, 0.0, threshold, 0.3);
      } else {
        value = reference::random_value(generator, format, format.lowest(), format.highest(), 0.2);
      }
      image[static_cast<std::size_t>(pixel * channels + ch)] = value;
    }
  }
  return image;
}

TEST(SparseInputReduce, HandComputedRasterAndTopk) {
  // 3x4 image, one channel, threshold 0.25: active pixels (raster index: value) 1: 0.5, 4: 0.75,
  // 6: 0.5, 11: 1.0; pixel 2 holds exactly the threshold and is not active.
  const std::vector<double> image = {0, 0.5, 0.25, 0, 0.75, 0, 0.5, 0.125, 0, 0, 0, 1.0};
  {
    const Slots slots = run_kernel<input8_t, ReduceConfig<3, 4, 1, 3, nnet::select_raster>>(image, 0.25);
    EXPECT_EQ(slots.features, (std::vector<double>{0.5, 0.75, 0.5}));
    EXPECT_EQ(slots.hash, (std::vector<int>{1, 2, 2, 1, 2, 3}));
  }
  {
    // Descending values; the tie 0.5 (pixels 1 and 6) goes to the lower raster index first.
    const Slots slots = run_kernel<input8_t, ReduceConfig<3, 4, 1, 4, nnet::select_topk>>(image, 0.25);
    EXPECT_EQ(slots.features, (std::vector<double>{1.0, 0.75, 0.5, 0.5}));
    EXPECT_EQ(slots.hash, (std::vector<int>{3, 4, 2, 1, 1, 2, 2, 3}));
  }
  {
    // More slots than active pixels: the rest are empty with hash (1, 1).
    const Slots slots = run_kernel<input8_t, ReduceConfig<3, 4, 1, 6, nnet::select_raster>>(image, 0.25);
    EXPECT_EQ(slots.features, (std::vector<double>{0.5, 0.75, 0.5, 1.0, 0, 0}));
    EXPECT_EQ(slots.hash, (std::vector<int>{1, 2, 2, 1, 2, 3, 3, 4, 1, 1, 1, 1}));
  }
}

TEST(SparseInputReduce, NoActivePixelGivesEmptySlots) {
  std::vector<double> image(5 * 7 * 2, 0.0);
  image[1] = 0.75;      // channel 1 of pixel 0 is not looked at, and must not leak into empty slots
  image[2 * 9] = 0.25;  // exactly at the threshold
  const Slots slots = run_kernel<input8_t, ReduceConfig<5, 7, 2, 4, nnet::select_raster>>(image, 0.25);
  EXPECT_EQ(slots.features, std::vector<double>(8, 0.0));
  EXPECT_EQ(slots.hash, std::vector<int>(8, 1));
  const Slots top = run_kernel<input8_t, ReduceConfig<5, 7, 2, 4, nnet::select_topk>>(image, 0.25);
  EXPECT_EQ(top.features, std::vector<double>(8, 0.0));
  EXPECT_EQ(top.hash, std::vector<int>(8, 1));
}

TEST(SparseInputReduce, ThresholdIsQuantizedLikeTheInputsAndStrict) {
  // 0.4 in ap_ufixed<8,1> (AP_TRN) is 51/128; a pixel of exactly 51/128 is not active, 52/128 is.
  const double threshold_q = kInput8(0.4);
  ASSERT_EQ(threshold_q, 51.0 / 128.0);
  std::vector<double> image(4 * 4, 0.0);
  image[3] = 51.0 / 128.0;
  image[5] = 52.0 / 128.0;
  image[15] = 0.40625;
  const Slots slots = run_kernel<input8_t, ReduceConfig<4, 4, 1, 3, nnet::select_raster>>(image, 0.4);
  EXPECT_EQ(slots.features, (std::vector<double>{52.0 / 128.0, 0.40625, 0}));
  EXPECT_EQ(slots.hash, (std::vector<int>{2, 2, 4, 4, 1, 1}));
}

TEST(SparseInputReduce, CornersAndBordersOfANonSquareImage) {
  // Every border pixel of a 5x8 image is active with a distinct value; N covers them all.
  const int height = 5, width = 8;
  std::vector<double> image(height * width, 0.0);
  double value = 1.0 / 128.0;
  for (int row = 0; row < height; ++row)
    for (int col = 0; col < width; ++col)
      if (row == 0 || col == 0 || row == height - 1 || col == width - 1) {
        image[static_cast<std::size_t>(row * width + col)] = value;
        value += 3.0 / 128.0;
      }
  // 22 border pixels, 24 slots: two empty slots at the end.
  expect_matches_reference<input8_t, ReduceConfig<5, 8, 1, 24, nnet::select_raster>>(image, 0.0);
  expect_matches_reference<input8_t, ReduceConfig<5, 8, 1, 24, nnet::select_topk>>(image, 0.0);
  const Slots slots = run_kernel<input8_t, ReduceConfig<5, 8, 1, 24, nnet::select_raster>>(image, 0.0);
  // The four corners in raster order land in slots 0, 7, 14 and 21.
  EXPECT_EQ(slots.hash[0], 1);
  EXPECT_EQ(slots.hash[1], 1);
  EXPECT_EQ(slots.hash[14], 1);
  EXPECT_EQ(slots.hash[15], 8);
  EXPECT_EQ(slots.hash[28], 5);
  EXPECT_EQ(slots.hash[29], 1);
  EXPECT_EQ(slots.hash[42], 5);
  EXPECT_EQ(slots.hash[43], 8);
  EXPECT_EQ(slots.features[23], 0.0);
  EXPECT_EQ(slots.hash[46], 1);
  EXPECT_EQ(slots.hash[47], 1);
}

TEST(SparseInputReduce, TopkTiesGoToTheLowerRasterIndex) {
  // All active pixels share one value: topk must equal raster order.
  std::vector<double> image(6 * 5, 0.0);
  for (int pixel : {29, 3, 17, 8, 22, 0, 11}) image[static_cast<std::size_t>(pixel)] = 0.5;
  image[12] = 0.75;  // the single largest comes first
  const Slots slots = run_kernel<input8_t, ReduceConfig<6, 5, 1, 5, nnet::select_topk>>(image, 0.1);
  EXPECT_EQ(slots.features, (std::vector<double>{0.75, 0.5, 0.5, 0.5, 0.5}));
  EXPECT_EQ(slots.hash, (std::vector<int>{3, 3, 1, 1, 1, 4, 2, 4, 3, 2}));
}

TEST(SparseInputReduce, RandomImagesMatchTheReference) {
  std::mt19937 generator(20260101);
  for (int trial = 0; trial < 20; ++trial) {
    const double fraction = trial % 4 == 0 ? 0.02 : trial % 4 == 1 ? 0.1 : trial % 4 == 2 ? 0.3 : 0.0;
    {
      const auto image = random_image(generator, kInput8, 7 * 9, 1, 0.25, fraction);
      expect_matches_reference<input8_t, ReduceConfig<7, 9, 1, 8, nnet::select_raster>>(image, 0.25);
      expect_matches_reference<input8_t, ReduceConfig<7, 9, 1, 8, nnet::select_topk>>(image, 0.25);
    }
    {
      // C > 1, signed 16-bit inputs (negative values are never active).
      const auto image = random_image(generator, kInput16, 6 * 11, 3, 0.5, fraction);
      expect_matches_reference<input16_t, ReduceConfig<6, 11, 3, 12, nnet::select_raster>>(image, 0.5);
      expect_matches_reference<input16_t, ReduceConfig<6, 11, 3, 12, nnet::select_topk>>(image, 0.5);
    }
  }
}

TEST(SparseInputReduce, PaperSizedImage) {
  // The neutrino geometry: 63x63, N = 20; dense enough that the budget truncates.
  std::mt19937 generator(7);
  const auto image = random_image(generator, kInput8, 63 * 63, 1, 0.0, 0.01);
  expect_matches_reference<input8_t, ReduceConfig<63, 63, 1, 20, nnet::select_raster>>(image, 0.0);
  expect_matches_reference<input8_t, ReduceConfig<63, 63, 1, 20, nnet::select_topk>>(image, 0.0);
}

}  // namespace

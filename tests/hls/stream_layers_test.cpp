// Tests of the io_stream baseline layers (conv_2d_stream, pooling_2d_stream, relu_stream,
// flatten_stream) against plain dense references, and of the hls::stream simulation shim.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "ap_fixed.h"
#include "hls_stream.h"
#include "nnet_activation_stream.h"
#include "nnet_conv2d_stream.h"
#include "nnet_flatten_stream.h"
#include "nnet_pooling_stream.h"
#include "reference.h"

namespace {

using reference::Format;
using reference::Image;
using reference::Rounding;

typedef ap_fixed<8, 3, AP_RND_CONV, AP_SAT> signed8_t;
const Format kSigned8{8, 3, true, Rounding::half_even};
const Format kWeight8{8, 1, true, Rounding::floor};
typedef ap_fixed<16, 6, AP_RND_CONV, AP_SAT> result16_t;
const Format kResult16{16, 6, true, Rounding::half_even};

template <unsigned H, unsigned W, unsigned C, unsigned KH, unsigned KW, unsigned F>
struct ConvConfig : nnet::conv2d_stream_config {
  static const unsigned in_height = H;
  static const unsigned in_width = W;
  static const unsigned n_chan = C;
  static const unsigned filt_height = KH;
  static const unsigned filt_width = KW;
  static const unsigned n_filt = F;
  typedef ap_fixed<32, 12> accum_t;
  typedef ap_fixed<8, 1> weight_t;
  typedef ap_fixed<8, 1> bias_t;
};

template <unsigned H, unsigned W, unsigned C, unsigned PH, unsigned PW, unsigned Op>
struct PoolConfig : nnet::pooling2d_stream_config {
  static const unsigned in_height = H;
  static const unsigned in_width = W;
  static const unsigned n_chan = C;
  static const unsigned pool_height = PH;
  static const unsigned pool_width = PW;
  static const unsigned out_height = H / PH;
  static const unsigned out_width = W / PW;
  static const unsigned pool_op = Op;
  typedef ap_fixed<24, 12> accum_t;
};

/// A random sparse-ish image on the grid of `format`.
Image random_image(std::mt19937& generator, int height, int width, int channels, const Format& format,
                   double highest) {
  Image image(height, width, channels);
  for (double& value : image.values)
    value = reference::random_value(generator, format, -highest, highest, 0.6);
  return image;
}

template <class value_t, unsigned C>
void push_image(const Image& image, hls::stream<nnet::array<value_t, C>>& stream) {
  for (int row = 0; row < image.height; ++row)
    for (int col = 0; col < image.width; ++col) {
      nnet::array<value_t, C> pixel;
      for (unsigned ch = 0; ch < C; ++ch) pixel[ch] = image.at(row, col, static_cast<int>(ch));
      stream.write(pixel);
    }
}

template <class value_t, unsigned C>
std::vector<double> drain(hls::stream<nnet::array<value_t, C>>& stream) {
  std::vector<double> values;
  while (!stream.empty()) {
    const nnet::array<value_t, C> pixel = stream.read();
    for (unsigned ch = 0; ch < C; ++ch) values.push_back(pixel[ch].to_double());
  }
  return values;
}

template <unsigned H, unsigned W, unsigned C, unsigned KH, unsigned KW, unsigned F>
void check_conv(unsigned seed, int trials) {
  typedef ConvConfig<H, W, C, KH, KW, F> Config;
  std::mt19937 generator(seed);
  for (int trial = 0; trial < trials; ++trial) {
    const Image image = random_image(generator, H, W, C, kSigned8, 2.0);
    std::vector<double> w, b;
    for (unsigned i = 0; i < KH * KW * C * F; ++i)
      w.push_back(reference::random_value(generator, kWeight8, -1, 1, 0.1));
    for (unsigned f = 0; f < F; ++f) b.push_back(reference::random_value(generator, kWeight8, -1, 1, 0.0));
    hls::stream<nnet::array<signed8_t, C>> input("conv_input");
    hls::stream<nnet::array<result16_t, F>> output("conv_output");
    push_image(image, input);
    std::vector<typename Config::weight_t> weights(w.begin(), w.end());
    std::vector<typename Config::bias_t> biases(b.begin(), b.end());
    nnet::conv_2d_stream<nnet::array<signed8_t, C>, nnet::array<result16_t, F>, Config>(
        input, output, weights.data(), biases.data());
    EXPECT_TRUE(input.empty()) << "every input pixel is read";
    const Image convolved = reference::convolve_same(image, w, KH, KW, F);
    std::vector<double> expected;
    for (int row = 0; row < static_cast<int>(H); ++row)
      for (int col = 0; col < static_cast<int>(W); ++col)
        for (unsigned f = 0; f < F; ++f)
          expected.push_back(kResult16(convolved.at(row, col, static_cast<int>(f)) + b[f]));
    EXPECT_EQ(drain(output), expected) << "trial " << trial;
  }
}

template <unsigned H, unsigned W, unsigned C, unsigned PH, unsigned PW>
void check_pooling(unsigned seed, int trials) {
  std::mt19937 generator(seed);
  for (int trial = 0; trial < trials; ++trial) {
    const Image image = random_image(generator, H, W, C, kSigned8, 3.0);
    for (bool take_max : {false, true}) {
      hls::stream<nnet::array<signed8_t, C>> input;
      hls::stream<nnet::array<signed8_t, C>> output;
      push_image(image, input);
      if (take_max) {
        nnet::pooling_2d_stream<nnet::array<signed8_t, C>, nnet::array<signed8_t, C>,
                                PoolConfig<H, W, C, PH, PW, nnet::pool_max>>(input, output);
      } else {
        nnet::pooling_2d_stream<nnet::array<signed8_t, C>, nnet::array<signed8_t, C>,
                                PoolConfig<H, W, C, PH, PW, nnet::pool_average>>(input, output);
      }
      EXPECT_TRUE(input.empty());
      const Image pooled = reference::pool_cells(image, PH, PW, take_max);
      std::vector<double> expected;
      const int area = PH * PW;
      for (double value : pooled.values)
        expected.push_back(
            kSigned8(take_max || area == 1 ? value : value * reference::pool_reciprocal(area)));
      EXPECT_EQ(drain(output), expected) << (take_max ? "max" : "average") << " trial " << trial;
    }
  }
}

TEST(Conv2dStream, HandComputed3x3) {
  // 2x2 image of ones, all weights 1/8, bias 1/4: each output sees all 4 pixels -> 4/8 + 1/4.
  typedef ConvConfig<2, 2, 1, 3, 3, 1> Config;
  hls::stream<nnet::array<signed8_t, 1>> input, output;
  Image image(2, 2, 1);
  for (double& value : image.values) value = 1.0;
  push_image(image, input);
  std::vector<ap_fixed<8, 1>> weights(9, ap_fixed<8, 1>(0.125));
  std::vector<ap_fixed<8, 1>> biases(1, ap_fixed<8, 1>(0.25));
  nnet::conv_2d_stream<nnet::array<signed8_t, 1>, nnet::array<signed8_t, 1>, Config>(
      input, output, weights.data(), biases.data());
  EXPECT_EQ(drain(output), (std::vector<double>{0.75, 0.75, 0.75, 0.75}));
}

TEST(Conv2dStream, KernelSizes) {
  check_conv<5, 6, 1, 1, 1, 1>(1, 5);
  check_conv<6, 7, 1, 3, 3, 1>(2, 10);
  check_conv<7, 5, 1, 5, 5, 1>(3, 10);
  check_conv<9, 11, 1, 7, 7, 1>(4, 5);
  check_conv<10, 9, 1, 9, 9, 1>(5, 5);
}
TEST(Conv2dStream, KernelLargerThanTheImage) {
  check_conv<3, 4, 1, 7, 7, 1>(6, 5);
}
TEST(Conv2dStream, RectangularKernel) {
  check_conv<6, 8, 1, 3, 5, 2>(7, 10);
}
TEST(Conv2dStream, SeveralChannelsAndFilters) {
  check_conv<6, 5, 2, 3, 3, 3>(8, 10);
  check_conv<8, 7, 3, 5, 5, 2>(9, 5);
}

TEST(Pooling2dStream, AverageAndMax) {
  check_pooling<8, 8, 1, 2, 2>(11, 10);
  check_pooling<9, 9, 2, 3, 3>(12, 10);
  check_pooling<14, 14, 1, 7, 7>(13, 5);
}
TEST(Pooling2dStream, RectangularAndNonDividing) {
  check_pooling<7, 10, 1, 2, 3>(14, 10);
  check_pooling<11, 9, 2, 4, 2>(15, 10);
  check_pooling<5, 4, 1, 1, 1>(16, 5);
}

struct ReluConfig : nnet::activation_stream_config {
  static const unsigned n_in = 3;
  static const unsigned n_chan = 2;
};

struct FlattenConfig : nnet::flatten_stream_config {
  static const unsigned height = 2;
  static const unsigned width = 3;
  static const unsigned n_chan = 2;
};

TEST(ActivationStream, Relu) {
  hls::stream<nnet::array<signed8_t, 2>> input;
  typedef ap_ufixed<6, 1, AP_RND_CONV, AP_SAT> narrow_t;
  hls::stream<nnet::array<narrow_t, 2>> output;
  const double values[] = {-1.0, 0.5, 0.0, 3.96875, -0.03125, 0.03125};
  for (int pixel = 0; pixel < 3; ++pixel) {
    nnet::array<signed8_t, 2> value;
    value[0] = values[2 * pixel];
    value[1] = values[2 * pixel + 1];
    input << value;
  }
  nnet::relu_stream<nnet::array<signed8_t, 2>, nnet::array<narrow_t, 2>, ReluConfig>(input, output);
  // 3.96875 saturates to 2 - 1/32 in ap_ufixed<6,1>.
  EXPECT_EQ(drain(output), (std::vector<double>{0.0, 0.5, 0.0, 2.0 - 1.0 / 32, 0.0, 0.03125}));
}

TEST(FlattenStream, ChannelLastOrder) {
  std::mt19937 generator(21);
  const Image image = random_image(generator, 2, 3, 2, kSigned8, 2.0);
  hls::stream<nnet::array<signed8_t, 2>> input;
  push_image(image, input);
  std::vector<signed8_t> flat(12);
  nnet::flatten_stream<nnet::array<signed8_t, 2>, signed8_t, FlattenConfig>(input, flat.data());
  for (int row = 0; row < 2; ++row)
    for (int col = 0; col < 3; ++col)
      for (int ch = 0; ch < 2; ++ch)
        EXPECT_EQ(flat[static_cast<std::size_t>((row * 3 + col) * 2 + ch)].to_double(),
                  image.at(row, col, ch));
  EXPECT_TRUE(input.empty());
}

TEST(HlsStream, VendorInterface) {
  hls::stream<int> fifo("fifo");
  EXPECT_STREQ(fifo.name(), "fifo");
  EXPECT_TRUE(fifo.empty());
  EXPECT_FALSE(fifo.full());
  fifo.write(1);
  fifo << 2;
  EXPECT_EQ(fifo.size(), 2u);
  EXPECT_EQ(fifo.read(), 1);
  int value = 0;
  fifo >> value;
  EXPECT_EQ(value, 2);
  EXPECT_FALSE(fifo.read_nb(value));
  EXPECT_TRUE(fifo.write_nb(3));
  fifo.read(value);
  EXPECT_EQ(value, 3);
  EXPECT_TRUE(fifo.empty());
}

TEST(HlsStreamDeathTest, ReadingAnEmptyStreamAborts) {
  hls::stream<int> fifo("named_fifo");
  EXPECT_DEATH(fifo.read(), "named_fifo");
}

}  // namespace

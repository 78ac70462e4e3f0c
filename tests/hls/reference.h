// reference.h: plain double-precision references for the HLS kernel tests, written independently of
// the kernels (dense images, explicit loops), plus small helpers to move data in and out of ap types.
#ifndef SPARSEPIXELS_TESTS_HLS_REFERENCE_H_
#define SPARSEPIXELS_TESTS_HLS_REFERENCE_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace reference {

/// Rounding of the reference quantizer: floor (AP_TRN) or half to even (AP_RND_CONV).
enum class Rounding { floor, half_even };

/// value rounded to a multiple of 2^-fraction, then clamped to [lowest, highest] (AP_SAT).
inline double quantize(double value, int fraction, double lowest, double highest, Rounding rounding) {
  const double scaled = std::ldexp(value, fraction);
  // std::nearbyint rounds half to even in the default floating-point environment.
  const double rounded = rounding == Rounding::floor ? std::floor(scaled) : std::nearbyint(scaled);
  return std::min(highest, std::max(lowest, std::ldexp(rounded, -fraction)));
}

/// A fixed-point format for the reference quantizer (the twin of one ap type of a test).
struct Format {
  int width;
  int integer;
  bool is_signed;
  Rounding rounding;
  int fraction() const { return width - integer; }
  double lowest() const { return is_signed ? -std::ldexp(1.0, integer - 1) : 0.0; }
  double highest() const {
    return std::ldexp(1.0, is_signed ? integer - 1 : integer) - std::ldexp(1.0, -fraction());
  }
  /// Saturating quantization (the tests' result types all use AP_SAT).
  double operator()(double value) const { return quantize(value, fraction(), lowest(), highest(), rounding); }
};

/// A random value on the grid of `format` in [lowest, highest] (clipped to the format's range), or 0
/// with probability `zero_fraction`.
inline double random_value(std::mt19937& generator, const Format& format, double lowest, double highest,
                           double zero_fraction) {
  lowest = std::max(lowest, format.lowest());
  highest = std::min(highest, format.highest());
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  if (unit(generator) < zero_fraction) return 0.0;
  const double step = std::ldexp(1.0, -format.fraction());
  const long long first = static_cast<long long>(std::ceil(lowest / step));
  const long long last = static_cast<long long>(std::floor(highest / step));
  std::uniform_int_distribution<long long> raw(first, last);
  return static_cast<double>(raw(generator)) * step;
}

/// A dense image, channel-last: at(row, col, channel), zero-based.
struct Image {
  int height = 0, width = 0, channels = 0;
  std::vector<double> values;
  Image(int h, int w, int c)
      : height(h), width(w), channels(c), values(static_cast<std::size_t>(h * w * c), 0.0) {}
  double& at(int row, int col, int channel) {
    return values[static_cast<std::size_t>((row * width + col) * channels + channel)];
  }
  double at(int row, int col, int channel) const {
    if (row < 0 || col < 0 || row >= height || col >= width) return 0.0;  // 'same' padding
    return values[static_cast<std::size_t>((row * width + col) * channels + channel)];
  }
};

/// Keras Conv2D 'same', stride 1, without bias: out[r][c][f] = sum W[kr][kc][ch][f] in[r-Rh+kr][c-Rw+kc][ch].
inline Image convolve_same(const Image& input, const std::vector<double>& weights, int kernel_height,
                           int kernel_width, int filters) {
  Image output(input.height, input.width, filters);
  const int radius_h = (kernel_height - 1) / 2, radius_w = (kernel_width - 1) / 2;
  for (int row = 0; row < input.height; ++row)
    for (int col = 0; col < input.width; ++col)
      for (int f = 0; f < filters; ++f) {
        double sum = 0.0;
        for (int kr = 0; kr < kernel_height; ++kr)
          for (int kc = 0; kc < kernel_width; ++kc)
            for (int ch = 0; ch < input.channels; ++ch)
              sum += weights[static_cast<std::size_t>(
                         ((kr * kernel_width + kc) * input.channels + ch) * filters + f)] *
                     input.at(row - radius_h + kr, col - radius_w + kc, ch);
        output.at(row, col, f) = sum;
      }
  return output;
}

/// Keras pooling 'valid', stride = pool, on a dense image: the cell sum (average) or maximum.
inline Image pool_cells(const Image& input, int pool_height, int pool_width, bool take_max) {
  Image output(input.height / pool_height, input.width / pool_width, input.channels);
  for (int row = 0; row < output.height; ++row)
    for (int col = 0; col < output.width; ++col)
      for (int ch = 0; ch < input.channels; ++ch) {
        double result = take_max ? -1e300 : 0.0;
        for (int pr = 0; pr < pool_height; ++pr)
          for (int pc = 0; pc < pool_width; ++pc) {
            const double value = input.at(row * pool_height + pr, col * pool_width + pc, ch);
            result = take_max ? std::max(result, value) : result + value;
          }
        output.at(row, col, ch) = result;
      }
  return output;
}

/// R = 1/area rounded half to even to 18 fraction bits, computed in double (exact: 2^18/area rounded).
inline double pool_reciprocal(int area) {
  return std::ldexp(std::nearbyint(std::ldexp(1.0, 18) / area), -18);
}

}  // namespace reference

#endif  // SPARSEPIXELS_TESTS_HLS_REFERENCE_H_

#include "sparsepixels/estimate/weight_digits.h"

#include <algorithm>
#include <cmath>

#include "sparsepixels/error.h"

namespace sparsepixels::estimate {

int csd_digit_count(std::int64_t raw) {
  // Work on the magnitude (unsigned, so the most negative value is safe).
  std::uint64_t magnitude = raw < 0 ? 0 - static_cast<std::uint64_t>(raw) : static_cast<std::uint64_t>(raw);
  int digits = 0;
  while (magnitude != 0) {
    if (magnitude & 1U) {
      ++digits;
      // ...11 ends a run of ones: one digit -1 here, carry up (x = 4k + 3 -> x + 1); ...01: digit +1.
      if ((magnitude & 3U) == 3U) {
        magnitude += 1;
      } else {
        magnitude -= 1;
      }
    }
    magnitude >>= 1;
  }
  return digits;
}

WeightDigits measured_weight_digits(const std::vector<std::int64_t>& raw_weights) {
  if (raw_weights.empty()) return {};
  double nonzero = 0, digits = 0;
  for (std::int64_t raw : raw_weights) {
    const int count = csd_digit_count(raw);
    digits += count;
    if (count > 0) nonzero += 1;
  }
  const double size = static_cast<double>(raw_weights.size());
  return {nonzero / size, digits / size};
}

WeightDigits glorot_weight_digits(int fan_in, int fan_out, int width, int fraction_bits) {
  if (fan_in <= 0 || fan_out <= 0 || width < 1 || width > 64) {
    throw Error("glorot_weight_digits: fan_in and fan_out must be positive and width 1..64, got " +
                std::to_string(fan_in) + ", " + std::to_string(fan_out) + ", " + std::to_string(width));
  }
  const double limit = std::sqrt(6.0 / (static_cast<double>(fan_in) + fan_out));
  // Beyond 2^16 steps per side, drop low bits and count each as 1/3 digit: the density of non-zero
  // digits in the CSD form of uniformly distributed low bits (saves a loop over every value).
  int dropped_bits = 0;
  while (std::ldexp(limit, fraction_bits - dropped_bits) > 65536.0) ++dropped_bits;
  fraction_bits -= dropped_bits;
  width = std::min(62, width - dropped_bits);
  if (width < 1) width = 1;
  // The distribution in units of the weight's least significant bit: uniform on [-span, span].
  const double span = std::ldexp(limit, fraction_bits);
  const std::int64_t max_raw = (std::int64_t{1} << (width - 1)) - 1;
  const std::int64_t min_raw = -(std::int64_t{1} << (width - 1));
  // Raw value k collects [k - 1/2, k + 1/2) (ties have probability zero); saturation collects the tails.
  const std::int64_t first = std::max(min_raw, static_cast<std::int64_t>(std::floor(-span + 0.5)));
  const std::int64_t last = std::min(max_raw, static_cast<std::int64_t>(std::ceil(span - 0.5)));
  WeightDigits result{0.0, 0.0};
  for (std::int64_t k = first; k <= last; ++k) {
    const double low = k == min_raw ? -span : std::max(-span, k - 0.5);
    const double high = k == max_raw ? span : std::min(span, k + 0.5);
    if (high <= low) continue;
    const double probability = (high - low) / (2.0 * span);
    const int digits = csd_digit_count(k);
    result.mean_digits += probability * digits;
    if (digits > 0) result.nonzero_share += probability;
  }
  if (dropped_bits > 0) {
    result.mean_digits += dropped_bits / 3.0;
    result.nonzero_share = 1.0;
  }
  return result;
}

}  // namespace sparsepixels::estimate

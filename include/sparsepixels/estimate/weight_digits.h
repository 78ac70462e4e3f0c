#pragma once

#include <cstdint>
#include <vector>

namespace sparsepixels::estimate {

/// What the constant weights of a fully unrolled layer cost in logic. A multiplier by a constant is
/// built from shifted copies of its input, one per non-zero digit of the constant's canonical
/// signed-digit (CSD) form: a zero weight costs nothing, a power of two is wiring, and every digit
/// is one addend of the layer's adder tree (docs/estimator.md, "Constant weights").
struct WeightDigits {
  double nonzero_share = 1.0;  ///< share of the weights that are not zero
  double mean_digits = 1.0;    ///< mean number of non-zero CSD digits per weight (zeros count 0)
};

/// Non-zero digits of the canonical signed-digit (non-adjacent) form of `raw`: the fewest powers
/// of two, added or subtracted, that make |raw| (e.g. 7 = 8 - 1: 2 digits; 0: 0).
int csd_digit_count(std::int64_t raw);

/// The digit statistics of the given raw weight values (a trained layer's quantized weights).
/// An empty list gives {1, 1}.
WeightDigits measured_weight_digits(const std::vector<std::int64_t>& raw_weights);

/// The expected digit statistics of Glorot-uniform weights (Keras' default initializer: uniform on
/// [-L, L], L = sqrt(6 / (fan_in + fan_out))) rounded to the nearest multiple of 2^-fraction_bits
/// and saturated to a signed `width`-bit mantissa (width 1..64). Computed exactly, interval by
/// interval, up to 2^16 steps of the resolution per side; below that resolution each further bit
/// adds 1/3 digit (the density of non-zero CSD digits in uniformly distributed bits).
WeightDigits glorot_weight_digits(int fan_in, int fan_out, int width, int fraction_bits);

}  // namespace sparsepixels::estimate

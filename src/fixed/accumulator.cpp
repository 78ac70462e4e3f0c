// Exact accumulators (reference section 11.3) and the check that an override is wide enough.
#include <algorithm>
#include <string>

#include "sparsepixels/error.h"
#include "sparsepixels/fixed/fixed_type.h"

namespace sparsepixels::fixed {
namespace {

// The smallest k with 2^k >= count (count >= 1).
int ceil_log2(long long count) {
  int bits = 0;
  while ((1LL << bits) < count) ++bits;
  return bits;
}

}  // namespace

FixedType exact_accumulator(const FixedType& weight, const FixedType& input, const FixedType& bias,
                            int fan_in) {
  weight.validate();
  input.validate();
  bias.validate();
  if (fan_in < 1) throw Error("exact accumulator: fan-in " + std::to_string(fan_in) + " must be at least 1");
  // The vendor's product type ap_fixed<Ww+Wi, Iw+Ii> holds every product exactly.
  const bool product_signed = weight.is_signed || input.is_signed;
  const int product_integer = weight.integer + input.integer;
  const int product_fraction = weight.fraction() + input.fraction();
  const bool accumulator_signed = product_signed || bias.is_signed;
  // An unsigned term needs one more integer bit to keep its range inside a signed accumulator.
  const int product_bits = product_integer + (accumulator_signed && !product_signed ? 1 : 0);
  const int bias_bits = bias.integer + (accumulator_signed && !bias.is_signed ? 1 : 0);
  const int terms = fan_in + 1;

  FixedType accumulator;
  accumulator.is_signed = accumulator_signed;
  accumulator.integer = std::max(product_bits, bias_bits) + ceil_log2(terms);
  const int fraction = std::max(product_fraction, bias.fraction());
  accumulator.width = accumulator.integer + fraction;
  accumulator.quantization = Quantization::TRN;
  accumulator.overflow = Overflow::WRAP;
  accumulator.saturation_bits = 0;
  accumulator.integer_type = false;
  if (accumulator.width > 64) {
    throw Error("exact accumulator for weight " + weight.to_string() + ", input " + input.to_string() +
                ", bias " + bias.to_string() + " and fan-in " + std::to_string(fan_in) + " needs " +
                std::to_string(accumulator.width) + " bits (" + accumulator.to_string() +
                "), more than the supported 64");
  }
  return accumulator;
}

bool holds_exactly(const FixedType& candidate, const FixedType& required) {
  // Every value of `required` must lie on the candidate's grid...
  if (candidate.fraction() < required.fraction()) return false;
  // ...not below its minimum (AP_SAT_SYM remaps a signed candidate's minimum, so it must be avoided)...
  if (required.is_signed) {
    if (!candidate.is_signed) return false;
    const bool symmetric = candidate.overflow == Overflow::SAT_SYM && !candidate.integer_type;
    if (candidate.integer < required.integer + (symmetric ? 1 : 0)) return false;
  }
  // ...and not above its maximum. Both maxima have the form 2^a - lsb with a = integer - signed; the
  // only required type whose maximum is not at least 2^(a-1) is the signed one-bit type (maximum 0).
  const int candidate_top = candidate.integer - (candidate.is_signed ? 1 : 0);
  const int required_top = required.integer - (required.is_signed ? 1 : 0);
  const bool required_max_is_zero = required.is_signed && required.width == 1;
  return candidate_top >= required_top || required_max_is_zero;
}

}  // namespace sparsepixels::fixed

#pragma once

// Exact fixed-point steps shared by the layers' fixed forward passes (private to src/layers).
#include <algorithm>
#include <cstdint>

#include "sparsepixels/fixed/fixed_type.h"
#include "sparsepixels/layers/fixed_layer.h"

namespace sparsepixels::layers::fixed_arithmetic {

using fixed::FixedType;
using fixed::Int128;

inline constexpr int kReciprocalBits = 18;  // R is ap_ufixed<18,0> (reference 11.5)

/// value * 2^shift for shift >= 0 (a multiplication: left shifts of negative values are not portable).
inline Int128 shift_left(Int128 value, int shift) {
  return value * (Int128(1) << shift);
}

/// True when the exact value raw * 2^-fraction lies outside [min_value, max_value] of `type`.
inline bool outside_range(Int128 raw, int fraction, const FixedType& type) {
  if (!type.is_signed && type.width == 64) return false;  // max_raw() is a bit pattern there
  const int common = std::max(fraction, type.fraction());
  const int value_shift = common - fraction, type_shift = common - type.fraction();
  if (value_shift > 60 || type_shift > 60) return false;  // beyond what the profile tracks
  const Int128 value = shift_left(raw, value_shift);
  return value < shift_left(type.min_raw(), type_shift) || value > shift_left(type.max_raw(), type_shift);
}

/// The exact value raw * 2^-fraction cast to `to` (like assigning a full-precision ap expression).
inline std::int64_t cast_value(const FixedType& to, Int128 raw, int fraction, LayerProfile* profile) {
  if (profile != nullptr && outside_range(raw, fraction, to)) ++profile->out_of_range;
  return to.cast_raw(raw, fraction);
}

/// A value of type `from` cast to `to` (like assigning one ap object to another).
inline std::int64_t cast_typed(const FixedType& to, const FixedType& from, Int128 raw,
                               LayerProfile* profile) {
  if (profile != nullptr && outside_range(raw, from.fraction(), to)) ++profile->out_of_range;
  return to.cast_from(from, raw);
}

/// An exact pooling cell sum cast to the result type: times R (11.5) unless the area is 1.
inline std::int64_t average_of_sum(const FixedType& result, const FixedType& accum, std::int64_t accumulated,
                                   int area, std::int64_t reciprocal, LayerProfile* profile) {
  return area == 1 ? cast_typed(result, accum, accumulated, profile)
                   : cast_value(result, Int128(accumulated) * reciprocal, accum.fraction() + kReciprocalBits,
                                profile);
}

}  // namespace sparsepixels::layers::fixed_arithmetic

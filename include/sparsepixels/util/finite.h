#pragma once
// Finding inf and NaN in float32 arrays fast: a value is not finite when its exponent bits are all
// ones. The test runs a block at a time without branches, so the compiler vectorizes it.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sparsepixels::util {

/// The index of the first value of values[0, count) that is inf or NaN, or count if every one is finite.
inline std::size_t first_non_finite(const float* values, std::size_t count) {
  constexpr std::size_t kBlock = 4096;
  constexpr std::uint32_t kExponent = 0x7f800000u;
  for (std::size_t start = 0; start < count; start += kBlock) {
    const std::size_t end = std::min(count, start + kBlock);
    std::uint32_t any = 0;
    for (std::size_t i = start; i < end; ++i) {
      std::uint32_t bits;
      std::memcpy(&bits, values + i, sizeof bits);
      any |= static_cast<std::uint32_t>((bits & kExponent) == kExponent);
    }
    if (any == 0) continue;
    for (std::size_t i = start; i < end; ++i) {
      std::uint32_t bits;
      std::memcpy(&bits, values + i, sizeof bits);
      if ((bits & kExponent) == kExponent) return i;
    }
  }
  return count;
}

}  // namespace sparsepixels::util

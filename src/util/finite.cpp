#include "sparsepixels/util/finite.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace sparsepixels::util {

namespace {

constexpr std::uint32_t kExponent = 0x7f800000u;

bool is_non_finite(const float* value) {
  std::uint32_t bits;
  std::memcpy(&bits, value, sizeof bits);
  return (bits & kExponent) == kExponent;
}

// Whether any of values[0, count) is inf or NaN: no branch in the loop, so it vectorizes. Built for
// AVX2 and for the x86-64 baseline; GCC picks one at run time (no -march=native anywhere).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
bool any_non_finite(const float* values, std::size_t count) {
  std::uint32_t any = 0;
  for (std::size_t i = 0; i < count; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, values + i, sizeof bits);
    any |= static_cast<std::uint32_t>((bits & kExponent) == kExponent);
  }
  return any != 0;
}

}  // namespace

std::size_t first_non_finite(const float* values, std::size_t count) {
  constexpr std::size_t kBlock = 4096;
  for (std::size_t start = 0; start < count; start += kBlock) {
    const std::size_t end = std::min(count, start + kBlock);
    if (!any_non_finite(values + start, end - start)) continue;
    for (std::size_t i = start; i < end; ++i) {
      if (is_non_finite(values + i)) return i;
    }
  }
  return count;
}

}  // namespace sparsepixels::util

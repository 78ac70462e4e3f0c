#pragma once
// Finding inf and NaN in float32 arrays fast: a value is not finite when its exponent bits are all
// ones. The test runs a block at a time without branches, so the compiler vectorizes it (AVX2 where
// the processor has it, chosen at run time; the x86-64 baseline otherwise).

#include <cstddef>

namespace sparsepixels::util {

/// The index of the first value of values[0, count) that is inf or NaN, or count if every one is finite.
std::size_t first_non_finite(const float* values, std::size_t count);

}  // namespace sparsepixels::util

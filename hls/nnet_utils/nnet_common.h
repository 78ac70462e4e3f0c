// nnet_common.h: constants and compile-time helpers shared by the sparsepixels kernels.
#ifndef NNET_COMMON_H_
#define NNET_COMMON_H_

#include "ap_fixed.h"
#include "ap_int.h"

// Vitis pragmas and loop labels are unknown or unused to a host compiler: keep -Wall quiet
// (g++ before 13 ignores the first line; build C simulation with -Wno-unknown-pragmas there).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"

namespace nnet {

/// Pixel-selection policies of sparse_input_reduce (CONFIG_T::selection).
/// raster: the first N active pixels in raster order (the reference's policy).
static const unsigned select_raster = 0;
/// topk: the N largest channel-0 values, ties to the lower raster index, slots in descending value.
static const unsigned select_topk = 1;

/// Arithmetic profiles (CONFIG_T::arithmetic_profile of sparse_input_reduce and the sparse pooling
/// kernels; docs/semantics.md, "Arithmetic profiles"). exact: the project's rules (the default);
/// hls4ml: hls4ml's sparse kernels' rules (empty slots copy pixel 0's other channels, max pooling
/// from 0, average pooling by per-side reciprocals truncated to ap_ufixed<10,0>).
static const unsigned arithmetic_exact = 0;
static const unsigned arithmetic_hls4ml = 1;

/// Pooling operations (CONFIG_T::pool_op) of the sparse and streamed pooling kernels.
static const unsigned pool_average = 0;
static const unsigned pool_max = 1;

/// Smallest b with 2^b >= n (0 for n <= 1): the depth of a balanced tree over n leaves.
/// Compile-time template recursion (no run-time recursion anywhere in the kernels).
template <unsigned long long n>
struct ceil_log2 {
  static const unsigned value = 1 + ceil_log2<(n + 1) / 2>::value;
};
template <>
struct ceil_log2<1> {
  static const unsigned value = 0;
};
template <>
struct ceil_log2<0> {
  static const unsigned value = 0;
};

/// Smallest power of two >= n: the leaf count of a balanced tree over n items.
template <unsigned long long n>
struct next_power_of_two {
  static const unsigned long long value = 1ULL << ceil_log2<n>::value;
};

/// Width of the pooling reciprocal R = 1/(p_h*p_w): ap_ufixed<18,0> (reference section 11.5).
static const int reciprocal_bits = 18;

/// The raw bits of R = 1/area rounded half to even to ap_ufixed<18,0>: round(2^18 / area).
/// Only meaningful for area >= 2 (area 1 is not multiplied at all; 2^18 would not fit).
constexpr unsigned long long pool_reciprocal_raw(unsigned long long area) {
  return (2 * ((1ULL << reciprocal_bits) % area) > area ||
          (2 * ((1ULL << reciprocal_bits) % area) == area && ((1ULL << reciprocal_bits) / area) % 2 == 1))
             ? (1ULL << reciprocal_bits) / area + 1
             : (1ULL << reciprocal_bits) / area;
}

/// The pooling reciprocal type of reference section 11.5.
typedef ap_ufixed<reciprocal_bits, 0> pool_reciprocal_t;

/// R = 1/area as pool_reciprocal_t (area >= 2), built from its raw bits so no float is involved.
template <unsigned area>
pool_reciprocal_t pool_reciprocal() {
#pragma HLS INLINE
  pool_reciprocal_t reciprocal = 0;
  reciprocal.range(reciprocal_bits - 1, 0) = pool_reciprocal_raw(area);
  return reciprocal;
}

/// hls4ml profile: the average-pooling factor 1/p_h x 1/p_w, each side's reciprocal truncated to
/// ap_ufixed<10,0> (raw floor(1024 / side); a side of 1 is not multiplied: factor 1024). Exact in
/// ap_ufixed<20,0>; a 1x1 pool is not multiplied at all (its factor 1 does not fit: this returns 0).
template <unsigned pool_height, unsigned pool_width>
ap_ufixed<20, 0> hls4ml_pool_scale() {
#pragma HLS INLINE
  ap_ufixed<20, 0> scale = 0;
  const unsigned long long raw =
      (pool_height > 1 ? 1024 / pool_height : 1024) * (pool_width > 1 ? 1024 / pool_width : 1024);
  scale.range(19, 0) = raw & 0xFFFFF;
  return scale;
}

/// A table index as a function of the input's raw bits (docs/semantics.md, "Lookup tables").
/// The input is converted, truncating toward minus infinity and saturating, to the fixed type whose
/// raw integer is the offset index (input_T is deduced, so wide intermediate results stay exact).
/// Signed variant: input range [-2^range_log2, 2^range_log2) over table_size entries:
/// index = clamp(floor((x + 2^range_log2) * table_size / 2^(range_log2+1)), 0, table_size - 1).
template <unsigned table_size, int range_log2, class input_T>
unsigned signed_table_index(const input_T& x) {
#pragma HLS INLINE
  // table_size = 2^W entries over 2^(range_log2+1) units: W bits, range_log2 + 1 integer bits.
  const int width = ceil_log2<table_size>::value;
  ap_fixed<width, range_log2 + 1, AP_TRN, AP_SAT> position = x;
  ap_uint<width> bits = position.range(width - 1, 0);
  // Two's complement plus table_size/2 is the raw bits with the sign bit inverted.
  bits[width - 1] = !bits[width - 1];
  return bits.to_uint();
}

/// Unsigned variant: input range [0, 2^range_log2) over table_size entries:
/// index = clamp(floor(x * table_size / 2^range_log2), 0, table_size - 1).
template <unsigned table_size, int range_log2, class input_T>
unsigned unsigned_table_index(const input_T& x) {
#pragma HLS INLINE
  const int width = ceil_log2<table_size>::value;
  ap_ufixed<width, range_log2, AP_TRN, AP_SAT> position = x;
  ap_uint<width> bits = position.range(width - 1, 0);
  return bits.to_uint();
}

}  // namespace nnet

#pragma GCC diagnostic pop

#endif  // NNET_COMMON_H_

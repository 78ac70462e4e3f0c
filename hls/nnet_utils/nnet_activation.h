// nnet_activation.h: activations of the dense head: relu, linear, sigmoid and softmax.
//
// Sigmoid and softmax read lookup tables passed in as arguments (const arrays a generated project
// fills with exact literal initializers, computed by the host library's activation_tables). The
// table index is an integer function of the input's raw bits (nnet_common.h and docs/semantics.md):
//  - sigmoid: index = signed_table_index over [-2^table_range_log2, 2^table_range_log2); entry k
//    holds sigmoid at the centre of its bin.
//  - softmax (numerically stable): d_i = max_j x_j - x_i >= 0 (exact); e_i = exp_table[index of d_i
//    over [0, 2^exp_range_log2)]; s = sum_i e_i (exact in accum_t); res_i = e_i x inv_table[index of
//    s over [0, 2^inv_range_log2)], the product exact and cast once to res_T.
// sigmoid_hls4ml and softmax_hls4ml follow hls4ml's tables instead (arithmetic profile hls4ml,
// docs/semantics.md "Arithmetic profiles"): entries at the left edge of each bin, sigmoid indexed by
// trunc(x * table_size/16) + table_size/2, softmax's tables by the top log2(table_size) bits of
// d_i = x_i - max (in the input's width with AP_RND, AP_SAT) and of the sum (summed pairwise in
// exp_table_t, as hls4ml's adder tree).
// Latency: relu/linear constant; sigmoid one table read; softmax grows with log2(n_in) (max tree,
// adder tree). Size grows with n_in (and table_size words per table).
#ifndef NNET_ACTIVATION_H_
#define NNET_ACTIVATION_H_

#include "nnet_common.h"

// Vitis pragmas and loop labels are unknown or unused to a host compiler: keep -Wall quiet
// (g++ before 13 ignores the first line; build C simulation with -Wno-unknown-pragmas there).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"

namespace nnet {

/// Default configuration of relu and linear; generated configs derive from it.
struct activation_config {
  static const unsigned n_in = 10;
};

/// res = max(data, 0), cast to res_T.
template <class data_T, class res_T, typename CONFIG_T>
void relu(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
#pragma HLS PIPELINE II = 1
#pragma HLS ARRAY_PARTITION variable = data complete
#pragma HLS ARRAY_PARTITION variable = res complete
Relu:
  for (unsigned index = 0; index < CONFIG_T::n_in; index++) {
#pragma HLS UNROLL
    res[index] = data[index] > 0 ? res_T(data[index]) : res_T(0);
  }
}

/// res = data, cast to res_T.
template <class data_T, class res_T, typename CONFIG_T>
void linear(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in]) {
#pragma HLS PIPELINE II = 1
#pragma HLS ARRAY_PARTITION variable = data complete
#pragma HLS ARRAY_PARTITION variable = res complete
Linear:
  for (unsigned index = 0; index < CONFIG_T::n_in; index++) {
#pragma HLS UNROLL
    res[index] = res_T(data[index]);
  }
}

/// Default configuration of sigmoid: 1024 entries over [-8, 8).
struct sigmoid_config {
  static const unsigned n_in = 1;
  static const unsigned table_size = 1024;  // a power of two
  static const int table_range_log2 = 3;    // inputs [-2^3, 2^3); outside, the end entries
  typedef ap_fixed<18, 2> table_t;
};

/// res[i] = table[signed_table_index(data[i])] cast to res_T.
template <class data_T, class res_T, typename CONFIG_T>
void sigmoid(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in],
             const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
#pragma HLS PIPELINE II = 1
#pragma HLS ARRAY_PARTITION variable = data complete
#pragma HLS ARRAY_PARTITION variable = res complete
  static_assert(CONFIG_T::table_size >= 2 && (CONFIG_T::table_size & (CONFIG_T::table_size - 1)) == 0,
                "sigmoid: table_size must be a power of two");
Sigmoid:
  for (unsigned index = 0; index < CONFIG_T::n_in; index++) {
#pragma HLS UNROLL
    const unsigned entry = signed_table_index<CONFIG_T::table_size, CONFIG_T::table_range_log2>(data[index]);
    res[index] = res_T(table[entry]);
  }
}

/// Default configuration of softmax: exp over differences [0, 8), inverse over sums [0, 64).
struct softmax_config {
  static const unsigned n_in = 10;
  static const unsigned exp_table_size = 1024;  // a power of two
  static const int exp_range_log2 = 3;          // differences [0, 2^3)
  static const unsigned inv_table_size = 1024;  // a power of two
  static const int inv_range_log2 = 6;          // sums [0, 2^6): must exceed n_in
  typedef ap_fixed<18, 2> exp_table_t;
  typedef ap_fixed<18, 8> inv_table_t;
  typedef ap_fixed<24, 8> accum_t;  // the exact sum of n_in exp_table_t values
};

/// Numerically stable softmax; see the file comment.
template <class data_T, class res_T, typename CONFIG_T>
void softmax(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in],
             const typename CONFIG_T::exp_table_t exp_table[CONFIG_T::exp_table_size],
             const typename CONFIG_T::inv_table_t inv_table[CONFIG_T::inv_table_size]) {
#pragma HLS PIPELINE II = 1
#pragma HLS ARRAY_PARTITION variable = data complete
#pragma HLS ARRAY_PARTITION variable = res complete
  static_assert(
      CONFIG_T::exp_table_size >= 2 && (CONFIG_T::exp_table_size & (CONFIG_T::exp_table_size - 1)) == 0,
      "softmax: exp_table_size must be a power of two");
  static_assert(
      CONFIG_T::inv_table_size >= 2 && (CONFIG_T::inv_table_size & (CONFIG_T::inv_table_size - 1)) == 0,
      "softmax: inv_table_size must be a power of two");
  // The sum of n_in exponentials (each at most 1) must lie inside the inverse table's range.
  static_assert(CONFIG_T::inv_range_log2 >= 0 && CONFIG_T::inv_range_log2 < 32 &&
                    (1ULL << CONFIG_T::inv_range_log2) >= CONFIG_T::n_in,
                "softmax: 2^inv_range_log2 must be at least n_in");
  data_T largest = data[0];
FindMax:
  for (unsigned index = 1; index < CONFIG_T::n_in; index++) {
#pragma HLS UNROLL
    if (data[index] > largest) largest = data[index];
  }

  typename CONFIG_T::exp_table_t exponentials[CONFIG_T::n_in];
#pragma HLS ARRAY_PARTITION variable = exponentials complete
  typename CONFIG_T::accum_t sum = 0;
Exponentials:
  for (unsigned index = 0; index < CONFIG_T::n_in; index++) {
#pragma HLS UNROLL
    const unsigned entry =
        unsigned_table_index<CONFIG_T::exp_table_size, CONFIG_T::exp_range_log2>(largest - data[index]);
    exponentials[index] = exp_table[entry];
    sum += exponentials[index];
  }

  const typename CONFIG_T::inv_table_t inverse =
      inv_table[unsigned_table_index<CONFIG_T::inv_table_size, CONFIG_T::inv_range_log2>(sum)];
Normalize:
  for (unsigned index = 0; index < CONFIG_T::n_in; index++) {
#pragma HLS UNROLL
    res[index] = res_T(exponentials[index] * inverse);
  }
}

/// Default configuration of sigmoid_hls4ml: 1024 entries over [-8, 8) (hls4ml's activ_config).
struct sigmoid_hls4ml_config {
  static const unsigned n_in = 1;
  static const unsigned table_size = 1024;  // a power of two
  typedef ap_fixed<18, 8> table_t;
};

/// hls4ml's sigmoid: res[i] = table[clamp(trunc(data[i] * table_size/16) + table_size/2)], cast.
template <class data_T, class res_T, typename CONFIG_T>
void sigmoid_hls4ml(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in],
                    const typename CONFIG_T::table_t table[CONFIG_T::table_size]) {
#pragma HLS PIPELINE II = 1
  static_assert(CONFIG_T::table_size >= 2 && (CONFIG_T::table_size & (CONFIG_T::table_size - 1)) == 0,
                "sigmoid_hls4ml: table_size must be a power of two");
  const int width = ceil_log2<CONFIG_T::table_size>::value;
Sigmoid:
  for (unsigned index = 0; index < CONFIG_T::n_in; index++) {
#pragma HLS UNROLL
    // Truncating toward zero and saturating to [-8, 8) in table_size steps: hls4ml's int cast and clamp.
    const ap_fixed<width, 4, AP_TRN_ZERO, AP_SAT> position = data[index];
    ap_uint<width> bits = position.range(width - 1, 0);
    bits[width - 1] = !bits[width - 1];  // plus table_size/2
    res[index] = res_T(table[bits.to_uint()]);
  }
}

/// Default configuration of softmax_hls4ml (hls4ml's "stable" softmax).
struct softmax_hls4ml_config {
  static const unsigned n_in = 10;
  static const unsigned table_size = 1024;  // a power of two, both tables
  typedef ap_fixed<18, 8> exp_table_t;
  typedef ap_fixed<18, 8> inv_table_t;
};

/// The sum of n values of T as hls4ml's adder tree groups it: the left part is the largest power of
/// two below n, and every partial sum is cast to T.
template <class T, unsigned n>
struct pairwise_sum {
  static T sum(const T* values) {
#pragma HLS INLINE
    const unsigned left = next_power_of_two<n>::value / 2;
    return T(pairwise_sum<T, left>::sum(values) + pairwise_sum<T, n - left>::sum(values + left));
  }
};
template <class T>
struct pairwise_sum<T, 1> {
  static T sum(const T* values) { return values[0]; }
};

/// hls4ml's stable softmax; see the file comment.
template <class data_T, class res_T, typename CONFIG_T>
void softmax_hls4ml(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_in],
                    const typename CONFIG_T::exp_table_t exp_table[CONFIG_T::table_size],
                    const typename CONFIG_T::inv_table_t inv_table[CONFIG_T::table_size]) {
#pragma HLS PIPELINE II = 1
  static_assert(CONFIG_T::table_size >= 2 && (CONFIG_T::table_size & (CONFIG_T::table_size - 1)) == 0,
                "softmax_hls4ml: table_size must be a power of two");
  const int bits = ceil_log2<CONFIG_T::table_size>::value;
  const int data_width = data_T::width, sum_width = CONFIG_T::exp_table_t::width;
  static_assert(data_T::width >= bits && CONFIG_T::exp_table_t::width >= bits,
                "softmax_hls4ml: the input and exp_table_t need at least log2(table_size) bits");
  data_T largest = data[0];
FindMax:
  for (unsigned index = 1; index < CONFIG_T::n_in; index++) {
#pragma HLS UNROLL
    if (data[index] > largest) largest = data[index];
  }

  typename CONFIG_T::exp_table_t exponentials[CONFIG_T::n_in];
Exponentials:
  for (unsigned index = 0; index < CONFIG_T::n_in; index++) {
#pragma HLS UNROLL
    const ap_fixed<data_T::width, data_T::iwidth, AP_RND, AP_SAT> difference = data[index] - largest;
    exponentials[index] = exp_table[difference.range(data_width - 1, data_width - bits).to_uint()];
  }
  const typename CONFIG_T::exp_table_t sum =
      pairwise_sum<typename CONFIG_T::exp_table_t, CONFIG_T::n_in>::sum(exponentials);
  const typename CONFIG_T::inv_table_t inverse =
      inv_table[sum.range(sum_width - 1, sum_width - bits).to_uint()];
Normalize:
  for (unsigned index = 0; index < CONFIG_T::n_in; index++) {
#pragma HLS UNROLL
    res[index] = res_T(exponentials[index] * inverse);
  }
}

}  // namespace nnet

#pragma GCC diagnostic pop

#endif  // NNET_ACTIVATION_H_

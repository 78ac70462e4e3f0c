// nnet_dense.h: fully connected layer, latency strategy (everything unrolled, reuse factor 1).
//
// res[j] = cast to res_T of (bias[j] + sum_i weights[i*n_out + j] * data[i]), accumulated in the
// exact CONFIG_T::accum_t starting from the bias (weights in Keras (n_in, n_out) row-major order).
// Latency grows with log2(n_in) (the adder tree); size with n_in x n_out multipliers.
#ifndef NNET_DENSE_H_
#define NNET_DENSE_H_

#include "nnet_common.h"

// Vitis pragmas and loop labels are unknown or unused to a host compiler: keep -Wall quiet
// (g++ before 13 ignores the first line; build C simulation with -Wno-unknown-pragmas there).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"

namespace nnet {

/// Default configuration of dense; generated configs derive from it.
struct dense_config {
  static const unsigned n_in = 10;
  static const unsigned n_out = 10;
  static const unsigned reuse_factor = 1;  // the latency strategy is fully parallel
  typedef ap_fixed<24, 12> accum_t;
  typedef ap_fixed<16, 6> weight_t;
  typedef ap_fixed<16, 6> bias_t;
};

/// Dense layer; see the file comment.
template <class data_T, class res_T, typename CONFIG_T>
void dense(data_T data[CONFIG_T::n_in], res_T res[CONFIG_T::n_out],
           typename CONFIG_T::weight_t weights[CONFIG_T::n_in * CONFIG_T::n_out],
           typename CONFIG_T::bias_t biases[CONFIG_T::n_out]) {
#pragma HLS PIPELINE II = CONFIG_T::reuse_factor
#pragma HLS ARRAY_PARTITION variable = data complete
#pragma HLS ARRAY_PARTITION variable = res complete
#pragma HLS ARRAY_PARTITION variable = weights complete
#pragma HLS ARRAY_PARTITION variable = biases complete
Outputs:
  for (unsigned out = 0; out < CONFIG_T::n_out; out++) {
#pragma HLS UNROLL
    typename CONFIG_T::accum_t acc = biases[out];
  Inputs:
    for (unsigned in = 0; in < CONFIG_T::n_in; in++) {
#pragma HLS UNROLL
      acc += weights[in * CONFIG_T::n_out + out] * data[in];
    }
    res[out] = res_T(acc);
  }
}

}  // namespace nnet

#pragma GCC diagnostic pop

#endif  // NNET_DENSE_H_

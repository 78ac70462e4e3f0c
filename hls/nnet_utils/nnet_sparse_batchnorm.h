// nnet_sparse_batchnorm.h: batch normalization of sparse features (hash unchanged).
//
// Per channel c, on an active slot (any of its C input features non-zero):
// acc = feat[i][c] * scale[c] + shift[c] in CONFIG_T::accum_t (exact, reference section 11.3: the
// product and the sum fit), then cast once to res_T. An inactive slot outputs zero on every channel
// (empty slots stay empty). scale = gamma / sqrt(moving_variance + epsilon) and shift = beta -
// moving_mean * scale are folded by the host and written in scale_t and bias_t.
// Latency is constant (one multiply-add); size grows with N x C multipliers.
#ifndef NNET_SPARSE_BATCHNORM_H_
#define NNET_SPARSE_BATCHNORM_H_

#include "nnet_common.h"

// Vitis pragmas and loop labels are unknown or unused to a host compiler: keep -Wall quiet
// (g++ before 13 ignores the first line; build C simulation with -Wno-unknown-pragmas there).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"

namespace nnet {

/// Default configuration of sparse_batchnorm; generated configs derive from it.
struct sparse_batchnorm_config {
  static const unsigned n_sparse = 8;  // N, the slot budget
  static const unsigned n_chan = 1;    // C, channels
  typedef ap_fixed<32, 12> accum_t;
  typedef ap_fixed<16, 6> scale_t;
  typedef ap_fixed<16, 6> bias_t;
  typedef ap_uint<4> hash_t;
};

/// feat_out = feat_in * scale + shift on active slots, 0 on inactive ones; see the file comment.
template <class data_T, class res_T, typename CONFIG_T>
void sparse_batchnorm(data_T feat_in[CONFIG_T::n_sparse * CONFIG_T::n_chan],
                      typename CONFIG_T::hash_t hash_in[2 * CONFIG_T::n_sparse],
                      res_T feat_out[CONFIG_T::n_sparse * CONFIG_T::n_chan],
                      typename CONFIG_T::hash_t hash_out[2 * CONFIG_T::n_sparse],
                      typename CONFIG_T::scale_t scale[CONFIG_T::n_chan],
                      typename CONFIG_T::bias_t shift[CONFIG_T::n_chan]) {
#pragma HLS PIPELINE II = 1
#pragma HLS ARRAY_PARTITION variable = feat_in complete
#pragma HLS ARRAY_PARTITION variable = hash_in complete
#pragma HLS ARRAY_PARTITION variable = feat_out complete
#pragma HLS ARRAY_PARTITION variable = hash_out complete
#pragma HLS ARRAY_PARTITION variable = scale complete
#pragma HLS ARRAY_PARTITION variable = shift complete
  const unsigned C = CONFIG_T::n_chan;
Slots:
  for (unsigned slot = 0; slot < CONFIG_T::n_sparse; slot++) {
#pragma HLS UNROLL
    // A slot is active iff any of its features is non-zero (no separate valid bit).
    bool slot_active = false;
  CheckActive:
    for (unsigned channel = 0; channel < C; channel++) {
#pragma HLS UNROLL
      if (feat_in[C * slot + channel] != 0) slot_active = true;
    }
  Channels:
    for (unsigned channel = 0; channel < C; channel++) {
#pragma HLS UNROLL
      typename CONFIG_T::accum_t acc = feat_in[C * slot + channel] * scale[channel];
      acc += shift[channel];
      feat_out[C * slot + channel] = slot_active ? res_T(acc) : res_T(0);
    }
  }
CopyHash:
  for (unsigned index = 0; index < 2 * CONFIG_T::n_sparse; index++) {
#pragma HLS UNROLL
    hash_out[index] = hash_in[index];
  }
}

}  // namespace nnet

#pragma GCC diagnostic pop

#endif  // NNET_SPARSE_BATCHNORM_H_

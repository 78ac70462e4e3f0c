// nnet_sparse_activation.h: element-wise activations on sparse features (hash unchanged).
//
// relu(0) = 0 keeps sparsity; the quantized relu is sparse_relu with an unsigned saturating result
// type (e.g. ap_ufixed<8,2,AP_RND_CONV,AP_SAT>). Each value is cast once to res_T.
// Latency is constant (0-1 cycles); size grows with N x C.
#ifndef NNET_SPARSE_ACTIVATION_H_
#define NNET_SPARSE_ACTIVATION_H_

#include "nnet_common.h"

// Vitis pragmas and loop labels are unknown or unused to a host compiler: keep -Wall quiet
// (g++ before 13 ignores the first line; build C simulation with -Wno-unknown-pragmas there).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"

namespace nnet {

/// Default configuration of the sparse activations; generated configs derive from it.
struct sparse_activation_config {
  static const unsigned n_sparse = 8;
  static const unsigned n_chan = 1;
  typedef ap_uint<4> hash_t;
};

/// Copies the hash through, so every array between layers has one producer and one consumer.
template <typename CONFIG_T>
void sparse_copy_hash(typename CONFIG_T::hash_t hash_in[2 * CONFIG_T::n_sparse],
                      typename CONFIG_T::hash_t hash_out[2 * CONFIG_T::n_sparse]) {
#pragma HLS INLINE
CopyHash:
  for (unsigned index = 0; index < 2 * CONFIG_T::n_sparse; index++) {
#pragma HLS UNROLL
    hash_out[index] = hash_in[index];
  }
}

/// feat_out = max(feat_in, 0), cast to res_T.
template <class data_T, class res_T, typename CONFIG_T>
void sparse_relu(data_T feat_in[CONFIG_T::n_sparse * CONFIG_T::n_chan],
                 typename CONFIG_T::hash_t hash_in[2 * CONFIG_T::n_sparse],
                 res_T feat_out[CONFIG_T::n_sparse * CONFIG_T::n_chan],
                 typename CONFIG_T::hash_t hash_out[2 * CONFIG_T::n_sparse]) {
#pragma HLS PIPELINE II = 1
#pragma HLS ARRAY_PARTITION variable = feat_in complete
#pragma HLS ARRAY_PARTITION variable = feat_out complete
Relu:
  for (unsigned index = 0; index < CONFIG_T::n_sparse * CONFIG_T::n_chan; index++) {
#pragma HLS UNROLL
    feat_out[index] = feat_in[index] > 0 ? res_T(feat_in[index]) : res_T(0);
  }
  sparse_copy_hash<CONFIG_T>(hash_in, hash_out);
}

/// feat_out = feat_in cast to res_T.
template <class data_T, class res_T, typename CONFIG_T>
void sparse_linear(data_T feat_in[CONFIG_T::n_sparse * CONFIG_T::n_chan],
                   typename CONFIG_T::hash_t hash_in[2 * CONFIG_T::n_sparse],
                   res_T feat_out[CONFIG_T::n_sparse * CONFIG_T::n_chan],
                   typename CONFIG_T::hash_t hash_out[2 * CONFIG_T::n_sparse]) {
#pragma HLS PIPELINE II = 1
#pragma HLS ARRAY_PARTITION variable = feat_in complete
#pragma HLS ARRAY_PARTITION variable = feat_out complete
Linear:
  for (unsigned index = 0; index < CONFIG_T::n_sparse * CONFIG_T::n_chan; index++) {
#pragma HLS UNROLL
    feat_out[index] = res_T(feat_in[index]);
  }
  sparse_copy_hash<CONFIG_T>(hash_in, hash_out);
}

}  // namespace nnet

#pragma GCC diagnostic pop

#endif  // NNET_SPARSE_ACTIVATION_H_

// nnet_sparse_flatten.h: scatters the sparse features into the dense, zero-filled feature map.
//
// flat[C*((r-1)*width + (c-1)) + ch] = feat[C*i + ch] for every slot i and channel ch with a
// non-zero value (channel-last, the order of Keras Flatten); everything else is zero. Slots whose
// hash lies outside the height x width grid carry only zeros (pooling zeroes them) and are skipped.
// Latency grows with log2(N) (the write multiplexers); size with height x width x N x C.
#ifndef NNET_SPARSE_FLATTEN_H_
#define NNET_SPARSE_FLATTEN_H_

#include "nnet_common.h"

// Vitis pragmas and loop labels are unknown or unused to a host compiler: keep -Wall quiet
// (g++ before 13 ignores the first line; build C simulation with -Wno-unknown-pragmas there).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"

namespace nnet {

/// Default configuration of sparse_flatten; generated configs derive from it.
struct sparse_flatten_config {
  static const unsigned height = 5;  // of the feature map being flattened
  static const unsigned width = 5;
  static const unsigned n_chan = 1;
  static const unsigned n_sparse = 8;
  typedef ap_uint<4> hash_t;
};

/// Dense flat[height*width*C] from the N slots; see the file comment.
template <class data_T, class res_T, typename CONFIG_T>
void sparse_flatten(data_T feat_in[CONFIG_T::n_sparse * CONFIG_T::n_chan],
                    typename CONFIG_T::hash_t hash_in[2 * CONFIG_T::n_sparse],
                    res_T flat[CONFIG_T::height * CONFIG_T::width * CONFIG_T::n_chan]) {
#pragma HLS PIPELINE II = 1
#pragma HLS ARRAY_PARTITION variable = feat_in complete
#pragma HLS ARRAY_PARTITION variable = hash_in complete
#pragma HLS ARRAY_PARTITION variable = flat complete
  const unsigned C = CONFIG_T::n_chan;
ZeroFill:
  for (unsigned index = 0; index < CONFIG_T::height * CONFIG_T::width * C; index++) {
#pragma HLS UNROLL
    flat[index] = 0;
  }
Scatter:
  for (unsigned slot = 0; slot < CONFIG_T::n_sparse; slot++) {
#pragma HLS UNROLL
    const unsigned row = hash_in[2 * slot].to_uint();
    const unsigned col = hash_in[2 * slot + 1].to_uint();
    const bool inside = row >= 1 && row <= CONFIG_T::height && col >= 1 && col <= CONFIG_T::width;
  ScatterChannels:
    for (unsigned channel = 0; channel < C; channel++) {
#pragma HLS UNROLL
      if (inside && feat_in[C * slot + channel] != 0)
        flat[C * ((row - 1) * CONFIG_T::width + (col - 1)) + channel] = res_T(feat_in[C * slot + channel]);
    }
  }
}

}  // namespace nnet

#pragma GCC diagnostic pop

#endif  // NNET_SPARSE_FLATTEN_H_

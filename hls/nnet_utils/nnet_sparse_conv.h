// nnet_sparse_conv.h: submanifold sparse 2D convolution ('same', stride 1, odd K).
//
// Output slot o, filter f: acc = sum over input slots i and channels c, for |row_i - row_o| <= R and
// |col_i - col_o| <= R (R = (K-1)/2), of W[R + row_i - row_o][R + col_i - col_o][c][f] * feat[i][c],
// weights in Keras HWIO order ((kr*K + kc)*C + c)*F + f. The bias is added only when acc != 0, and
// a slot whose C input features are all zero outputs zero (it stays inactive). The accumulator
// CONFIG_T::accum_t must be exact (reference section 11.3); the result is cast once to res_T.
// The hash passes through unchanged (copied so every array has one producer and one consumer).
// Latency grows with log2(N x C) (the adder tree); size with N^2 x C x F multipliers, each fed by a
// K^2-way weight multiplexer.
#ifndef NNET_SPARSE_CONV_H_
#define NNET_SPARSE_CONV_H_

#include "nnet_common.h"

// Vitis pragmas and loop labels are unknown or unused to a host compiler: keep -Wall quiet
// (g++ before 13 ignores the first line; build C simulation with -Wno-unknown-pragmas there).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"

namespace nnet {

/// Default configuration of sparse_conv; generated configs derive from it.
struct sparse_conv_config {
  static const unsigned n_sparse = 8;     // N, the slot budget
  static const unsigned n_chan = 1;       // C, input channels
  static const unsigned n_filt = 1;       // F, output channels
  static const unsigned kernel_size = 3;  // K, odd, at most 15
  typedef ap_fixed<24, 12> accum_t;
  typedef ap_fixed<16, 6> weight_t;
  typedef ap_fixed<16, 6> bias_t;
  typedef ap_uint<4> hash_t;
};

/// Submanifold convolution of the N slots; see the file comment for the exact rule.
template <class data_T, class res_T, typename CONFIG_T>
void sparse_conv(data_T feat_in[CONFIG_T::n_sparse * CONFIG_T::n_chan],
                 typename CONFIG_T::hash_t hash_in[2 * CONFIG_T::n_sparse],
                 res_T feat_out[CONFIG_T::n_sparse * CONFIG_T::n_filt],
                 typename CONFIG_T::hash_t hash_out[2 * CONFIG_T::n_sparse],
                 typename CONFIG_T::weight_t weights[CONFIG_T::kernel_size * CONFIG_T::kernel_size *
                                                     CONFIG_T::n_chan * CONFIG_T::n_filt],
                 typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS PIPELINE II = 1
#pragma HLS ARRAY_PARTITION variable = feat_in complete
#pragma HLS ARRAY_PARTITION variable = hash_in complete
#pragma HLS ARRAY_PARTITION variable = feat_out complete
#pragma HLS ARRAY_PARTITION variable = hash_out complete
#pragma HLS ARRAY_PARTITION variable = weights complete
#pragma HLS ARRAY_PARTITION variable = biases complete
  static_assert(CONFIG_T::kernel_size % 2 == 1 && CONFIG_T::kernel_size <= 15,
                "sparse_conv: kernel_size must be odd and at most 15");
  const int radius = (CONFIG_T::kernel_size - 1) / 2;
  const unsigned C = CONFIG_T::n_chan;
  const unsigned F = CONFIG_T::n_filt;

OutputSlots:
  for (unsigned out_slot = 0; out_slot < CONFIG_T::n_sparse; out_slot++) {
#pragma HLS UNROLL
    // A slot is active iff any of its input features is non-zero (no separate valid bit).
    bool slot_active = false;
  CheckActive:
    for (unsigned channel = 0; channel < C; channel++) {
#pragma HLS UNROLL
      if (feat_in[C * out_slot + channel] != 0) slot_active = true;
    }
    const int out_row = hash_in[2 * out_slot].to_int();
    const int out_col = hash_in[2 * out_slot + 1].to_int();

  Filters:
    for (unsigned filter = 0; filter < F; filter++) {
#pragma HLS UNROLL
      typename CONFIG_T::accum_t acc = 0;
    InputSlots:
      for (unsigned in_slot = 0; in_slot < CONFIG_T::n_sparse; in_slot++) {
#pragma HLS UNROLL
        const int row_offset = hash_in[2 * in_slot].to_int() - out_row;
        const int col_offset = hash_in[2 * in_slot + 1].to_int() - out_col;
        if (row_offset < -radius || row_offset > radius || col_offset < -radius || col_offset > radius)
          continue;
        const unsigned tap = (radius + row_offset) * CONFIG_T::kernel_size + (radius + col_offset);
      InputChannels:
        for (unsigned channel = 0; channel < C; channel++) {
#pragma HLS UNROLL
          acc += weights[(tap * C + channel) * F + filter] * feat_in[C * in_slot + channel];
        }
      }
      // The reference's bias rule: only a non-zero sum receives the bias.
      if (acc != 0) acc += biases[filter];
      feat_out[F * out_slot + filter] = slot_active ? res_T(acc) : res_T(0);
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

#endif  // NNET_SPARSE_CONV_H_

// nnet_sparse_input_reduce.h: sparse input reduction, the first layer of a sparse model.
//
// Turns the dense image x[H*W*C] (channel-last, row-major, already in the input type) into the
// sparse layout of docs/semantics.md: feat[N*C] slot-major and hash[2*N] 1-based (row, col).
// Pixel j is active iff x[C*j] > threshold (strict, channel 0 only). The threshold is a function
// argument in the input type, quantized the same way as the inputs (reference section 11.2), so a
// generated top passes e.g. `input_t(0.4)`.
// Latency grows with N x ceil(log2(H*W)) (one balanced tree per slot); size with H*W (the trees and
// the N-way pixel multiplexers, x C channels).
#ifndef NNET_SPARSE_INPUT_REDUCE_H_
#define NNET_SPARSE_INPUT_REDUCE_H_

#include "nnet_common.h"

// Vitis pragmas and loop labels are unknown or unused to a host compiler: keep -Wall quiet
// (g++ before 13 ignores the first line; build C simulation with -Wno-unknown-pragmas there).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"

namespace nnet {

/// Default configuration of sparse_input_reduce; generated configs derive from it.
struct sparse_input_reduce_config {
  static const unsigned height = 10;
  static const unsigned width = 10;
  static const unsigned n_chan = 1;
  static const unsigned n_sparse = 8;  // N, the slot budget
  static const unsigned selection = select_raster;
  static const unsigned arithmetic_profile = arithmetic_exact;  // or arithmetic_hls4ml (empty slots)
  typedef ap_uint<4> hash_t;                                    // holds 1..max(height, width)
};

/// Index of the first (lowest raster index) pixel still marked active: a balanced "find first"
/// tree stored heap-style (node k has children 2k+1 and 2k+2; leaves hold pixels in raster order).
template <typename CONFIG_T>
void find_first_active(const bool active[CONFIG_T::height * CONFIG_T::width], bool& found, unsigned& index) {
#pragma HLS INLINE
  const unsigned n_pixels = CONFIG_T::height * CONFIG_T::width;
  const unsigned n_leaves = next_power_of_two<n_pixels>::value;
  bool node_valid[2 * n_leaves - 1];
  unsigned node_index[2 * n_leaves - 1];
#pragma HLS ARRAY_PARTITION variable = node_valid complete
#pragma HLS ARRAY_PARTITION variable = node_index complete
FirstLeaves:
  for (unsigned leaf = 0; leaf < n_leaves; leaf++) {
#pragma HLS UNROLL
    const unsigned pixel = leaf < n_pixels ? leaf : 0;  // padding leaves are never valid
    node_valid[n_leaves - 1 + leaf] = leaf < n_pixels ? active[pixel] : false;
    node_index[n_leaves - 1 + leaf] = leaf;
  }
FirstTree:
  for (int node = int(n_leaves) - 2; node >= 0; node--) {
#pragma HLS UNROLL
    // The left child covers lower raster indices, so it wins whenever it holds an active pixel.
    const bool take_left = node_valid[2 * node + 1];
    node_valid[node] = node_valid[2 * node + 1] || node_valid[2 * node + 2];
    node_index[node] = take_left ? node_index[2 * node + 1] : node_index[2 * node + 2];
  }
  found = node_valid[0];
  index = node_index[0];
}

/// Index of the active pixel with the largest channel-0 value, ties to the lower raster index:
/// a balanced arg-max tree, stored heap-style like find_first_active.
template <class data_T, typename CONFIG_T>
void find_largest_active(const data_T x[CONFIG_T::height * CONFIG_T::width * CONFIG_T::n_chan],
                         const bool active[CONFIG_T::height * CONFIG_T::width], bool& found,
                         unsigned& index) {
#pragma HLS INLINE
  const unsigned n_pixels = CONFIG_T::height * CONFIG_T::width;
  const unsigned n_leaves = next_power_of_two<n_pixels>::value;
  bool node_valid[2 * n_leaves - 1];
  data_T node_value[2 * n_leaves - 1];
  unsigned node_index[2 * n_leaves - 1];
#pragma HLS ARRAY_PARTITION variable = node_valid complete
#pragma HLS ARRAY_PARTITION variable = node_value complete
#pragma HLS ARRAY_PARTITION variable = node_index complete
LargestLeaves:
  for (unsigned leaf = 0; leaf < n_leaves; leaf++) {
#pragma HLS UNROLL
    const unsigned pixel = leaf < n_pixels ? leaf : 0;
    node_valid[n_leaves - 1 + leaf] = leaf < n_pixels ? active[pixel] : false;
    node_value[n_leaves - 1 + leaf] = x[CONFIG_T::n_chan * pixel];
    node_index[n_leaves - 1 + leaf] = leaf;
  }
LargestTree:
  for (int node = int(n_leaves) - 2; node >= 0; node--) {
#pragma HLS UNROLL
    const int left = 2 * node + 1;
    const int right = 2 * node + 2;
    // On equal values the left child (lower raster indices) wins: ties go to the lower index.
    const bool take_left = node_valid[left] && (!node_valid[right] || node_value[left] >= node_value[right]);
    node_valid[node] = node_valid[left] || node_valid[right];
    node_value[node] = take_left ? node_value[left] : node_value[right];
    node_index[node] = take_left ? node_index[left] : node_index[right];
  }
  found = node_valid[0];
  index = node_index[0];
}

/// Selects up to N active pixels of x into slots 0..N-1 (policy CONFIG_T::selection); slots left
/// over are empty: all channels zero and hash (1, 1) (arithmetic_hls4ml: channels 1..C-1 copied from
/// pixel 0, hls4ml's rule).
template <class data_T, class res_T, typename CONFIG_T>
void sparse_input_reduce(data_T x[CONFIG_T::height * CONFIG_T::width * CONFIG_T::n_chan],
                         const data_T threshold, res_T feat_out[CONFIG_T::n_sparse * CONFIG_T::n_chan],
                         typename CONFIG_T::hash_t hash_out[2 * CONFIG_T::n_sparse]) {
#pragma HLS ARRAY_PARTITION variable = x complete
#pragma HLS ARRAY_PARTITION variable = feat_out complete
#pragma HLS ARRAY_PARTITION variable = hash_out complete
  static_assert(CONFIG_T::selection == select_raster || CONFIG_T::selection == select_topk,
                "sparse_input_reduce: CONFIG_T::selection must be select_raster or select_topk");
  const unsigned n_pixels = CONFIG_T::height * CONFIG_T::width;

  // The working copy of the activity flags: a chosen pixel is cleared so the next tree skips it.
  bool active[n_pixels];
#pragma HLS ARRAY_PARTITION variable = active complete
ThresholdPixels:
  for (unsigned pixel = 0; pixel < n_pixels; pixel++) {
#pragma HLS UNROLL
    active[pixel] = x[CONFIG_T::n_chan * pixel] > threshold;
  }

FillSlots:
  for (unsigned slot = 0; slot < CONFIG_T::n_sparse; slot++) {
#pragma HLS PIPELINE II = 1
    bool found = false;
    unsigned index = 0;
    if (CONFIG_T::selection == select_topk) {
      find_largest_active<data_T, CONFIG_T>(x, active, found, index);
    } else {
      find_first_active<CONFIG_T>(active, found, index);
    }
  CopyChannels:
    for (unsigned channel = 0; channel < CONFIG_T::n_chan; channel++) {
#pragma HLS UNROLL
      // An empty slot is all zero; under hls4ml's rule it takes channels 1..C-1 of pixel 0.
      res_T value = 0;
      if (found) {
        value = res_T(x[CONFIG_T::n_chan * index + channel]);
      } else if (CONFIG_T::arithmetic_profile == arithmetic_hls4ml && channel > 0) {
        value = res_T(x[channel]);
      }
      feat_out[CONFIG_T::n_chan * slot + channel] = value;
    }
    hash_out[2 * slot] = found ? index / CONFIG_T::width + 1 : 1;
    hash_out[2 * slot + 1] = found ? index % CONFIG_T::width + 1 : 1;
    if (found) active[index] = false;
  }
}

}  // namespace nnet

#pragma GCC diagnostic pop

#endif  // NNET_SPARSE_INPUT_REDUCE_H_

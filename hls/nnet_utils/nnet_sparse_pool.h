// nnet_sparse_pool.h: sparse average and max pooling (pool p_h x p_w, stride = pool, 'valid').
//
// Every slot moves to its pooled cell r' = (r-1)/p_h + 1, c' = (c-1)/p_w + 1 (that is its output
// hash, active or not). The lowest-index slot among all slots of a cell, active or not, receives the
// cell's result per channel; the other slots of the cell output zero. A cell outside the valid
// output grid (r' > out_height or c' > out_width: a partial window) outputs zero and keeps its
// computed pooled hash.
//  - average: (exact cell sum in accum_t) x R, R = 1/(p_h*p_w) rounded half to even to
//    ap_ufixed<18,0> (no multiply when the area is 1); the product is exact, cast once to res_T.
//  - max: Keras MaxPooling2D on the zero-filled image: the largest value of the cell's active slots,
//    and 0 too when fewer than p_h*p_w slots of the cell are active (active slots have distinct
//    coordinates; inactive slots, e.g. merged duplicates, hold no pixel).
// With CONFIG_T::arithmetic_profile == arithmetic_hls4ml (hls4ml's sparse kernels): average
// multiplies the sum by hls4ml_pool_scale (1/p_h and 1/p_w each truncated to ap_ufixed<10,0>), the
// product exact, cast once; max is a running maximum from 0 over the cell's slots, cast once.
// Latency grows with log2(N) (comparators and adder trees); size with N^2 x C.
#ifndef NNET_SPARSE_POOL_H_
#define NNET_SPARSE_POOL_H_

#include "nnet_common.h"

// Vitis pragmas and loop labels are unknown or unused to a host compiler: keep -Wall quiet
// (g++ before 13 ignores the first line; build C simulation with -Wno-unknown-pragmas there).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"

namespace nnet {

/// Default configuration of the sparse pooling kernels; generated configs derive from it.
struct sparse_pool_config {
  static const unsigned in_height = 10;
  static const unsigned in_width = 10;
  static const unsigned pool_height = 2;
  static const unsigned pool_width = 2;
  static const unsigned out_height = in_height / pool_height;
  static const unsigned out_width = in_width / pool_width;
  static const unsigned n_sparse = 8;
  static const unsigned n_chan = 1;
  static const unsigned pool_op = pool_average;  // used by sparse_pool only
  static const unsigned arithmetic_profile = arithmetic_exact;
  typedef ap_fixed<24, 12> accum_t;  // the exact cell sum (average pooling)
  typedef ap_uint<4> hash_t;
};

/// Pooled coordinates of every slot (into `pooled`, a local array: output ports are only written,
/// never read back), and which slots lead (receive the result of) a valid cell.
template <typename CONFIG_T>
void sparse_pool_cells(typename CONFIG_T::hash_t hash_in[2 * CONFIG_T::n_sparse],
                       typename CONFIG_T::hash_t pooled[2 * CONFIG_T::n_sparse],
                       typename CONFIG_T::hash_t hash_out[2 * CONFIG_T::n_sparse],
                       bool leads_cell[CONFIG_T::n_sparse]) {
#pragma HLS INLINE
PooledCoordinates:
  for (unsigned slot = 0; slot < CONFIG_T::n_sparse; slot++) {
#pragma HLS UNROLL
    pooled[2 * slot] = (hash_in[2 * slot].to_uint() - 1) / CONFIG_T::pool_height + 1;
    pooled[2 * slot + 1] = (hash_in[2 * slot + 1].to_uint() - 1) / CONFIG_T::pool_width + 1;
  }
FindLeaders:
  for (unsigned slot = 0; slot < CONFIG_T::n_sparse; slot++) {
#pragma HLS UNROLL
    bool leads = pooled[2 * slot].to_uint() <= CONFIG_T::out_height &&
                 pooled[2 * slot + 1].to_uint() <= CONFIG_T::out_width;
  EarlierSlots:
    for (unsigned earlier = 0; earlier < CONFIG_T::n_sparse; earlier++) {
#pragma HLS UNROLL
      if (earlier < slot && pooled[2 * earlier] == pooled[2 * slot] &&
          pooled[2 * earlier + 1] == pooled[2 * slot + 1])
        leads = false;
    }
    leads_cell[slot] = leads;
  }
WriteHash:
  for (unsigned index = 0; index < 2 * CONFIG_T::n_sparse; index++) {
#pragma HLS UNROLL
    hash_out[index] = pooled[index];
  }
}

/// Sparse average pooling; see the file comment.
template <class data_T, class res_T, typename CONFIG_T>
void sparse_average_pool(data_T feat_in[CONFIG_T::n_sparse * CONFIG_T::n_chan],
                         typename CONFIG_T::hash_t hash_in[2 * CONFIG_T::n_sparse],
                         res_T feat_out[CONFIG_T::n_sparse * CONFIG_T::n_chan],
                         typename CONFIG_T::hash_t hash_out[2 * CONFIG_T::n_sparse]) {
#pragma HLS PIPELINE II = 1
#pragma HLS ARRAY_PARTITION variable = feat_in complete
#pragma HLS ARRAY_PARTITION variable = hash_in complete
#pragma HLS ARRAY_PARTITION variable = feat_out complete
#pragma HLS ARRAY_PARTITION variable = hash_out complete
  const unsigned area = CONFIG_T::pool_height * CONFIG_T::pool_width;
  const unsigned C = CONFIG_T::n_chan;
  typename CONFIG_T::hash_t pooled[2 * CONFIG_T::n_sparse];
  bool leads_cell[CONFIG_T::n_sparse];
#pragma HLS ARRAY_PARTITION variable = pooled complete
#pragma HLS ARRAY_PARTITION variable = leads_cell complete
  sparse_pool_cells<CONFIG_T>(hash_in, pooled, hash_out, leads_cell);

AverageSlots:
  for (unsigned slot = 0; slot < CONFIG_T::n_sparse; slot++) {
#pragma HLS UNROLL
  AverageChannels:
    for (unsigned channel = 0; channel < C; channel++) {
#pragma HLS UNROLL
      typename CONFIG_T::accum_t sum = 0;
    SumCell:
      for (unsigned member = 0; member < CONFIG_T::n_sparse; member++) {
#pragma HLS UNROLL
        if (pooled[2 * member] == pooled[2 * slot] && pooled[2 * member + 1] == pooled[2 * slot + 1])
          sum += feat_in[C * member + channel];
      }
      if (!leads_cell[slot]) {
        feat_out[C * slot + channel] = 0;
      } else if (area == 1) {
        feat_out[C * slot + channel] = res_T(sum);
      } else if (CONFIG_T::arithmetic_profile == arithmetic_hls4ml) {
        feat_out[C * slot + channel] =
            res_T(sum * hls4ml_pool_scale<CONFIG_T::pool_height, CONFIG_T::pool_width>());
      } else {
        feat_out[C * slot + channel] = res_T(sum * pool_reciprocal<area>());
      }
    }
  }
}

/// Sparse max pooling; see the file comment.
template <class data_T, class res_T, typename CONFIG_T>
void sparse_max_pool(data_T feat_in[CONFIG_T::n_sparse * CONFIG_T::n_chan],
                     typename CONFIG_T::hash_t hash_in[2 * CONFIG_T::n_sparse],
                     res_T feat_out[CONFIG_T::n_sparse * CONFIG_T::n_chan],
                     typename CONFIG_T::hash_t hash_out[2 * CONFIG_T::n_sparse]) {
#pragma HLS PIPELINE II = 1
#pragma HLS ARRAY_PARTITION variable = feat_in complete
#pragma HLS ARRAY_PARTITION variable = hash_in complete
#pragma HLS ARRAY_PARTITION variable = feat_out complete
#pragma HLS ARRAY_PARTITION variable = hash_out complete
  const unsigned area = CONFIG_T::pool_height * CONFIG_T::pool_width;
  const unsigned C = CONFIG_T::n_chan;
  typename CONFIG_T::hash_t pooled[2 * CONFIG_T::n_sparse];
  bool leads_cell[CONFIG_T::n_sparse];
  bool slot_active[CONFIG_T::n_sparse];
#pragma HLS ARRAY_PARTITION variable = pooled complete
#pragma HLS ARRAY_PARTITION variable = leads_cell complete
#pragma HLS ARRAY_PARTITION variable = slot_active complete
  sparse_pool_cells<CONFIG_T>(hash_in, pooled, hash_out, leads_cell);

MarkActive:
  for (unsigned slot = 0; slot < CONFIG_T::n_sparse; slot++) {
#pragma HLS UNROLL
    slot_active[slot] = false;
  MarkChannels:
    for (unsigned channel = 0; channel < C; channel++) {
#pragma HLS UNROLL
      if (feat_in[C * slot + channel] != 0) slot_active[slot] = true;
    }
  }

  if (CONFIG_T::arithmetic_profile == arithmetic_hls4ml) {
  Hls4mlMaxSlots:
    for (unsigned slot = 0; slot < CONFIG_T::n_sparse; slot++) {
#pragma HLS UNROLL
    Hls4mlMaxChannels:
      for (unsigned channel = 0; channel < C; channel++) {
#pragma HLS UNROLL
        data_T largest = 0;  // hls4ml: the running maximum starts at 0
      Hls4mlMaxCell:
        for (unsigned member = 0; member < CONFIG_T::n_sparse; member++) {
#pragma HLS UNROLL
          if (pooled[2 * member] == pooled[2 * slot] && pooled[2 * member + 1] == pooled[2 * slot + 1] &&
              feat_in[C * member + channel] > largest)
            largest = feat_in[C * member + channel];
        }
        feat_out[C * slot + channel] = leads_cell[slot] ? res_T(largest) : res_T(0);
      }
    }
    return;
  }

MaxSlots:
  for (unsigned slot = 0; slot < CONFIG_T::n_sparse; slot++) {
#pragma HLS UNROLL
    // Active members of the cell; fewer than the area means the zero-filled image has a 0 there.
    unsigned active_members = 0;
  CountMembers:
    for (unsigned member = 0; member < CONFIG_T::n_sparse; member++) {
#pragma HLS UNROLL
      if (slot_active[member] && pooled[2 * member] == pooled[2 * slot] &&
          pooled[2 * member + 1] == pooled[2 * slot + 1])
        active_members++;
    }
  MaxChannels:
    for (unsigned channel = 0; channel < C; channel++) {
#pragma HLS UNROLL
      // Only active members count: inactive ones (empty or merged duplicates) hold no pixel value.
      bool any_active = false;
      data_T largest = 0;
    MaxCell:
      for (unsigned member = 0; member < CONFIG_T::n_sparse; member++) {
#pragma HLS UNROLL
        if (slot_active[member] && pooled[2 * member] == pooled[2 * slot] &&
            pooled[2 * member + 1] == pooled[2 * slot + 1] &&
            (!any_active || feat_in[C * member + channel] > largest)) {
          largest = feat_in[C * member + channel];
          any_active = true;
        }
      }
      // Fewer active members than the area: the zero-filled image holds a 0 in this cell.
      if (active_members < area && largest < 0) largest = 0;
      feat_out[C * slot + channel] = leads_cell[slot] ? res_T(largest) : res_T(0);
    }
  }
}

/// Average or max pooling as chosen by CONFIG_T::pool_op (pool_average or pool_max).
template <class data_T, class res_T, typename CONFIG_T>
void sparse_pool(data_T feat_in[CONFIG_T::n_sparse * CONFIG_T::n_chan],
                 typename CONFIG_T::hash_t hash_in[2 * CONFIG_T::n_sparse],
                 res_T feat_out[CONFIG_T::n_sparse * CONFIG_T::n_chan],
                 typename CONFIG_T::hash_t hash_out[2 * CONFIG_T::n_sparse]) {
#pragma HLS INLINE
  static_assert(CONFIG_T::pool_op == pool_average || CONFIG_T::pool_op == pool_max,
                "sparse_pool: CONFIG_T::pool_op must be pool_average or pool_max");
  if (CONFIG_T::pool_op == pool_max) {
    sparse_max_pool<data_T, res_T, CONFIG_T>(feat_in, hash_in, feat_out, hash_out);
  } else {
    sparse_average_pool<data_T, res_T, CONFIG_T>(feat_in, hash_in, feat_out, hash_out);
  }
}

}  // namespace nnet

#pragma GCC diagnostic pop

#endif  // NNET_SPARSE_POOL_H_

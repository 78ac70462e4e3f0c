// nnet_pooling_stream.h: io_stream average and max pooling (pool p_h x p_w, stride = pool,
// 'valid'), the standard-CNN baseline.
//
// Pixels arrive in raster order (nnet::array of C channels); an output pixel is written when the
// last pixel of its cell arrives, so outputs leave in raster order. Rows and columns beyond
// out_height*p_h and out_width*p_w (a partial window) are read and dropped.
//  - average: (exact cell sum in accum_t) x R, R = 1/(p_h*p_w) rounded half to even to
//    ap_ufixed<18,0> (no multiply when the area is 1), the product exact and cast once.
//  - max: the largest value of the cell, cast to the result type.
// Latency grows with H x W cycles (II = 1); size with out_width x C accumulators.
#ifndef NNET_POOLING_STREAM_H_
#define NNET_POOLING_STREAM_H_

#include "hls_stream.h"
#include "nnet_common.h"
#include "nnet_types.h"

// Vitis pragmas and loop labels are unknown or unused to a host compiler: keep -Wall quiet
// (g++ before 13 ignores the first line; build C simulation with -Wno-unknown-pragmas there).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"

namespace nnet {

/// Default configuration of pooling_2d_stream; generated configs derive from it.
struct pooling2d_stream_config {
  static const unsigned in_height = 10;
  static const unsigned in_width = 10;
  static const unsigned n_chan = 1;
  static const unsigned pool_height = 2;
  static const unsigned pool_width = 2;
  static const unsigned out_height = in_height / pool_height;
  static const unsigned out_width = in_width / pool_width;
  static const unsigned pool_op = pool_average;
  typedef ap_fixed<24, 12> accum_t;  // the exact cell sum (average pooling)
};

/// Streamed pooling; data_T and res_T are nnet::array of C channels.
template <class data_T, class res_T, typename CONFIG_T>
void pooling_2d_stream(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  static_assert(CONFIG_T::pool_op == pool_average || CONFIG_T::pool_op == pool_max,
                "pooling_2d_stream: CONFIG_T::pool_op must be pool_average or pool_max");
  static_assert(data_T::size == CONFIG_T::n_chan && res_T::size == CONFIG_T::n_chan,
                "pooling_2d_stream: stream element sizes must match n_chan");
  typedef typename data_T::value_type input_t;
  typedef typename res_T::value_type output_t;
  const unsigned C = CONFIG_T::n_chan;
  const unsigned area = CONFIG_T::pool_height * CONFIG_T::pool_width;

  // One partial result per output column of the current row of cells.
  typename CONFIG_T::accum_t cell_sum[CONFIG_T::out_width > 0 ? CONFIG_T::out_width : 1][C];
  input_t cell_max[CONFIG_T::out_width > 0 ? CONFIG_T::out_width : 1][C];
#pragma HLS ARRAY_PARTITION variable = cell_sum complete dim = 2
#pragma HLS ARRAY_PARTITION variable = cell_max complete dim = 2

  unsigned row_in_cell = 0;
Rows:
  for (unsigned row = 0; row < CONFIG_T::in_height; row++) {
    unsigned col_in_cell = 0;
    unsigned cell_col = 0;
  Columns:
    for (unsigned col = 0; col < CONFIG_T::in_width; col++) {
#pragma HLS PIPELINE II = 1
      const data_T pixel = data.read();
      const bool inside = row < CONFIG_T::out_height * CONFIG_T::pool_height &&
                          col < CONFIG_T::out_width * CONFIG_T::pool_width;
      if (inside) {
        const bool first = row_in_cell == 0 && col_in_cell == 0;
        const bool last = row_in_cell + 1 == CONFIG_T::pool_height && col_in_cell + 1 == CONFIG_T::pool_width;
        res_T out_pixel;
      Channels:
        for (unsigned ch = 0; ch < C; ch++) {
          if (CONFIG_T::pool_op == pool_max) {
            if (first || pixel[ch] > cell_max[cell_col][ch]) cell_max[cell_col][ch] = pixel[ch];
            out_pixel[ch] = output_t(cell_max[cell_col][ch]);
          } else {
            if (first) cell_sum[cell_col][ch] = 0;
            cell_sum[cell_col][ch] += pixel[ch];
            out_pixel[ch] = area == 1 ? output_t(cell_sum[cell_col][ch])
                                      : output_t(cell_sum[cell_col][ch] * pool_reciprocal<area>());
          }
        }
        if (last) res.write(out_pixel);
        if (col_in_cell + 1 == CONFIG_T::pool_width) {
          col_in_cell = 0;
          cell_col++;
        } else {
          col_in_cell++;
        }
      }
    }
    row_in_cell = row_in_cell + 1 == CONFIG_T::pool_height ? 0 : row_in_cell + 1;
  }
}

}  // namespace nnet

#pragma GCC diagnostic pop

#endif  // NNET_POOLING_STREAM_H_

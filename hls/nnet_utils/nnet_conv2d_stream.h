// nnet_conv2d_stream.h: io_stream 2D convolution with a line buffer ('same', stride 1), the
// standard-CNN baseline.
//
// Pixels arrive in raster order, one nnet::array of C channels per cycle; the kernel keeps the last
// filt_height-1 rows in a line buffer and a filt_height x filt_width window, and emits one output
// pixel of F channels per cycle once the window is centred on it. Outside the image counts as zero.
// out[r][c][f] = bias[f] + sum_{kr,kc,ch} W[kr][kc][ch][f] * in[r-R_h+kr][c-R_w+kc][ch] (Keras HWIO
// weights, bias always added as in Keras Conv2D), accumulated exactly in accum_t and cast once.
// Latency grows with (H + R_h) x (W + R_w) cycles (II = 1); size with filt_height x filt_width x C x F
// multipliers plus a (filt_height-1) x W x C line buffer.
#ifndef NNET_CONV2D_STREAM_H_
#define NNET_CONV2D_STREAM_H_

#include "hls_stream.h"
#include "nnet_common.h"
#include "nnet_types.h"

// Vitis pragmas and loop labels are unknown or unused to a host compiler: keep -Wall quiet
// (g++ before 13 ignores the first line; build C simulation with -Wno-unknown-pragmas there).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"

namespace nnet {

/// Default configuration of conv_2d_stream; generated configs derive from it.
struct conv2d_stream_config {
  static const unsigned in_height = 10;
  static const unsigned in_width = 10;
  static const unsigned n_chan = 1;
  static const unsigned filt_height = 3;  // odd
  static const unsigned filt_width = 3;   // odd
  static const unsigned n_filt = 1;
  typedef ap_fixed<24, 12> accum_t;
  typedef ap_fixed<16, 6> weight_t;
  typedef ap_fixed<16, 6> bias_t;
};

/// Streamed 'same' convolution; data_T and res_T are nnet::array of C and F channels.
template <class data_T, class res_T, typename CONFIG_T>
void conv_2d_stream(hls::stream<data_T>& data, hls::stream<res_T>& res,
                    typename CONFIG_T::weight_t weights[CONFIG_T::filt_height * CONFIG_T::filt_width *
                                                        CONFIG_T::n_chan * CONFIG_T::n_filt],
                    typename CONFIG_T::bias_t biases[CONFIG_T::n_filt]) {
#pragma HLS ARRAY_PARTITION variable = weights complete
#pragma HLS ARRAY_PARTITION variable = biases complete
  static_assert(CONFIG_T::filt_height % 2 == 1 && CONFIG_T::filt_width % 2 == 1,
                "conv_2d_stream: 'same' padding needs odd filter sizes");
  static_assert(data_T::size == CONFIG_T::n_chan && res_T::size == CONFIG_T::n_filt,
                "conv_2d_stream: stream element sizes must match n_chan and n_filt");
  typedef typename data_T::value_type input_t;
  typedef typename res_T::value_type output_t;
  const unsigned KH = CONFIG_T::filt_height;
  const unsigned KW = CONFIG_T::filt_width;
  const unsigned C = CONFIG_T::n_chan;
  const unsigned F = CONFIG_T::n_filt;
  const int radius_h = (KH - 1) / 2;
  const int radius_w = (KW - 1) / 2;
  // At least one row so the array is legal C++ when filt_height is 1 (the row is then unused).
  const unsigned buffered_rows = KH > 1 ? KH - 1 : 1;

  // line_buffer[kr][col] holds input row (current row - (KH-1) + kr), zero before the image.
  input_t line_buffer[buffered_rows][CONFIG_T::in_width][C];
  input_t window[KH][KW][C];
#pragma HLS ARRAY_PARTITION variable = line_buffer complete dim = 1
#pragma HLS ARRAY_PARTITION variable = line_buffer complete dim = 3
#pragma HLS ARRAY_PARTITION variable = window complete
ClearLineBuffer:
  for (unsigned kr = 0; kr < buffered_rows; kr++) {
  ClearLineBufferColumns:
    for (unsigned col = 0; col < CONFIG_T::in_width; col++) {
    ClearLineBufferChannels:
      for (unsigned ch = 0; ch < C; ch++) line_buffer[kr][col][ch] = 0;
    }
  }
ClearWindow:
  for (unsigned kr = 0; kr < KH; kr++) {
  ClearWindowColumns:
    for (unsigned kc = 0; kc < KW; kc++) {
    ClearWindowChannels:
      for (unsigned ch = 0; ch < C; ch++) window[kr][kc][ch] = 0;
    }
  }

  // Scanning R_h extra rows and R_w extra columns of zeros flushes the bottom and right borders;
  // the R_w zero columns ending a row are also the left border of the next row in the window, and
  // the zero-initialized line buffer is the top border, so the window never needs masking.
Rows:
  for (unsigned in_row = 0; in_row < CONFIG_T::in_height + radius_h; in_row++) {
  Columns:
    for (unsigned in_col = 0; in_col < CONFIG_T::in_width + radius_w; in_col++) {
#pragma HLS PIPELINE II = 1
      const bool inside = in_row < CONFIG_T::in_height && in_col < CONFIG_T::in_width;
      data_T pixel;
      if (inside) {
        pixel = data.read();
      } else {
      ZeroPixel:
        for (unsigned ch = 0; ch < C; ch++) pixel[ch] = 0;
      }

    ShiftWindow:
      for (unsigned kr = 0; kr < KH; kr++) {
      ShiftWindowColumns:
        for (unsigned kc = 0; kc + 1 < KW; kc++) {
        ShiftWindowChannels:
          for (unsigned ch = 0; ch < C; ch++) window[kr][kc][ch] = window[kr][kc + 1][ch];
        }
      }
    NewColumn:
      for (unsigned ch = 0; ch < C; ch++) {
      NewColumnRows:
        for (unsigned kr = 0; kr + 1 < KH; kr++) {
          window[kr][KW - 1][ch] = in_col < CONFIG_T::in_width ? line_buffer[kr][in_col][ch] : input_t(0);
          if (in_col < CONFIG_T::in_width)
            line_buffer[kr][in_col][ch] = kr + 2 < KH ? line_buffer[kr + 1][in_col][ch] : pixel[ch];
        }
        window[KH - 1][KW - 1][ch] = pixel[ch];
      }

      const int out_row = int(in_row) - radius_h;
      const int out_col = int(in_col) - radius_w;
      if (out_row < 0 || out_col < 0) continue;
      res_T out_pixel;
    Filters:
      for (unsigned f = 0; f < F; f++) {
        typename CONFIG_T::accum_t acc = biases[f];
      WindowRows:
        for (unsigned kr = 0; kr < KH; kr++) {
        WindowColumns:
          for (unsigned kc = 0; kc < KW; kc++) {
          WindowChannels:
            for (unsigned ch = 0; ch < C; ch++) {
              acc += weights[((kr * KW + kc) * C + ch) * F + f] * window[kr][kc][ch];
            }
          }
        }
        out_pixel[f] = output_t(acc);
      }
      res.write(out_pixel);
    }
  }
}

}  // namespace nnet

#pragma GCC diagnostic pop

#endif  // NNET_CONV2D_STREAM_H_

// nnet_activation_stream.h: io_stream relu and linear for the standard-CNN baseline.
//
// Each pixel (nnet::array of C channels) is mapped element-wise and cast once to the result type.
// Latency grows with the pixel count n_in cycles (II = 1); size with C.
#ifndef NNET_ACTIVATION_STREAM_H_
#define NNET_ACTIVATION_STREAM_H_

#include "hls_stream.h"
#include "nnet_common.h"
#include "nnet_types.h"

// Vitis pragmas and loop labels are unknown or unused to a host compiler: keep -Wall quiet
// (g++ before 13 ignores the first line; build C simulation with -Wno-unknown-pragmas there).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"

namespace nnet {

/// Default configuration of the streamed activations; generated configs derive from it.
struct activation_stream_config {
  static const unsigned n_in = 100;  // pixels in the stream (H x W)
  static const unsigned n_chan = 1;
};

/// Streamed relu: max(x, 0) per channel.
template <class data_T, class res_T, typename CONFIG_T>
void relu_stream(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  static_assert(data_T::size == CONFIG_T::n_chan && res_T::size == CONFIG_T::n_chan,
                "relu_stream: stream element sizes must match n_chan");
  typedef typename res_T::value_type output_t;
Pixels:
  for (unsigned pixel = 0; pixel < CONFIG_T::n_in; pixel++) {
#pragma HLS PIPELINE II = 1
    const data_T value = data.read();
    res_T out_pixel;
  Channels:
    for (unsigned ch = 0; ch < CONFIG_T::n_chan; ch++)
      out_pixel[ch] = value[ch] > 0 ? output_t(value[ch]) : output_t(0);
    res.write(out_pixel);
  }
}

/// Streamed linear activation: a cast per channel.
template <class data_T, class res_T, typename CONFIG_T>
void linear_stream(hls::stream<data_T>& data, hls::stream<res_T>& res) {
  static_assert(data_T::size == CONFIG_T::n_chan && res_T::size == CONFIG_T::n_chan,
                "linear_stream: stream element sizes must match n_chan");
  typedef typename res_T::value_type output_t;
Pixels:
  for (unsigned pixel = 0; pixel < CONFIG_T::n_in; pixel++) {
#pragma HLS PIPELINE II = 1
    const data_T value = data.read();
    res_T out_pixel;
  Channels:
    for (unsigned ch = 0; ch < CONFIG_T::n_chan; ch++) out_pixel[ch] = output_t(value[ch]);
    res.write(out_pixel);
  }
}

}  // namespace nnet

#pragma GCC diagnostic pop

#endif  // NNET_ACTIVATION_STREAM_H_

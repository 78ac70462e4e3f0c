// nnet_flatten_stream.h: collects a streamed feature map into the flat array of the dense head.
//
// res[C*(r*W + c) + ch] = pixel (r, c) channel ch: channel-last, the order of Keras Flatten.
// Latency grows with H x W cycles (II = 1); size with H x W x C registers.
#ifndef NNET_FLATTEN_STREAM_H_
#define NNET_FLATTEN_STREAM_H_

#include "hls_stream.h"
#include "nnet_common.h"
#include "nnet_types.h"

// Vitis pragmas and loop labels are unknown or unused to a host compiler: keep -Wall quiet
// (g++ before 13 ignores the first line; build C simulation with -Wno-unknown-pragmas there).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"

namespace nnet {

/// Default configuration of flatten_stream; generated configs derive from it.
struct flatten_stream_config {
  static const unsigned height = 5;
  static const unsigned width = 5;
  static const unsigned n_chan = 1;
};

/// Reads height x width pixels (nnet::array of C channels) into res[height*width*C].
template <class data_T, class res_T, typename CONFIG_T>
void flatten_stream(hls::stream<data_T>& data,
                    res_T res[CONFIG_T::height * CONFIG_T::width * CONFIG_T::n_chan]) {
#pragma HLS ARRAY_PARTITION variable = res complete
  static_assert(data_T::size == CONFIG_T::n_chan, "flatten_stream: stream element size must match n_chan");
Pixels:
  for (unsigned pixel = 0; pixel < CONFIG_T::height * CONFIG_T::width; pixel++) {
#pragma HLS PIPELINE II = 1
    const data_T value = data.read();
  Channels:
    for (unsigned ch = 0; ch < CONFIG_T::n_chan; ch++) res[CONFIG_T::n_chan * pixel + ch] = res_T(value[ch]);
  }
}

}  // namespace nnet

#pragma GCC diagnostic pop

#endif  // NNET_FLATTEN_STREAM_H_

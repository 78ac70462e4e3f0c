// nnet_types.h: the element type of the streamed (io_stream) kernels.
#ifndef NNET_TYPES_H_
#define NNET_TYPES_H_

// Vitis pragmas and loop labels are unknown or unused to a host compiler: keep -Wall quiet
// (g++ before 13 ignores the first line; build C simulation with -Wno-unknown-pragmas there).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunknown-pragmas"
#pragma GCC diagnostic ignored "-Wunused-label"

namespace nnet {

/// One pixel of a streamed feature map: all `N` channels travel together, one pixel per cycle.
template <typename T, unsigned N>
struct array {
  typedef T value_type;
  static const unsigned size = N;

  T data[N];

  T& operator[](unsigned index) { return data[index]; }
  const T& operator[](unsigned index) const { return data[index]; }
};

}  // namespace nnet

#pragma GCC diagnostic pop

#endif  // NNET_TYPES_H_

// trace.h: per-layer outputs for C simulation only (never part of synthesis). The csim driver
// compares them with the host fixed inference when an event mismatches.
#ifndef SPARSEPIXELS_TRACE_H_
#define SPARSEPIXELS_TRACE_H_

#include <cmath>
#include <cstdio>

namespace sparsepixels_trace {

/// Where the traced event's layers go (null: tracing off).
inline std::FILE*& output() {
  static std::FILE* file = nullptr;
  return file;
}

/// One line "LAYER values RAW..." with the raw mantissas (value * 2^fraction, exact up to 53 bits).
template <class T>
void values(int layer, const T* data, unsigned count, int fraction) {
  if (output() == nullptr) return;
  std::fprintf(output(), "%d values", layer);
  for (unsigned k = 0; k < count; ++k) {
    std::fprintf(output(), " %lld", static_cast<long long>(std::llround(std::ldexp(data[k].to_double(), fraction))));
  }
  std::fprintf(output(), "\n");
}

/// One line "LAYER hash ROW COL ..." with the slot coordinates.
template <class T>
void hashes(int layer, const T* data, unsigned count) {
  if (output() == nullptr) return;
  std::fprintf(output(), "%d hash", layer);
  for (unsigned k = 0; k < count; ++k) std::fprintf(output(), " %u", static_cast<unsigned>(data[k].to_uint()));
  std::fprintf(output(), "\n");
}

}  // namespace sparsepixels_trace

#endif

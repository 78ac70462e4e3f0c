// sparse_reference.h: double-precision references of the sparse layers, written from the contract
// (docs/semantics.md) with dense images and explicit sorting, independently of the kernels.
#ifndef SPARSEPIXELS_TESTS_HLS_SPARSE_REFERENCE_H_
#define SPARSEPIXELS_TESTS_HLS_SPARSE_REFERENCE_H_

#include <algorithm>
#include <vector>

#include "reference.h"
#include "sparse_test_support.h"

namespace reference {

/// The slots of a sparse layer's output: features N*C slot-major, hash 2*N 1-based.
struct Slots {
  std::vector<double> features;
  std::vector<int> hash;
};

/// Input reduction: list the active pixels (channel 0 > threshold), order them by the policy
/// (raster index, or value descending with a stable sort for ties), keep the first N.
inline Slots reference_reduce(const std::vector<double>& image, int height, int width, int channels,
                              int budget, double threshold, bool topk) {
  std::vector<int> active;
  for (int pixel = 0; pixel < height * width; ++pixel)
    if (image[static_cast<std::size_t>(channels * pixel)] > threshold) active.push_back(pixel);
  if (topk) {
    std::stable_sort(active.begin(), active.end(), [&](int a, int b) {
      return image[static_cast<std::size_t>(channels * a)] > image[static_cast<std::size_t>(channels * b)];
    });
  }
  Slots slots;
  slots.features.assign(static_cast<std::size_t>(budget * channels), 0.0);
  slots.hash.assign(static_cast<std::size_t>(2 * budget), 1);
  for (int slot = 0; slot < budget && slot < static_cast<int>(active.size()); ++slot) {
    const int pixel = active[static_cast<std::size_t>(slot)];
    for (int ch = 0; ch < channels; ++ch)
      slots.features[static_cast<std::size_t>(slot * channels + ch)] =
          image[static_cast<std::size_t>(pixel * channels + ch)];
    slots.hash[static_cast<std::size_t>(2 * slot)] = pixel / width + 1;
    slots.hash[static_cast<std::size_t>(2 * slot + 1)] = pixel % width + 1;
  }
  return slots;
}

/// Weights (HWIO) and biases of a convolution or dense layer, as exact doubles.
struct Layer {
  std::vector<double> weights, biases;
};

/// Submanifold convolution: dense 'same' convolution of the zero-filled image, read at each active slot;
/// the bias only where that sum is non-zero; inactive slots give zero.
inline std::vector<double> reference_conv(const SparseEvent& event, const Layer& layer, int kernel,
                                          int filters, const Format& result) {
  const reference::Image conv =
      reference::convolve_same(event.dense(), layer.weights, kernel, kernel, filters);
  std::vector<double> out;
  for (int slot = 0; slot < event.budget; ++slot)
    for (int f = 0; f < filters; ++f) {
      if (!event.active(slot)) {
        out.push_back(0.0);
        continue;
      }
      double sum = conv.at(event.row(slot) - 1, event.col(slot) - 1, f);
      if (sum != 0.0) sum += layer.biases[static_cast<std::size_t>(f)];
      out.push_back(result(sum));
    }
  return out;
}

typedef Slots Pooled;

/// Sparse pooling: pool the zero-filled image; each slot's pooled cell; the first slot of a cell
/// (any slot, active or not) inside the output grid takes the cell's result, the others zero.
inline Pooled reference_pool(const SparseEvent& event, int pool_height, int pool_width, bool take_max,
                             const Format& result) {
  const reference::Image pooled = reference::pool_cells(event.dense(), pool_height, pool_width, take_max);
  const int area = pool_height * pool_width;
  Pooled out;
  for (int slot = 0; slot < event.budget; ++slot) {
    const int row = (event.row(slot) - 1) / pool_height + 1;
    const int col = (event.col(slot) - 1) / pool_width + 1;
    out.hash.push_back(row);
    out.hash.push_back(col);
    bool first = row <= pooled.height && col <= pooled.width;
    for (int earlier = 0; earlier < slot; ++earlier)
      if ((event.row(earlier) - 1) / pool_height + 1 == row &&
          (event.col(earlier) - 1) / pool_width + 1 == col)
        first = false;
    for (int ch = 0; ch < event.channels; ++ch) {
      if (!first) {
        out.features.push_back(0.0);
        continue;
      }
      const double value = pooled.at(row - 1, col - 1, ch);
      if (take_max) {
        out.features.push_back(result(value));
      } else {
        out.features.push_back(result(area == 1 ? value : value * reference::pool_reciprocal(area)));
      }
    }
  }
  return out;
}

}  // namespace reference

#endif  // SPARSEPIXELS_TESTS_HLS_SPARSE_REFERENCE_H_

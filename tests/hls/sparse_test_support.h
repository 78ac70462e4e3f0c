// sparse_test_support.h: random sparse events for the sparse-layer tests, and conversion of the
// kernels' ap-typed slot arrays to doubles.
#ifndef SPARSEPIXELS_TESTS_HLS_SPARSE_TEST_SUPPORT_H_
#define SPARSEPIXELS_TESTS_HLS_SPARSE_TEST_SUPPORT_H_

#include <algorithm>
#include <random>
#include <vector>

#include "reference.h"

namespace reference {

/// Slots in the sparse layout as doubles and ints: features N*C slot-major, hash 2*N 1-based.
struct SparseEvent {
  int height = 0, width = 0, channels = 0, budget = 0;
  std::vector<double> features;
  std::vector<int> hash;

  bool active(int slot) const {
    for (int ch = 0; ch < channels; ++ch)
      if (features[static_cast<std::size_t>(slot * channels + ch)] != 0.0) return true;
    return false;
  }
  double feature(int slot, int channel) const {
    return features[static_cast<std::size_t>(slot * channels + channel)];
  }
  int row(int slot) const { return hash[static_cast<std::size_t>(2 * slot)]; }
  int col(int slot) const { return hash[static_cast<std::size_t>(2 * slot + 1)]; }

  /// The zero-filled dense image of the active slots (their coordinates are distinct).
  Image dense() const {
    Image image(height, width, channels);
    for (int slot = 0; slot < budget; ++slot)
      if (active(slot))
        for (int ch = 0; ch < channels; ++ch) image.at(row(slot) - 1, col(slot) - 1, ch) = feature(slot, ch);
    return image;
  }
};

/// A random event: `active_slots` active slots at distinct random coordinates (some channels may be
/// zero), and the remaining slots inactive: empty (1, 1) or, when `inactive_anywhere`, zero features
/// at random coordinates that may repeat an active slot's (like ReLU-killed slots or merged duplicates).
inline SparseEvent random_sparse_event(std::mt19937& generator, int height, int width, int channels,
                                       int budget, int active_slots, const Format& format,
                                       bool inactive_anywhere) {
  SparseEvent event;
  event.height = height;
  event.width = width;
  event.channels = channels;
  event.budget = budget;
  event.features.assign(static_cast<std::size_t>(budget * channels), 0.0);
  event.hash.assign(static_cast<std::size_t>(2 * budget), 1);
  std::vector<int> pixels(static_cast<std::size_t>(height * width));
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<int>(i);
  std::shuffle(pixels.begin(), pixels.end(), generator);
  std::vector<int> order(static_cast<std::size_t>(budget));
  for (int i = 0; i < budget; ++i) order[static_cast<std::size_t>(i)] = i;
  std::shuffle(order.begin(), order.end(), generator);  // active slots anywhere in the slot order
  std::uniform_int_distribution<int> any_pixel(0, height * width - 1);
  for (int i = 0; i < budget; ++i) {
    const int slot = order[static_cast<std::size_t>(i)];
    if (i < active_slots) {
      const int pixel = pixels[static_cast<std::size_t>(i)];
      event.hash[static_cast<std::size_t>(2 * slot)] = pixel / width + 1;
      event.hash[static_cast<std::size_t>(2 * slot + 1)] = pixel % width + 1;
      bool any = false;
      for (int ch = 0; ch < channels; ++ch) {
        const double value = random_value(generator, format, format.lowest(), format.highest(), 0.2);
        event.features[static_cast<std::size_t>(slot * channels + ch)] = value;
        any = any || value != 0.0;
      }
      if (!any)
        event.features[static_cast<std::size_t>(slot * channels)] = std::ldexp(1.0, -format.fraction());
    } else if (inactive_anywhere) {
      const int pixel = any_pixel(generator);
      event.hash[static_cast<std::size_t>(2 * slot)] = pixel / width + 1;
      event.hash[static_cast<std::size_t>(2 * slot + 1)] = pixel % width + 1;
    }
  }
  return event;
}

/// Copies an event into kernel arrays (ap types constructed from exact doubles).
template <class feature_t, class hash_t>
void to_kernel(const SparseEvent& event, std::vector<feature_t>& features, std::vector<hash_t>& hash) {
  features.resize(event.features.size());
  hash.resize(event.hash.size());
  for (std::size_t i = 0; i < features.size(); ++i) features[i] = event.features[i];
  for (std::size_t i = 0; i < hash.size(); ++i) hash[i] = event.hash[i];
}

/// Doubles of an ap-typed array.
template <class value_t>
std::vector<double> to_doubles(const std::vector<value_t>& values) {
  std::vector<double> result;
  for (const auto& value : values) result.push_back(value.to_double());
  return result;
}

/// Ints of an ap_uint hash array.
template <class hash_t>
std::vector<int> to_ints(const std::vector<hash_t>& values) {
  std::vector<int> result;
  for (const auto& value : values) result.push_back(static_cast<int>(value.to_uint()));
  return result;
}

}  // namespace reference

#endif  // SPARSEPIXELS_TESTS_HLS_SPARSE_TEST_SUPPORT_H_

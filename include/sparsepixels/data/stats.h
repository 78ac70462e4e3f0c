#pragma once
// Active pixels per event of a dataset split, and the budget N that keeps a fraction of events whole.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace sparsepixels::data {

/// The number of pixels of one event (pixels x channels, channel-last) whose channel 0 is > threshold
/// (the input-reduction rule of reference 3.1; the threshold is rounded to float32 and compared in float32).
std::size_t count_active(const float* event, std::size_t pixels, std::size_t channels, double threshold);

/// The smallest n such that at least `fraction` of the events have at most n active pixels, from a histogram
/// (histogram[n] = events with n active pixels). fraction in (0, 1].
std::size_t smallest_budget(const std::vector<std::size_t>& histogram, double fraction);

/// The distribution of active pixels per event over one split.
struct ActivePixelStats {
  std::string file, split;
  double threshold = 0;
  std::size_t events = 0, pixels_per_event = 0;
  std::size_t min = 0, max = 0;
  double mean = 0, standard_deviation = 0;
  std::vector<std::size_t> histogram;  // histogram[n] = events with n active pixels
  double keep_fraction = 0;
  std::size_t n_active = 0;  // smallest_budget(histogram, keep_fraction)
  /// The smallest n with at least `fraction` of the events at or below n (nearest-rank percentile).
  std::size_t percentile(double fraction) const { return smallest_budget(histogram, fraction); }
};

/// Streams a split (bounded memory); `threshold` defaults to the file's root attribute `threshold`.
ActivePixelStats active_pixel_stats(const std::string& path, const std::string& split,
                                    std::optional<double> threshold, double keep_fraction);

}  // namespace sparsepixels::data

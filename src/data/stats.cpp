// Active pixels per event and the smallest budget N keeping a fraction of events whole.
#include "sparsepixels/data/stats.h"

#include <algorithm>
#include <cmath>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/error.h"

namespace sparsepixels::data {

std::size_t count_active(const float* event, std::size_t pixels, std::size_t channels, double threshold) {
  // Compared in float32, the type of the data (0.4f is not above a threshold of 0.4).
  const auto threshold_float = static_cast<float>(threshold);
  std::size_t active = 0;
  for (std::size_t p = 0; p < pixels; ++p) active += event[p * channels] > threshold_float ? 1 : 0;
  return active;
}

std::size_t smallest_budget(const std::vector<std::size_t>& histogram, double fraction) {
  if (!(fraction > 0 && fraction <= 1)) {
    throw Error("keep fraction " + std::to_string(fraction) + " must be in (0, 1]");
  }
  std::size_t total = 0;
  for (std::size_t count : histogram) total += count;
  if (total == 0) return 0;
  std::size_t covered = 0;
  for (std::size_t n = 0; n < histogram.size(); ++n) {
    covered += histogram[n];
    // covered / total >= fraction, with a tiny tolerance so that 0.95 of 20 events is exactly 19.
    if (static_cast<double>(covered) >= fraction * static_cast<double>(total) - 1e-9) return n;
  }
  return histogram.size() - 1;
}

ActivePixelStats active_pixel_stats(const std::string& path, const std::string& split,
                                    std::optional<double> threshold, double keep_fraction) {
  const DatasetInfo info = read_dataset_info(path);
  ActivePixelStats stats;
  stats.file = path;
  stats.split = split;
  stats.threshold = threshold.value_or(info.threshold);
  if (!std::isfinite(stats.threshold)) throw Error("--threshold must be finite");
  stats.keep_fraction = keep_fraction;
  stats.pixels_per_event = info.height * info.width;
  stats.histogram.assign(stats.pixels_per_event + 1, 0);
  smallest_budget({1}, keep_fraction);  // validates the fraction before the pass over the data
  // Read as hit lists (either layout), so memory and time grow with the hits, not the image: a pixel that
  // is no hit is zero, active only under a negative threshold. The same count as count_active.
  SplitReader reader(path, split, 1024);
  HitSplit chunk;
  const auto threshold_float = static_cast<float>(stats.threshold);
  double sum = 0, sum_of_squares = 0;
  while (reader.next(chunk)) {
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      const auto begin = static_cast<std::size_t>(chunk.offsets[i]),
                 end = static_cast<std::size_t>(chunk.offsets[i + 1]);
      std::size_t active = 0.0f > threshold_float ? stats.pixels_per_event - (end - begin) : 0;
      for (std::size_t k = begin; k < end; ++k)
        active += chunk.values[k * chunk.channels] > threshold_float ? 1 : 0;
      ++stats.histogram[active];
      sum += static_cast<double>(active);
      sum_of_squares += static_cast<double>(active) * static_cast<double>(active);
    }
    stats.events += chunk.size();
  }
  if (stats.events == 0) throw Error(path + ": split " + split + " is empty");
  stats.mean = sum / static_cast<double>(stats.events);
  stats.standard_deviation =
      std::sqrt(std::max(0.0, sum_of_squares / static_cast<double>(stats.events) - stats.mean * stats.mean));
  const auto first =
      std::find_if(stats.histogram.begin(), stats.histogram.end(), [](std::size_t c) { return c > 0; });
  const auto last =
      std::find_if(stats.histogram.rbegin(), stats.histogram.rend(), [](std::size_t c) { return c > 0; });
  stats.min = static_cast<std::size_t>(first - stats.histogram.begin());
  stats.max = stats.histogram.size() - 1 - static_cast<std::size_t>(last - stats.histogram.rbegin());
  stats.n_active = smallest_budget(stats.histogram, keep_fraction);
  return stats;
}

}  // namespace sparsepixels::data

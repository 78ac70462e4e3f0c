#pragma once
// LHC jet images (g, q, W, Z, t) to sparse 56x56 events (reference section 7.2).

#include <cstddef>
#include <string>
#include <vector>

#include "sparsepixels/data/dataset.h"

namespace sparsepixels::data::jets {

/// Side of the input images and of the sparse events.
inline constexpr std::size_t kInputSide = 100, kSparseSide = 56;

/// The reference transform of one 100x100 jet image to 56x56 (row-major): crop rows and columns 22..77;
/// divide by 1200 and clip at 1; values <= 0.003 become 0; each non-zero pixel (y, x) moves to
/// (round((y - 27.5) * 2 + 27.5), same for x), rounding half to even, clipped to [0, 55]; when several land
/// on one pixel the last in raster order wins.
std::vector<float> sparse_image(const float* image100x100);

/// Split sizes of `events` jets: 180,000 / 20,000 / 100,000 for the reference's 300,000, proportionally
/// (3/5, 1/15, the rest) for fewer.
struct SplitCounts {
  std::size_t train = 0, val = 0, test = 0;
};
SplitCounts split_counts(std::size_t events);

/// Options of the preparation.
struct Options {
  std::size_t max_events = 300000;              // the reference uses the first 300,000 jets
  std::size_t chunk_events = 2000;              // jets read per step (bounded memory)
  DatasetLayout layout = DatasetLayout::dense;  // the layout of the file written
};

/// Reads `x` (N,100,100) and `y` (N,5, one-hot) from `input_file`, writes the dataset file.
DatasetInfo prepare(const std::string& input_file, const std::string& output_file,
                    const Options& options = {});

}  // namespace sparsepixels::data::jets

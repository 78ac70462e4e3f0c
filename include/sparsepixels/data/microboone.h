#pragma once
// MicroBooNE open samples ("WithWire" HDF5 files) to 63x63 neutrino/cosmic windows: reference section 7.3,
// as small functions that each do one step (see docs/datasets.md for every step and every choice).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/random.h"

namespace sparsepixels::data::microboone {

/// The numbers of the reference preprocessing; tests shrink them to hand-checkable sizes.
struct Parameters {
  std::size_t ticks = 6400;                  // time ticks per wire waveform
  std::size_t tick_group = 6;                // ticks summed into one image row (6400 -> 1066 rows)
  float adc_threshold = 10;                  // summed values below this become 0
  float adc_clip = 100;                      // summed values are clipped at this
  std::size_t min_neutrino_pixels = 500;     // plane images with fewer neutrino pixels are dropped
  std::size_t window_rows = 256;             // window height (rows of the tick-summed image)
  std::size_t window_cols = 512;             // window width (wires)
  std::size_t background_per_event = 5;      // background windows wanted per event (plane 2)
  std::size_t background_tries = 4000;       // random draws per background window before the fallback
  std::uint64_t window_seed = 123;           // the generator of the background windows
  std::size_t pool_rows = 4, pool_cols = 8;  // sum pooling (256x512 -> 64x64)
  float pooled_threshold = 700;              // pooled sums below this become 0
  std::size_t crop = 63;                     // keep rows and columns 0..crop-1
  float normalization = 3200;                // the cropped image is divided by this
  std::uint64_t balance_seed = 42;           // class balancing and the shuffle
  double train_fraction = 0.7, val_fraction = 0.1;
  DatasetLayout layout = DatasetLayout::dense;  // the layout of the file written
};

/// Wires per plane: planes 0 and 1 (induction) have 2400, plane 2 (collection) has 3456.
std::size_t plane_wire_count(int plane);

/// A row-major 2-D float image (rows = time, columns = wires).
struct Image {
  std::size_t rows = 0, cols = 0;
  std::vector<float> values;
  Image() = default;
  Image(std::size_t rows_, std::size_t cols_) : rows(rows_), cols(cols_), values(rows_ * cols_, 0.0f) {}
  float& at(std::size_t row, std::size_t col) { return values[row * cols + col]; }
  float at(std::size_t row, std::size_t col) const { return values[row * cols + col]; }
};

/// Per-pixel labels of a tick-summed plane image: +1 neutrino, -1 cosmic, 0 none.
struct LabelImage {
  std::size_t rows = 0, cols = 0;
  std::vector<std::int8_t> values;
  LabelImage() = default;
  LabelImage(std::size_t rows_, std::size_t cols_) : rows(rows_), cols(cols_), values(rows_ * cols_, 0) {}
  std::int8_t at(std::size_t row, std::size_t col) const { return values[row * cols + col]; }
  /// The number of +1 pixels.
  std::size_t neutrino_pixels() const;
};

/// Step 1: one plane's image. `waveforms` holds wire_ids.size() rows of `parameters.ticks` ADC values; each
/// wire goes to column wire_id (so wires are sorted), missing wires stay 0. Every `tick_group` ticks are
/// summed (a trailing partial group is dropped), sums < adc_threshold become 0, sums are clipped at adc_clip.
Image tick_sum_image(const std::vector<float>& waveforms, const std::vector<std::int64_t>& wire_ids,
                     std::size_t plane_wires, const Parameters& parameters);

/// One reconstructed hit of a plane: wire, peak time and width in ticks, and its truth label.
struct Hit {
  std::int64_t wire = 0;
  double time = 0, rms = 0;
  bool neutrino = false;
};

/// One edep_table row as the labelling needs it.
struct Deposit {
  double energy_fraction = 0;
  std::int64_t g4_id = -1;
};

/// Step 2a: a hit is neutrino iff its deposit with the largest energy_fraction (the first such on ties)
/// has g4_id >= 0; a hit without deposits is cosmic.
bool hit_is_neutrino(const std::vector<Deposit>& deposits);

/// Step 2b: marks ticks [floor(t - 2 rms), ceil(t + 2 rms)] (clipped to the waveform) of each hit's wire with
/// +1 (neutrino) or -1 (cosmic), cosmic overriding neutrino; then each group of tick_group ticks becomes the
/// sign of the sum of its marks.
LabelImage label_image(const std::vector<Hit>& hits, std::size_t plane_wires, const Parameters& parameters);

/// Summed-area table of the +1 pixels: (rows+1) x (cols+1), entry (r, c) = count in rows < r, cols < c.
struct IntegralImage {
  std::size_t rows = 0, cols = 0;
  std::vector<std::uint32_t> sums;
  explicit IntegralImage(const LabelImage& labels);
  /// The number of neutrino pixels in rows [row, row+height) and columns [col, col+width).
  std::uint32_t count(std::size_t row, std::size_t col, std::size_t height, std::size_t width) const;
};

/// A window's top-left corner in the plane image (rows = time, cols = wires).
struct Window {
  std::size_t row = 0, col = 0;
  friend bool operator==(const Window&, const Window&) = default;
};

/// True when two windows of the same size share at least one pixel.
bool windows_overlap(const Window& a, const Window& b, std::size_t height, std::size_t width);

/// Step 3a: the window with the most neutrino pixels (the first in raster order of its corner on ties).
Window signal_window(const IntegralImage& integral, std::size_t height, std::size_t width);

/// Step 3b: up to `parameters.background_per_event` windows that overlap neither the signal window nor each
/// other and hold no neutrino pixel, drawn uniformly (up to background_tries draws each); a window not found
/// so comes from a grid of half-window stride: the free grid position with the fewest neutrino pixels
/// (first in raster order on ties). Fewer are returned only when no free grid position is left.
std::vector<Window> background_windows(const IntegralImage& integral, const Window& signal,
                                       const Parameters& parameters, Random& random);

/// Copies a window out of a plane image.
Image crop_window(const Image& image, const Window& window, std::size_t height, std::size_t width);

/// Step 4a: sum pooling with stride = pool size ('valid').
Image sum_pool(const Image& image, std::size_t pool_rows, std::size_t pool_cols);

/// Step 4b: values below `threshold` become 0.
void zero_below(Image& image, float threshold);

/// Step 4d: keeps rows and columns [0, crop) and divides by `normalization`.
Image crop_and_normalize(const Image& image, std::size_t crop, float normalization);

/// Steps 4a, 4b and 4d for one window (what the built-in generator shares with the real pipeline).
Image window_to_event(const Image& window, const Parameters& parameters);

/// Step 4c: indices of a class-balanced subset (the larger class randomly subsampled to the size of the
/// smaller), then shuffled; both with one generator seeded by `seed`.
std::vector<std::size_t> balance_and_shuffle(const std::vector<std::int32_t>& labels, std::uint64_t seed);

/// Split sizes: floor(train_fraction n), floor(val_fraction n), the rest to test.
struct SplitCounts {
  std::size_t train = 0, val = 0, test = 0;
};
SplitCounts split_counts(std::size_t events, double train_fraction, double val_fraction);

/// Everything: reads WithWire files and writes a dataset file (63x63x1; 1 = neutrino, 0 = cosmic).
/// Returns the info written (with split sizes).
DatasetInfo prepare_microboone(const std::vector<std::string>& input_files, const std::string& output_file,
                               const Parameters& parameters = {});

}  // namespace sparsepixels::data::microboone

// The built-in LArTPC-like generator: tracks and showers drawn on a 256x512 window of 6-tick sums, then taken
// through the MicroBooNE pooling and threshold (reference 7.3 step 4) to 63x63.
#include "sparsepixels/data/synthetic.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <numbers>
#include <thread>
#include <tuple>
#include <utility>

#include "sparsepixels/data/random.h"
#include "sparsepixels/error.h"

namespace sparsepixels::data::synthetic {
namespace {

constexpr int kRows = 256, kCols = 512;  // the window at wire-plane resolution
constexpr double kRowMillimetres = 4.8;  // 6 ticks x 0.5 us x 1.6 mm/us of drift
constexpr double kColMillimetres = 3.0;  // wire pitch
constexpr double kPi = std::numbers::pi;
// How a deposit spreads: diffusion along time (rows) and induction on the neighbouring wires (columns).
constexpr double kCentreShare = 0.5, kTimeNeighbourShare = 0.15, kWireNeighbourShare = 0.1;

/// A charge at a pixel index (of the wire-plane window, or of the pooled image).
struct Deposit {
  std::uint64_t index;
  float charge;
};

/// What both canvases draw with: a deposit spread over its pixel and the neighbours, and a straight
/// segment of deposits; each goes through the canvas's own add(row, column, charge).
template <class Self>
class Drawing {
 public:
  /// Spreads one deposit at a continuous position over the pixel and its neighbours.
  void deposit(double row, double col, double charge) {
    const auto r = static_cast<std::int64_t>(std::floor(row)), c = static_cast<std::int64_t>(std::floor(col));
    Self& self = static_cast<Self&>(*this);
    self.add(r, c, charge * kCentreShare);
    self.add(r - 1, c, charge * kTimeNeighbourShare);
    self.add(r + 1, c, charge * kTimeNeighbourShare);
    self.add(r, c - 1, charge * kWireNeighbourShare);
    self.add(r, c + 1, charge * kWireNeighbourShare);
  }

  /// A straight segment in pixel coordinates with `charge_per_mm` along its physical length.
  void segment(double row0, double col0, double row1, double col1, double charge_per_mm) {
    const double rows = row1 - row0, cols = col1 - col0;
    const double length_mm = std::hypot(rows * kRowMillimetres, cols * kColMillimetres);
    const int steps =
        std::max(1, static_cast<int>(std::ceil(std::max(std::fabs(rows), std::fabs(cols)) * 2)));
    const double charge = charge_per_mm * length_mm / steps;
    for (int s = 0; s < steps; ++s) {
      const double t = (s + 0.5) / steps;
      deposit(row0 + t * rows, col0 + t * cols, charge);
    }
  }
};

/// A window under construction that remembers which pixels it touched (clearing and pooling stay sparse).
class Canvas : public Drawing<Canvas> {
 public:
  Canvas() : values_(static_cast<std::size_t>(kRows) * kCols, 0.0f) {}

  void clear() {
    for (std::uint32_t index : touched_) values_[index] = 0;
    touched_.clear();
  }

  void add(std::int64_t row, std::int64_t col, double charge) {
    if (row < 0 || row >= kRows || col < 0 || col >= kCols || charge <= 0) return;
    const auto index = static_cast<std::uint32_t>(row * kCols + col);
    if (values_[index] == 0) touched_.push_back(index);
    values_[index] += static_cast<float>(charge);
  }

  /// The 6-tick sums as the real pipeline keeps them: whole numbers, < 10 -> 0, clipped at 100.
  void finish() {
    for (std::uint32_t index : touched_) {
      float value = std::round(values_[index]);
      if (value < 10) value = 0;
      values_[index] = std::min(value, 100.0f);
    }
  }

  const std::vector<float>& values() const { return values_; }
  const std::vector<std::uint32_t>& touched() const { return touched_; }

  // The physics' scale and extent (the drawing functions are shared with HitCanvas): the default window.
  double scale() const { return 1.0; }
  double rows() const { return kRows; }
  double cols() const { return kCols; }
  std::uint64_t row_count() const { return kRows; }
  std::uint64_t col_count() const { return kCols; }
  double noise_factor() const { return 1.0; }

 private:
  std::vector<float> values_;
  std::vector<std::uint32_t> touched_;
};

/// The window of any scale as a list of deposits (no H x W buffer): the same drawing as Canvas, with
/// lengths multiplied by `scale` and a window of 256 scale x 512 scale pixels at wire-plane resolution.
/// Deposits are summed per pixel in the order they were made (a stable sort), so the float sums are those
/// of Canvas.
class HitCanvas : public Drawing<HitCanvas> {
 public:
  HitCanvas(double scale, std::int64_t rows, std::int64_t cols) : scale_(scale), rows_(rows), cols_(cols) {}

  void clear() { deposits_.clear(); }

  void add(std::int64_t row, std::int64_t col, double charge) {
    if (row < 0 || row >= rows_ || col < 0 || col >= cols_ || charge <= 0) return;
    deposits_.push_back({static_cast<std::uint64_t>(row * cols_ + col), static_cast<float>(charge)});
  }

  /// Sums the deposits per pixel and keeps the 6-tick sums as Canvas::finish does (zeros dropped).
  void finish() {
    std::stable_sort(deposits_.begin(), deposits_.end(),
                     [](const Deposit& a, const Deposit& b) { return a.index < b.index; });
    std::size_t kept = 0;
    for (std::size_t k = 0; k < deposits_.size();) {
      const std::uint64_t index = deposits_[k].index;
      float sum = 0;
      for (; k < deposits_.size() && deposits_[k].index == index; ++k) sum += deposits_[k].charge;
      float value = std::round(sum);
      if (value < 10) continue;
      deposits_[kept++] = {index, std::min(value, 100.0f)};
    }
    deposits_.resize(kept);
  }

  /// The MicroBooNE pooling of the finished window (4x8 sum, < 700 -> 0, /3200) placed with its top-left
  /// pooled pixel at (row_offset, col_offset) of a height x width image (what falls outside is cropped);
  /// appends the event's hits in raster order to `out`.
  void pool_to_hits(std::size_t height, std::size_t width, std::size_t row_offset, std::size_t col_offset,
                    std::vector<Deposit>& scratch, HitSplit& out) const {
    const microboone::Parameters parameters;
    scratch.clear();
    for (const Deposit& d : deposits_) {
      const std::size_t row =
          static_cast<std::size_t>(d.index / static_cast<std::uint64_t>(cols_)) / parameters.pool_rows +
          row_offset;
      const std::size_t col =
          static_cast<std::size_t>(d.index % static_cast<std::uint64_t>(cols_)) / parameters.pool_cols +
          col_offset;
      if (row < height && col < width) scratch.push_back({row * width + col, d.charge});
    }
    // Sums of whole numbers below 2^24: the order of summation cannot change them.
    std::sort(scratch.begin(), scratch.end(),
              [](const Deposit& a, const Deposit& b) { return a.index < b.index; });
    for (std::size_t k = 0; k < scratch.size();) {
      const std::uint64_t index = scratch[k].index;
      float sum = 0;
      for (; k < scratch.size() && scratch[k].index == index; ++k) sum += scratch[k].charge;
      if (sum < parameters.pooled_threshold) continue;
      out.coords.push_back(static_cast<std::uint32_t>(index / width));
      out.coords.push_back(static_cast<std::uint32_t>(index % width));
      out.values.push_back(sum / parameters.normalization);
    }
    out.offsets.push_back(static_cast<std::int64_t>(out.values.size()));
  }

  double scale() const { return scale_; }
  double rows() const { return static_cast<double>(rows_); }
  double cols() const { return static_cast<double>(cols_); }
  std::uint64_t row_count() const { return static_cast<std::uint64_t>(rows_); }
  std::uint64_t col_count() const { return static_cast<std::uint64_t>(cols_); }
  double noise_factor() const {
    return static_cast<double>(rows_) * static_cast<double>(cols_) / (kRows * kCols);
  }

 private:
  double scale_;
  std::int64_t rows_, cols_;
  std::vector<Deposit> deposits_;
};

// A point plus a direction given in physical space, stepped in pixel coordinates.
struct Direction {
  double rows_per_mm, cols_per_mm;
  explicit Direction(double angle)
      : rows_per_mm(std::cos(angle) / kRowMillimetres), cols_per_mm(std::sin(angle) / kColMillimetres) {}
};

// A straight track from (row, col). Callers draw its random numbers in separate statements: the order in
// which function arguments are evaluated is unspecified, and the generator must not depend on the compiler.
template <class Canvas>
void draw_track(Canvas& canvas, double row, double col, double angle, double length_mm,
                double charge_per_mm) {
  const Direction direction(angle);
  canvas.segment(row, col, row + direction.rows_per_mm * length_mm, col + direction.cols_per_mm * length_mm,
                 charge_per_mm);
}

// A shower-like cluster: a branching chain of short segments from the vertex, in a forward cone.
// Lengths are multiplied by the canvas's scale (1 for the default window: x * 1.0 is x exactly).
template <class Canvas>
void draw_shower(Canvas& canvas, Random& random, double row, double col) {
  struct Branch {
    double row, col, angle;
    int generation;
  };
  std::vector<Branch> open{{row, col, random.uniform(0, 2 * kPi), 0}};
  const int max_segments = static_cast<int>(random.between(8, 30));
  const double charge_per_mm = random.uniform(50, 90);
  int segments = 0;
  while (!open.empty() && segments < max_segments) {
    Branch branch = open.back();
    open.pop_back();
    const double length = random.uniform(15, 50) * canvas.scale();
    const Direction direction(branch.angle);
    const double end_row = branch.row + direction.rows_per_mm * length;
    const double end_col = branch.col + direction.cols_per_mm * length;
    canvas.segment(branch.row, branch.col, end_row, end_col,
                   charge_per_mm * std::pow(0.85, branch.generation));
    ++segments;
    if (random.chance(0.35)) {
      const double opening = random.uniform(0.1, 0.6);
      open.push_back({end_row, end_col, branch.angle + opening, branch.generation + 1});
      open.push_back({end_row, end_col, branch.angle - opening, branch.generation + 1});
    } else if (random.chance(0.85)) {
      open.push_back({end_row, end_col, branch.angle + 0.25 * random.normal(), branch.generation});
    }
  }
}

// A point on the window border: side 0 top, 1 bottom, 2 left, 3 right.
template <class Canvas>
void border_point(const Canvas& canvas, Random& random, int side, double& row, double& col) {
  switch (side) {
    case 0:
      row = 0;
      col = random.uniform(0, canvas.cols());
      break;
    case 1:
      row = canvas.rows();
      col = random.uniform(0, canvas.cols());
      break;
    case 2:
      row = random.uniform(0, canvas.rows());
      col = 0;
      break;
    default:
      row = random.uniform(0, canvas.rows());
      col = canvas.cols();
      break;
  }
}

// A cosmic-ray muon: a straight track through the whole window, with occasional delta rays.
template <class Canvas>
void draw_cosmic(Canvas& canvas, Random& random) {
  const int entry_side = static_cast<int>(random.below(4));
  const int exit_side = (entry_side + 1 + static_cast<int>(random.below(3))) % 4;
  double row0, col0, row1, col1;
  border_point(canvas, random, entry_side, row0, col0);
  border_point(canvas, random, exit_side, row1, col1);
  canvas.segment(row0, col0, row1, col1, random.uniform(35, 60));
  const int delta_rays = static_cast<int>(random.below(4));
  for (int d = 0; d < delta_rays; ++d) {
    const double t = random.uniform();
    const double angle = random.uniform(0, 2 * kPi);
    const double length = random.uniform(10, 40) * canvas.scale();
    const double charge = random.uniform(40, 80);
    draw_track(canvas, row0 + t * (row1 - row0), col0 + t * (col1 - col0), angle, length, charge);
  }
}

// A neutrino-like interaction: several tracks and, often, a shower from one vertex inside the window.
template <class Canvas>
void draw_neutrino(Canvas& canvas, Random& random) {
  const double row = random.uniform(0.2 * canvas.rows(), 0.8 * canvas.rows());
  const double col = random.uniform(0.2 * canvas.cols(), 0.8 * canvas.cols());
  const int tracks = static_cast<int>(random.between(1, 3));
  for (int t = 0; t < tracks; ++t) {
    const bool muon_like = random.chance(0.5);
    const double angle = random.uniform(0, 2 * kPi);
    // Muon-like: long, minimum ionizing; proton-like: short, heavily ionizing.
    const double length = (muon_like ? random.uniform(150, 700) : random.uniform(20, 150)) * canvas.scale();
    const double charge = muon_like ? random.uniform(35, 60) : random.uniform(100, 250);
    draw_track(canvas, row, col, angle, length, charge);
  }
  if (random.chance(0.6)) draw_shower(canvas, random, row, col);
}

// Isolated noise pixels (most fall below the pooled threshold, as in the real data), as many per unit
// of area as in the default window.
template <class Canvas>
void draw_noise(Canvas& canvas, Random& random) {
  const auto pixels = static_cast<std::int64_t>(
      std::llround(static_cast<double>(random.between(50, 300)) * canvas.noise_factor()));
  for (std::int64_t p = 0; p < pixels; ++p) {
    const auto row = static_cast<std::int64_t>(random.below(canvas.row_count()));
    const auto col = static_cast<std::int64_t>(random.below(canvas.col_count()));
    const double charge = random.uniform(10, 50);
    canvas.add(row, col, charge);
  }
}

template <class Canvas>
void render(Canvas& canvas, std::uint64_t seed, bool neutrino, const SyntheticOptions& options) {
  Random random(seed);
  canvas.clear();
  if (neutrino) {
    draw_neutrino(canvas, random);
    if (random.chance(options.cosmic_overlay_probability)) draw_cosmic(canvas, random);
  } else {
    const int cosmics = random.chance(0.35) ? 2 : 1;
    for (int c = 0; c < cosmics; ++c) draw_cosmic(canvas, random);
  }
  draw_noise(canvas, random);
  canvas.finish();
}

// Sparse twin of microboone::window_to_event with the default parameters: 4x8 sum pool, < 700 -> 0, 63x63,
// /3200 (the sums are of whole numbers below 2^24, so the order of summation cannot change them).
void pool_to_event(const Canvas& canvas, float* event) {
  const microboone::Parameters parameters;
  const std::size_t pooled_cols = kCols / parameters.pool_cols, crop = parameters.crop;
  std::vector<float> pooled((kRows / parameters.pool_rows) * pooled_cols, 0.0f);
  for (std::uint32_t index : canvas.touched()) {
    const std::size_t row = index / kCols, col = index % kCols;
    pooled[(row / parameters.pool_rows) * pooled_cols + col / parameters.pool_cols] += canvas.values()[index];
  }
  for (std::size_t r = 0; r < crop; ++r) {
    for (std::size_t c = 0; c < crop; ++c) {
      const float sum = pooled[r * pooled_cols + c];
      event[r * crop + c] = sum < parameters.pooled_threshold ? 0.0f : sum / parameters.normalization;
    }
  }
}

bool default_geometry(const SyntheticOptions& options) {
  return options.height == 63 && options.width == 63 && options.active == 0;
}

// The number of threads for `events` events (at least 1000 per thread, as generate_range does).
std::size_t thread_count(std::size_t events) {
  return std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1,
                                 std::max<std::size_t>(events / 1000, 1));
}

// The calibration events of physics_scale: a fixed seed, so the scale depends on the options only.
constexpr std::uint64_t kCalibrationSeed = 0xCA11B2A7E5ULL;
constexpr std::size_t kCalibrationEvents = 600;
constexpr double kMinScale = 0.05;

double mean_active(const SyntheticOptions& options, double scale) {
  const HitSplit hits = generate_hits_range(labels(kCalibrationEvents, kCalibrationSeed), kCalibrationSeed, 0,
                                            kCalibrationEvents, options, scale);
  return static_cast<double>(hits.hits()) / static_cast<double>(kCalibrationEvents);
}

}  // namespace

void validate_options(const SyntheticOptions& options) {
  const auto check_side = [](const char* option, std::size_t value) {
    if (value < kMinSyntheticSide || value > kMaxSyntheticSide) {
      throw UsageError(fmt::format("{}: {} is outside {}..{} (docs/limits.md)", option, value,
                                   kMinSyntheticSide, kMaxSyntheticSide));
    }
  };
  check_side("--height", options.height);
  check_side("--width", options.width);
  if (!std::isfinite(options.active) || options.active < 0) {
    throw UsageError(
        fmt::format("--active: {} is not a positive mean number of active pixels", options.active));
  }
  if (!(options.cosmic_overlay_probability >= 0 && options.cosmic_overlay_probability <= 1)) {
    throw UsageError(
        fmt::format("cosmic overlay probability {} is not in [0, 1]", options.cosmic_overlay_probability));
  }
}

double physics_scale(const SyntheticOptions& options) {
  validate_options(options);
  // The scale at which the pooled window (64 scale pixels a side) covers the image's shorter side.
  const double fill = static_cast<double>(std::min(options.height, options.width)) / 63.0;
  if (options.active == 0) return fill;
  // The calibration takes up to a few seconds: each set of options is calibrated once per process.
  static std::mutex mutex;
  static std::map<std::tuple<std::size_t, std::size_t, double, double>, double> known;
  const auto key =
      std::make_tuple(options.height, options.width, options.active, options.cosmic_overlay_probability);
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (const auto found = known.find(key); found != known.end()) return found->second;
  }
  // Active pixels grow about linearly with the scale (tracks are lines): a few multiplicative steps.
  double scale = std::min(fill, 1.0), mean = mean_active(options, scale);
  for (int step = 0; step < 5 && mean > 0; ++step) {
    const double next = std::clamp(scale * options.active / mean, kMinScale, fill);
    if (next == scale) break;
    scale = next;
    mean = mean_active(options, scale);
  }
  if (mean < 0.9 * options.active && scale == fill) {
    throw UsageError(
        fmt::format("--active: {} is more than a {}x{} event holds on average (about {:.0f} when the physics "
                    "fills the image)",
                    options.active, options.height, options.width, mean));
  }
  if (mean > 1.1 * options.active && scale == kMinScale) {
    throw UsageError(
        fmt::format("--active: {} is fewer than the smallest events hold on average (about {:.0f})",
                    options.active, mean));
  }
  const std::lock_guard<std::mutex> lock(mutex);
  known.emplace(key, scale);
  return scale;
}

HitSplit generate_hits_range(const std::vector<std::int32_t>& all_labels, std::uint64_t seed,
                             std::size_t first, std::size_t last, const SyntheticOptions& options,
                             double scale) {
  HitSplit split;
  split.height = options.height;
  split.width = options.width;
  split.channels = 1;
  split.y.assign(all_labels.begin() + static_cast<std::ptrdiff_t>(first),
                 all_labels.begin() + static_cast<std::ptrdiff_t>(last));
  const std::size_t events = last - first;
  const auto rows = static_cast<std::int64_t>(std::llround(kRows * scale));
  const auto cols = static_cast<std::int64_t>(std::llround(kCols * scale));
  const microboone::Parameters parameters;
  const auto pooled_rows = static_cast<std::size_t>(rows) / parameters.pool_rows;
  const auto pooled_cols = static_cast<std::size_t>(cols) / parameters.pool_cols;
  const std::size_t threads = thread_count(events);
  std::vector<HitSplit> parts(threads);
  const auto generate_part = [&](std::size_t part, std::size_t begin, std::size_t end) {
    HitCanvas canvas(scale, rows, cols);
    std::vector<Deposit> scratch;
    HitSplit& out = parts[part];
    for (std::size_t i = begin; i < end; ++i) {
      const std::uint64_t event = event_seed(seed, first + i);
      render(canvas, event, split.y[i] == 1, options);
      // Where the window sits when it is smaller than the image: its own stream, so the physics is that
      // of the same seed at any image size.
      Random place(event ^ 0x9A1ACE0FF5E7ULL);
      const std::size_t row_offset =
          options.height > pooled_rows
              ? static_cast<std::size_t>(place.below(options.height - pooled_rows + 1))
              : 0;
      const std::size_t col_offset =
          options.width > pooled_cols ? static_cast<std::size_t>(place.below(options.width - pooled_cols + 1))
                                      : 0;
      canvas.pool_to_hits(options.height, options.width, row_offset, col_offset, scratch, out);
    }
  };
  std::vector<std::thread> workers;
  for (std::size_t t = 1; t < threads; ++t) {
    workers.emplace_back(generate_part, t, events * t / threads, events * (t + 1) / threads);
  }
  generate_part(0, 0, events / threads);
  for (std::thread& worker : workers) worker.join();
  for (const HitSplit& part : parts) {
    const std::int64_t base = split.offsets.back();
    for (std::size_t e = 1; e < part.offsets.size(); ++e) split.offsets.push_back(base + part.offsets[e]);
    split.coords.insert(split.coords.end(), part.coords.begin(), part.coords.end());
    split.values.insert(split.values.end(), part.values.begin(), part.values.end());
  }
  return split;
}

HitSplit generate_synthetic_hits(std::size_t events, std::uint64_t seed, const SyntheticOptions& options) {
  return generate_hits_range(labels(events, seed), seed, 0, events, options, physics_scale(options));
}

std::uint64_t event_seed(std::uint64_t seed, std::size_t index) {
  std::uint64_t state = seed ^ (0xD1B54A32D192ED03ULL * (static_cast<std::uint64_t>(index) + 1));
  return splitmix64(state);
}

std::vector<std::int32_t> labels(std::size_t events, std::uint64_t seed) {
  std::vector<std::int32_t> result(events, 0);
  for (std::size_t i = 0; i < events / 2; ++i) result[i] = 1;
  Random random(seed ^ 0x5EEDCAFEF00DULL);
  shuffle(result.begin(), result.end(), random);
  return result;
}

Split generate_range(const std::vector<std::int32_t>& all_labels, std::uint64_t seed, std::size_t first,
                     std::size_t last, const SyntheticOptions& options) {
  if (!default_geometry(options)) {
    return to_dense(generate_hits_range(all_labels, seed, first, last, options, physics_scale(options)));
  }
  Split split;
  split.height = split.width = 63;
  split.channels = 1;
  split.y.assign(all_labels.begin() + static_cast<std::ptrdiff_t>(first),
                 all_labels.begin() + static_cast<std::ptrdiff_t>(last));
  const std::size_t events = last - first;
  split.x.assign(events * split.event_size(), 0.0f);
  // Every event has its own seed, so the result does not depend on how events are spread over threads.
  const std::size_t threads = thread_count(events);
  const auto generate_part = [&](std::size_t begin, std::size_t end) {
    Canvas canvas;
    for (std::size_t i = begin; i < end; ++i) {
      render(canvas, event_seed(seed, first + i), split.y[i] == 1, options);
      pool_to_event(canvas, split.x.data() + i * split.event_size());
    }
  };
  std::vector<std::thread> workers;
  for (std::size_t t = 1; t < threads; ++t) {
    workers.emplace_back(generate_part, events * t / threads, events * (t + 1) / threads);
  }
  generate_part(0, events / threads);
  for (std::thread& worker : workers) worker.join();
  return split;
}

microboone::Image render_window(std::uint64_t seed, bool neutrino, const SyntheticOptions& options) {
  Canvas canvas;
  render(canvas, seed, neutrino, options);
  microboone::Image image(kRows, kCols);
  image.values = canvas.values();
  return image;
}

namespace {

// write_synthetic at another size or mean activity: events made as hit lists, blocks bounded in memory.
DatasetInfo write_scaled(const std::string& path, std::size_t events, std::uint64_t seed,
                         const SyntheticOptions& options, DatasetLayout layout) {
  const double scale = physics_scale(options);
  const std::vector<std::int32_t> all_labels = labels(events, seed);
  const microboone::SplitCounts counts = microboone::split_counts(events, 0.7, 0.1);
  DatasetInfo info;
  info.source = "built-in LArTPC-like generator, seed " + std::to_string(seed) + ", " +
                std::to_string(events) + " events";
  info.transform = fmt::format(
      "physics scaled by {:.4g} (track and shower lengths; noise per area as at 1): {}x{} window of 6-tick "
      "sums "
      "(<10 -> 0, clip 100); 4x8 sum pool, <700 -> 0; placed {} in {}x{}{}; /3200; split 70/10/20 in order",
      scale, std::llround(kRows * scale), std::llround(kCols * scale),
      options.active > 0 ? "at random" : "at the top left, cropped,", options.height, options.width,
      options.active > 0 ? fmt::format(" (--active {})", options.active) : std::string());
  info.threshold = 0.0;
  info.class_names = {"cosmic", "neutrino"};
  info.height = options.height;
  info.width = options.width;
  info.channels = 1;
  info.layout = layout;
  DatasetWriter writer(path, info);
  // Dense blocks hold at most 2^24 floats (64 MB); hit blocks at most 2,000 events.
  const std::size_t block =
      layout == DatasetLayout::dense
          ? std::clamp<std::size_t>((std::size_t{1} << 24) / (options.height * options.width), 1, 2000)
          : 2000;
  const std::pair<const char*, std::size_t> splits[] = {
      {"train", counts.train}, {"val", counts.val}, {"test", counts.test}};
  std::size_t first = 0;
  for (const auto& [split, size] : splits) {
    for (std::size_t done = 0; done < size; done += block) {
      const std::size_t count = std::min(block, size - done);
      writer.append(split, generate_hits_range(all_labels, seed, first, first + count, options, scale));
      first += count;
    }
    info.split_sizes[split] = size;
  }
  writer.finish();
  return info;
}

}  // namespace

DatasetInfo write_synthetic(const std::string& path, std::size_t events, std::uint64_t seed,
                            const SyntheticOptions& options, DatasetLayout layout) {
  if (events < 10) throw Error(path + ": --events must be at least 10 (got " + std::to_string(events) + ")");
  if (!default_geometry(options)) return write_scaled(path, events, seed, options, layout);
  const std::vector<std::int32_t> all_labels = labels(events, seed);
  const microboone::SplitCounts counts = microboone::split_counts(events, 0.7, 0.1);
  DatasetInfo info;
  info.source = "built-in LArTPC-like generator, seed " + std::to_string(seed) + ", " +
                std::to_string(events) + " events";
  info.transform =
      "256x512 window of 6-tick sums (<10 -> 0, clip 100); 4x8 sum pool, <700 -> 0; crop 63x63; /3200; split "
      "70/10/20 in order";
  info.threshold = 0.0;
  info.class_names = {"cosmic", "neutrino"};
  info.height = info.width = 63;
  info.channels = 1;
  info.layout = layout;
  DatasetWriter writer(path, info);
  // Generated and written 10,000 events at a time, so memory stays bounded for any --events.
  constexpr std::size_t kBlock = 10000;
  const std::pair<const char*, std::size_t> splits[] = {
      {"train", counts.train}, {"val", counts.val}, {"test", counts.test}};
  std::size_t first = 0;
  for (const auto& [split, size] : splits) {
    for (std::size_t done = 0; done < size; done += kBlock) {
      const std::size_t count = std::min(kBlock, size - done);
      writer.append(split, generate_range(all_labels, seed, first, first + count, options));
      first += count;
    }
    info.split_sizes[split] = size;
  }
  writer.finish();
  return info;
}

}  // namespace sparsepixels::data::synthetic

namespace sparsepixels::data {

Split generate_synthetic(std::size_t events, std::uint64_t seed) {
  return generate_synthetic(events, seed, {});
}

Split generate_synthetic(std::size_t events, std::uint64_t seed, const SyntheticOptions& options) {
  return synthetic::generate_range(synthetic::labels(events, seed), seed, 0, events, options);
}

}  // namespace sparsepixels::data

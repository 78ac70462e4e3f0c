// The built-in LArTPC-like generator: tracks and showers drawn on a 256x512 window of 6-tick sums, then taken
// through the MicroBooNE pooling and threshold (reference 7.3 step 4) to 63x63.
#include "sparsepixels/data/synthetic.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <thread>
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

/// A window under construction that remembers which pixels it touched (clearing and pooling stay sparse).
class Canvas {
 public:
  Canvas() : values_(static_cast<std::size_t>(kRows) * kCols, 0.0f) {}

  void clear() {
    for (std::uint32_t index : touched_) values_[index] = 0;
    touched_.clear();
  }

  void add(int row, int col, double charge) {
    if (row < 0 || row >= kRows || col < 0 || col >= kCols || charge <= 0) return;
    const auto index = static_cast<std::uint32_t>(row * kCols + col);
    if (values_[index] == 0) touched_.push_back(index);
    values_[index] += static_cast<float>(charge);
  }

  /// Spreads one deposit at a continuous position over the pixel and its neighbours.
  void deposit(double row, double col, double charge) {
    const int r = static_cast<int>(std::floor(row)), c = static_cast<int>(std::floor(col));
    add(r, c, charge * kCentreShare);
    add(r - 1, c, charge * kTimeNeighbourShare);
    add(r + 1, c, charge * kTimeNeighbourShare);
    add(r, c - 1, charge * kWireNeighbourShare);
    add(r, c + 1, charge * kWireNeighbourShare);
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

 private:
  std::vector<float> values_;
  std::vector<std::uint32_t> touched_;
};

// A point plus a direction given in physical space, stepped in pixel coordinates.
struct Direction {
  double rows_per_mm, cols_per_mm;
  explicit Direction(double angle)
      : rows_per_mm(std::cos(angle) / kRowMillimetres), cols_per_mm(std::sin(angle) / kColMillimetres) {}
};

// A straight track from (row, col). Callers draw its random numbers in separate statements: the order in
// which function arguments are evaluated is unspecified, and the generator must not depend on the compiler.
void draw_track(Canvas& canvas, double row, double col, double angle, double length_mm,
                double charge_per_mm) {
  const Direction direction(angle);
  canvas.segment(row, col, row + direction.rows_per_mm * length_mm, col + direction.cols_per_mm * length_mm,
                 charge_per_mm);
}

// A shower-like cluster: a branching chain of short segments from the vertex, in a forward cone.
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
    const double length = random.uniform(15, 50);
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
void border_point(Random& random, int side, double& row, double& col) {
  switch (side) {
    case 0:
      row = 0;
      col = random.uniform(0, kCols);
      break;
    case 1:
      row = kRows;
      col = random.uniform(0, kCols);
      break;
    case 2:
      row = random.uniform(0, kRows);
      col = 0;
      break;
    default:
      row = random.uniform(0, kRows);
      col = kCols;
      break;
  }
}

// A cosmic-ray muon: a straight track through the whole window, with occasional delta rays.
void draw_cosmic(Canvas& canvas, Random& random) {
  const int entry_side = static_cast<int>(random.below(4));
  const int exit_side = (entry_side + 1 + static_cast<int>(random.below(3))) % 4;
  double row0, col0, row1, col1;
  border_point(random, entry_side, row0, col0);
  border_point(random, exit_side, row1, col1);
  canvas.segment(row0, col0, row1, col1, random.uniform(35, 60));
  const int delta_rays = static_cast<int>(random.below(4));
  for (int d = 0; d < delta_rays; ++d) {
    const double t = random.uniform();
    const double angle = random.uniform(0, 2 * kPi);
    const double length = random.uniform(10, 40);
    const double charge = random.uniform(40, 80);
    draw_track(canvas, row0 + t * (row1 - row0), col0 + t * (col1 - col0), angle, length, charge);
  }
}

// A neutrino-like interaction: several tracks and, often, a shower from one vertex inside the window.
void draw_neutrino(Canvas& canvas, Random& random) {
  const double row = random.uniform(0.2 * kRows, 0.8 * kRows), col = random.uniform(0.2 * kCols, 0.8 * kCols);
  const int tracks = static_cast<int>(random.between(1, 3));
  for (int t = 0; t < tracks; ++t) {
    const bool muon_like = random.chance(0.5);
    const double angle = random.uniform(0, 2 * kPi);
    // Muon-like: long, minimum ionizing; proton-like: short, heavily ionizing.
    const double length = muon_like ? random.uniform(150, 700) : random.uniform(20, 150);
    const double charge = muon_like ? random.uniform(35, 60) : random.uniform(100, 250);
    draw_track(canvas, row, col, angle, length, charge);
  }
  if (random.chance(0.6)) draw_shower(canvas, random, row, col);
}

// Isolated noise pixels (most fall below the pooled threshold, as in the real data).
void draw_noise(Canvas& canvas, Random& random) {
  const int pixels = static_cast<int>(random.between(50, 300));
  for (int p = 0; p < pixels; ++p) {
    const auto row = static_cast<int>(random.below(kRows));
    const auto col = static_cast<int>(random.below(kCols));
    const double charge = random.uniform(10, 50);
    canvas.add(row, col, charge);
  }
}

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

}  // namespace

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
  Split split;
  split.height = split.width = 63;
  split.channels = 1;
  split.y.assign(all_labels.begin() + static_cast<std::ptrdiff_t>(first),
                 all_labels.begin() + static_cast<std::ptrdiff_t>(last));
  const std::size_t events = last - first;
  split.x.assign(events * split.event_size(), 0.0f);
  // Every event has its own seed, so the result does not depend on how events are spread over threads.
  const std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1,
                                                      std::max<std::size_t>(events / 1000, 1));
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

DatasetInfo write_synthetic(const std::string& path, std::size_t events, std::uint64_t seed,
                            const SyntheticOptions& options, DatasetLayout layout) {
  if (events < 10) throw Error(path + ": --events must be at least 10 (got " + std::to_string(events) + ")");
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

#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

namespace sparsepixels::tensor {

/// The (input slot, output slot) pairs of a submanifold convolution with an odd kernel, for every
/// event of a batch: pairs of event e are pairs[event_begin[e] .. event_begin[e+1]), ordered by output
/// slot then input slot (a fixed order, so sums do not depend on anything else). Built once per
/// geometry and kernel size and shared by every convolution on that geometry.
struct NeighbourTable {
  struct Pair {
    std::uint16_t output_slot;
    std::uint16_t input_slot;
    std::uint32_t tap;  // kernel tap (kr * K + kc), HWIO row of the weights
  };
  int kernel = 0;
  std::vector<std::uint32_t> event_begin;
  std::vector<Pair> pairs;
};

/// Coordinates of the slots of a batch of sparse events at one stage (after input reduction or a
/// pooling). Rows and columns are 1-based as in reference section 2; empty slots sit at (1, 1).
/// `position[s]` is 1 when slot s holds a real image position and is the lowest slot with it (the
/// neighbour tables index only those slots, reference 11.7).
class Geometry {
 public:
  std::size_t events = 0;
  int slots = 0;
  int height = 0, width = 0;
  std::vector<std::int16_t> row, col;
  std::vector<std::uint8_t> position;

  /// Resizes for `event_count` events of `slot_count` slots (contents unspecified).
  void reset(std::size_t event_count, int slot_count, int grid_height, int grid_width);

  /// The neighbour table for an odd kernel, built on first use and cached.
  const NeighbourTable& neighbours(int kernel);

  /// Marks cached neighbour tables stale (call after changing coordinates); their memory is reused.
  void invalidate();

  /// The table for an odd kernel, emptied and marked built: the caller fills it (e.g. from tables
  /// cached per dataset) instead of having neighbours() compute it.
  NeighbourTable& provide(int kernel);

 private:
  struct CachedTable {
    NeighbourTable table;
    bool built = false;
  };
  std::map<int, CachedTable> tables_;
};

/// A batch of activations between two layers: `events` x `event_size` floats; sparse batches also
/// carry their slot geometry (shared by the layers that keep coordinates).
struct Batch {
  std::size_t events = 0;
  std::size_t event_size = 0;
  std::vector<float> values;
  std::shared_ptr<Geometry> geometry;  // null for dense batches
  std::size_t nonzero_stride = 0;      // see `index`
  std::vector<std::uint8_t> mask;      // per-layer record for backward (e.g. where a bias was added)
  std::vector<std::int32_t> index;     // per-layer record for backward (e.g. max-pooling winners)
  // QAT: per value, 1 when the value before the layer's result quantizer was < 0 (empty otherwise).
  // ReLU's straight-through derivative reads it (docs/training.md): a negative pre-activation that an
  // unsigned result type clamped to 0 blocks the gradient; a positive one rounded to 0 passes it.
  std::vector<std::uint8_t> negative;
  // A layer with a folded batch normalization, in training: its output before the fold (batch
  // statistics and gradients are taken there; docs/training.md). Empty otherwise.
  std::vector<float> unfolded;
  // When nonzero_stride > 0 (a flattened sparse batch), `index` holds per event nonzero_stride
  // positions that may be non-zero (-1: none); all other values are zero. Dense uses it to skip zeros.

  float* event(std::size_t e) { return values.data() + e * event_size; }
  const float* event(std::size_t e) const { return values.data() + e * event_size; }
  /// Resizes values to events x size (contents unspecified; capacity is kept between calls).
  void reset(std::size_t event_count, std::size_t size) {
    events = event_count;
    event_size = size;
    nonzero_stride = 0;
    negative.clear();
    unfolded.clear();
    values.resize(event_count * size);
  }
};

/// Events given as hit lists (docs/datasets.md, "sparse layout"), viewed in place: event e holds hits
/// [offsets[e], offsets[e+1]) of the arrays, hit k at row coords[2k], column coords[2k+1] (0-based,
/// strictly in raster order within an event) with channel values values[k*C .. k*C+C). A pixel that is no
/// hit is zero. The caller guarantees that (the dataset readers validate files).
struct HitEvents {
  const std::int64_t* offsets = nullptr;  // events + 1 values
  const std::uint32_t* coords = nullptr;
  const float* values = nullptr;
  std::size_t events = 0;
  /// Events [first, first + count) as a view of the same arrays.
  HitEvents slice(std::size_t first, std::size_t count) const {
    return {offsets + first, coords, values, count};
  }
};

/// The dense images `hits` describe, each `width` pixels wide with `channels` values per pixel, written
/// to dense[0, hits.events * event_size) (event-major, channel-last): zeros, then each hit's values.
void scatter_hits(const HitEvents& hits, std::size_t width, std::size_t channels, std::size_t event_size,
                  float* dense);

}  // namespace sparsepixels::tensor

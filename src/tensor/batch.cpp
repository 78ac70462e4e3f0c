#include "sparsepixels/tensor/batch.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace sparsepixels::tensor {

void Geometry::reset(std::size_t event_count, int slot_count, int grid_height, int grid_width) {
  events = event_count;
  slots = slot_count;
  height = grid_height;
  width = grid_width;
  const std::size_t total = event_count * static_cast<std::size_t>(slot_count);
  row.resize(total);
  col.resize(total);
  position.resize(total);
  invalidate();
}

void Geometry::invalidate() {
  for (auto& [kernel, cached] : tables_) cached.built = false;
}

NeighbourTable& Geometry::provide(int kernel) {
  CachedTable& cached = tables_[kernel];
  cached.built = true;
  cached.table.kernel = kernel;
  cached.table.event_begin.clear();
  cached.table.pairs.clear();
  return cached.table;
}

const NeighbourTable& Geometry::neighbours(int kernel) {
  CachedTable& cached = tables_[kernel];
  NeighbourTable& table = cached.table;
  if (cached.built) return table;
  cached.built = true;
  table.kernel = kernel;
  const int radius = (kernel - 1) / 2;
  table.event_begin.resize(events + 1);
  table.pairs.clear();
  // Real positions of one event (slot, row, column), gathered once so the pair loop touches only them.
  struct Real {
    std::uint16_t slot;
    int row, col;
  };
  thread_local std::vector<Real> real;
  const auto span = static_cast<unsigned>(2 * radius);
  for (std::size_t e = 0; e < events; ++e) {
    table.event_begin[e] = static_cast<std::uint32_t>(table.pairs.size());
    const std::size_t base = e * static_cast<std::size_t>(slots);
    real.clear();
    for (int s = 0; s < slots; ++s) {
      if (position[base + s]) real.push_back({static_cast<std::uint16_t>(s), row[base + s], col[base + s]});
    }
    for (const Real& out : real) {
      for (const Real& in : real) {
        // |dr| <= radius and |dc| <= radius, as one unsigned comparison each.
        const int dr = in.row - out.row + radius, dc = in.col - out.col + radius;
        if (static_cast<unsigned>(dr) > span || static_cast<unsigned>(dc) > span) continue;
        table.pairs.push_back({out.slot, in.slot, static_cast<std::uint32_t>(dr * kernel + dc)});
      }
    }
  }
  table.event_begin[events] = static_cast<std::uint32_t>(table.pairs.size());
  return table;
}

void scatter_hits(const HitEvents& hits, std::size_t width, std::size_t channels, std::size_t event_size,
                  float* dense) {
  std::fill(dense, dense + hits.events * event_size, 0.0f);
  for (std::size_t e = 0; e < hits.events; ++e) {
    float* image = dense + e * event_size;
    for (auto k = static_cast<std::size_t>(hits.offsets[e]);
         k < static_cast<std::size_t>(hits.offsets[e + 1]); ++k) {
      const std::size_t pixel = static_cast<std::size_t>(hits.coords[2 * k]) * width + hits.coords[2 * k + 1];
      std::copy_n(hits.values + k * channels, channels, image + pixel * channels);
    }
  }
}

}  // namespace sparsepixels::tensor

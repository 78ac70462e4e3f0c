#include "sparsepixels/tensor/batch.h"

#include <cstdlib>

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

const NeighbourTable& Geometry::neighbours(int kernel) {
  CachedTable& cached = tables_[kernel];
  NeighbourTable& table = cached.table;
  if (cached.built) return table;
  cached.built = true;
  table.kernel = kernel;
  const int radius = (kernel - 1) / 2;
  table.event_begin.resize(events + 1);
  table.pairs.clear();
  // Real positions of one event, gathered once so the pair loop touches only them.
  thread_local std::vector<std::uint16_t> real;
  for (std::size_t e = 0; e < events; ++e) {
    table.event_begin[e] = static_cast<std::uint32_t>(table.pairs.size());
    const std::size_t base = e * static_cast<std::size_t>(slots);
    real.clear();
    for (int s = 0; s < slots; ++s) {
      if (position[base + s]) real.push_back(static_cast<std::uint16_t>(s));
    }
    for (const std::uint16_t out : real) {
      const int out_row = row[base + out], out_col = col[base + out];
      for (const std::uint16_t in : real) {
        const int dr = row[base + in] - out_row, dc = col[base + in] - out_col;
        if (std::abs(dr) > radius || std::abs(dc) > radius) continue;
        const auto tap = static_cast<std::uint32_t>((radius + dr) * kernel + (radius + dc));
        table.pairs.push_back({out, in, tap});
      }
    }
  }
  table.event_begin[events] = static_cast<std::uint32_t>(table.pairs.size());
  return table;
}

}  // namespace sparsepixels::tensor

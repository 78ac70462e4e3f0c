// Fuzz target: the validation of a sparse split's hit lists, given as the arrays the reader holds after
// reading them from a file (offsets, coords), not as HDF5 bytes (libhdf5 itself crashes on some corrupt
// metadata; docs/fuzzing.md). Arrays that pass must be safe to use: scattering them into dense events and
// taking the hits back gives the same arrays (every value is 1, so every hit is kept).
//
// Input: byte 0 height - 1, byte 1 width - 1, byte 2 flags (bit 0: the range starts at event 5, not 0;
// bit 1: the range ends the split), byte 3 events (mod 64); then events + 1 offsets (int64, little-endian),
// then the stored hits: pairs of uint32 (row, column), as many as the remaining bytes hold.
#include <cstring>
#include <vector>

#include "fuzz_input.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sparsepixels;
  if (size < 4) return 0;
  const std::size_t height = std::size_t{data[0]} + 1, width = std::size_t{data[1]} + 1;
  const bool middle = (data[2] & 1) != 0, ends_split = (data[2] & 2) != 0;
  const std::size_t events = data[3] % 64;
  std::size_t position = 4;
  if (size - position < (events + 1) * sizeof(std::int64_t)) return 0;
  // Heap copies of exactly the given lengths, so AddressSanitizer sees any read past them.
  std::vector<std::int64_t> offsets(events + 1);
  std::memcpy(offsets.data(), data + position, offsets.size() * sizeof(std::int64_t));
  position += offsets.size() * sizeof(std::int64_t);
  const std::size_t stored_hits = (size - position) / (2 * sizeof(std::uint32_t));
  std::vector<std::uint32_t> coords(2 * stored_hits);
  if (!coords.empty()) std::memcpy(coords.data(), data + position, coords.size() * sizeof(std::uint32_t));

  const data::HitSource source{"fuzz.h5", "test", middle ? 5u : 0u};
  try {
    data::validate_hit_offsets(source, offsets.data(), events, stored_hits, height * width, ends_split);
    // The reader reads only this range's hits: [offsets[0], offsets[events]).
    const auto first = static_cast<std::size_t>(offsets.front()),
               last = static_cast<std::size_t>(offsets.back());
    const std::vector<std::uint32_t> range(coords.begin() + static_cast<std::ptrdiff_t>(2 * first),
                                           coords.begin() + static_cast<std::ptrdiff_t>(2 * last));
    data::validate_hit_coordinates(source, offsets.data(), events, range.data(), height, width);

    data::HitSplit hits;
    hits.height = height;
    hits.width = width;
    hits.channels = 1;
    for (const std::int64_t offset : offsets) hits.offsets.push_back(offset - offsets.front());
    hits.offsets.erase(hits.offsets.begin());  // HitSplit starts with {0}
    hits.coords = range;
    hits.values.assign(range.size() / 2, 1.0f);
    hits.y.assign(events, 0);
    const data::HitSplit back = data::to_hits(data::to_dense(hits));
    if (back.offsets != hits.offsets || back.coords != hits.coords || back.values != hits.values)
      __builtin_trap();  // validated hit lists must round-trip exactly
  } catch (const Error&) {
  }
  return 0;
}

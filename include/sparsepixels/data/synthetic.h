#pragma once
// The built-in LArTPC-like generator (docs/datasets.md states its model and its simplifications).
// generate_synthetic() itself is declared in dataset.h; these are its parts, exposed for tests and tools.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/microboone.h"

namespace sparsepixels::data::synthetic {

/// The per-event seed of event `index` of a data set generated from `seed` (events are independent).
std::uint64_t event_seed(std::uint64_t seed, std::size_t index);

/// The labels of `events` events: exactly events/2 neutrino-like (1) (one more cosmic when odd), in an order
/// shuffled by `seed`.
std::vector<std::int32_t> labels(std::size_t events, std::uint64_t seed);

/// Events [first, last) of a data set with the given labels (labels(events, seed)), generated in parallel.
Split generate_range(const std::vector<std::int32_t>& all_labels, std::uint64_t seed, std::size_t first,
                     std::size_t last, const SyntheticOptions& options = {});

/// One event at wire-plane resolution: the 256 (time) x 512 (wire) window of 6-tick sums, whole numbers,
/// sums < 10 set to 0 and clipped at 100, exactly as the real pipeline sees a window before pooling.
microboone::Image render_window(std::uint64_t event_seed, bool neutrino,
                                const SyntheticOptions& options = {});

/// Generates `events` events and writes them split 70/10/20 (in order) to a dataset file.
DatasetInfo write_synthetic(const std::string& path, std::size_t events, std::uint64_t seed,
                            const SyntheticOptions& options = {},
                            DatasetLayout layout = DatasetLayout::dense);

}  // namespace sparsepixels::data::synthetic

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

/// The smallest side the generator makes (the largest is kMaxSyntheticSide in dataset.h).
inline constexpr std::size_t kMinSyntheticSide = 16;

/// Throws UsageError naming the option (--height, --width, --active) for sizes outside
/// kMinSyntheticSide..kMaxSyntheticSide, or a mean activity that is negative or not finite.
void validate_options(const SyntheticOptions& options);

/// How much larger than in the default window the physics is drawn (lengths; noise per area stays): with
/// options.active == 0, the scale at which the pooled window fills the image's shorter side (1 at 63x63);
/// otherwise the scale whose events hold options.active active pixels on average, found from 600
/// calibration events of a fixed seed (so it depends on the options only). Throws UsageError naming
/// --active when no scale gets within 10% of it (more than the physics filling the image gives, or fewer
/// than the smallest scale).
double physics_scale(const SyntheticOptions& options);

/// Events [first, last) of a data set as hit lists at `scale` (physics_scale(options)), made without any
/// H x W buffer: deposits are listed, summed, pooled and thresholded per event. At the default 63x63 and
/// scale 1 these are exactly the hits of generate_range's events.
HitSplit generate_hits_range(const std::vector<std::int32_t>& all_labels, std::uint64_t seed,
                             std::size_t first, std::size_t last, const SyntheticOptions& options,
                             double scale);

/// `events` events as hit lists (labels(events, seed), physics_scale(options)).
HitSplit generate_synthetic_hits(std::size_t events, std::uint64_t seed,
                                 const SyntheticOptions& options = {});

/// Events [first, last) of a data set with the given labels (labels(events, seed)), generated in parallel.
Split generate_range(const std::vector<std::int32_t>& all_labels, std::uint64_t seed, std::size_t first,
                     std::size_t last, const SyntheticOptions& options = {});

/// One event at wire-plane resolution (the default geometry; options' size is not used): the 256 (time) x
/// 512 (wire) window of 6-tick sums, whole numbers,
/// sums < 10 set to 0 and clipped at 100, exactly as the real pipeline sees a window before pooling.
microboone::Image render_window(std::uint64_t event_seed, bool neutrino,
                                const SyntheticOptions& options = {});

/// Generates `events` events and writes them split 70/10/20 (in order) to a dataset file.
DatasetInfo write_synthetic(const std::string& path, std::size_t events, std::uint64_t seed,
                            const SyntheticOptions& options = {},
                            DatasetLayout layout = DatasetLayout::dense);

}  // namespace sparsepixels::data::synthetic

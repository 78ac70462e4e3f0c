#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sparsepixels/estimate/design.h"

namespace sparsepixels::estimate {

/// An FPGA device's capacity. `prefix` is the device part of AMD's part names: it matches every
/// part that starts with it (any package, speed grade and temperature grade).
struct Part {
  std::string prefix;  ///< e.g. "xcu250" for xcu250-figd2104-2L-e
  std::int64_t lut = 0;
  std::int64_t ff = 0;
  std::int64_t dsp = 0;
  double bram36 = 0;  ///< 36 Kb block RAM tiles
};

/// The devices the estimator knows (figures and their sources: docs/estimator.md).
const std::vector<Part>& known_parts();

/// The device `part_name` belongs to (case-insensitive prefix match, longest prefix first), or
/// nullptr when it is not in known_parts().
const Part* find_part(const std::string& part_name);

/// FPGA resources of a layer or a design.
struct Resources {
  double lut = 0;
  double ff = 0;
  double dsp = 0;
  double bram36 = 0;  ///< 36 Kb block RAM tiles (a 18 Kb half counts 0.5)
  Resources& operator+=(const Resources& other);
};

/// The estimate for one layer (or the top-level overhead entry).
struct LayerEstimate {
  std::string name;
  std::string kind;  ///< "input_reduce", "conv", "pool", ... , "top_overhead"
  std::int64_t latency_cycles = 0;
  std::int64_t ii_cycles = 0;
  Resources resources;
};

/// The estimate for a whole design.
struct DesignEstimate {
  std::string name;
  std::int64_t latency_cycles = 0;
  std::int64_t ii_cycles = 0;
  double clock_ns = 0;
  Resources resources;  ///< totals (LUT/FF/DSP rounded to whole units)
  std::string part;     ///< the part name the design targets
  /// The capacity of that part's device; absent when the part is unknown (utilization then cannot
  /// be checked).
  std::optional<Part> capacity;
  std::vector<LayerEstimate> layers;
  int input_height = 0, input_width = 0;  ///< the design's input (for the input reduction's warning)
};

/// Share of the part above which utilization_messages adds a note (below a warning's 100%).
inline constexpr double kUtilizationNoteShare = 0.80;

/// What the estimate says about fitting the part, one line each, for the commands to print:
/// "warning: <design>: estimated LUT 2,100,000 exceeds the part <part> (1,728,000)" for every
/// resource above 100% of the part, "note: <design>: estimated LUT 1,500,000 is 86.8% of the part
/// <part> (1,728,000)" above kUtilizationNoteShare, and "warning: <design>: unknown part '<part>'
/// (known devices: ...): utilization cannot be checked" when the part is not known. When the input
/// reduction alone exceeds the part's LUTs (a large dense input, e.g. 512x512 at about 23 LUTs per pixel),
/// a warning says so and that a hit-list hardware input would be needed (not generated yet).
std::vector<std::string> utilization_messages(const DesignEstimate& estimate);

/// The calibrated constants of the model. Their meaning, the fit and the values are in
/// docs/estimator.md; calibrated_coefficients() derives them from the published data.
struct Coefficients {
  // Input reduction (find-first tree over H*W, one slot per pass).
  double tree_levels_per_ns = 0;      ///< tree levels that fit in 1 ns of effective period
  double tree_level_offset = 0;       ///< levels added to ceil(log2(H*W)) before dividing
  double reduce_extra_cycles = 0;     ///< reduction latency = II_slot * N + this
  double design_ii_extra_cycles = 0;  ///< design II = reduction latency + this
  // Fully unrolled sparse stages.
  double cycles_per_slot = 0;  ///< conv, pool and flatten latency growth per slot of N
  double conv_base_cycles = 0;
  double pool_base_cycles = 0;
  double flatten_base_cycles = 0;
  double cycles_per_channel_level = 0;  ///< conv/pool: per log2(C) of the channel sum
  double dense_base_cycles = 0;
  double dense_cycles_per_level = 0;  ///< per log2(n_in) of the dense adder tree
  double softmax_base_cycles = 0;     ///< softmax = this + ceil(log2(classes))
  double sigmoid_cycles = 0;          ///< assumed, not fitted
  double stage_handoff_cycles = 0;    ///< top-level overhead per boundary between dataflow stages
  double dsp_stage_extra_cycles = 0;  ///< added to a conv/dense stage whose multipliers are DSPs
  // Standard io_stream baseline.
  double stream_row_overhead_cycles = 0;  ///< cycles per padded row beyond one per pixel
  double stream_serial_fraction = 0;      ///< share of a same-resolution follow-on conv in the latency
  double stream_tail_cycles = 0;          ///< latency after the last streaming conv (head layers)
  // Resources.
  double lut_per_reduce_bit = 0;  ///< per input pixel, channel and bit
  double lut_per_slot_unit = 0;   ///< scale of the sparse layers' and streaming convs' LUT count
  double lut_per_dense_unit = 0;  ///< scale of the dense head's structural LUT count
  double ff_per_slot_unit = 0;    ///< sparse layers and streaming convolutions
  double ff_per_fixed_unit = 0;   ///< dense head
  double ff_per_reduce_unit = 0;  ///< reduction tree
  double dense_dsp_fraction = 0;  ///< share of wide constant-weight multipliers on DSPs
  int dsp_min_operand_bits = 11;  ///< a multiplier uses DSPs when both operands are this wide
};

/// The coefficients fitted on the fit set of the published designs (computed once).
const Coefficients& calibrated_coefficients();

/// Estimates latency, II and resources of a design, per layer and in total.
/// Throws sparsepixels::Error for an invalid design (an unknown part is not an error: see
/// utilization_messages).
DesignEstimate estimate_design(const DesignSpec& design,
                               const Coefficients& coefficients = calibrated_coefficients());

/// The estimate as JSON: latency_cycles, ii_cycles, clock_ns, latency_ns, part,
/// resources {lut, ff, dsp, bram}, utilization {...} (null for an unknown part), layers [...].
nlohmann::json to_json(const DesignEstimate& estimate);

/// Writes to_json(estimate) to `path` ("-" = standard output) through a temporary file renamed
/// into place. Throws sparsepixels::Error naming the path when it cannot be written.
void write_estimate_json(const DesignEstimate& estimate, const std::string& path);

/// A fixed-width text table of the estimate, one row per layer and a total row.
std::string format_estimate(const DesignEstimate& estimate);

}  // namespace sparsepixels::estimate

// Prints every published number of reference section 8 beside the estimate, with the error and
// whether the point was fitted or held out (the table of docs/estimator.md), then the coefficients.
#include <fmt/format.h>
#include <cstdio>

#include "sparsepixels/estimate/calibration.h"

int main() {
  using namespace sparsepixels::estimate;
  const Coefficients& c = calibrated_coefficients();
  std::fputs(format_validation_table(validation_rows(c)).c_str(), stdout);
  std::fputs(
      fmt::format(
          "\ncoefficients:\n"
          "  tree_levels_per_ns {:.4f} (levels per cycle at 3.65 ns: {:.2f}), tree_level_offset {:.0f}\n"
          "  reduce_extra_cycles {:.3f}, design_ii_extra_cycles {:.3f}\n"
          "  cycles_per_slot {:.4f}, conv_base {:.3f}, pool_base {:.3f}, flatten_base {:.3f}\n"
          "  cycles_per_channel_level {:.3f}, dense_base {:.3f}, dense_per_level {:.3f}\n"
          "  softmax_base {:.3f}, sigmoid {:.1f} (assumed), stage_handoff {:.3f}, dsp_stage_extra {:.3f}\n"
          "  stream_row_overhead {:.3f}, stream_serial_fraction {:.4f}, stream_tail {:.2f}\n"
          "  lut_per_reduce_bit {:.4f}, lut_per_slot_unit {:.4f}, lut_per_dense_unit {:.4f}\n"
          "  ff_per_slot_unit {:.4f}, ff_per_fixed_unit {:.4f}, ff_per_reduce_unit {:.4f}\n"
          "  dense_dsp_fraction {:.4f}, dsp_min_operand_bits {}\n",
          c.tree_levels_per_ns, c.tree_levels_per_ns * 3.65, c.tree_level_offset, c.reduce_extra_cycles,
          c.design_ii_extra_cycles, c.cycles_per_slot, c.conv_base_cycles, c.pool_base_cycles,
          c.flatten_base_cycles, c.cycles_per_channel_level, c.dense_base_cycles, c.dense_cycles_per_level,
          c.softmax_base_cycles, c.sigmoid_cycles, c.stage_handoff_cycles, c.dsp_stage_extra_cycles,
          c.stream_row_overhead_cycles, c.stream_serial_fraction, c.stream_tail_cycles, c.lut_per_reduce_bit,
          c.lut_per_slot_unit, c.lut_per_dense_unit, c.ff_per_slot_unit, c.ff_per_fixed_unit,
          c.ff_per_reduce_unit, c.dense_dsp_fraction, c.dsp_min_operand_bits)
          .c_str(),
      stdout);
  return 0;
}

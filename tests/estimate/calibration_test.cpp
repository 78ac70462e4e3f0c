// The estimator against the published synthesis results of reference section 8. The calibration
// sees only the points marked `fit`; the targets of issue 8 are asserted on the held-out points.
// The full table is printed (also by the estimate_validation_table program).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>

#include "sparsepixels/estimate/calibration.h"

namespace sparsepixels::estimate {
namespace {

const std::vector<ValidationRow>& rows() {
  static const std::vector<ValidationRow> all = [] {
    std::vector<ValidationRow> computed = validation_rows();
    std::fputs(format_validation_table(computed).c_str(), stdout);
    return computed;
  }();
  return all;
}

/// Checks |relative error| <= limit on the held-out rows selected; returns how many were checked.
int check_held_out(const std::function<bool(const ValidationRow&)>& selected, double limit) {
  int checked = 0;
  for (const ValidationRow& row : rows()) {
    if (row.fit || !selected(row)) continue;
    ++checked;
    EXPECT_LE(std::abs(row.relative_error()), limit) << row.id << " " << row.quantity << ": published "
                                                     << row.published << ", estimated " << row.estimated;
  }
  return checked;
}

bool is_standard(const ValidationRow& row) {
  return row.id.find("standard") != std::string::npos;
}

TEST(EstimateCalibration, HeldOutLatencyAndIntervalWithinTenPercent) {
  const int checked = check_held_out(
      [](const ValidationRow& row) { return row.quantity == "latency" || row.quantity == "ii"; }, 0.10);
  // Jets 8/16-bit sparse, neutrino, the standard baselines' held-out figures, 18 reduction points.
  EXPECT_GE(checked, 30);
}

TEST(EstimateCalibration, HeldOutSparseLutWithinThirtyFivePercent) {
  const int checked = check_held_out(
      [](const ValidationRow& row) { return row.quantity == "lut" && !is_standard(row); }, 0.35);
  EXPECT_GE(checked, 7);  // jets sparse-t..l and three reduction sizes
}

TEST(EstimateCalibration, HeldOutStandardBaselineLutWithinThirtyFivePercent) {
  // The jets baseline's constant-weight multipliers are costed from the CSD digits of Glorot-scale
  // weights in ap_fixed<8,5> (docs/estimator.md, "Constant weights"); the calibration never sees it.
  const int checked = check_held_out(
      [](const ValidationRow& row) { return row.quantity == "lut" && is_standard(row); }, 0.35);
  EXPECT_GE(checked, 1);
}

TEST(EstimateCalibration, HeldOutDspWithinThirtyFivePercentFromHundredDsp) {
  const int checked = check_held_out(
      [](const ValidationRow& row) { return row.quantity == "dsp" && row.published >= 100; }, 0.35);
  EXPECT_GE(checked, 5);  // the conv DSP scaling points N = 10..30
}

TEST(EstimateCalibration, FitSetIsReproduced) {
  for (const ValidationRow& row : rows()) {
    if (!row.fit || row.quantity == "stage") continue;
    EXPECT_LE(std::abs(row.relative_error()), 0.10) << row.id << " " << row.quantity;
  }
}

TEST(EstimateCalibration, CoefficientsArePhysical) {
  const Coefficients& c = calibrated_coefficients();
  // Three tree levels per cycle at 5 ns / 27% is the reference's own description.
  EXPECT_NEAR(c.tree_levels_per_ns * 3.65, 3.0, 0.5);
  for (double value : {c.cycles_per_slot, c.stage_handoff_cycles, c.stream_row_overhead_cycles,
                       c.stream_serial_fraction, c.lut_per_reduce_bit, c.lut_per_slot_unit,
                       c.lut_per_dense_unit, c.ff_per_slot_unit, c.ff_per_fixed_unit, c.ff_per_reduce_unit}) {
    EXPECT_GT(value, 0);
  }
  EXPECT_GT(c.dense_dsp_fraction, 0);
  EXPECT_LE(c.dense_dsp_fraction, 1);
  EXPECT_LE(c.stream_serial_fraction, 1);
}

TEST(EstimateCalibration, PublishedTotalsAgreeWithTheirStages) {
  // The reference's per-stage cycles plus 10-11 cycles of top-level overhead make the totals.
  double mnist_stages = 0, jets_stages = 0;
  for (const PublishedStage& stage : published_stages()) {
    (stage.design_id == "mnist-8bit-sparse-l" ? mnist_stages : jets_stages) += stage.cycles;
  }
  EXPECT_EQ(mnist_stages, 135);
  EXPECT_EQ(jets_stages, 130);
}

}  // namespace
}  // namespace sparsepixels::estimate

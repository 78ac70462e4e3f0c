#include "sparsepixels/estimate/calibration.h"

#include <fmt/format.h>
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <map>

#include "model_terms.h"
#include "sparsepixels/error.h"

namespace sparsepixels::estimate {

namespace {

using detail::DesignTerms;
using detail::Member;
using detail::Term;

struct Observation {
  Term term;
  double target = 0;
  double weight = 1;
};

/// Weighted least squares for `members`, all other coefficients held at their current values.
void solve(const std::vector<Member>& members, const std::vector<Observation>& observations,
           Coefficients& coefficients) {
  if (observations.size() < members.size()) {
    throw Error(fmt::format("estimator calibration: {} observations for {} coefficients", observations.size(),
                            members.size()));
  }
  Coefficients without = coefficients;
  for (Member member : members) without.*member = 0;
  Eigen::MatrixXd matrix(observations.size(), members.size());
  Eigen::VectorXd right(observations.size());
  for (std::size_t row = 0; row < observations.size(); ++row) {
    const Observation& observation = observations[row];
    for (std::size_t column = 0; column < members.size(); ++column) {
      matrix(row, column) = observation.weight * observation.term.factor_of(members[column]);
    }
    right(row) = observation.weight * (observation.target - observation.term.evaluate(without));
  }
  const Eigen::VectorXd solution = matrix.colPivHouseholderQr().solve(right);
  for (std::size_t column = 0; column < members.size(); ++column)
    coefficients.*members[column] = solution(column);
}

DesignSpec reduction_design(int pixels, int n_active) {
  // Any H x W with the published pixel count: only H*W enters the reduction model.
  static const std::map<int, std::pair<int, int>> shapes = {{100, {10, 10}},  {200, {10, 20}},
                                                            {300, {15, 20}},  {1000, {25, 40}},
                                                            {2000, {40, 50}}, {3000, {50, 60}}};
  const auto found = shapes.find(pixels);
  if (found == shapes.end())
    throw Error(fmt::format("estimator calibration: no shape for {} pixels", pixels));
  DesignSpec design;
  design.name = fmt::format("reduce-{}px-N{}", pixels, n_active);
  design.height = found->second.first;
  design.width = found->second.second;
  design.n_active = n_active;
  design.input_bits = 8;
  design.layers = {relu_layer("relu")};
  return design;
}

DesignSpec conv_dsp_design(int n_active) {
  DesignSpec design;
  design.name = fmt::format("conv16-N{}", n_active);
  design.height = 32;
  design.width = 32;
  design.n_active = n_active;
  design.input_bits = 16;
  design.layers = {conv_layer("conv", 3, 1, 16, 16)};
  return design;
}

const PublishedDesign& design_by_id(const std::string& id) {
  for (const PublishedDesign& published : published_designs()) {
    if (published.id == id) return published;
  }
  throw Error("estimator calibration: no published design '" + id + "'");
}

bool has_dsp_stage(const Term& term) {
  return term.factor_of(&Coefficients::dsp_stage_extra_cycles) != 0;
}

}  // namespace

bool PublishedDesign::is_fitted(const std::string& quantity) const {
  return std::find(fitted.begin(), fitted.end(), quantity) != fitted.end();
}

DesignSpec paper_design(PaperModel model, int n_active, int bits) {
  if (bits != 8 && bits != 16) throw Error(fmt::format("paper_design: bits must be 8 or 16, got {}", bits));
  if (n_active < 0) throw Error(fmt::format("paper_design: n_active must be >= 0, got {}", n_active));
  DesignSpec design;
  design.architecture = n_active > 0 ? Architecture::Sparse : Architecture::StandardStream;
  design.n_active = n_active;
  design.clock_uncertainty = n_active > 0 ? 0.27 : 0.125;
  design.input_bits = bits;
  const std::string variant = n_active == 0 ? "standard" : fmt::format("sparse-N{}", n_active);
  // Logits feed the output activation as ap_fixed<16,6> in every paper design (section 5).
  const int logits = 16;

  switch (model) {
    case PaperModel::Mnist:
      design.name = fmt::format("mnist-{}bit-{}", bits, variant);
      design.height = design.width = 48;
      design.layers = {conv_layer("conv1", 7, 1, bits, bits),
                       relu_layer("relu1"),
                       pool_layer("pool1", 4),
                       conv_layer("conv2", 5, 3, bits, bits),
                       relu_layer("relu2"),
                       pool_layer("pool2", 2),
                       flatten_layer("flatten"),
                       dense_layer("dense1", 36, bits, bits),
                       relu_layer("relu3"),
                       dense_layer("dense2", 10, bits, logits),
                       softmax_layer("softmax")};
      break;
    case PaperModel::Jets:
      design.name = fmt::format("jets-{}bit-{}", bits, variant);
      design.height = design.width = 56;
      design.layers = {conv_layer("conv1", 9, 3, bits, bits),
                       relu_layer("relu1"),
                       conv_layer("conv2", 9, 1, bits, bits),
                       relu_layer("relu2"),
                       pool_layer("pool", 4),
                       flatten_layer("flatten"),
                       dense_layer("dense1", 20, bits, bits),
                       relu_layer("relu3"),
                       dense_layer("dense2", 5, bits, logits),
                       softmax_layer("softmax")};
      break;
    case PaperModel::Neutrino:
      design.name = fmt::format("neutrino-{}bit-{}", bits, variant);
      design.height = design.width = 63;
      design.layers = {conv_layer("conv1", 7, 1, bits, bits),
                       relu_layer("relu1"),
                       conv_layer("conv2", 7, 3, bits, bits),
                       relu_layer("relu2"),
                       pool_layer("pool", 7),
                       flatten_layer("flatten"),
                       dense_layer("dense1", 16, bits, bits),
                       relu_layer("relu3"),
                       dense_layer("dense2", 1, bits, logits),
                       sigmoid_layer("sigmoid")};
      break;
  }
  // Weight types (section 5): ap_fixed<8,1> MNIST, <8,5> jets, <8,3> neutrino, <16,7> at 16 bits.
  const int weight_fraction_bits =
      bits == 16 ? 9 : (model == PaperModel::Mnist ? 7 : (model == PaperModel::Jets ? 3 : 5));
  for (StageSpec& layer : design.layers) {
    if (layer.kind == StageKind::Conv || layer.kind == StageKind::Dense)
      layer.weight_fraction_bits = weight_fraction_bits;
  }
  return design;
}

const std::vector<PublishedDesign>& published_designs() {
  // Reference section 8 (Vitis HLS 2023.1 cycles, Vivado synthesis utilization).
  static const std::vector<PublishedDesign> designs = [] {
    std::vector<PublishedDesign> list;
    const int budgets[4] = {8, 12, 16, 20};
    const char* names[4] = {"t", "s", "m", "l"};
    auto add = [&](PaperModel model, int n_active, int bits, const std::string& id,
                   std::optional<double> latency, std::optional<double> ii, std::optional<double> lut,
                   std::optional<double> ff, std::optional<double> dsp, std::vector<std::string> fitted) {
      list.push_back({id, paper_design(model, n_active, bits), latency, ii, lut, ff, dsp, std::move(fitted)});
    };
    const double mnist_latency[4] = {79, 104, 124, 146}, jets_latency[4] = {75, 97, 119, 140};
    const double sparse_ii[4] = {35, 52, 67, 84};
    const double mnist_lut[4] = {174830, 210235, 258747, 325058},
                 jets_lut[4] = {201151, 255724, 323718, 421014};
    const double mnist_ff[4] = {67772, 75175, 83874, 96859}, jets_ff[4] = {75725, 85985, 98975, 116104};
    const double mnist16_latency[4] = {81, 106, 127, 150}, jets16_latency[4] = {78, 101, 120, 143};
    const double mnist16_dsp[4] = {3249, 3547, 3969, 4507};
    for (int i = 0; i < 4; ++i) {
      add(PaperModel::Mnist, budgets[i], 8, fmt::format("mnist-8bit-sparse-{}", names[i]), mnist_latency[i],
          sparse_ii[i], mnist_lut[i], mnist_ff[i], 10.0, {"latency", "ii", "lut", "ff"});
    }
    add(PaperModel::Mnist, 0, 8, "mnist-8bit-standard", 3232, 3124, 101118, 26300, 13,
        {"latency", "ii", "lut", "ff"});
    for (int i = 0; i < 4; ++i) {
      add(PaperModel::Mnist, budgets[i], 16, fmt::format("mnist-16bit-sparse-{}", names[i]),
          mnist16_latency[i], std::nullopt, std::nullopt, std::nullopt, mnist16_dsp[i], {"latency", "dsp"});
    }
    for (int i = 0; i < 4; ++i) {
      add(PaperModel::Jets, budgets[i], 8, fmt::format("jets-8bit-sparse-{}", names[i]), jets_latency[i],
          sparse_ii[i], jets_lut[i], jets_ff[i], 5.0, {});
    }
    add(PaperModel::Jets, 0, 8, "jets-8bit-standard", 8390, 4340, 59614, 26609, 6, {"latency"});
    for (int i = 0; i < 4; ++i) {
      add(PaperModel::Jets, budgets[i], 16, fmt::format("jets-16bit-sparse-{}", names[i]), jets16_latency[i],
          std::nullopt, std::nullopt, std::nullopt, std::nullopt, {});
    }
    add(PaperModel::Neutrino, 0, 8, "neutrino-8bit-standard", 9733, 5029, std::nullopt, std::nullopt,
        std::nullopt, {});
    add(PaperModel::Neutrino, 20, 8, "neutrino-8bit-sparse-l", 133, 84, std::nullopt, std::nullopt,
        std::nullopt, {});
    return list;
  }();
  return designs;
}

const std::vector<PublishedReduction>& published_reductions() {
  static const std::vector<PublishedReduction> points = [] {
    struct Row {
      int pixels;
      double latency[6];
      double lut;
      bool fit;
    };
    // Fit rows span the depth range (7, 8 and 12 tree levels); 300, 1000 and 2000 are held out.
    const Row rows[6] = {
        {100, {12, 22, 32, 42, 52, 62}, 2300, true},    {200, {12, 23, 33, 43, 53, 63}, 4800, true},
        {300, {17, 32, 47, 62, 77, 92}, 6600, false},   {1000, {17, 32, 47, 62, 77, 92}, 23000, false},
        {2000, {17, 33, 48, 63, 78, 93}, 49000, false}, {3000, {22, 42, 62, 82, 102, 122}, 65000, true}};
    std::vector<PublishedReduction> list;
    for (const Row& row : rows) {
      for (int i = 0; i < 6; ++i) {
        PublishedReduction point;
        point.pixels = row.pixels;
        point.n_active = 5 * (i + 1);
        point.latency = row.latency[i];
        if (i == 0) point.lut = row.lut;
        point.fit = row.fit;
        list.push_back(point);
      }
    }
    return list;
  }();
  return points;
}

const std::vector<PublishedConvDsp>& published_conv_dsp() {
  static const std::vector<PublishedConvDsp> points = {{5, 25},   {10, 100}, {15, 225},
                                                       {20, 400}, {25, 625}, {30, 900}};
  return points;
}

const std::vector<PublishedStage>& published_stages() {
  // The reduction stages (index -1) are not fitted: the reduction is calibrated on the scaling study.
  static const std::vector<PublishedStage> stages = {
      {"mnist-8bit-sparse-l", -1, 83, false}, {"mnist-8bit-sparse-l", 0, 9, true},
      {"mnist-8bit-sparse-l", 2, 7, true},    {"mnist-8bit-sparse-l", 3, 9, true},
      {"mnist-8bit-sparse-l", 5, 8, true},    {"mnist-8bit-sparse-l", 6, 7, true},
      {"mnist-8bit-sparse-l", 7, 4, true},    {"mnist-8bit-sparse-l", 9, 2, true},
      {"mnist-8bit-sparse-l", 10, 6, true},   {"jets-8bit-sparse-l", -1, 83, false},
      {"jets-8bit-sparse-l", 0, 9, false},    {"jets-8bit-sparse-l", 2, 12, false},
      {"jets-8bit-sparse-l", 4, 7, false},    {"jets-8bit-sparse-l", 5, 8, false},
      {"jets-8bit-sparse-l", 6, 4, false},    {"jets-8bit-sparse-l", 8, 2, false},
      {"jets-8bit-sparse-l", 9, 5, false},
  };
  return stages;
}

Coefficients fit_coefficients() {
  Coefficients coefficients;
  // Assumed, not fitted: a sigmoid is an index computation and one table read (no published stage).
  coefficients.sigmoid_cycles = 2;

  // 1. Tree levels per cycle and level offset: grid search on the fit rows of the scaling study;
  //    ties go to the reference's "about three levels per 5 ns cycle".
  double best_error = 1e300, best_levels = 0, best_offset = 0;
  for (double levels = 1.0; levels <= 6.0 + 1e-9; levels += 0.25) {
    for (int offset = -6; offset <= 6; ++offset) {
      Coefficients trial = coefficients;
      trial.tree_levels_per_ns = levels / detail::kReferenceEffectivePeriodNs;
      trial.tree_level_offset = offset;
      std::vector<double> residuals;
      for (const PublishedReduction& point : published_reductions()) {
        if (!point.fit) continue;
        const DesignSpec design = reduction_design(point.pixels, point.n_active);
        residuals.push_back(point.latency -
                            detail::reduction_cycles_per_slot(point.pixels, design, trial) * point.n_active);
      }
      double mean = 0;
      for (double residual : residuals) mean += residual / residuals.size();
      double error = 0;
      for (double residual : residuals) error += (residual - mean) * (residual - mean);
      const bool better =
          error < best_error - 1e-9 ||
          (std::abs(error - best_error) <= 1e-9 &&
           (std::abs(levels - 3) < std::abs(best_levels - 3) ||
            (std::abs(levels - 3) == std::abs(best_levels - 3) && std::abs(offset) < std::abs(best_offset))));
      if (better) {
        best_error = error;
        best_levels = levels;
        best_offset = offset;
      }
    }
  }
  coefficients.tree_levels_per_ns = best_levels / detail::kReferenceEffectivePeriodNs;
  coefficients.tree_level_offset = best_offset;

  // 2. Cycles of the reduction beyond II_slot * N.
  {
    std::vector<Observation> observations;
    for (const PublishedReduction& point : published_reductions()) {
      if (!point.fit) continue;
      const DesignTerms terms =
          detail::build_terms(reduction_design(point.pixels, point.n_active), coefficients);
      observations.push_back({terms.layers.front().latency, point.latency, 1});
    }
    solve({&Coefficients::reduce_extra_cycles}, observations, coefficients);
  }

  // 3. Design II beyond the reduction latency.
  {
    std::vector<Observation> observations;
    for (const PublishedDesign& published : published_designs()) {
      if (published.design.architecture != Architecture::Sparse || !published.ii ||
          !published.is_fitted("ii"))
        continue;
      observations.push_back({detail::build_terms(published.design, coefficients).ii, *published.ii, 1});
    }
    solve({&Coefficients::design_ii_extra_cycles}, observations, coefficients);
  }

  // 4. Stage latencies: the per-stage breakdown and the totals of the fitted designs without DSP stages.
  {
    std::vector<Observation> observations;
    for (const PublishedStage& stage : published_stages()) {
      if (!stage.fit || stage.layer_index < 0) continue;
      const DesignTerms terms = detail::build_terms(design_by_id(stage.design_id).design, coefficients);
      observations.push_back({terms.layers.at(stage.layer_index + 1).latency, stage.cycles, 1});
    }
    for (const PublishedDesign& published : published_designs()) {
      if (published.design.architecture != Architecture::Sparse || !published.is_fitted("latency")) continue;
      const DesignTerms terms = detail::build_terms(published.design, coefficients);
      if (has_dsp_stage(terms.latency)) continue;
      observations.push_back({terms.latency, *published.latency, 1});
    }
    solve({&Coefficients::cycles_per_slot, &Coefficients::conv_base_cycles, &Coefficients::pool_base_cycles,
           &Coefficients::flatten_base_cycles, &Coefficients::cycles_per_channel_level,
           &Coefficients::dense_base_cycles, &Coefficients::dense_cycles_per_level,
           &Coefficients::softmax_base_cycles, &Coefficients::stage_handoff_cycles},
          observations, coefficients);
  }

  // 5. Extra cycles of stages whose multipliers are DSPs: the fitted 16-bit totals.
  {
    std::vector<Observation> observations;
    for (const PublishedDesign& published : published_designs()) {
      if (published.design.architecture != Architecture::Sparse || !published.is_fitted("latency")) continue;
      const DesignTerms terms = detail::build_terms(published.design, coefficients);
      if (!has_dsp_stage(terms.latency)) continue;
      observations.push_back({terms.latency, *published.latency, 1});
    }
    solve({&Coefficients::dsp_stage_extra_cycles}, observations, coefficients);
  }

  // 6. Streaming baseline: row overhead from the fitted II, then the serial share and tail from latencies.
  {
    std::vector<Observation> observations;
    for (const PublishedDesign& published : published_designs()) {
      if (published.design.architecture != Architecture::StandardStream || !published.is_fitted("ii"))
        continue;
      observations.push_back({detail::build_terms(published.design, coefficients).ii, *published.ii, 1});
    }
    solve({&Coefficients::stream_row_overhead_cycles}, observations, coefficients);
    observations.clear();
    for (const PublishedDesign& published : published_designs()) {
      if (published.design.architecture != Architecture::StandardStream || !published.is_fitted("latency"))
        continue;
      observations.push_back(
          {detail::build_terms(published.design, coefficients).latency, *published.latency, 1});
    }
    solve({&Coefficients::stream_serial_fraction, &Coefficients::stream_tail_cycles}, observations,
          coefficients);
  }

  // 7. LUT: reduction per input bit, then the sparse layers and the dense head, then the stream convs.
  //    Resource fits weight each point by 1 / published, i.e. they minimize relative errors.
  {
    std::vector<Observation> observations;
    for (const PublishedReduction& point : published_reductions()) {
      if (!point.fit || !point.lut) continue;
      const DesignTerms terms =
          detail::build_terms(reduction_design(point.pixels, point.n_active), coefficients);
      observations.push_back({terms.layers.front().lut, *point.lut, 1.0 / *point.lut});
    }
    solve({&Coefficients::lut_per_reduce_bit}, observations, coefficients);
  }
  auto fit_resource = [&](std::vector<Architecture> architectures, const char* quantity,
                          std::optional<double> PublishedDesign::*field, const std::vector<Member>& members) {
    std::vector<Observation> observations;
    for (const PublishedDesign& published : published_designs()) {
      const bool included = std::find(architectures.begin(), architectures.end(),
                                      published.design.architecture) != architectures.end();
      if (!included || !(published.*field) || !published.is_fitted(quantity)) continue;
      const DesignTerms terms = detail::build_terms(published.design, coefficients);
      Term total;
      for (const detail::LayerTerms& layer : terms.layers) {
        if (std::string(quantity) == "lut") total += layer.lut;
        if (std::string(quantity) == "ff") total += layer.ff;
        if (std::string(quantity) == "dsp") total += layer.dsp;
      }
      const double target = *(published.*field);
      observations.push_back({total, target, 1.0 / target});
    }
    solve(members, observations, coefficients);
  };
  // 9. DSP first: the share of wide constant-weight multipliers HLS puts on DSPs (the rest stay in
  //    fabric as shifts and adds), which the unit counts of wide constant multipliers depend on.
  fit_resource({Architecture::Sparse}, "dsp", &PublishedDesign::dsp, {&Coefficients::dense_dsp_fraction});
  fit_resource({Architecture::Sparse, Architecture::StandardStream}, "lut", &PublishedDesign::lut,
               {&Coefficients::lut_per_slot_unit, &Coefficients::lut_per_dense_unit});
  // 8. FF: the reduction tree and the dense head are constant across the fitted sparse designs; the
  //    standard design (dense head, no reduction; its convs share the slot-logic coefficient) separates them.
  fit_resource(
      {Architecture::Sparse, Architecture::StandardStream}, "ff", &PublishedDesign::ff,
      {&Coefficients::ff_per_slot_unit, &Coefficients::ff_per_fixed_unit, &Coefficients::ff_per_reduce_unit});
  return coefficients;
}

const Coefficients& calibrated_coefficients() {
  static const Coefficients coefficients = fit_coefficients();
  return coefficients;
}

std::vector<ValidationRow> validation_rows(const Coefficients& coefficients) {
  std::vector<ValidationRow> rows;
  for (const PublishedDesign& published : published_designs()) {
    const DesignEstimate estimate = estimate_design(published.design, coefficients);
    auto add = [&](const char* quantity, const std::optional<double>& value, double estimated) {
      if (value) rows.push_back({published.id, quantity, *value, estimated, published.is_fitted(quantity)});
    };
    add("latency", published.latency, static_cast<double>(estimate.latency_cycles));
    add("ii", published.ii, static_cast<double>(estimate.ii_cycles));
    add("lut", published.lut, estimate.resources.lut);
    add("ff", published.ff, estimate.resources.ff);
    add("dsp", published.dsp, estimate.resources.dsp);
  }
  for (const PublishedStage& stage : published_stages()) {
    const PublishedDesign& published = design_by_id(stage.design_id);
    const DesignEstimate estimate = estimate_design(published.design, coefficients);
    const LayerEstimate& layer = estimate.layers.at(stage.layer_index + 1);
    rows.push_back({stage.design_id + "/" + layer.name, "stage", stage.cycles,
                    static_cast<double>(layer.latency_cycles), stage.fit});
  }
  for (const PublishedReduction& point : published_reductions()) {
    const DesignEstimate estimate =
        estimate_design(reduction_design(point.pixels, point.n_active), coefficients);
    const std::string id = fmt::format("reduce-{}px-N{}", point.pixels, point.n_active);
    rows.push_back({id, "latency", point.latency, static_cast<double>(estimate.layers.front().latency_cycles),
                    point.fit});
    if (point.lut) rows.push_back({id, "lut", *point.lut, estimate.layers.front().resources.lut, point.fit});
  }
  {
    // "About 47 LUT per input pixel at 16 bit" (section 8): not used by the fit (8-bit points only).
    DesignSpec design = reduction_design(3000, 20);
    design.input_bits = 16;
    const DesignEstimate estimate = estimate_design(design, coefficients);
    rows.push_back(
        {"reduce-16bit-per-pixel", "lut", 47.0, estimate.layers.front().resources.lut / 3000.0, false});
  }
  for (const PublishedConvDsp& point : published_conv_dsp()) {
    const DesignEstimate estimate = estimate_design(conv_dsp_design(point.n_active), coefficients);
    rows.push_back(
        {fmt::format("conv16-N{}", point.n_active), "dsp", point.dsp, estimate.resources.dsp, false});
  }
  return rows;
}

std::string format_validation_table(const std::vector<ValidationRow>& rows) {
  std::string text = fmt::format("{:<34} {:<8} {:<8} {:>12} {:>12} {:>8}\n", "design", "quantity", "set",
                                 "published", "estimated", "error");
  for (const ValidationRow& row : rows) {
    text +=
        fmt::format("{:<34} {:<8} {:<8} {:>12.0f} {:>12.0f} {:>+7.1f}%\n", row.id, row.quantity,
                    row.fit ? "fit" : "held-out", row.published, row.estimated, 100.0 * row.relative_error());
  }
  text += "\nsummary (mean and max |error|):\n";
  for (const char* quantity : {"latency", "ii", "stage", "lut", "ff", "dsp"}) {
    for (bool fit : {true, false}) {
      int count = 0;
      double sum = 0, worst = 0;
      for (const ValidationRow& row : rows) {
        if (row.quantity != quantity || row.fit != fit) continue;
        const double error = std::abs(row.relative_error());
        ++count;
        sum += error;
        worst = std::max(worst, error);
      }
      if (count == 0) continue;
      text += fmt::format("  {:<8} {:<8} n={:<3} mean {:5.1f}%  max {:5.1f}%\n", quantity,
                          fit ? "fit" : "held-out", count, 100.0 * sum / count, 100.0 * worst);
    }
  }
  return text;
}

}  // namespace sparsepixels::estimate

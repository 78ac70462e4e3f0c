#pragma once

// Internal: the estimator's formulas as terms linear in the calibrated coefficients, so that the
// estimate and the calibration fit share one statement of the model.

#include <string>
#include <utility>
#include <vector>

#include "sparsepixels/estimate/design.h"
#include "sparsepixels/estimate/estimator.h"

namespace sparsepixels::estimate::detail {

/// The effective clock period the published sparse designs were synthesized for: 5 ns, 27% uncertainty.
inline constexpr double kReferenceEffectivePeriodNs = 5.0 * (1.0 - 0.27);

/// A coefficient of the model, named by its member.
using Member = double Coefficients::*;

/// constant + sum of factor * coefficient.
struct Term {
  double constant = 0;
  std::vector<std::pair<Member, double>> parts;

  Term& add(double value) {
    constant += value;
    return *this;
  }
  Term& add(Member member, double factor) {
    parts.emplace_back(member, factor);
    return *this;
  }
  Term& operator+=(const Term& other) {
    constant += other.constant;
    parts.insert(parts.end(), other.parts.begin(), other.parts.end());
    return *this;
  }
  Term& scale(double factor) {
    constant *= factor;
    for (auto& part : parts) part.second *= factor;
    return *this;
  }
  double evaluate(const Coefficients& coefficients) const {
    double value = constant;
    for (const auto& [member, factor] : parts) value += coefficients.*member * factor;
    return value;
  }
  /// The factor multiplying `member` (summed over parts).
  double factor_of(Member member) const {
    double factor = 0;
    for (const auto& [part_member, part_factor] : parts) {
      if (part_member == member) factor += part_factor;
    }
    return factor;
  }
};

/// One layer's (or the top-level overhead's) terms.
struct LayerTerms {
  std::string name;
  std::string kind;
  Term latency;
  Term ii;
  Term lut;
  Term ff;
  Term dsp;
  double bram36 = 0;
};

/// A design's terms. For sparse designs the latency is the sum of the rounded layer latencies;
/// for standard designs it is `latency` (layers then show standalone figures).
struct DesignTerms {
  std::vector<LayerTerms> layers;
  Term latency;  ///< unrounded total
  Term ii;
  bool latency_is_layer_sum = true;
};

/// Builds the terms of `design`. Non-linear parts (tree depth per cycle, stream row time) are
/// evaluated with the values already in `coefficients`.
DesignTerms build_terms(const DesignSpec& design, const Coefficients& coefficients);

/// Cycles per selected slot of the input-reduction tree for `pixels` inputs.
int reduction_cycles_per_slot(int pixels, const DesignSpec& design, const Coefficients& coefficients);

}  // namespace sparsepixels::estimate::detail

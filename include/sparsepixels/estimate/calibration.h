#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sparsepixels/estimate/design.h"
#include "sparsepixels/estimate/estimator.h"

namespace sparsepixels::estimate {

/// The three reference models of section 4.
enum class PaperModel { Mnist, Jets, Neutrino };

/// The reference model `model` as a design: sparse with budget N (or standard when N == 0),
/// at 8 or 16 bits with the precisions of section 5.
DesignSpec paper_design(PaperModel model, int n_active, int bits);

/// One design's published synthesis numbers (reference section 8); absent fields were not published.
struct PublishedDesign {
  std::string id;  ///< e.g. "mnist-8bit-sparse-t"
  DesignSpec design;
  std::optional<double> latency, ii, lut, ff, dsp;
  std::vector<std::string>
      fitted;  ///< quantities used by the calibration ("latency", "lut"...); the rest is held out
  bool is_fitted(const std::string& quantity) const;
};

/// One point of the input-reduction scaling study (8-bit, C = 1).
struct PublishedReduction {
  int pixels = 0;
  int n_active = 0;
  double latency = 0;
  std::optional<double> lut;  ///< published once per pixel count (about; independent of N)
  bool fit = false;
};

/// One conv-only point of the DSP scaling study (16-bit, C = F = 1): DSP = N^2.
struct PublishedConvDsp {
  int n_active = 0;
  double dsp = 0;
};

/// One stage of a published per-stage latency breakdown (8-bit sparse-l).
struct PublishedStage {
  std::string design_id;
  int layer_index = 0;  ///< index in the design's layer list; -1 = input reduction
  double cycles = 0;
  bool fit = false;
};

const std::vector<PublishedDesign>& published_designs();
const std::vector<PublishedReduction>& published_reductions();
const std::vector<PublishedConvDsp>& published_conv_dsp();
const std::vector<PublishedStage>& published_stages();

/// Fits the model's coefficients on the points marked `fit` (procedure: docs/estimator.md).
Coefficients fit_coefficients();

/// A quantity of one published point, its estimate and the relative error.
struct ValidationRow {
  std::string id;
  std::string quantity;  ///< "latency", "ii", "lut", "ff", "dsp"
  double published = 0;
  double estimated = 0;
  bool fit = false;
  double relative_error() const { return (estimated - published) / published; }
};

/// Every published quantity beside its estimate with the given coefficients.
std::vector<ValidationRow> validation_rows(const Coefficients& coefficients = calibrated_coefficients());

/// The rows as a text table with errors, and a summary of held-out errors per quantity.
std::string format_validation_table(const std::vector<ValidationRow>& rows);

}  // namespace sparsepixels::estimate

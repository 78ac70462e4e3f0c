#pragma once
// Classification metrics: accuracy, confusion matrix, exact ROC curves and AUC (docs/evaluation.md).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sparsepixels::eval {

/// One point of a ROC curve: events with score >= threshold are called positive.
struct RocPoint {
  double false_positive_rate = 0;
  double true_positive_rate = 0;
  double threshold = 0;
};

/// A ROC curve with one point per distinct score (descending), preceded by (0, 0) at threshold +inf,
/// and its exact area: the Mann-Whitney statistic, tied positive/negative pairs counting 1/2.
/// When the events hold only one of the two classes the curve is empty, `auc` is unset and
/// `undefined_reason` says why.
struct RocCurve {
  std::size_t positives = 0, negatives = 0;
  std::vector<RocPoint> points;
  std::optional<double> auc;
  std::string undefined_reason;
};

/// Fraction of events whose predicted class equals the label. Throws sparsepixels::Error if the
/// sizes differ or there are no events.
double accuracy(const std::vector<std::int32_t>& labels, const std::vector<std::int32_t>& predicted);

/// counts[true class][predicted class] over all events. Throws sparsepixels::Error if the sizes
/// differ or a label or prediction is outside [0, classes).
std::vector<std::vector<std::size_t>> confusion_matrix(const std::vector<std::int32_t>& labels,
                                                       const std::vector<std::int32_t>& predicted,
                                                       std::size_t classes);

/// The class each event is assigned from the model outputs (events x output_size, event-major):
/// one output (a sigmoid) gives class 1 when the output is > 0.5, else 0; several outputs give the
/// index of the largest (the first one on ties).
std::vector<std::int32_t> predicted_classes(const std::vector<double>& outputs, std::size_t output_size);

/// The ROC curve of `scores` for telling events labelled `positive_label` from all others.
/// Throws sparsepixels::Error if the sizes differ or a score is not finite (naming the event).
RocCurve roc_curve(const std::vector<double>& scores, const std::vector<std::int32_t>& labels,
                   std::int32_t positive_label);

/// One-vs-rest ROC curves, one per class, from `outputs` (events x classes, event-major): class k's
/// score is output k.
std::vector<RocCurve> one_vs_rest(const std::vector<double>& outputs, std::size_t classes,
                                  const std::vector<std::int32_t>& labels);

/// Writes a ROC curve as CSV with the header "fpr,tpr,threshold" (the first threshold is "inf"), to a
/// temporary name, then renames it.
void write_roc_csv(const RocCurve& curve, const std::string& path);

/// Writes a confusion matrix as CSV: a header "true/predicted,<class names>", then one row per true
/// class, to a temporary name, then renames it.
void write_confusion_csv(const std::vector<std::vector<std::size_t>>& counts,
                         const std::vector<std::string>& class_names, const std::string& path);

}  // namespace sparsepixels::eval

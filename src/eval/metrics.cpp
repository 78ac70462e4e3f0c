#include "sparsepixels/eval/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>

#include "sparsepixels/error.h"
#include "sparsepixels/util/atomic_file.h"

namespace sparsepixels::eval {

double accuracy(const std::vector<std::int32_t>& labels, const std::vector<std::int32_t>& predicted) {
  if (labels.size() != predicted.size()) {
    throw Error(fmt::format("accuracy: {} labels but {} predictions", labels.size(), predicted.size()));
  }
  if (labels.empty()) throw Error("accuracy: no events");
  std::size_t correct = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) correct += labels[i] == predicted[i] ? 1 : 0;
  return static_cast<double>(correct) / static_cast<double>(labels.size());
}

std::vector<std::vector<std::size_t>> confusion_matrix(const std::vector<std::int32_t>& labels,
                                                       const std::vector<std::int32_t>& predicted,
                                                       std::size_t classes) {
  if (labels.size() != predicted.size()) {
    throw Error(
        fmt::format("confusion matrix: {} labels but {} predictions", labels.size(), predicted.size()));
  }
  std::vector<std::vector<std::size_t>> counts(classes, std::vector<std::size_t>(classes, 0));
  const auto in_range = [classes](std::int32_t value) {
    return value >= 0 && static_cast<std::size_t>(value) < classes;
  };
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!in_range(labels[i])) {
      throw Error(fmt::format("confusion matrix: label {} of event {} is not a class in [0, {})", labels[i],
                              i, classes));
    }
    if (!in_range(predicted[i])) {
      throw Error(fmt::format("confusion matrix: prediction {} of event {} is not a class in [0, {})",
                              predicted[i], i, classes));
    }
    ++counts[labels[i]][predicted[i]];
  }
  return counts;
}

std::vector<std::int32_t> predicted_classes(const std::vector<double>& outputs, std::size_t output_size) {
  if (output_size == 0 || outputs.size() % output_size != 0) {
    throw Error(fmt::format("predicted classes: {} outputs are not a whole number of events of {} outputs",
                            outputs.size(), output_size));
  }
  const std::size_t events = outputs.size() / output_size;
  std::vector<std::int32_t> classes(events);
  for (std::size_t e = 0; e < events; ++e) {
    const double* row = outputs.data() + e * output_size;
    if (output_size == 1) {
      classes[e] = row[0] > 0.5 ? 1 : 0;
    } else {
      // max_element returns the first of equal maxima, the documented tie rule.
      classes[e] = static_cast<std::int32_t>(std::max_element(row, row + output_size) - row);
    }
  }
  return classes;
}

RocCurve roc_curve(const std::vector<double>& scores, const std::vector<std::int32_t>& labels,
                   std::int32_t positive_label) {
  if (scores.size() != labels.size()) {
    throw Error(fmt::format("ROC curve: {} scores but {} labels", scores.size(), labels.size()));
  }
  // 2 * positives * negatives must fit in 64 bits for the exact pair count.
  if (scores.size() >= (std::size_t{1} << 32)) throw Error("ROC curve: more than 2^32 events");
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (!std::isfinite(scores[i]))
      throw Error(fmt::format("ROC curve: score of event {} is {}", i, scores[i]));
  }
  RocCurve curve;
  for (const std::int32_t label : labels) (label == positive_label ? curve.positives : curve.negatives) += 1;
  if (curve.positives == 0 || curve.negatives == 0) {
    curve.undefined_reason = fmt::format("no {} events (label {} {}): the ROC curve and AUC are undefined",
                                         curve.positives == 0 ? "positive" : "negative", positive_label,
                                         curve.positives == 0 ? "never occurs" : "is the only one");
    return curve;
  }
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(),
            [&scores](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });

  const double positives = static_cast<double>(curve.positives);
  const double negatives = static_cast<double>(curve.negatives);
  curve.points.push_back({0.0, 0.0, std::numeric_limits<double>::infinity()});
  // Twice the Mann-Whitney count: each negative scored below a positive counts 2, each tie 1.
  std::uint64_t twice_pairs = 0;
  std::uint64_t true_positives = 0, false_positives = 0;
  for (std::size_t start = 0; start < order.size();) {
    const double threshold = scores[order[start]];
    std::uint64_t group_positives = 0, group_negatives = 0;
    std::size_t end = start;
    for (; end < order.size() && scores[order[end]] == threshold; ++end) {
      (labels[order[end]] == positive_label ? group_positives : group_negatives) += 1;
    }
    // The negatives of this group rank below every positive seen so far and tie with this group's.
    twice_pairs += group_negatives * (2 * true_positives + group_positives);
    true_positives += group_positives;
    false_positives += group_negatives;
    curve.points.push_back({static_cast<double>(false_positives) / negatives,
                            static_cast<double>(true_positives) / positives, threshold});
    start = end;
  }
  curve.auc = static_cast<double>(twice_pairs) / (2.0 * positives * negatives);
  return curve;
}

std::vector<RocCurve> one_vs_rest(const std::vector<double>& outputs, std::size_t classes,
                                  const std::vector<std::int32_t>& labels) {
  if (classes == 0 || outputs.size() != labels.size() * classes) {
    throw Error(fmt::format("one-vs-rest ROC: {} outputs for {} events of {} classes", outputs.size(),
                            labels.size(), classes));
  }
  std::vector<RocCurve> curves;
  std::vector<double> scores(labels.size());
  for (std::size_t k = 0; k < classes; ++k) {
    for (std::size_t e = 0; e < labels.size(); ++e) scores[e] = outputs[e * classes + k];
    curves.push_back(roc_curve(scores, labels, static_cast<std::int32_t>(k)));
  }
  return curves;
}

void write_roc_csv(const RocCurve& curve, const std::string& path) {
  std::ostringstream text;
  text << "fpr,tpr,threshold\n";
  for (const RocPoint& point : curve.points) {
    // {:.17g} round-trips every double exactly.
    text << fmt::format(
        "{:.17g},{:.17g},{}\n", point.false_positive_rate, point.true_positive_rate,
        std::isinf(point.threshold) ? std::string("inf") : fmt::format("{:.17g}", point.threshold));
  }
  util::write_file_atomically(path, text.str());
}

void write_confusion_csv(const std::vector<std::vector<std::size_t>>& counts,
                         const std::vector<std::string>& class_names, const std::string& path) {
  if (counts.size() != class_names.size()) {
    throw Error(fmt::format("{}: {} class names for a {}x{} confusion matrix", path, class_names.size(),
                            counts.size(), counts.size()));
  }
  // Class names are quoted as CSV fields so commas in them keep the columns aligned.
  const auto quoted = [](const std::string& name) {
    std::string field = "\"";
    for (const char c : name) field += c == '"' ? std::string("\"\"") : std::string(1, c);
    return field + "\"";
  };
  std::ostringstream text;
  text << "true/predicted";
  for (const std::string& name : class_names) text << "," << quoted(name);
  text << "\n";
  for (std::size_t i = 0; i < counts.size(); ++i) {
    text << quoted(class_names[i]);
    for (const std::size_t count : counts[i]) text << "," << count;
    text << "\n";
  }
  util::write_file_atomically(path, text.str());
}

}  // namespace sparsepixels::eval

#include "sparsepixels/eval/evaluation.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/error.h"
#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/util/atomic_file.h"

namespace sparsepixels::eval {
namespace {

// Adds one chunk's layer statistics to the running totals of the split.
void merge_ranges(const std::vector<inference::LayerProfile>& part, std::vector<LayerRange>& total) {
  for (std::size_t i = 0; i < part.size() && i < total.size(); ++i) {
    const inference::LayerProfile& chunk = part[i];
    LayerRange& range = total[i];
    if (chunk.values > 0) {
      range.min_value = range.values == 0 ? chunk.min_value : std::min(range.min_value, chunk.min_value);
      range.max_value = range.values == 0 ? chunk.max_value : std::max(range.max_value, chunk.max_value);
    }
    range.values += chunk.values;
    range.nonzero += chunk.nonzero;
    range.out_of_range += chunk.out_of_range;
  }
}

// A class name made safe for a file name: letters, digits, '-' and '_' kept, the rest '_'.
std::string file_safe(const std::string& name) {
  std::string safe;
  for (const char c : name) {
    const bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    safe += keep ? c : '_';
  }
  return safe;
}

nlohmann::ordered_json auc_json(const RocCurve& curve) {
  return curve.auc ? nlohmann::ordered_json(*curve.auc) : nlohmann::ordered_json(nullptr);
}

// The fields of an Evaluation known before any event runs; checks that the model's outputs fit the classes.
Evaluation start_evaluation(const model::Model& model, const std::string& model_path,
                            const std::string& data_path, const std::vector<std::string>& class_names,
                            const EvaluationOptions& options) {
  if (options.fixed && options.quantized)
    throw Error("evaluate: fixed and quantized inference exclude each other");
  Evaluation result;
  result.model_path = model_path;
  result.data_path = data_path;
  result.split = options.split;
  result.fixed = options.fixed;
  result.quantized = options.quantized;
  result.output_size = model.output_size();
  result.class_names = class_names;
  const std::size_t classes = result.class_names.size();
  const bool fits = result.output_size == 1 ? classes == 2 : result.output_size == classes;
  if (!fits) {
    throw Error(fmt::format("{}: the model has {} output{} but {} has {} classes{}", model_path,
                            result.output_size, result.output_size == 1 ? "" : "s", data_path, classes,
                            result.output_size == 1 ? " (one sigmoid output needs exactly 2)" : ""));
  }
  return result;
}

// Runs the model chunk by chunk, appending the outputs (and, for fixed inference, the layer ranges).
class Runner {
 public:
  Runner(const model::Model& model, const EvaluationOptions& options, Evaluation& result)
      : model_(model), options_(options), result_(result) {
    if (!options.fixed) return;
    fixed_model_.emplace(model);
    for (std::size_t i = 0; i < fixed_model_->layer_count(); ++i) {
      const fixed::FixedType& type = fixed_model_->result_type(i);
      LayerRange range;
      range.layer = model.resolved()[i].spec.name;
      range.result_type = type.to_string();
      range.overflow_mode = fixed::to_string(type.overflow);
      result.layer_ranges.push_back(range);
    }
  }

  void run(const float* inputs, std::size_t events) {
    if (fixed_model_) {
      const inference::FixedOutput out =
          fixed_model_->predict(inputs, events, {.threads = options_.threads, .profile = true});
      result_.outputs.insert(result_.outputs.end(), out.values.begin(), out.values.end());
      merge_ranges(out.profile, result_.layer_ranges);
    } else {
      model_.predict(inputs, events, float_outputs_, options_.quantized, options_.threads);
      result_.outputs.insert(result_.outputs.end(), float_outputs_.begin(), float_outputs_.end());
    }
  }

 private:
  const model::Model& model_;
  const EvaluationOptions& options_;
  Evaluation& result_;
  std::optional<inference::FixedModel> fixed_model_;
  std::vector<float> float_outputs_;
};

// Every metric from the labels and outputs.
void score(Evaluation& result) {
  const std::size_t classes = result.class_names.size();
  result.predicted = predicted_classes(result.outputs, result.output_size);
  result.accuracy = accuracy(result.labels, result.predicted);
  result.confusion = confusion_matrix(result.labels, result.predicted, classes);
  if (classes == 2) {
    std::vector<double> scores(result.events());
    for (std::size_t e = 0; e < scores.size(); ++e) {
      scores[e] = result.output_size == 1 ? result.outputs[e] : result.outputs[e * result.output_size + 1];
    }
    result.binary = roc_curve(scores, result.labels, 1);
  }
  if (result.output_size > 1) result.per_class = one_vs_rest(result.outputs, classes, result.labels);
}

}  // namespace

Evaluation evaluate_events(const model::Model& model, const std::string& model_label, const float* inputs,
                           const std::int32_t* labels, std::size_t events,
                           const std::vector<std::string>& class_names, const std::string& data_label,
                           const EvaluationOptions& options) {
  if (events == 0) throw Error(fmt::format("{}: no events to evaluate", data_label));
  Evaluation result = start_evaluation(model, model_label, data_label, class_names, options);
  for (std::size_t e = 0; e < events; ++e) {
    if (labels[e] < 0 || static_cast<std::size_t>(labels[e]) >= class_names.size()) {
      throw Error(fmt::format("{}: label {} of event {} is not a class index (0 to {})", data_label,
                              labels[e], e, class_names.size() - 1));
    }
  }
  result.labels.assign(labels, labels + events);
  Runner runner(model, options, result);
  const std::size_t chunk = std::max<std::size_t>(options.chunk_events, 1);
  const std::size_t event_size = model.input_shape().size();
  for (std::size_t first = 0; first < events; first += chunk) {
    runner.run(inputs + first * event_size, std::min(chunk, events - first));
  }
  score(result);
  return result;
}

namespace {}  // namespace

Evaluation evaluate(const model::Model& model, const std::string& model_path, const std::string& data_path,
                    const EvaluationOptions& options) {
  const data::DatasetInfo info = data::read_dataset_info(data_path);
  const auto split_size = info.split_sizes.find(options.split);
  if (split_size == info.split_sizes.end()) {
    throw Error(fmt::format("{}: no split '{}' (the splits are train, val, test)", data_path, options.split));
  }
  if (split_size->second == 0)
    throw Error(fmt::format("{}: split '{}' has no events", data_path, options.split));
  const spec::Shape input = model.input_shape();
  if (static_cast<std::size_t>(input.height) != info.height ||
      static_cast<std::size_t>(input.width) != info.width ||
      static_cast<std::size_t>(input.channels) != info.channels) {
    throw Error(fmt::format("{}: the model takes {}x{}x{} events but {} holds {}x{}x{}", model_path,
                            input.height, input.width, input.channels, data_path, info.height, info.width,
                            info.channels));
  }
  Evaluation result = start_evaluation(model, model_path, data_path, info.class_names, options);
  Runner runner(model, options, result);
  // At most about 64 MB of dense events a chunk (1,024 events of 512x512 would be 1 GB).
  const std::size_t event_values = std::max<std::size_t>(info.height * info.width * info.channels, 1);
  data::SplitReader reader(data_path, options.split,
                           std::clamp<std::size_t>((std::size_t{1} << 24) / event_values, 1,
                                                   std::max<std::size_t>(options.chunk_events, 1)));
  data::Split chunk;
  while (reader.next(chunk)) {
    result.labels.insert(result.labels.end(), chunk.y.begin(), chunk.y.end());
    runner.run(chunk.x.data(), chunk.size());
  }
  if (result.labels.empty())
    throw Error(fmt::format("{}: split '{}' has no events", data_path, options.split));
  score(result);
  return result;
}

bool is_evaluation_file_name(const std::string& name) {
  for (const char* fixed :
       {"metrics.json", "confusion.csv", "roc.csv", "roc.png", "roc.gp", "roc.gnuplot.log"})
    if (name == fixed) return true;
  // roc_<k>_<class>.csv, the class name made file-safe: "roc_", digits, '_', anything, ".csv".
  const std::string prefix = "roc_", suffix = ".csv";
  if (name.size() < prefix.size() + 2 + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return false;
  std::size_t i = prefix.size();
  const std::size_t digits_start = i;
  while (i < name.size() && name[i] >= '0' && name[i] <= '9') ++i;
  return i > digits_start && i < name.size() - suffix.size() && name[i] == '_';
}

EvaluationFiles write_evaluation(const Evaluation& evaluation, const std::string& folder,
                                 const PlotOptions& plot) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) throw Error(fmt::format("{}: cannot create the output folder: {}", folder, error.message()));
  const auto in_folder = [&folder](const std::string& name) {
    return (std::filesystem::path(folder) / name).string();
  };

  EvaluationFiles files;
  files.confusion_csv = in_folder("confusion.csv");
  write_confusion_csv(evaluation.confusion, evaluation.class_names, files.confusion_csv);

  std::vector<PlotSeries> series;
  if (evaluation.binary && evaluation.binary->auc) {
    const std::string path = in_folder("roc.csv");
    write_roc_csv(*evaluation.binary, path);
    files.roc_csv.push_back(path);
    if (evaluation.per_class.empty()) {
      series.push_back({fmt::format("{} vs {} (AUC {:.4f})", evaluation.class_names[1],
                                    evaluation.class_names[0], *evaluation.binary->auc),
                        path});
    }
  }
  for (std::size_t k = 0; k < evaluation.per_class.size(); ++k) {
    const RocCurve& curve = evaluation.per_class[k];
    if (!curve.auc) continue;  // an undefined curve has no points; metrics.json gives the reason
    const std::string path = in_folder(fmt::format("roc_{}_{}.csv", k, file_safe(evaluation.class_names[k])));
    write_roc_csv(curve, path);
    files.roc_csv.push_back(path);
    series.push_back({fmt::format("{} vs rest (AUC {:.4f})", evaluation.class_names[k], *curve.auc), path});
  }
  if (series.empty()) {
    files.plot_warning =
        "no ROC curve is defined (each needs events of both classes), so roc.png was not drawn";
  } else {
    PlotOptions options = plot;
    options.title =
        fmt::format("ROC, '{}' split, {} inference", evaluation.split, evaluation.fixed ? "fixed" : "float");
    const PlotResult drawn = plot_roc(series, in_folder("roc.png"), options);
    if (drawn.written) files.roc_png = in_folder("roc.png");
    files.plot_warning = drawn.warning;
  }
  files.metrics_json = in_folder("metrics.json");
  util::write_file_atomically(files.metrics_json, metrics_json(evaluation, files));
  return files;
}

std::string metrics_json(const Evaluation& evaluation, const EvaluationFiles& files) {
  nlohmann::ordered_json j;
  j["model"] = evaluation.model_path;
  j["data"] = evaluation.data_path;
  j["split"] = evaluation.split;
  j["inference"] = evaluation.fixed ? "fixed" : evaluation.quantized ? "quantized" : "float";
  j["events"] = evaluation.events();
  j["classes"] = evaluation.class_names;
  j["accuracy"] = evaluation.accuracy;
  if (evaluation.binary) {
    j["auc"] = auc_json(*evaluation.binary);
    if (!evaluation.binary->auc) j["auc_undefined_reason"] = evaluation.binary->undefined_reason;
  } else {
    j["auc"] = nullptr;
    j["auc_undefined_reason"] = fmt::format("{} classes: a single AUC is defined for two; see per_class",
                                            evaluation.class_names.size());
  }
  j["per_class"] = nlohmann::ordered_json::array();
  for (std::size_t k = 0; k < evaluation.per_class.size(); ++k) {
    const RocCurve& curve = evaluation.per_class[k];
    nlohmann::ordered_json entry{{"class", evaluation.class_names[k]},
                                 {"index", k},
                                 {"positives", curve.positives},
                                 {"negatives", curve.negatives},
                                 {"auc", auc_json(curve)}};
    if (!curve.auc) entry["undefined_reason"] = curve.undefined_reason;
    j["per_class"].push_back(entry);
  }
  j["confusion_matrix"] = {
      {"rows", "true class"}, {"columns", "predicted class"}, {"counts", evaluation.confusion}};
  if (evaluation.fixed) {
    j["layer_ranges"] = nlohmann::ordered_json::array();
    for (const LayerRange& range : evaluation.layer_ranges) {
      j["layer_ranges"].push_back({{"layer", range.layer},
                                   {"result_type", range.result_type},
                                   {"min", range.min_value},
                                   {"max", range.max_value},
                                   {"values", range.values},
                                   {"nonzero", range.nonzero},
                                   {"out_of_range", range.out_of_range},
                                   {"overflow_mode", range.overflow_mode}});
    }
  }
  j["files"] = {{"metrics", files.metrics_json},
                {"confusion", files.confusion_csv},
                {"roc_csv", files.roc_csv},
                {"roc_png", files.roc_png.empty() ? nlohmann::ordered_json(nullptr)
                                                  : nlohmann::ordered_json(files.roc_png)}};
  if (!files.plot_warning.empty()) j["plot_warning"] = files.plot_warning;
  return j.dump(2) + "\n";
}

std::string format_summary(const Evaluation& evaluation) {
  std::ostringstream text;
  text << fmt::format("model {} on the '{}' split of {}: {} events, {} inference\n", evaluation.model_path,
                      evaluation.split, evaluation.data_path, evaluation.events(),
                      evaluation.fixed ? "fixed" : "float");
  text << fmt::format("accuracy: {:.4f}\n", evaluation.accuracy);
  if (evaluation.binary) {
    text << (evaluation.binary->auc
                 ? fmt::format("AUC: {:.4f}\n", *evaluation.binary->auc)
                 : fmt::format("AUC: undefined ({})\n", evaluation.binary->undefined_reason));
  }
  if (!evaluation.per_class.empty()) {
    text << "per-class AUC (one-vs-rest):\n";
    for (std::size_t k = 0; k < evaluation.per_class.size(); ++k) {
      const RocCurve& curve = evaluation.per_class[k];
      text << fmt::format(
          "  {:>3} {:<16} {}\n", k, evaluation.class_names[k],
          curve.auc ? fmt::format("{:.4f}", *curve.auc) : "undefined: " + curve.undefined_reason);
    }
  }
  if (evaluation.fixed) {
    text << "layer output ranges (fixed-point inference):\n";
    // Columns as wide as the longest layer name and type, so long types stay aligned.
    std::size_t name_width = 5, type_width = 11;
    for (const LayerRange& range : evaluation.layer_ranges) {
      name_width = std::max(name_width, range.layer.size());
      type_width = std::max(type_width, range.result_type.size());
    }
    text << fmt::format("  {:<{}} {:<{}} {:>12} {:>12} {:>12} {:>18}\n", "layer", name_width, "result type",
                        type_width, "min", "max", "nonzero", "out of range");
    for (const LayerRange& range : evaluation.layer_ranges) {
      const std::string out_of_range =
          range.out_of_range == 0
              ? std::string("0")
              : fmt::format("{} ({})", range.out_of_range,
                            range.overflow_mode.rfind("AP_WRAP", 0) == 0 ? "wrapped" : "saturated");
      text << fmt::format("  {:<{}} {:<{}} {:>12.6g} {:>12.6g} {:>12} {:>18}\n", range.layer, name_width,
                          range.result_type, type_width, range.min_value, range.max_value, range.nonzero,
                          out_of_range);
    }
  }
  return text.str();
}

}  // namespace sparsepixels::eval

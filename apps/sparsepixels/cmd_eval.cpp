// `sparsepixels eval MODEL --data FILE [--split S] [--fixed | --quantized] [--out DIR] [--json FILE]`.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "command.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/error.h"
#include "sparsepixels/eval/evaluation.h"
#include "sparsepixels/limits.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/util/atomic_file.h"
#include "sparsepixels/util/progress.h"

namespace sparsepixels::cli {
namespace {

struct EvalArguments {
  std::string model, data, split = "test", out = "eval", json;
  bool fixed = false, quantized = false;
  int threads = 0;
};

// eval replaces metrics.json, confusion.csv, roc*.csv, roc.png, roc.gp and roc.gnuplot.log in --out:
// an input in that folder with one of those names (as given, or the file a link leads to) would be
// lost, so --out is refused, naming it.
void require_out_keeps_inputs(const std::string& out, const std::vector<std::string>& inputs) {
  for (const std::string& input : inputs) {
    std::error_code error;
    const std::filesystem::path resolved = std::filesystem::weakly_canonical(input, error);
    for (const std::filesystem::path& path : {std::filesystem::path(input), resolved}) {
      if (path.empty()) continue;
      const std::string name = path.filename().string();
      const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : ".";
      if (eval::is_evaluation_file_name(name) && std::filesystem::equivalent(folder, out, error)) {
        throw UsageError(fmt::format(
            "--out {}: eval writes {} there, which would replace the input {}; choose another folder", out,
            name, input));
      }
    }
  }
}

Run setup_eval(CLI::App& sub) {
  auto args = std::make_shared<EvalArguments>();
  sub.add_option("MODEL", args->model, "Model file (JSON)")->required();
  sub.add_option("--data", args->data, "Dataset file (HDF5)")->required();
  sub.add_option("--split", args->split, "Split to evaluate (default: test)")
      ->check(CLI::IsMember({"train", "val", "test"}));
  sub.add_flag("--fixed", args->fixed,
               "Bit-exact fixed-point inference (as the HLS kernels), with per-layer value ranges and "
               "out-of-range counts");
  sub.add_flag("--quantized", args->quantized,
               "The QAT forward (types applied, float sigmoid/softmax), as predict --quantized");
  sub.add_option("--out", args->out,
                 "Folder for metrics.json, roc.csv, roc.png, confusion.csv (default: eval)");
  sub.add_option("--json", args->json, "Also write the metrics JSON to FILE");
  sub.add_option("--threads", args->threads, "Inference threads (0: all)")
      ->check(CLI::Range(0, limits::kMaxThreads));
  return [args] {
    if (args->fixed && args->quantized) throw UsageError("--fixed and --quantized exclude each other");
    require_input_file(args->model);
    require_input_file(args->data);
    if (!args->json.empty()) require_output_not_input("--json", args->json, {args->model, args->data});
    require_out_keeps_inputs(args->out, {args->model, args->data});
    const model::Model model = model::load_model(args->model);
    const std::size_t events = data::read_dataset_info(args->data).split_sizes.at(args->split);
    // eval::evaluate reports no progress of its own: a spinner with the elapsed time.
    util::Progress progress(fmt::format("eval {} ({} events{})", args->split, events,
                                        args->fixed       ? ", fixed"
                                        : args->quantized ? ", quantized"
                                                          : ""),
                            0, util::terminal_progress("events"));
    eval::Evaluation evaluation;
    {
      const util::ProgressTicker ticker(progress);
      evaluation = eval::evaluate(model, args->model, args->data,
                                  {.split = args->split,
                                   .fixed = args->fixed,
                                   .quantized = args->quantized,
                                   .threads = args->threads});
    }
    progress.finish();
    const eval::EvaluationFiles files = eval::write_evaluation(evaluation, args->out);
    if (!args->json.empty()) util::write_file_atomically(args->json, eval::metrics_json(evaluation, files));
    std::cout << eval::format_summary(evaluation);
    std::cout << fmt::format("wrote {}, {}", files.metrics_json, files.confusion_csv);
    for (const std::string& path : files.roc_csv) std::cout << ", " << path;
    if (!files.roc_png.empty()) std::cout << ", " << files.roc_png;
    std::cout << "\n";
    if (!files.plot_warning.empty()) std::cerr << "warning: " << files.plot_warning << "\n";
    return 0;
  };
}

const CommandRegistration registration{
    "eval", "Score a model on a dataset split: accuracy, AUC, ROC, confusion", setup_eval};

}  // namespace
}  // namespace sparsepixels::cli

// `sparsepixels predict MODEL --data FILE [--split S] --out CSV [--fixed]`.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "command.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/error.h"
#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::cli {
namespace {

struct PredictArguments {
  std::string model, data, split = "test", out;
  bool fixed = false, quantized = false;
  int threads = 0;
};

Run setup_predict(CLI::App& sub) {
  auto args = std::make_shared<PredictArguments>();
  sub.add_option("MODEL", args->model, "Model file (JSON)")->required()->check(CLI::ExistingFile);
  sub.add_option("--data", args->data, "Dataset file (HDF5)")->required()->check(CLI::ExistingFile);
  sub.add_option("--split", args->split, "Split to predict")->check(CLI::IsMember({"train", "val", "test"}));
  sub.add_option("--out", args->out, "CSV to write: event, label, one column per output")->required();
  sub.add_flag("--fixed", args->fixed, "Bit-exact fixed-point inference (as the HLS kernels)");
  sub.add_flag("--quantized", args->quantized, "The QAT forward (types applied, float sigmoid/softmax)");
  sub.add_option("--threads", args->threads, "Threads (0: all)")->check(CLI::NonNegativeNumber);
  return [args] {
    if (args->fixed && args->quantized) throw UsageError("--fixed and --quantized exclude each other");
    const model::Model model = model::load_model(args->model);
    const data::Split split = data::read_split(args->data, args->split);
    std::vector<double> out;
    if (args->fixed) {
      out = inference::fixed_predict(model, split.x.data(), split.size(), {.threads = args->threads}).values;
    } else {
      std::vector<float> values;
      model.predict(split.x.data(), split.size(), values, args->quantized, args->threads);
      out.assign(values.begin(), values.end());
    }
    const std::size_t outputs = model.output_size();
    const std::string temporary = args->out + ".tmp";
    {
      std::ofstream file(temporary);
      if (!file) throw Error(fmt::format("{}: cannot write", temporary));
      file << "event,label";
      for (std::size_t k = 0; k < outputs; ++k) file << ",output" << k;
      file << "\n";
      for (std::size_t e = 0; e < split.size(); ++e) {
        file << e << "," << split.y[e];
        for (std::size_t k = 0; k < outputs; ++k) file << fmt::format(",{:.17g}", out[e * outputs + k]);
        file << "\n";
      }
      if (!file) throw Error(fmt::format("{}: write failed", temporary));
    }
    std::filesystem::rename(temporary, args->out);
    std::cout << fmt::format("wrote {} predictions of '{}' to {}\n", split.size(), args->split, args->out);
    return 0;
  };
}

const CommandRegistration registration{"predict", "Run a model on a dataset split and write its outputs",
                                       setup_predict};

}  // namespace
}  // namespace sparsepixels::cli

// `sparsepixels predict MODEL --data FILE [--split S] --out CSV [--fixed]`.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "command.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/error.h"
#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/limits.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/util/atomic_file.h"
#include "sparsepixels/util/progress.h"

namespace sparsepixels::cli {
namespace {

struct PredictArguments {
  std::string model, data, split = "test", out;
  bool fixed = false, quantized = false;
  int threads = 0;
};

Run setup_predict(CLI::App& sub) {
  auto args = std::make_shared<PredictArguments>();
  sub.add_option("MODEL", args->model, "Model file (JSON)")->required();
  sub.add_option("--data", args->data, "Dataset file (HDF5)")->required();
  sub.add_option("--split", args->split, "Split to predict")->check(CLI::IsMember({"train", "val", "test"}));
  sub.add_option("--out", args->out, "CSV to write: event, label, one column per output")->required();
  sub.add_flag("--fixed", args->fixed, "Bit-exact fixed-point inference (as the HLS kernels)");
  sub.add_flag("--quantized", args->quantized, "The QAT forward (types applied, float sigmoid/softmax)");
  sub.add_option("--threads", args->threads, "Threads (0: all)")->check(CLI::Range(0, limits::kMaxThreads));
  return [args] {
    if (args->fixed && args->quantized) throw UsageError("--fixed and --quantized exclude each other");
    require_input_file(args->model);
    require_input_file(args->data);
    require_output_not_input("--out", args->out, {args->model, args->data});
    require_writable_output(args->out);
    const model::Model model = model::load_model(args->model);
    const data::DatasetInfo info = data::read_dataset_info(args->data);
    const spec::Shape input = model.input_shape();
    data::require_event_shape(args->data, {info.height, info.width, info.channels}, args->model,
                              data::event_shape(input.height, input.width, input.channels));
    // The split is read in chunks (bounded memory, either layout); every event is computed on its own, so
    // chunking does not change an output. Float and QAT read hit lists (Model::predict_hits: the same
    // outputs bit for bit, and no dense event for a sparse model); --fixed reads dense chunks of at most
    // about 64 MB (1,024 63x63 events, 64 events of 512x512).
    const std::size_t event_values = std::max<std::size_t>(info.height * info.width * info.channels, 1);
    const std::size_t chunk_events =
        args->fixed ? std::clamp<std::size_t>((std::size_t{1} << 24) / event_values, 1, 1024) : 1024;
    data::SplitReader reader(args->data, args->split, chunk_events);
    const std::size_t outputs = model.output_size();
    std::optional<inference::FixedModel> fixed;
    if (args->fixed) fixed.emplace(model);
    std::string text = "event,label";
    for (std::size_t k = 0; k < outputs; ++k) text += fmt::format(",output{}", k);
    text += "\n";
    util::Progress progress("predict " + args->split, reader.size(), util::terminal_progress("events"));
    std::size_t first = 0;
    const auto write_rows = [&](const std::vector<std::int32_t>& labels, const std::vector<double>& out) {
      for (std::size_t e = 0; e < labels.size(); ++e) {
        text += fmt::format("{},{}", first + e, labels[e]);
        for (std::size_t k = 0; k < outputs; ++k) text += fmt::format(",{:.17g}", out[e * outputs + k]);
        text += "\n";
      }
      first += labels.size();
      progress.update(first);
    };
    if (fixed) {
      data::Split chunk;
      while (reader.next(chunk)) {
        write_rows(chunk.y, fixed->predict(chunk.x.data(), chunk.size(), {.threads = args->threads}).values);
      }
    } else {
      data::HitSplit chunk;
      while (reader.next(chunk)) {
        std::vector<float> values;
        const tensor::HitEvents hits{chunk.offsets.data(), chunk.coords.data(), chunk.values.data(),
                                     chunk.size()};
        model.predict_hits(hits, values, args->quantized, args->threads);
        write_rows(chunk.y, std::vector<double>(values.begin(), values.end()));
      }
    }
    progress.finish();
    util::write_file_atomically(args->out, text);
    std::cout << fmt::format("wrote {} predictions of '{}' to {}\n", first, args->split, args->out);
    return 0;
  };
}

const CommandRegistration registration{"predict", "Run a model on a dataset split and write its outputs",
                                       setup_predict};

}  // namespace
}  // namespace sparsepixels::cli

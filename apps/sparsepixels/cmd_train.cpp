// `sparsepixels train CONFIG --data FILE --out MODEL [--epochs N] [--seed S]`.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "command.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/limits.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/train/trainer.h"
#include "sparsepixels/util/progress.h"

namespace sparsepixels::cli {
namespace {

struct TrainArguments {
  std::string config, data, out, history;
  std::optional<int> epochs, threads;
  std::optional<std::uint64_t> seed;
  bool quiet = false;
};

Run setup_train(CLI::App& sub) {
  auto args = std::make_shared<TrainArguments>();
  sub.add_option("CONFIG", args->config, "YAML model config (docs/config.md)")->required();
  sub.add_option("--data", args->data, "Dataset file (HDF5): trains on 'train', early-stops on 'val'")
      ->required();
  sub.add_option("--out", args->out, "Model file to write (JSON, docs/model-file.md)")->required();
  sub.add_option("--epochs", args->epochs, "Maximum epochs (overrides training.max_epochs)")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--seed", args->seed, "Seed (overrides training.seed)");
  sub.add_option("--threads", args->threads, "Threads (0: all); never changes the result")
      ->check(CLI::Range(0, limits::kMaxThreads));
  sub.add_option("--history", args->history, "Per-epoch history CSV (default: MODEL with .history.csv)");
  sub.add_flag("--quiet", args->quiet, "Do not print one line per epoch");
  return [args] {
    require_input_file(args->config);
    require_input_file(args->data);
    const std::string history =
        args->history.empty() ? std::filesystem::path(args->out).replace_extension(".history.csv").string()
                              : args->history;
    require_output_not_input("--out", args->out, {args->config, args->data});
    require_output_not_input("--history", history, {args->config, args->data, args->out});
    require_writable_output(args->out);
    require_writable_output(history);
    model::Model model(model::load_config(args->config), args->config);
    const data::DatasetInfo info = data::read_dataset_info(args->data);
    const spec::Shape input = model.input_shape();
    data::require_event_shape(args->data, {info.height, info.width, info.channels}, args->config,
                              data::event_shape(input.height, input.width, input.channels));
    // A model starting with an InputReduce trains from hit lists (no dense event, so memory grows with
    // the hits, not the image area); the others read dense events.
    const bool from_hits = model.resolved().front().spec.kind == spec::LayerKind::InputReduce;
    data::Split train_split, val_split;
    data::HitSplit train_hits, val_hits;
    if (from_hits) {
      train_hits = data::read_hit_split(args->data, "train");
      val_hits = data::read_hit_split(args->data, "val");
    } else {
      train_split = data::read_split(args->data, "train");
      val_split = data::read_split(args->data, "val");
    }
    const int max_epochs = args->epochs.value_or(model.spec().training.max_epochs);
    train::TrainOptions options;
    options.epochs = args->epochs;
    options.seed = args->seed;
    options.threads = args->threads;
    options.history_csv = history;
    // Epochs k/n with the losses on a terminal; the per-epoch lines go to stdout above it (or alone).
    util::Progress progress(fmt::format("train {}", model.spec().name), static_cast<std::size_t>(max_epochs),
                            util::terminal_progress("epochs"));
    options.on_epoch = [&progress, quiet = args->quiet](const train::EpochRecord& r) {
      if (!quiet) {
        progress.above(
            std::cout,
            fmt::format("epoch {:4d}  loss {:.4f}  acc {:.4f}  val_loss {:.4f}  val_acc {:.4f}  {:.2f} s",
                        r.epoch, r.loss, r.accuracy, r.val_loss, r.val_accuracy, r.seconds));
      }
      progress.update(static_cast<std::size_t>(r.epoch),
                      fmt::format("loss {:.4f}  val_loss {:.4f}", r.loss, r.val_loss));
    };
    // What the dead-start guard did (a redrawn layer), always shown: it changes the weights a seed gives.
    options.on_log = [&progress](const std::string& message) {
      progress.above(std::cerr, "note: " + message);
    };
    train::TrainResult result;
    {
      const util::ProgressTicker ticker(progress);  // keeps the rate and ETA moving within long epochs
      result = from_hits ? train::train(model, train_hits, val_hits, options)
                         : train::train(model, train_split, val_split, options);
    }
    progress.finish();
    model::save_model(model, args->out);
    std::cout << fmt::format("best epoch {} of {}{}; wrote {} and {}\n", result.best_epoch,
                             result.history.size(), result.stopped_early ? " (stopped early)" : "", args->out,
                             options.history_csv);
    return 0;
  };
}

const CommandRegistration registration{"train", "Train a model from a YAML config on a dataset file",
                                       setup_train};

}  // namespace
}  // namespace sparsepixels::cli

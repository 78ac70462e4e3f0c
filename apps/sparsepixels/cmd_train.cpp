// `sparsepixels train CONFIG --data FILE --out MODEL [--epochs N] [--seed S]`.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <memory>

#include "command.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/train/trainer.h"

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
  sub.add_option("CONFIG", args->config, "YAML model config (docs/config.md)")
      ->required()
      ->check(CLI::ExistingFile);
  sub.add_option("--data", args->data, "Dataset file (HDF5): trains on 'train', early-stops on 'val'")
      ->required()
      ->check(CLI::ExistingFile);
  sub.add_option("--out", args->out, "Model file to write (JSON, docs/model-file.md)")->required();
  sub.add_option("--epochs", args->epochs, "Maximum epochs (overrides training.max_epochs)")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--seed", args->seed, "Seed (overrides training.seed)");
  sub.add_option("--threads", args->threads, "Threads (0: all); never changes the result")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--history", args->history, "Per-epoch history CSV (default: MODEL with .history.csv)");
  sub.add_flag("--quiet", args->quiet, "Do not print one line per epoch");
  return [args] {
    model::Model model(model::load_config(args->config), args->config);
    const data::Split train_split = data::read_split(args->data, "train");
    const data::Split val_split = data::read_split(args->data, "val");
    train::TrainOptions options;
    options.epochs = args->epochs;
    options.seed = args->seed;
    options.threads = args->threads;
    options.history_csv = args->history.empty()
                              ? std::filesystem::path(args->out).replace_extension(".history.csv").string()
                              : args->history;
    if (!args->quiet) {
      options.on_epoch = [](const train::EpochRecord& r) {
        std::cout << fmt::format(
                         "epoch {:4d}  loss {:.4f}  acc {:.4f}  val_loss {:.4f}  val_acc {:.4f}  {:.2f} s\n",
                         r.epoch, r.loss, r.accuracy, r.val_loss, r.val_accuracy, r.seconds)
                  << std::flush;
      };
    }
    const train::TrainResult result = train::train(model, train_split, val_split, options);
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

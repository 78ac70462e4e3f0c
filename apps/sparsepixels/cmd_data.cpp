// `sparsepixels data ...`: raw data (IDX, HDF5) or the built-in generator to a dataset file.
#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "command.h"
#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/jets.h"
#include "sparsepixels/data/microboone.h"
#include "sparsepixels/data/mnist.h"
#include "sparsepixels/data/synthetic.h"
#include "sparsepixels/error.h"
#include "sparsepixels/util/progress.h"

namespace sparsepixels::cli {
namespace {

namespace data = sparsepixels::data;

void print_written(const std::string& path, const data::DatasetInfo& info) {
  std::cout << "wrote " << path << ": " << info.height << "x" << info.width << "x" << info.channels
            << ", train " << info.split_sizes.at("train") << ", val " << info.split_sizes.at("val")
            << ", test " << info.split_sizes.at("test") << " events, " << data::layout_name(info.layout)
            << "\n";
}

// The options every `data` subcommand shares, bound to variables the returned Run captures.
struct DataOptions {
  std::string out, idx_dir, in;
  std::vector<std::string> inputs;
  std::size_t events = 20000;
  std::uint64_t seed = 1;
  std::string format;  // empty: the subcommand's default layout
  data::SyntheticOptions synthetic;
};

// `--format dense|sparse`, the one spelling of every `data` subcommand.
void add_format_option(CLI::App* command, std::string& format, const char* default_layout) {
  command
      ->add_option("--format", format,
                   std::string("Layout of the file: dense (x: N,H,W,C) or sparse (hit lists); default ") +
                       default_layout)
      ->check(CLI::IsMember({"dense", "sparse"}));
}

Run setup_data(CLI::App& app) {
  auto options = std::make_shared<DataOptions>();
  app.require_subcommand(1);

  CLI::App* mnist =
      app.add_subcommand("mnist", "Sparse MNIST (48x48x1) from the MNIST IDX files (reference 7.1)");
  mnist->add_option("--out", options->out, "Dataset file to write (HDF5)")->required();
  mnist->add_option(
      "--idx-dir", options->idx_dir,
      "Folder with the IDX files (default: $SPARSEPIXELS_DATA_DIR/mnist, the repository's data/mnist, "
      "./data/mnist)");

  CLI::App* fashion = app.add_subcommand(
      "fashion-mnist", "Sparse Fashion-MNIST (48x48x1) from the Debian package's gzip IDX files");
  fashion->add_option("--out", options->out, "Dataset file to write (HDF5)")->required();
  fashion->add_option(
      "--idx-dir", options->idx_dir,
      std::string("Folder with the IDX files (default: ") + data::mnist::kFashionMnistFolder + ")");

  CLI::App* microboone = app.add_subcommand(
      "microboone", "Neutrino/cosmic 63x63x1 windows from MicroBooNE WithWire files (reference 7.3)");
  microboone->add_option("--in", options->inputs, "WithWire HDF5 files")->required();
  microboone->add_option("--out", options->out, "Dataset file to write (HDF5)")->required();

  CLI::App* jets = app.add_subcommand("jets", "Sparse 56x56x1 LHC jet images (reference 7.2)");
  jets->add_option("--in", options->in, "HDF5 file with x (N,100,100) and y (N,5)")->required();
  jets->add_option("--out", options->out, "Dataset file to write (HDF5)")->required();

  CLI::App* synthetic = app.add_subcommand(
      "synthetic",
      "The built-in LArTPC-like generator: 63x63x1 (or --height x --width), 1 = neutrino-like, 0 = cosmic");
  synthetic->add_option("--out", options->out, "Dataset file to write (HDF5)")->required();
  synthetic->add_option("--events", options->events, "Number of events (split 70/10/20)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{10}, std::size_t{100000000}));
  synthetic->add_option("--seed", options->seed, "Random seed")->capture_default_str();
  const std::string side_range =
      fmt::format("{}..{}", data::synthetic::kMinSyntheticSide, data::kMaxSyntheticSide);
  synthetic
      ->add_option(
          "--height", options->synthetic.height,
          "Event height in pixels, " + side_range + " (other than 63: the physics scaled to the image)")
      ->capture_default_str()
      ->check(CLI::Range(data::synthetic::kMinSyntheticSide, data::kMaxSyntheticSide));
  synthetic->add_option("--width", options->synthetic.width, "Event width in pixels, " + side_range)
      ->capture_default_str()
      ->check(CLI::Range(data::synthetic::kMinSyntheticSide, data::kMaxSyntheticSide));
  synthetic->add_option(
      "--active", options->synthetic.active,
      "Mean number of active pixels per event: the physics is scaled to give it, in a window placed "
      "at random (default: the physics fills the image)");

  CLI::App* convert = app.add_subcommand(
      "convert",
      "Rewrite a dataset file in the dense or the sparse layout (the events read back bit for bit)");
  convert->add_option("IN", options->in, "Dataset file to read")->required();
  convert->add_option("--out", options->out, "Dataset file to write (HDF5)")->required();
  convert->add_option("--format", options->format, "Layout of the file written: dense or sparse")
      ->required()
      ->check(CLI::IsMember({"dense", "sparse"}));

  add_format_option(mnist, options->format, "dense");
  add_format_option(fashion, options->format, "dense");
  add_format_option(microboone, options->format, "sparse");
  add_format_option(jets, options->format, "dense");
  add_format_option(synthetic, options->format, "sparse");

  return [=]() {
    // Check the inputs first: a missing one is a failure naming it (exit 1).
    if ((mnist->parsed() || fashion->parsed()) && !options->idx_dir.empty())
      require_input_folder(options->idx_dir);
    if (microboone->parsed())
      for (const std::string& input : options->inputs) require_input_file(input);
    if (jets->parsed()) require_input_file(options->in);
    if (microboone->parsed()) require_output_not_input("--out", options->out, options->inputs);
    if (jets->parsed()) require_output_not_input("--out", options->out, {options->in});
    if (synthetic->parsed()) {
      // Before any file is opened: sizes and --active (a usage error naming the option, exit 2).
      if (synthetic->count("--active") > 0 && !(options->synthetic.active > 0)) {
        throw UsageError(fmt::format("--active: {} is not a positive mean number of active pixels",
                                     options->synthetic.active));
      }
      data::synthetic::validate_options(options->synthetic);
    }
    if (convert->parsed()) {
      require_input_file(options->in);
      require_output_not_input("--out", options->out, {options->in});
    }
    const bool sparse_by_default = microboone->parsed() || synthetic->parsed();
    const data::DatasetLayout layout =
        options->format.empty()
            ? (sparse_by_default ? data::DatasetLayout::sparse : data::DatasetLayout::dense)
            : data::parse_layout(options->format, "--format");
    // The preparation functions report no progress of their own: a spinner with the elapsed time.
    const std::string kind = mnist->parsed()        ? "mnist"
                             : fashion->parsed()    ? "fashion-mnist"
                             : microboone->parsed() ? "microboone"
                             : jets->parsed()       ? "jets"
                             : convert->parsed()    ? "convert"
                                                    : "synthetic";
    util::Progress progress(fmt::format("data {}: writing {}", kind, options->out), 0,
                            util::terminal_progress("events"));
    const util::ProgressTicker ticker(progress);
    data::DatasetInfo info;
    if (mnist->parsed()) {
      const std::string folder =
          options->idx_dir.empty()
              ? data::mnist::locate_idx_folder(data::mnist::default_mnist_folders(executable_path()), "MNIST")
              : options->idx_dir;
      data::mnist::Options mnist_options;
      mnist_options.layout = layout;
      info = data::mnist::prepare(folder, options->out, mnist_options);
    } else if (fashion->parsed()) {
      const std::string folder =
          options->idx_dir.empty() ? std::string(data::mnist::kFashionMnistFolder) : options->idx_dir;
      data::mnist::Options fashion_options;
      fashion_options.collection = data::mnist::Collection::fashion;
      fashion_options.layout = layout;
      info = data::mnist::prepare(data::mnist::locate_idx_folder({folder}, "Fashion-MNIST"), options->out,
                                  fashion_options);
    } else if (microboone->parsed()) {
      data::microboone::Parameters parameters;
      parameters.layout = layout;
      info = data::microboone::prepare_microboone(options->inputs, options->out, parameters);
    } else if (jets->parsed()) {
      data::jets::Options jets_options;
      jets_options.layout = layout;
      info = data::jets::prepare(options->in, options->out, jets_options);
    } else if (convert->parsed()) {
      info = data::convert_dataset(options->in, options->out, layout);
    } else {
      info = data::synthetic::write_synthetic(options->out, options->events, options->seed,
                                              options->synthetic, layout);
    }
    progress.finish();
    print_written(options->out, info);
    return 0;
  };
}

const CommandRegistration registration{
    "data", "Prepare a dataset file (mnist, fashion-mnist, microboone, jets, synthetic) or convert one",
    setup_data};

}  // namespace
}  // namespace sparsepixels::cli

#include "sparsepixels/workflow/bench.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/mnist.h"
#include "sparsepixels/error.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/train/engine.h"
#include "sparsepixels/workflow/demo.h"

namespace sparsepixels::workflow {

using train::Adam;
using train::Engine;
using train::PreparedSplit;

namespace {

// CPU time of the whole process (every thread), in seconds.
double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Events per second of training steps (batches of `batch`) until `seconds` seconds have passed.
double measure_training(model::Model& model, bool quantized, const data::Split& split, int batch,
                        tensor::ShardPool& pool, double seconds) {
  model.initialize(1);
  Engine engine(model, quantized, pool);
  const PreparedSplit prepared = engine.prepare(split);
  Adam adam(model, 1e-3, 0.9, 0.999, 1e-7);
  std::vector<std::uint32_t> order(split.size());
  std::iota(order.begin(), order.end(), 0u);
  const auto step = static_cast<std::size_t>(batch);
  std::size_t done = 0, first = 0;
  const auto start = std::chrono::steady_clock::now();
  while (done == 0 || seconds_since(start) < seconds) {
    if (first + step > order.size()) first = 0;
    engine.train_step(prepared, order.data() + first, step);
    adam.step(engine.gradients());
    engine.refresh();
    first += step;
    done += step;
  }
  return static_cast<double>(done) / seconds_since(start);
}

// Events per second of inference from dense events, in chunks, until `seconds` seconds have passed.
double measure_inference(const model::Model& model, const data::Split& split, int threads, double seconds) {
  std::vector<float> out;
  std::size_t done = 0;
  const std::size_t chunk = std::min<std::size_t>(split.size(), 4096);
  const auto start = std::chrono::steady_clock::now();
  while (done == 0 || seconds_since(start) < seconds) {
    model.predict(split.x.data(), chunk, out, false, threads);
    done += chunk;
  }
  return static_cast<double>(done) / seconds_since(start);
}

// The same from hit lists in memory (dense -> hits before timing), in chunks of the same size.
double measure_inference_from_hits(const model::Model& model, const data::HitSplit& hits, int threads,
                                   double seconds) {
  std::vector<float> out;
  std::size_t done = 0;
  const std::size_t chunk = std::min<std::size_t>(hits.size(), 4096);
  const tensor::HitEvents view{hits.offsets.data(), hits.coords.data(), hits.values.data(), chunk};
  const auto start = std::chrono::steady_clock::now();
  while (done == 0 || seconds_since(start) < seconds) {
    model.predict_hits(view, out, false, threads);
    done += chunk;
  }
  return static_cast<double>(done) / seconds_since(start);
}

}  // namespace

std::string BenchResult::to_json() const {
  nlohmann::json j;
  j["train_events_per_s"] = train_events_per_s;
  j["infer_events_per_s"] = infer_events_per_s;
  j["infer_from_hits_events_per_s"] = infer_from_hits_events_per_s;
  j["batch"] = batch;
  j["threads"] = threads;
  j["events"] = events;
  j["arch"] = arch;
  j["data"] = data;
  j["synthetic_events_per_cpu_s"] = synthetic_events_per_cpu_s;
  j["input_reduction"] =
      "training: cached once per dataset (not timed); inference: included (from dense events, and from hit "
      "lists)";
  return j.dump(2);
}

namespace {

// The first `events` MNIST training digits, through the reference transform (48x48 sparse images).
data::Split mnist_events(const std::string& executable_path, std::size_t events) {
  const std::string folder =
      data::mnist::locate_idx_folder(data::mnist::default_mnist_folders(executable_path), "MNIST");
  const auto images_path = data::mnist::find_idx_file(folder, "train-images-idx3-ubyte");
  const auto labels_path = data::mnist::find_idx_file(folder, "train-labels-idx1-ubyte");
  const data::mnist::IdxImages images = data::mnist::read_idx_images(*images_path);
  const std::vector<std::uint8_t> labels = data::mnist::read_idx_labels(*labels_path);
  data::Split split;
  split.height = split.width = data::mnist::kSparseSide;
  split.channels = 1;
  const std::size_t count = std::min({events, images.count, labels.size()});
  const std::size_t image_size = images.rows * images.cols;
  for (std::size_t i = 0; i < count; ++i) {
    const std::vector<float> image = data::mnist::sparse_image(images.pixels.data() + i * image_size);
    split.x.insert(split.x.end(), image.begin(), image.end());
    split.y.push_back(labels[i]);
  }
  return split;
}

// The 8-bit example config of `variant` for `arch`, when the examples folder is found.
std::optional<spec::ModelSpec> example_config(const std::string& executable_path, const std::string& arch,
                                              const std::string& variant) {
  try {
    const std::string folder = locate_examples_folder(default_examples_folders(executable_path), arch);
    return model::load_config((std::filesystem::path(folder) / arch / (variant + "-8b.yml")).string());
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

BenchResult run_bench(const BenchOptions& options) {
  if (options.arch != "mnist" && options.arch != "jets" && options.arch != "neutrino") {
    throw Error(fmt::format("--arch: '{}' is not mnist, jets or neutrino", options.arch));
  }
  BenchResult result;
  result.arch = options.arch;
  tensor::ShardPool pool(options.threads);
  result.threads = pool.threads();
  data::Split split;
  if (!options.data.empty()) {
    split = data::read_split(options.data, "train", 0, options.events);
    result.data = options.data + " (train split)";
  } else if (options.arch == "neutrino") {
    const double cpu_start = process_cpu_seconds();
    split = data::generate_synthetic(options.events, 2026);
    result.synthetic_events_per_cpu_s =
        static_cast<double>(split.size()) / (process_cpu_seconds() - cpu_start);
    result.data = "synthetic generator, seed 2026";
  } else if (options.arch == "mnist") {
    split = mnist_events(options.executable_path, options.events);
    result.data = "MNIST training digits, sparse transform";
  } else {
    throw Error("--arch jets: there are no built-in jet events; pass --data FILE (a file from `data jets`)");
  }
  if (split.size() < static_cast<std::size_t>(result.batch)) {
    throw Error(fmt::format("bench: {} events, fewer than one batch of {}", split.size(), result.batch));
  }
  result.events = split.size();
  const data::HitSplit hits = data::to_hits(split);
  const double seconds = options.seconds_per_model;
  const std::pair<const char*, int> variants[] = {
      {"standard", 0}, {"sparse-t", 8}, {"sparse-s", 12}, {"sparse-m", 16}, {"sparse-l", 20}};
  for (const auto& [name, n_active] : variants) {
    model::Model model(model::paper_model(options.arch, n_active));
    result.train_events_per_s[name] = measure_training(model, false, split, result.batch, pool, seconds);
    result.infer_events_per_s[name] = measure_inference(model, split, options.threads, seconds);
    result.infer_from_hits_events_per_s[name] =
        measure_inference_from_hits(model, hits, options.threads, seconds);
    if (n_active == 20) {
      model::Model qat(model::paper_model(options.arch, n_active));
      result.train_events_per_s["sparse-l-qat"] =
          measure_training(qat, true, split, result.batch, pool, seconds);
    }
    if (n_active == 0 || n_active == 20) {
      // QAT with the example's 8-bit types (float32 sums where the accumulators fit 24 bits).
      if (auto spec = example_config(options.executable_path, options.arch, name)) {
        model::Model qat(*spec);
        result.train_events_per_s[std::string(name) + "-qat-8b"] =
            measure_training(qat, true, split, result.batch, pool, seconds);
      }
    }
  }
  return result;
}

}  // namespace sparsepixels::workflow

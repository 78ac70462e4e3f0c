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
#include "sparsepixels/data/synthetic.h"
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

// Events per second of training steps (batches of `batch`) until `seconds` seconds have passed, from dense
// events (data::Split) or hit lists (data::HitSplit: the input reduction reads the hits once in
// Engine::prepare, which is not timed).
template <class Events>
double measure_training(model::Model& model, bool quantized, const Events& split, int batch,
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
  j["height"] = height;
  j["width"] = width;
  j["mean_active"] = mean_active;
  if (!parameters.empty()) j["parameters"] = parameters;
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

namespace {

// neutrino sparse-l (N = 20) at height x width with top-k selection and a pool x pool average pool.
model::Model large_sparse_l(std::size_t height, std::size_t width, int pool_side) {
  spec::ModelSpec spec = model::paper_model("neutrino", 20);
  spec.input_height = static_cast<int>(height);
  spec.input_width = static_cast<int>(width);
  spec.hls.selection_policy = spec::Selection::TopK;
  for (spec::LayerSpec& layer : spec.layers) {
    if (layer.kind == spec::LayerKind::InputReduce) layer.selection = spec::Selection::TopK;
    if (layer.kind == spec::LayerKind::SparseAvgPool2D) layer.pool_height = layer.pool_width = pool_side;
  }
  return model::Model(spec);
}

// Scaling mode: synthetic hit lists of any size; sparse-l with top-k from hits only.
BenchResult run_scaling_bench(const BenchOptions& options) {
  if (options.arch != "neutrino") {
    throw UsageError(fmt::format("--height/--width/--active: only --arch neutrino (got '{}')", options.arch));
  }
  if (!options.data.empty())
    throw UsageError("--height/--width/--active: synthetic events only (drop --data)");
  data::SyntheticOptions synthetic;
  synthetic.height = options.height;
  synthetic.width = options.width;
  synthetic.active = options.active;
  BenchResult result;
  result.arch = options.arch;
  tensor::ShardPool pool(options.threads);
  result.threads = pool.threads();
  const double cpu_start = process_cpu_seconds();
  const data::HitSplit hits = data::synthetic::generate_synthetic_hits(options.events, 2026, synthetic);
  result.synthetic_events_per_cpu_s = static_cast<double>(hits.size()) / (process_cpu_seconds() - cpu_start);
  result.data = fmt::format("synthetic generator, seed 2026, {}x{}, {}", options.height, options.width,
                            options.active > 0 ? fmt::format("--active {}", options.active)
                                               : std::string("physics filling the image"));
  if (hits.size() < static_cast<std::size_t>(result.batch)) {
    throw Error(fmt::format("bench: {} events, fewer than one batch of {}", hits.size(), result.batch));
  }
  result.events = hits.size();
  result.height = hits.height;
  result.width = hits.width;
  result.mean_active = static_cast<double>(hits.hits()) / static_cast<double>(hits.size());
  const double seconds = options.seconds_per_model;
  const int head_pool = static_cast<int>(std::min(options.height, options.width) / 8);
  // At 63x63 the second model is the first (63 / 8 = 7).
  std::vector<std::pair<std::string, int>> variants{{"sparse-l-topk", 7}};
  if (head_pool != 7) variants.emplace_back(fmt::format("sparse-l-topk-pool{}", head_pool), head_pool);
  for (const auto& [name, pool_side] : variants) {
    model::Model model = large_sparse_l(options.height, options.width, pool_side);
    result.parameters[name] = model.parameter_count();
    result.train_events_per_s[name] = measure_training(model, false, hits, result.batch, pool, seconds);
    result.infer_from_hits_events_per_s[name] =
        measure_inference_from_hits(model, hits, options.threads, seconds);
    model::Model qat = large_sparse_l(options.height, options.width, pool_side);
    result.train_events_per_s[name + "-qat"] = measure_training(qat, true, hits, result.batch, pool, seconds);
  }
  return result;
}

}  // namespace

BenchResult run_bench(const BenchOptions& options) {
  if (options.arch != "mnist" && options.arch != "jets" && options.arch != "neutrino") {
    throw Error(fmt::format("--arch: '{}' is not mnist, jets or neutrino", options.arch));
  }
  if (options.scaling()) return run_scaling_bench(options);
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
  result.height = split.height;
  result.width = split.width;
  const data::HitSplit hits = data::to_hits(split);
  result.mean_active =
      static_cast<double>(hits.hits()) / static_cast<double>(std::max<std::size_t>(hits.size(), 1));
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

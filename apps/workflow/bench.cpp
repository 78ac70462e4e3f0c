#include "sparsepixels/workflow/bench.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <numeric>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/train/engine.h"

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

}  // namespace

std::string BenchResult::to_json() const {
  nlohmann::json j;
  j["train_events_per_s"] = train_events_per_s;
  j["infer_events_per_s"] = infer_events_per_s;
  j["batch"] = batch;
  j["threads"] = threads;
  j["events"] = events;
  j["synthetic_events_per_cpu_s"] = synthetic_events_per_cpu_s;
  j["input_reduction"] = "training: cached once per dataset (not timed); inference: included";
  return j.dump(2);
}

BenchResult run_bench(int threads, std::size_t events, double seconds_per_model) {
  BenchResult result;
  tensor::ShardPool pool(threads);
  result.threads = pool.threads();
  result.events = events;
  const double cpu_start = process_cpu_seconds();
  const data::Split split = data::generate_synthetic(events, 2026);
  result.synthetic_events_per_cpu_s = static_cast<double>(split.size()) / (process_cpu_seconds() - cpu_start);
  const std::pair<const char*, int> variants[] = {
      {"standard", 0}, {"sparse-t", 8}, {"sparse-s", 12}, {"sparse-m", 16}, {"sparse-l", 20}};
  for (const auto& [name, n_active] : variants) {
    model::Model model(model::paper_model("neutrino", n_active));
    result.train_events_per_s[name] =
        measure_training(model, false, split, result.batch, pool, seconds_per_model);
    result.infer_events_per_s[name] = measure_inference(model, split, threads, seconds_per_model);
    if (n_active == 20) {
      model::Model qat(model::paper_model("neutrino", n_active));
      result.train_events_per_s["sparse-l-qat"] =
          measure_training(qat, true, split, result.batch, pool, seconds_per_model);
    }
  }
  return result;
}

}  // namespace sparsepixels::workflow

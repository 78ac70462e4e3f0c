#include "sparsepixels/model/model.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "sparsepixels/error.h"
#include "sparsepixels/tensor/shard_pool.h"
#include "sparsepixels/util/finite.h"

namespace sparsepixels::model {

using namespace spec;  // the layer vocabulary (model_spec.h) is what this file works on

struct Model::PredictCache {
  std::mutex mutex;  // held by the predict call using the pool and scratch
  std::unique_ptr<tensor::ShardPool> pool;
  std::vector<std::vector<tensor::Batch>> workspace;  // per worker thread: one batch per layer boundary
};

Model::Model(ModelSpec spec, const std::string& origin)
    : spec_(std::move(spec)), predict_cache_(std::make_unique<PredictCache>()) {
  resolved_ = resolve(spec_, origin);
  for (std::size_t i = 0; i < resolved_.size(); ++i) {
    spec_.layers[i].name = resolved_[i].spec.name;  // automatic names become part of the model
    layers_.push_back(layers::make_layer(resolved_[i]));
  }
  for (std::size_t i = 1; i < resolved_.size(); ++i) {
    if (resolved_[i].folded) layers_[i - 1]->fold(*layers_[i]);
  }
}

Model::~Model() = default;
Model::Model(Model&& other) noexcept = default;
Model& Model::operator=(Model&& other) noexcept = default;

void Model::initialize(std::uint64_t seed) {
  seed_ = seed;
  std::mt19937_64 random(seed);
  for (auto& layer : layers_) layer->initialize(random);
  // After every layer has its parameters: a layer with a folded batch normalization reads the next one's.
  for (auto& layer : layers_) layer->prepare(layer->quantized());
}

std::size_t Model::parameter_count() const {
  std::size_t total = 0;
  for (const auto& layer : resolved_) total += layer.weight_count + layer.bias_count;
  return total;
}

Shape Model::input_shape() const {
  return resolved_.front().input;
}

std::vector<std::vector<float>> Model::parameters() const {
  std::vector<std::vector<float>> values;
  for (const auto& layer : layers_) {
    values.push_back(layer->weights);
    values.push_back(layer->bias);
  }
  return values;
}

void Model::set_parameters(const std::vector<std::vector<float>>& values) {
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    layers_[i]->weights = values.at(2 * i);
    layers_[i]->bias = values.at(2 * i + 1);
  }
  for (auto& layer : layers_) layer->prepare(layer->quantized());
}

void forward_range(const Model& model, std::size_t first, std::size_t last,
                   std::vector<tensor::Batch>& activations) {
  if (activations.size() < last - first + 1) activations.resize(last - first + 1);
  for (std::size_t i = first; i < last; ++i) {
    model.layer(i).forward(activations[i - first], activations[i - first + 1]);
  }
}

void require_fixed_point(const Model& model, const std::string& origin, const std::string& what) {
  if (!model.spec().float_input) return;
  throw Error(
      fmt::format("{}: field 'input.float': {} needs a fixed-point input, and this model keeps its input "
                  "and some results in float (imported with --float-input, a comparison aid for "
                  "predict --quantized); import it again without --float-input",
                  origin, what));
}

void quantize_inputs(const Model& model, float* values, std::size_t count) {
  if (model.resolved().front().spec.kind == LayerKind::InputReduce || model.spec().float_input) return;
  const layers::Quantizer quantizer(model.spec().input_type, true);
  quantizer.apply(values, count);
}

void Model::predict(const float* inputs, std::size_t events, std::vector<float>& out, bool quantized,
                    int threads) const {
  run_predict(inputs, nullptr, events, out, quantized, threads, nullptr);
}

void Model::predict_hits(const tensor::HitEvents& hits, std::vector<float>& out, bool quantized,
                         int threads) const {
  run_predict(nullptr, &hits, hits.events, out, quantized, threads, nullptr);
}

std::size_t Model::predict_finite(const float* inputs, std::size_t events, std::vector<float>& out,
                                  bool quantized, int threads) const {
  std::atomic<std::size_t> first_bad{events};
  run_predict(inputs, nullptr, events, out, quantized, threads, &first_bad);
  return first_bad.load();
}

void Model::run_predict(const float* inputs, const tensor::HitEvents* hits, std::size_t events,
                        std::vector<float>& out, bool quantized, int threads,
                        std::atomic<std::size_t>* first_bad) const {
  // The mode is a property of the prepared forward copies; switch only when it differs.
  for (const auto& layer : layers_) {
    if (layer->quantized() != quantized) layer->prepare(quantized);
  }
  const std::size_t in_size = input_shape().size(), out_size = output_size();
  out.resize(events * out_size);
  if (events == 0) return;
  const int wanted =
      threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  // The kept pool and scratch when free; a concurrent call on this model makes its own.
  std::unique_lock<std::mutex> lock;
  if (predict_cache_) lock = std::unique_lock<std::mutex>(predict_cache_->mutex, std::try_to_lock);
  PredictCache local;
  PredictCache& cache = lock.owns_lock() ? *predict_cache_ : local;
  if (!cache.pool || cache.pool->threads() != wanted)
    cache.pool = std::make_unique<tensor::ShardPool>(wanted);
  cache.workspace.resize(static_cast<std::size_t>(cache.pool->threads()));

  // InputReduce reads the caller's dense events in place (it converts the pixels it reads itself in
  // QAT); other first layers get a copy, converted to the input type in QAT.
  const bool reduce_first = layers_.front()->info().spec.kind == LayerKind::InputReduce;
  // Where the output lands: activations[k] is the input of layer k, or of layer k + 1 when the
  // reduction wrote activations[0] directly.
  const std::size_t last = reduce_first ? layers_.size() - 1 : layers_.size();
  constexpr std::size_t kShardEvents = 64;
  const std::size_t shards = (events + kShardEvents - 1) / kShardEvents;
  cache.pool->run(shards, [&](std::size_t shard, int worker) {
    auto& activations = cache.workspace[static_cast<std::size_t>(worker)];
    activations.resize(layers_.size() + 1);
    const std::size_t first = shard * kShardEvents, count = std::min(kShardEvents, events - first);
    if (hits != nullptr) {
      const tensor::HitEvents shard_hits = hits->slice(first, count);
      if (reduce_first) {
        layers::reduce_hit_input(*layers_.front(), shard_hits, activations[0]);
        forward_range(*this, 1, layers_.size(), activations);
      } else {
        // A standard model reads dense events: this shard's, made from its hits.
        activations[0].reset(count, in_size);
        tensor::scatter_hits(shard_hits, static_cast<std::size_t>(spec_.input_width),
                             static_cast<std::size_t>(spec_.input_channels), in_size,
                             activations[0].values.data());
        if (quantized) quantize_inputs(*this, activations[0].values.data(), activations[0].values.size());
        forward_range(*this, 0, layers_.size(), activations);
      }
      std::copy_n(activations[last].values.begin(), count * out_size,
                  out.begin() + static_cast<std::ptrdiff_t>(first * out_size));
      return;
    }
    const float* images = inputs + first * in_size;
    // Keeps the lowest event holding inf or NaN over all shards; this shard's outputs are not computed.
    auto report_bad = [&](std::size_t event) {
      std::size_t seen = first_bad->load();
      while (event < seen && !first_bad->compare_exchange_weak(seen, event)) {
      }
    };
    if (reduce_first) {
      // The reduction checks each image as it reads it (in cache for the selection that follows).
      const std::size_t bad =
          layers::reduce_dense_input(*layers_.front(), images, count, activations[0], first_bad != nullptr);
      if (bad < count) return report_bad(first + bad);
      forward_range(*this, 1, layers_.size(), activations);
    } else {
      if (first_bad != nullptr) {
        const std::size_t bad = util::first_non_finite(images, count * in_size);
        if (bad < count * in_size) return report_bad(first + bad / in_size);
      }
      activations[0].reset(count, in_size);
      std::copy_n(images, count * in_size, activations[0].values.begin());
      if (quantized) quantize_inputs(*this, activations[0].values.data(), activations[0].values.size());
      forward_range(*this, 0, layers_.size(), activations);
    }
    std::copy_n(activations[last].values.begin(), count * out_size,
                out.begin() + static_cast<std::ptrdiff_t>(first * out_size));
  });
}

std::string summary(const Model& model) {
  const auto& layers = model.resolved();
  std::string text =
      fmt::format("Model: \"{}\"  (input {}x{}x{}, {})\n", model.spec().name, model.spec().input_height,
                  model.spec().input_width, model.spec().input_channels, model.spec().input_type.to_string());
  // Columns as wide as their longest entry (at least Keras-like 28 and 32), so long names stay aligned.
  std::size_t name_width = 28, shape_width = 32;
  for (const auto& layer : layers) {
    name_width = std::max(name_width, layer.spec.name.size() + to_string(layer.spec.kind).size() + 5);
    shape_width = std::max(shape_width, layer.output.to_string().size() + 2);
  }
  const std::string rule(name_width + shape_width + 50, '-');
  text += rule + "\n";
  text += fmt::format("{:<{}}{:<{}}{:>9}  {}\n", "Layer (type)", name_width, "Output shape", shape_width,
                      "Params", "Types");
  text += rule + "\n";
  for (const auto& layer : layers) {
    const std::size_t params = layer.weight_count + layer.bias_count;
    std::string types;
    switch (layer.spec.kind) {
      case LayerKind::SparseBatchNormalization:
        if (layer.folded) {
          types = "folded into the SparseConv2D before it";
          break;
        }
        [[fallthrough]];
      case LayerKind::SparseConv2D:
      case LayerKind::Conv2D:
      case LayerKind::Dense:
        types = fmt::format("w {}  b {}  acc {}  out {}", layer.types.weight.to_string(),
                            layer.types.bias.to_string(), layer.types.accum.to_string(),
                            layer.types.result.to_string());
        break;
      case LayerKind::SparseAvgPool2D:
      case LayerKind::AvgPool2D:
        types = fmt::format("acc {}  out {}", layer.types.accum.to_string(), layer.types.result.to_string());
        break;
      case LayerKind::Sigmoid:
      case LayerKind::Softmax:
        types =
            fmt::format("table {}  out {}", layer.types.table.to_string(), layer.types.result.to_string());
        break;
      case LayerKind::InputReduce:
      case LayerKind::SparseReLU:
      case LayerKind::SparseMaxPool2D:
      case LayerKind::SparseFlatten:
      case LayerKind::ReLU:
      case LayerKind::MaxPool2D:
      case LayerKind::Flatten:
        types = fmt::format("out {}", layer.types.result.to_string());
        break;
    }
    std::string extra;
    if (layer.spec.kind == LayerKind::InputReduce) {
      extra = fmt::format(" N={} t={} {}", layer.spec.n_active, layer.spec.threshold,
                          to_string(layer.spec.selection));
    }
    text += fmt::format("{:<{}}{:<{}}{:>9}  {}{}\n",
                        fmt::format("{} ({})", layer.spec.name, to_string(layer.spec.kind)), name_width,
                        layer.output.to_string(), shape_width, params, types, extra);
  }
  text += rule + "\n";
  text += fmt::format("Total params: {}\n", model.parameter_count());
  return text;
}

}  // namespace sparsepixels::model

#include "sparsepixels/train/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "sparsepixels/error.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::train {

Engine::Engine(model::Model& model, bool quantized, tensor::ShardPool& pool)
    : model_(model), quantized_(quantized), pool_(pool) {
  if (quantized_ && !layers::fits_float(model_.spec().input_type)) {
    throw Error(fmt::format("QAT: model '{}': field 'input.type': {} is wider than float32's 24 bits",
                            model_.spec().name, model_.spec().input_type.to_string()));
  }
  for (std::size_t i = 0; i < model_.size(); ++i) model_.layer(i).prepare(quantized_);
  start_ = model_.resolved().front().spec.kind == spec::LayerKind::InputReduce ? 1 : 0;
  head_ = model_.size() - 1;
  const spec::LayerKind last = model_.resolved().back().spec.kind;
  if (last != spec::LayerKind::Sigmoid && last != spec::LayerKind::Softmax) head_ = model_.size();
  binary_ = last == spec::LayerKind::Sigmoid;
  total_.resize(model_.size());
  for (std::size_t i = 0; i < model_.size(); ++i) {
    total_[i].weights.assign(model_.layer(i).weights.size(), 0.0f);
    total_[i].bias.assign(model_.layer(i).bias.size(), 0.0f);
  }
}

void Engine::refresh() {
  for (std::size_t i = 0; i < model_.size(); ++i) model_.layer(i).prepare(quantized_);
}

void Engine::update_statistics() {
  for (std::size_t i = start_; i < head_; ++i) {
    std::vector<const tensor::Batch*> inputs;
    for (std::size_t index = 0; index < last_shards_; ++index) {
      inputs.push_back(&shards_[index].activations[i - start_]);
    }
    model_.layer(i).update_statistics(inputs);
  }
}

Engine::Shard& Engine::shard(std::size_t index) {
  // Shards are made up front by the callers (never resized while threads run).
  return shards_[index];
}

namespace {

// Events of another size than the model's input are an error naming both (an empty split has none).
void require_input_shape(const model::Model& model, std::size_t events, std::size_t height, std::size_t width,
                         std::size_t channels) {
  const spec::Shape input = model.input_shape();
  if (events > 0 &&
      (height != static_cast<std::size_t>(input.height) || width != static_cast<std::size_t>(input.width) ||
       channels != static_cast<std::size_t>(input.channels))) {
    throw Error(fmt::format("dataset events are {}x{}x{} but the model '{}' expects {}x{}x{}", height, width,
                            channels, model.spec().name, input.height, input.width, input.channels));
  }
}

}  // namespace

PreparedSplit Engine::prepare(const data::Split& split) {
  require_input_shape(model_, split.size(), split.height, split.width, split.channels);
  PreparedSplit prepared;
  prepared.events = split.size();
  prepared.labels = split.y;
  if (start_ == 0) {
    prepared.dense = split.x.data();
    prepared.event_size = split.event_size();
    if (quantized_) {
      prepared.quantized_dense = split.x;
      model::quantize_inputs(model_, prepared.quantized_dense.data(), prepared.quantized_dense.size());
    }
    return prepared;
  }
  return prepare_reduced(std::move(prepared), [&](std::size_t first, std::size_t count, tensor::Batch& out) {
    tensor::Batch in;
    in.reset(count, split.event_size());
    std::copy_n(split.event(first), count * split.event_size(), in.values.begin());
    model_.layer(0).forward(in, out);
  });
}

PreparedSplit Engine::prepare(const data::HitSplit& split) {
  require_input_shape(model_, split.size(), split.height, split.width, split.channels);
  if (start_ == 0) {
    throw Error(fmt::format("model '{}': training from hit lists needs an InputReduce first layer",
                            model_.spec().name));
  }
  PreparedSplit prepared;
  prepared.events = split.size();
  prepared.labels = split.y;
  const tensor::HitEvents hits{split.offsets.data(), split.coords.data(), split.values.data(), split.size()};
  // The reduction reads only the hits (layers::reduce_hit_input): no event is made dense.
  return prepare_reduced(std::move(prepared), [&](std::size_t first, std::size_t count, tensor::Batch& out) {
    layers::reduce_hit_input(model_.layer(0), hits.slice(first, count), out);
  });
}

PreparedSplit Engine::prepare_reduced(PreparedSplit prepared, const ChunkReduction& reduce_chunk) {
  const spec::ResolvedLayer& reduce = model_.resolved().front();
  prepared.reduced = true;
  prepared.slots = reduce.output.slots;
  prepared.grid_height = reduce.output.height;
  prepared.grid_width = reduce.output.width;
  prepared.event_size = reduce.output.size();
  prepared.values.resize(prepared.events * prepared.event_size);
  const std::size_t total_slots = prepared.events * static_cast<std::size_t>(prepared.slots);
  prepared.row.resize(total_slots);
  prepared.col.resize(total_slots);
  prepared.position.resize(total_slots);
  constexpr std::size_t kChunk = 512;
  const std::size_t chunks = (prepared.events + kChunk - 1) / kChunk;
  pool_.run(chunks, [&](std::size_t chunk, int) {
    const std::size_t first = chunk * kChunk, count = std::min(kChunk, prepared.events - first);
    tensor::Batch out;
    reduce_chunk(first, count, out);
    std::copy(out.values.begin(), out.values.end(),
              prepared.values.begin() + static_cast<std::ptrdiff_t>(first * prepared.event_size));
    const auto offset = static_cast<std::ptrdiff_t>(first * static_cast<std::size_t>(prepared.slots));
    std::copy(out.geometry->row.begin(), out.geometry->row.end(), prepared.row.begin() + offset);
    std::copy(out.geometry->col.begin(), out.geometry->col.end(), prepared.col.begin() + offset);
    std::copy(out.geometry->position.begin(), out.geometry->position.end(),
              prepared.position.begin() + offset);
  });
  // Neighbour tables of the convolutions before the first pooling (they see the reduced geometry),
  // built per chunk in parallel and joined in chunk order.
  for (std::size_t i = start_; i < model_.size(); ++i) {
    const spec::LayerKind kind = model_.resolved()[i].spec.kind;
    if (kind == spec::LayerKind::SparseAvgPool2D || kind == spec::LayerKind::SparseMaxPool2D) break;
    if (kind != spec::LayerKind::SparseConv2D) continue;
    const int kernel = model_.resolved()[i].spec.kernel;
    if (prepared.neighbours.count(kernel)) continue;
    std::vector<tensor::NeighbourTable> parts(chunks);
    pool_.run(chunks, [&](std::size_t chunk, int) {
      const std::size_t first = chunk * kChunk, count = std::min(kChunk, prepared.events - first);
      tensor::Geometry geometry;
      geometry.reset(count, prepared.slots, prepared.grid_height, prepared.grid_width);
      const auto slots = static_cast<std::size_t>(prepared.slots);
      const auto offset = static_cast<std::ptrdiff_t>(first * slots);
      std::copy_n(prepared.row.begin() + offset, count * slots, geometry.row.begin());
      std::copy_n(prepared.col.begin() + offset, count * slots, geometry.col.begin());
      std::copy_n(prepared.position.begin() + offset, count * slots, geometry.position.begin());
      parts[chunk] = geometry.neighbours(kernel);
    });
    tensor::NeighbourTable& table = prepared.neighbours[kernel];
    table.kernel = kernel;
    table.event_begin.reserve(prepared.events + 1);
    for (const tensor::NeighbourTable& part : parts) {
      const auto base = static_cast<std::uint32_t>(table.pairs.size());
      for (std::size_t e = 0; e + 1 < part.event_begin.size(); ++e)
        table.event_begin.push_back(base + part.event_begin[e]);
      table.pairs.insert(table.pairs.end(), part.pairs.begin(), part.pairs.end());
    }
    table.event_begin.push_back(static_cast<std::uint32_t>(table.pairs.size()));
  }
  return prepared;
}

void Engine::gather(const PreparedSplit& data, const std::uint32_t* indices, std::size_t first,
                    std::size_t count, tensor::Batch& batch) const {
  batch.reset(count, data.event_size);
  if (!data.reduced) {
    const float* images = data.quantized_dense.empty() ? data.dense : data.quantized_dense.data();
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t e = indices ? indices[first + k] : first + k;
      std::copy_n(images + e * data.event_size, data.event_size, batch.event(k));
    }
    batch.geometry.reset();
    return;
  }
  if (!batch.geometry) batch.geometry = std::make_shared<tensor::Geometry>();
  tensor::Geometry& geometry = *batch.geometry;
  geometry.reset(count, data.slots, data.grid_height, data.grid_width);
  const auto slots = static_cast<std::size_t>(data.slots);
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t e = indices ? indices[first + k] : first + k;
    std::copy_n(data.values.data() + e * data.event_size, data.event_size, batch.event(k));
    std::copy_n(data.row.data() + e * slots, slots, geometry.row.data() + k * slots);
    std::copy_n(data.col.data() + e * slots, slots, geometry.col.data() + k * slots);
    std::copy_n(data.position.data() + e * slots, slots, geometry.position.data() + k * slots);
  }
  // The batch's neighbour tables from the dataset's (pairs are per event, so they copy as they are).
  for (const auto& [kernel, cached] : data.neighbours) {
    tensor::NeighbourTable& table = geometry.provide(kernel);
    table.event_begin.resize(count + 1);
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t e = indices ? indices[first + k] : first + k;
      table.event_begin[k] = static_cast<std::uint32_t>(table.pairs.size());
      table.pairs.insert(table.pairs.end(), cached.pairs.begin() + cached.event_begin[e],
                         cached.pairs.begin() + cached.event_begin[e + 1]);
    }
    table.event_begin[count] = static_cast<std::uint32_t>(table.pairs.size());
  }
}

void Engine::forward_shard(Shard& shard, std::size_t head_end) const {
  shard.activations.resize(model_.size() + 1);
  for (std::size_t i = start_; i < head_end; ++i) {
    model_.layer(i).forward(shard.activations[i - start_], shard.activations[i - start_ + 1]);
  }
}

void Engine::loss_shard(Shard& shard, const PreparedSplit& data, const std::uint32_t* indices,
                        std::size_t first, std::size_t count, double scale, bool want_gradient) const {
  const tensor::Batch& logits = shard.activations[head_ - start_];
  const std::size_t classes = logits.event_size;
  std::vector<float>* grad = want_gradient ? &shard.grads[head_ - start_] : nullptr;
  if (grad) grad->assign(logits.values.size(), 0.0f);
  shard.loss = 0;
  shard.correct = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t e = indices ? indices[first + k] : first + k;
    const std::int32_t label = data.labels[e];
    const float* z = logits.event(k);
    if (binary_) {
      if (label != 0 && label != 1) throw Error(fmt::format("event {}: label {} is not 0 or 1", e, label));
      const double x = z[0], y = label;
      // Stable binary cross-entropy from the logit.
      shard.loss += std::max(x, 0.0) - x * y + std::log1p(std::exp(-std::abs(x)));
      shard.correct += ((x > 0) == (label == 1)) ? 1 : 0;
      if (grad) (*grad)[k] = static_cast<float>((1.0 / (1.0 + std::exp(-x)) - y) * scale);
    } else {
      if (label < 0 || static_cast<std::size_t>(label) >= classes) {
        throw Error(fmt::format("event {}: label {} is outside 0..{}", e, label, classes - 1));
      }
      const double top = *std::max_element(z, z + classes);
      double sum = 0;
      for (std::size_t c = 0; c < classes; ++c) sum += std::exp(z[c] - top);
      shard.loss += -(z[label] - top - std::log(sum));
      const auto best = static_cast<std::int32_t>(std::max_element(z, z + classes) - z);
      shard.correct += best == label ? 1 : 0;
      if (grad) {
        for (std::size_t c = 0; c < classes; ++c) {
          const double p = std::exp(z[c] - top) / sum;
          (*grad)[k * classes + c] =
              static_cast<float>((p - (static_cast<std::size_t>(label) == c ? 1.0 : 0.0)) * scale);
        }
      }
    }
  }
}

std::pair<double, double> Engine::train_step(const PreparedSplit& data, const std::uint32_t* indices,
                                             std::size_t count) {
  if (head_ == model_.size()) throw Error("train: the model has no Sigmoid/Softmax head");
  const std::size_t shard_count = (count + kShardEvents - 1) / kShardEvents;
  if (shards_.size() < shard_count) shards_.resize(shard_count);
  const double scale = 1.0 / static_cast<double>(count);
  // Training mode (batch statistics) for this step's passes only, also when a pass throws.
  struct TrainingMode {
    model::Model& model;
    explicit TrainingMode(model::Model& m) : model(m) {
      for (std::size_t i = 0; i < model.size(); ++i) model.layer(i).set_training(true);
    }
    ~TrainingMode() {
      for (std::size_t i = 0; i < model.size(); ++i) model.layer(i).set_training(false);
    }
    TrainingMode(const TrainingMode&) = delete;
    TrainingMode& operator=(const TrainingMode&) = delete;
  };
  std::optional<TrainingMode> training(std::in_place, model_);
  last_shards_ = shard_count;
  pool_.run(shard_count, [&](std::size_t index, int) {
    Shard& s = shard(index);
    const std::size_t first = index * kShardEvents, n = std::min(kShardEvents, count - first);
    s.activations.resize(model_.size() + 1);
    s.grads.resize(model_.size() + 1);
    s.parameters.resize(model_.size());
    gather(data, indices, first, n, s.activations[0]);
    forward_shard(s, head_);
    loss_shard(s, data, indices, first, n, scale, true);
    for (std::size_t i = head_; i-- > start_;) {
      layers::ParameterGradients& g = s.parameters[i];
      g.weights.assign(model_.layer(i).weights.size(), 0.0f);
      g.bias.assign(model_.layer(i).bias.size(), 0.0f);
      std::vector<float>* grad_in = i > start_ ? &s.grads[i - start_] : nullptr;
      model_.layer(i).backward(s.activations[i - start_], s.activations[i - start_ + 1],
                               s.grads[i - start_ + 1], grad_in, g);
    }
  });
  training.reset();
  // Deterministic reduction: shard order, whatever thread ran which shard.
  double loss = 0, correct = 0;
  for (std::size_t i = start_; i < head_; ++i) {
    std::fill(total_[i].weights.begin(), total_[i].weights.end(), 0.0f);
    std::fill(total_[i].bias.begin(), total_[i].bias.end(), 0.0f);
  }
  for (std::size_t index = 0; index < shard_count; ++index) {
    const Shard& s = shards_[index];
    loss += s.loss;
    correct += s.correct;
    for (std::size_t i = start_; i < head_; ++i) {
      for (std::size_t k = 0; k < total_[i].weights.size(); ++k)
        total_[i].weights[k] += s.parameters[i].weights[k];
      for (std::size_t k = 0; k < total_[i].bias.size(); ++k) total_[i].bias[k] += s.parameters[i].bias[k];
    }
  }
  return {loss, correct};
}

std::pair<double, double> Engine::evaluate(const PreparedSplit& data) {
  if (data.events == 0) return {0.0, 0.0};
  const std::size_t shard_count = (data.events + kShardEvents - 1) / kShardEvents;
  std::vector<std::pair<double, double>> results(shard_count);
  const std::size_t workers = static_cast<std::size_t>(pool_.threads());
  if (shards_.size() < workers) shards_.resize(workers);
  pool_.run(shard_count, [&](std::size_t index, int worker) {
    Shard& s = shards_[static_cast<std::size_t>(worker)];
    const std::size_t first = index * kShardEvents, n = std::min(kShardEvents, data.events - first);
    s.activations.resize(model_.size() + 1);
    s.grads.resize(model_.size() + 1);
    gather(data, nullptr, first, n, s.activations[0]);
    forward_shard(s, head_);
    loss_shard(s, data, nullptr, first, n, 1.0, false);
    results[index] = {s.loss, s.correct};
  });
  double loss = 0, correct = 0;
  for (const auto& [l, c] : results) {
    loss += l;
    correct += c;
  }
  return {loss, correct};
}

void Engine::predict(const PreparedSplit& data, std::vector<float>& out) {
  const std::size_t out_size = model_.output_size();
  out.resize(data.events * out_size);
  const std::size_t shard_count = (data.events + kShardEvents - 1) / kShardEvents;
  const std::size_t workers = static_cast<std::size_t>(pool_.threads());
  if (shards_.size() < workers) shards_.resize(workers);
  pool_.run(shard_count, [&](std::size_t index, int worker) {
    Shard& s = shards_[static_cast<std::size_t>(worker)];
    const std::size_t first = index * kShardEvents, n = std::min(kShardEvents, data.events - first);
    s.activations.resize(model_.size() + 1);
    gather(data, nullptr, first, n, s.activations[0]);
    forward_shard(s, model_.size());
    std::copy_n(s.activations[model_.size() - start_].values.begin(), n * out_size,
                out.begin() + static_cast<std::ptrdiff_t>(first * out_size));
  });
}

std::vector<std::size_t> Engine::dead_layers(const PreparedSplit& data, std::size_t count) {
  count = std::min(count, data.events);
  if (count == 0) return {};
  std::vector<std::uint32_t> first(count);
  for (std::size_t i = 0; i < count; ++i) first[i] = static_cast<std::uint32_t>(i);
  train_step(data, first.data(), count);
  const std::size_t shard_count = (count + kShardEvents - 1) / kShardEvents;
  auto is_zero = [](const std::vector<float>& values) {
    return std::all_of(values.begin(), values.end(), [](float v) { return v == 0.0f; });
  };
  std::vector<std::size_t> dead;
  for (std::size_t i = start_; i + 1 < head_; ++i) {
    const spec::LayerKind next = model_.resolved()[i + 1].spec.kind;
    if (next != spec::LayerKind::ReLU && next != spec::LayerKind::SparseReLU) continue;
    bool silent = true;  // the ReLU outputs zero for every value of every shard
    for (std::size_t index = 0; index < shard_count && silent; ++index) {
      silent = is_zero(shards_[index].activations[i + 2 - start_].values);
    }
    if (silent && is_zero(total_[i].weights) && is_zero(total_[i].bias)) dead.push_back(i);
  }
  return dead;
}

Adam::Adam(model::Model& model, double learning_rate, double beta1, double beta2, double epsilon)
    : model_(model), learning_rate_(learning_rate), beta1_(beta1), beta2_(beta2), epsilon_(epsilon) {
  for (std::size_t i = 0; i < model_.size(); ++i) {
    const std::size_t count = model_.layer(i).weights.size() + model_.layer(i).bias.size();
    m_.emplace_back(count, 0.0f);
    v_.emplace_back(count, 0.0f);
  }
}

void Adam::step(const std::vector<layers::ParameterGradients>& gradients) {
  ++steps_;
  const double corrected = learning_rate_ * std::sqrt(1.0 - std::pow(beta2_, static_cast<double>(steps_))) /
                           (1.0 - std::pow(beta1_, static_cast<double>(steps_)));
  const auto b1 = static_cast<float>(beta1_), b2 = static_cast<float>(beta2_);
  const auto rate = static_cast<float>(corrected), epsilon = static_cast<float>(epsilon_);
  for (std::size_t i = 0; i < model_.size(); ++i) {
    layers::Layer& layer = model_.layer(i);
    auto update = [&](std::vector<float>& values, const std::vector<float>& grads, std::size_t offset) {
      float* m = m_[i].data() + offset;
      float* v = v_[i].data() + offset;
      for (std::size_t k = 0; k < values.size(); ++k) {
        m[k] = b1 * m[k] + (1.0f - b1) * grads[k];
        v[k] = b2 * v[k] + (1.0f - b2) * grads[k] * grads[k];
        values[k] -= rate * m[k] / (std::sqrt(v[k]) + epsilon);
      }
    };
    if (gradients[i].weights.size() != layer.weights.size()) continue;
    update(layer.weights, gradients[i].weights, 0);
    update(layer.bias, gradients[i].bias, layer.weights.size());
  }
}

}  // namespace sparsepixels::train

#include "sparsepixels/inference/fixed_inference.h"

#include <algorithm>

#include "sparsepixels/tensor/shard_pool.h"

namespace sparsepixels::inference {

namespace {

using fixed::FixedType;

void record_profile(const LayerValues& values, const FixedType& type, LayerProfile& profile) {
  for (std::int64_t raw : values.raw) {
    const double value = type.to_double(raw);
    if (profile.values == 0) {
      profile.min_value = profile.max_value = value;
    } else {
      profile.min_value = std::min(profile.min_value, value);
      profile.max_value = std::max(profile.max_value, value);
    }
    ++profile.values;
    if (raw != 0) ++profile.nonzero;
  }
}

void merge_profile(const LayerProfile& part, LayerProfile& total) {
  if (part.values == 0) return;
  if (total.values == 0) {
    total.min_value = part.min_value;
    total.max_value = part.max_value;
  } else {
    total.min_value = std::min(total.min_value, part.min_value);
    total.max_value = std::max(total.max_value, part.max_value);
  }
  total.values += part.values;
  total.nonzero += part.nonzero;
  total.out_of_range += part.out_of_range;
}

}  // namespace

FixedModel::FixedModel(const model::Model& model) {
  model::require_fixed_point(model, model.spec().name, "fixed inference");
  const spec::ModelSpec& spec = model.spec();
  input_type_ = spec.input_type;
  input_type_.validate();
  input_size_ = model.input_shape().size();
  FixedType previous = input_type_;
  for (std::size_t index = 0; index < model.resolved().size(); ++index) {
    const layers::Layer& source = model.layer(index);
    if (source.info().spec.kind == spec::LayerKind::InputReduce) {
      threshold_raw_ = layers::threshold_raw(source.info(), input_type_);
    }
    layers_.push_back(source.make_fixed(previous));
    previous = source.info().types.result;
  }
}

std::size_t FixedModel::output_size() const {
  return layers_.back()->info().output.size();
}

const FixedType& FixedModel::output_type() const {
  return layers_.back()->info().types.result;
}

const FixedType& FixedModel::result_type(std::size_t index) const {
  return layers_.at(index)->info().types.result;
}

const std::vector<std::int64_t>& FixedModel::weights_raw(std::size_t index) const {
  return layers_.at(index)->weights_raw();
}

const std::vector<std::int64_t>& FixedModel::biases_raw(std::size_t index) const {
  return layers_.at(index)->biases_raw();
}

void FixedModel::quantize_input(const float* event, std::vector<std::int64_t>& raw) const {
  raw.resize(input_size_);
  // float32 widened to double is exact, as ap_fixed(float) does it (reference 11.2).
  // +0 and -0 give raw 0 in every mode (docs/fixed-point.md); sparse events are mostly zeros.
  for (std::size_t k = 0; k < input_size_; ++k) {
    raw[k] = event[k] == 0.0f ? 0 : input_type_.quantize_raw(static_cast<double>(event[k]));
  }
}

void FixedModel::run_traced(const float* event, std::vector<LayerValues>& outputs,
                            std::vector<LayerProfile>* profile) const {
  outputs.resize(layers_.size());
  LayerValues input;
  quantize_input(event, input.raw);
  for (std::size_t index = 0; index < layers_.size(); ++index) {
    LayerProfile* layer_profile = profile != nullptr ? &(*profile)[index] : nullptr;
    layers_[index]->forward(index == 0 ? input : outputs[index - 1], outputs[index], layer_profile);
    if (layer_profile != nullptr)
      record_profile(outputs[index], layers_[index]->info().types.result, *layer_profile);
  }
}

void FixedModel::run(const float* event, std::vector<LayerValues>& outputs) const {
  run_traced(event, outputs, nullptr);
}

FixedOutput FixedModel::predict(const float* inputs, std::size_t events, const FixedOptions& options) const {
  FixedOutput result;
  result.events = events;
  result.output_size = output_size();
  result.output_type = output_type();
  result.raw.assign(events * result.output_size, 0);
  if (options.trace) result.trace.resize(events);
  tensor::ShardPool pool(options.threads);
  const auto workers = static_cast<std::size_t>(pool.threads());
  std::vector<std::vector<LayerValues>> scratch(workers);
  // One profile per worker; merging counts, minima and maxima does not depend on the order.
  std::vector<std::vector<LayerProfile>> profiles(workers, std::vector<LayerProfile>(layers_.size()));
  constexpr std::size_t kShardEvents = 16;
  const std::size_t shards = (events + kShardEvents - 1) / kShardEvents;
  pool.run(shards, [&](std::size_t shard, int worker) {
    auto& outputs = scratch[static_cast<std::size_t>(worker)];
    auto* profile = options.profile ? &profiles[static_cast<std::size_t>(worker)] : nullptr;
    const std::size_t last = std::min(events, (shard + 1) * kShardEvents);
    for (std::size_t event = shard * kShardEvents; event < last; ++event) {
      run_traced(inputs + event * input_size_, outputs, profile);
      std::copy(outputs.back().raw.begin(), outputs.back().raw.end(),
                result.raw.begin() + static_cast<std::ptrdiff_t>(event * result.output_size));
      if (options.trace) result.trace[event] = outputs;
    }
  });
  result.values.resize(result.raw.size());
  for (std::size_t k = 0; k < result.raw.size(); ++k)
    result.values[k] = result.output_type.to_double(result.raw[k]);
  if (options.profile) {
    result.profile.assign(layers_.size(), LayerProfile{});
    for (const auto& part : profiles) {
      for (std::size_t index = 0; index < layers_.size(); ++index)
        merge_profile(part[index], result.profile[index]);
    }
  }
  return result;
}

FixedOutput fixed_predict(const model::Model& model, const float* inputs, std::size_t events,
                          const FixedOptions& options) {
  return FixedModel(model).predict(inputs, events, options);
}

}  // namespace sparsepixels::inference

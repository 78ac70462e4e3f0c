#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sparsepixels/layers/layer.h"
#include "sparsepixels/spec/model_spec.h"
#include "sparsepixels/tensor/batch.h"

namespace sparsepixels::model {

/// A sequential model: the declared spec, every layer resolved (shapes, types, counts) and the
/// layers with their parameters.
class Model {
 public:
  /// Resolves `spec` (errors name `origin`) and makes its layers with zero parameters.
  explicit Model(spec::ModelSpec spec, const std::string& origin = "model");
  ~Model();
  Model(Model&& other) noexcept;
  Model& operator=(Model&& other) noexcept;

  const spec::ModelSpec& spec() const { return spec_; }
  spec::ModelSpec& spec() { return spec_; }
  const std::vector<spec::ResolvedLayer>& resolved() const { return resolved_; }
  std::size_t size() const { return layers_.size(); }
  layers::Layer& layer(std::size_t index) { return *layers_[index]; }
  const layers::Layer& layer(std::size_t index) const { return *layers_[index]; }

  /// Keras-default initial parameters from `seed` (recorded as the model's seed).
  void initialize(std::uint64_t seed);
  std::uint64_t seed() const { return seed_; }
  void set_seed(std::uint64_t seed) { seed_ = seed; }

  /// Number of trainable parameters (weights and biases of every layer).
  std::size_t parameter_count() const;

  /// Shape of one input event (dense, channel-last).
  spec::Shape input_shape() const;
  /// Values per output event (the last layer's size).
  std::size_t output_size() const { return resolved_.back().output.size(); }

  /// Inference on `events` dense input events (event-major, channel-last): writes
  /// events x output_size() values into `out`. `quantized` runs the QAT forward (types applied).
  /// Uses `threads` threads (0: all hardware threads); the result does not depend on it.
  /// The worker threads and scratch batches are kept in the model between calls (made again only
  /// when `threads` changes); a call made while another runs on the same model uses its own.
  /// Calls with different `quantized` must not run at the same time (the mode is a layer property).
  void predict(const float* inputs, std::size_t events, std::vector<float>& out, bool quantized = false,
               int threads = 1) const;

  /// As predict, from hit lists (tensor::HitEvents): a sparse model's input reduction reads the hits
  /// straight away (cost grows with the hits, not the image area); a standard model gets each shard
  /// of events made dense first. The outputs equal predict's on the dense events bit for bit.
  void predict_hits(const tensor::HitEvents& hits, std::vector<float>& out, bool quantized = false,
                    int threads = 1) const;

  /// As predict, and checks that every input value is finite, shard by shard just before the shard is
  /// computed (while its values are in cache, so the check costs little). Returns the index of the
  /// first event holding an inf or NaN (the outputs are then unspecified), or `events` if none does.
  std::size_t predict_finite(const float* inputs, std::size_t events, std::vector<float>& out,
                             bool quantized = false, int threads = 1) const;

  /// Copies all parameters out (layer order, weights then biases) and back in.
  std::vector<std::vector<float>> parameters() const;
  void set_parameters(const std::vector<std::vector<float>>& values);

 private:
  // predict's work; with `first_bad` set, each shard's inputs are checked first (predict_finite).
  void run_predict(const float* inputs, const tensor::HitEvents* hits, std::size_t events,
                   std::vector<float>& out, bool quantized, int threads,
                   std::atomic<std::size_t>* first_bad) const;

  spec::ModelSpec spec_;
  std::vector<spec::ResolvedLayer> resolved_;
  std::vector<std::unique_ptr<layers::Layer>> layers_;
  std::uint64_t seed_ = 0;
  struct PredictCache;  // worker pool and scratch batches of predict, kept between calls
  std::unique_ptr<PredictCache> predict_cache_;
};

/// Runs layers [first, last) of a model forward on one batch; `activations[k]` is the input of
/// layer first+k (activations[0] must be filled by the caller).
void forward_range(const Model& model, std::size_t first, std::size_t last,
                   std::vector<tensor::Batch>& activations);

/// QAT input conversion (reference 11.2): casts dense input values to the model's input type, in
/// place, when the first layer is not InputReduce (which converts the pixels it reads itself).
void quantize_inputs(const Model& model, float* values, std::size_t count);

/// Throws an Error naming `origin` (the model file) when the model keeps its input in float (imported
/// with --float-input, a comparison aid): `what` ("fixed inference", "code generation", ...) needs
/// fixed-point types throughout.
void require_fixed_point(const Model& model, const std::string& origin, const std::string& what);

/// Writes the model file (format: docs/model-file.md) to a temporary name, then renames it.
void save_model(const Model& model, const std::string& path);

/// Reads and validates a model file; errors name the file, the layer and the field.
Model load_model(const std::string& path);

/// Loads a model file (.json) or builds a model from a YAML config (parameters zero).
Model load_model_or_config(const std::string& path);

/// Keras-like summary: layers, output shapes, parameter counts and types.
std::string summary(const Model& model);

}  // namespace sparsepixels::model

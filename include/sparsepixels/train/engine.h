#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/layers/layer.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/tensor/shard_pool.h"

namespace sparsepixels::train {

/// A split ready for batching. With an InputReduce first layer the reduction runs once here (the
/// selection is constant and has no parameters), so training epochs touch only the kept slots.
struct PreparedSplit {
  bool reduced = false;
  std::size_t events = 0, event_size = 0;
  std::vector<float> values;           // reduced: events x slots x channels
  const float* dense = nullptr;        // not reduced: the split's own images
  std::vector<float> quantized_dense;  // not reduced, QAT: the images cast to the input type (used instead)
  std::vector<std::int16_t> row, col;  // reduced: slot coordinates (1-based)
  std::vector<std::uint8_t> position;  // reduced: real-pixel flags
  int slots = 0, grid_height = 0, grid_width = 0;
  // reduced: the neighbour tables (kernel -> pairs of every event) of the convolutions that work on
  // the reduced geometry, built once here; batches copy their events' pairs instead of rebuilding.
  std::map<int, tensor::NeighbourTable> neighbours;
  std::vector<std::int32_t> labels;
};

/// Runs a model's forward and backward passes over batches split into fixed shards of
/// kShardEvents events, on a thread pool; per-shard results are combined in shard order, so
/// results never depend on the thread count.
class Engine {
 public:
  static constexpr std::size_t kShardEvents = 32;

  /// Prepares every layer in the given mode (float or quantized).
  Engine(model::Model& model, bool quantized, tensor::ShardPool& pool);

  /// Reduces (or references) a split; the split must outlive the result when not reduced.
  PreparedSplit prepare(const data::Split& split);

  /// The same from hit lists, for a model whose first layer is an InputReduce: the reduction reads the
  /// hits (no dense event is made), so its cost grows with the hits, not the image. Throws Error for a
  /// model without an InputReduce or for events of another shape.
  PreparedSplit prepare(const data::HitSplit& split);

  /// Forward and backward over the events `indices[0..count)`; returns (loss sum, correct count).
  /// The gradients of the batch-mean loss are then in gradients().
  std::pair<double, double> train_step(const PreparedSplit& data, const std::uint32_t* indices,
                                       std::size_t count);

  /// Summed parameter gradients of the last train_step, one entry per layer.
  const std::vector<layers::ParameterGradients>& gradients() const { return total_; }

  /// Re-makes the layers' forward parameters after an update.
  void refresh();

  /// Updates the statistics that gradients do not train (batch normalization's moving mean and
  /// variance) from the inputs of the last train_step; the trainer calls it after each optimizer step.
  void update_statistics();

  /// Forward only over a whole prepared split; returns (loss sum, correct count).
  std::pair<double, double> evaluate(const PreparedSplit& data);

  /// Forward only (to the model's output, activation included) of a prepared split.
  void predict(const PreparedSplit& data, std::vector<float>& out);

  /// A training step's forward and backward passes over events [0, count) of a prepared split
  /// (parameters unchanged); returns, in layer order, the layers followed by a ReLU/SparseReLU whose
  /// ReLU output is zero for every value of those events and whose parameter gradients are all zero
  /// (a dead start: training cannot move them). gradients() then holds that step's gradients.
  std::vector<std::size_t> dead_layers(const PreparedSplit& data, std::size_t count);

 private:
  struct Shard {
    std::vector<tensor::Batch> activations;
    std::vector<std::vector<float>> grads;
    std::vector<layers::ParameterGradients> parameters;
    double loss = 0, correct = 0;
  };
  // The reduced part of prepare: `reduce_chunk(first, count, out)` runs the InputReduce on those events.
  using ChunkReduction = std::function<void(std::size_t, std::size_t, tensor::Batch&)>;
  PreparedSplit prepare_reduced(PreparedSplit prepared, const ChunkReduction& reduce_chunk);
  void gather(const PreparedSplit& data, const std::uint32_t* indices, std::size_t first, std::size_t count,
              tensor::Batch& batch) const;
  void forward_shard(Shard& shard, std::size_t head_end) const;
  void loss_shard(Shard& shard, const PreparedSplit& data, const std::uint32_t* indices, std::size_t first,
                  std::size_t count, double scale, bool want_gradient) const;
  Shard& shard(std::size_t index);

  model::Model& model_;
  bool quantized_;
  tensor::ShardPool& pool_;
  std::size_t start_ = 0;  // first layer run per batch (1 when InputReduce is precomputed)
  std::size_t head_ = 0;   // index of the final Sigmoid/Softmax (the loss takes its input)
  bool binary_ = true;
  std::vector<Shard> shards_;
  std::size_t last_shards_ = 0;  // shards of the last train_step
  std::vector<layers::ParameterGradients> total_;
};

/// Adam (Kingma and Ba) with Keras's epsilon placement, on the model's float parameters.
class Adam {
 public:
  Adam(model::Model& model, double learning_rate, double beta1, double beta2, double epsilon);
  void step(const std::vector<layers::ParameterGradients>& gradients);
  /// The rate of the following steps (a schedule); the moments are kept.
  void set_learning_rate(double learning_rate) { learning_rate_ = learning_rate; }

 private:
  model::Model& model_;
  double learning_rate_, beta1_, beta2_, epsilon_;
  long steps_ = 0;
  std::vector<std::vector<float>> m_, v_;  // per layer: weights then biases
};

}  // namespace sparsepixels::train

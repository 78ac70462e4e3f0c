#include "sparsepixels/train/trainer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "sparsepixels/error.h"
#include "sparsepixels/tensor/shard_pool.h"
#include "sparsepixels/train/engine.h"
#include "sparsepixels/util/atomic_file.h"

namespace sparsepixels::train {

std::string resolve_loss(const model::Model& model) {
  const spec::ResolvedLayer& head = model.resolved().back();
  const bool sigmoid = head.spec.kind == spec::LayerKind::Sigmoid;
  const bool softmax = head.spec.kind == spec::LayerKind::Softmax;
  const std::string& declared = model.spec().training.loss;
  if (!sigmoid && !softmax) {
    throw Error(fmt::format("model '{}': the last layer must be Sigmoid or Softmax to train (got {})",
                            model.spec().name, spec::to_string(head.spec.kind)));
  }
  const std::string natural = sigmoid ? "binary_crossentropy" : "categorical_crossentropy";
  if (declared != "auto" && declared != natural) {
    throw Error(fmt::format("model '{}': field 'training.loss': {} does not fit a {} head (use {})",
                            model.spec().name, declared, spec::to_string(head.spec.kind), natural));
  }
  return natural;
}

std::pair<double, double> evaluate(const model::Model& model, const data::Split& split, bool quantized,
                                   int threads) {
  tensor::ShardPool pool(threads);
  Engine engine(const_cast<model::Model&>(model), quantized, pool);
  const PreparedSplit prepared = engine.prepare(split);
  const auto [loss, correct] = engine.evaluate(prepared);
  const double count = static_cast<double>(std::max<std::size_t>(split.size(), 1));
  return {loss / count, correct / count};
}

void write_history(const std::string& path, const std::vector<EpochRecord>& history) {
  std::string text = "epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds\n";
  for (const EpochRecord& r : history) {
    text += fmt::format("{},{:.8g},{:.8g},{:.8g},{:.8g},{:.8g},{:.6f}\n", r.epoch, r.loss, r.accuracy,
                        r.val_loss, r.val_accuracy, r.learning_rate, r.seconds);
  }
  util::write_file_atomically(path, text);
}

namespace {

// The dead-start guard: Glorot draws can leave a layer whose ReLU is zero on every value (e.g. a
// single 7x7 filter negative on every positive pixel); the activity rule then blocks every gradient
// and the model never trains. Such a layer (the earliest first: later ones depend on it) gets new
// weights from a stream seeded by the training seed, until the first batch shows life.
void guard_dead_start(model::Model& model, Engine& engine, const PreparedSplit& train_data,
                      const spec::TrainingSettings& settings, const TrainOptions& options,
                      TrainResult& result) {
  std::mt19937_64 redraw_random(settings.seed ^ 0xd1b54a32d192ed03ULL);
  const auto first_batch = static_cast<std::size_t>(settings.batch_size);
  std::vector<int> redraws(model.size(), 0);
  auto say = [&](const std::string& message) {
    result.log.push_back(message);
    if (options.on_log) options.on_log(message);
  };
  for (;;) {
    const std::vector<std::size_t> dead = engine.dead_layers(train_data, first_batch);
    if (dead.empty()) return;
    const std::size_t layer = dead.front();
    const std::string& name = model.resolved()[layer].spec.name;
    if (redraws[layer] == kDeadStartRedraws) {
      say(
          fmt::format("dead start: layer '{}' still gives an all-zero ReLU on the first batch after {} "
                      "redraws; training as is",
                      name, kDeadStartRedraws));
      return;
    }
    ++redraws[layer];
    ++result.redraws;
    model.layer(layer).initialize(redraw_random);
    engine.refresh();
    say(
        fmt::format("dead start: layer '{}' gave an all-zero ReLU on the first batch; weights drawn again "
                    "(redraw {} of at most {})",
                    name, redraws[layer], kDeadStartRedraws));
  }
}

}  // namespace

namespace {

// train() on dense events or hit lists (Engine::prepare takes either; nothing else reads the events).
template <class Events>
TrainResult train_events(model::Model& model, const Events& train_split, const Events& val_split,
                         const TrainOptions& options) {
  spec::TrainingSettings settings = model.spec().training;
  if (options.epochs) settings.max_epochs = *options.epochs;
  if (options.seed) settings.seed = *options.seed;
  if (options.threads) settings.threads = *options.threads;
  model.spec().training.seed = settings.seed;
  resolve_loss(model);
  if (train_split.size() == 0) throw Error("train: the training split has no events");

  model.initialize(settings.seed);
  // The slot rule of training (training.slot_rule), reset when train() returns or throws.
  struct SlotRule {
    model::Model& model;
    SlotRule(model::Model& m, bool keras) : model(m) { set(keras); }
    ~SlotRule() { set(false); }
    void set(bool keras) {
      for (std::size_t i = 0; i < model.size(); ++i) model.layer(i).set_input_mask(keras);
    }
  } const slot_rule(model, settings.slot_rule == spec::SlotRule::Keras);
  tensor::ShardPool pool(settings.threads);
  Engine engine(model, settings.quantized, pool);
  const PreparedSplit train_data = engine.prepare(train_split);
  const PreparedSplit val_data = engine.prepare(val_split);
  const bool has_val = val_split.size() > 0;
  TrainResult result;
  if (options.dead_start_guard) guard_dead_start(model, engine, train_data, settings, options, result);

  Adam adam(model, settings.learning_rate, settings.beta1, settings.beta2, settings.epsilon);
  std::vector<std::uint32_t> order(train_split.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  std::mt19937_64 shuffle_random(settings.seed ^ 0x9e3779b97f4a7c15ULL);

  double best = std::numeric_limits<double>::infinity();
  std::vector<std::vector<float>> best_parameters = model.parameters();
  int waited = 0;
  double learning_rate = settings.learning_rate;
  double plateau_best = std::numeric_limits<double>::infinity();  // ReduceLROnPlateau's own best
  int plateau_waited = 0;
  const auto batch = static_cast<std::size_t>(settings.batch_size);
  for (int epoch = 1; epoch <= settings.max_epochs; ++epoch) {
    const auto start = std::chrono::steady_clock::now();
    // Fisher-Yates with our own draws: std::shuffle's algorithm differs between libraries.
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[shuffle_random() % i]);
    double loss_sum = 0, correct = 0;
    bool cut_short = false;
    for (std::size_t first = 0; first < order.size(); first += batch) {
      const std::size_t count = std::min(batch, order.size() - first);
      const auto [loss, hits] = engine.train_step(train_data, order.data() + first, count);
      loss_sum += loss;
      correct += hits;
      adam.step(engine.gradients());
      engine.update_statistics();
      engine.refresh();
      if (options.should_stop && options.should_stop()) {
        cut_short = true;
        break;
      }
    }
    if (cut_short) {
      result.stopped_by_request = true;
      break;
    }
    EpochRecord record;
    record.epoch = epoch;
    record.loss = loss_sum / static_cast<double>(order.size());
    record.accuracy = correct / static_cast<double>(order.size());
    record.val_loss = record.val_accuracy = std::numeric_limits<double>::quiet_NaN();
    if (has_val) {
      const auto [loss, hits] = engine.evaluate(val_data);
      record.val_loss = loss / static_cast<double>(val_split.size());
      record.val_accuracy = hits / static_cast<double>(val_split.size());
    }
    record.learning_rate = learning_rate;
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.history.push_back(record);
    if (!options.history_csv.empty()) write_history(options.history_csv, result.history);
    if (options.on_epoch) options.on_epoch(record);
    if (!std::isfinite(record.loss) || (has_val && !std::isfinite(record.val_loss))) {
      throw Error(
          fmt::format("train: model '{}': the loss is not finite at epoch {} (loss {}, val_loss {}); "
                      "training stopped and no model written (is training.learning_rate too large?)",
                      model.spec().name, epoch, record.loss, record.val_loss));
    }

    const double monitored = has_val ? record.val_loss : record.loss;
    if (settings.reduce_lr_factor > 0) {  // Keras ReduceLROnPlateau (mode min, cooldown 0)
      if (monitored < plateau_best - settings.reduce_lr_min_delta) {
        plateau_best = monitored;
        plateau_waited = 0;
      } else if (++plateau_waited >= settings.reduce_lr_patience) {
        learning_rate = std::max(learning_rate * settings.reduce_lr_factor, settings.min_learning_rate);
        adam.set_learning_rate(learning_rate);
        plateau_waited = 0;
      }
    }
    if (monitored < best - settings.min_delta || result.best_epoch == 0) {
      best = monitored;
      result.best_epoch = epoch;
      best_parameters = model.parameters();
      waited = 0;
    } else if (settings.early_stopping && ++waited >= settings.patience) {
      result.stopped_early = true;
      break;
    }
    if (options.should_stop && options.should_stop()) {
      result.stopped_by_request = true;
      break;
    }
  }
  if (settings.restore_best && result.best_epoch > 0) model.set_parameters(best_parameters);
  for (std::size_t i = 0; i < model.size(); ++i) model.layer(i).prepare(false);
  return result;
}

}  // namespace

TrainResult train(model::Model& model, const data::Split& train_split, const data::Split& val_split,
                  const TrainOptions& options) {
  return train_events(model, train_split, val_split, options);
}

TrainResult train(model::Model& model, const data::HitSplit& train_split, const data::HitSplit& val_split,
                  const TrainOptions& options) {
  return train_events(model, train_split, val_split, options);
}

}  // namespace sparsepixels::train

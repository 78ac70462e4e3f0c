// The dead-start guard: examples/mnist/sparse-m-8b.yml with seed 1 draws a conv1 filter that is
// negative on every positive pixel, so every slot goes inactive after relu1 and the activity rule
// blocks every gradient. Without the guard the model cannot train; with it, conv1 is drawn again
// and it trains, with the same result whatever the thread count.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/train/trainer.h"

namespace sparsepixels::train {
namespace {

// MNIST-like 48x48 events: class c is a horizontal stroke of 10 to 17 pixels on row 4c + 3 (one
// pixel of jitter), values in [0.5, 1] (above the config's 0.4 threshold), random columns.
data::Split strokes(std::size_t events, std::uint64_t seed) {
  data::Split split;
  split.height = split.width = 48;
  split.channels = 1;
  split.x.assign(events * 48 * 48, 0.0f);
  std::mt19937_64 random(seed);
  for (std::size_t e = 0; e < events; ++e) {
    const int label = static_cast<int>(random() % 10);
    const int row = 4 * label + 3 + static_cast<int>(random() % 3) - 1;
    const int length = 10 + static_cast<int>(random() % 8);
    const int start = static_cast<int>(random() % static_cast<std::uint64_t>(48 - length));
    for (int k = 0; k < length; ++k) {
      split.x[e * 48 * 48 + static_cast<std::size_t>(row) * 48 + static_cast<std::size_t>(start + k)] =
          0.5f + static_cast<float>(random() % 500) / 1000.0f;
    }
    split.y.push_back(label);
  }
  return split;
}

model::Model mnist_sparse_m() {
  const std::string config = std::string(SPARSEPIXELS_SOURCE_DIR) + "/examples/mnist/sparse-m-8b.yml";
  model::Model model(model::load_config(config), config);
  EXPECT_EQ(model.spec().training.seed, 1u);
  // The hardware's activity rule: there the dead start blocks every gradient to conv1 (under the
  // config's Keras mask a few still trickle through, and the model stays at chance all the same).
  model.spec().training.slot_rule = spec::SlotRule::Activity;
  EXPECT_EQ(model.resolved()[1].spec.name, "conv1");
  return model;
}

TEST(DeadStart, MnistSparseMSeedOneTrainsOnlyWithTheGuard) {
  const data::Split train_split = strokes(1536, 1), val_split = strokes(512, 2);
  TrainOptions options;
  options.epochs = 12;
  options.threads = 2;

  // The initial conv1 weights of seed 1 (Glorot, before any guard).
  model::Model initial = mnist_sparse_m();
  initial.initialize(1);
  const std::vector<float> initial_conv1 = initial.layer(1).weights;

  // Without the guard: dead. No gradient reaches conv1 (its weights never move) and the model
  // stays at chance.
  model::Model unguarded = mnist_sparse_m();
  options.dead_start_guard = false;
  const TrainResult dead = train(unguarded, train_split, val_split, options);
  EXPECT_EQ(dead.redraws, 0);
  EXPECT_EQ(unguarded.layer(1).weights, initial_conv1);
  const double dead_accuracy = dead.history[static_cast<std::size_t>(dead.best_epoch - 1)].val_accuracy;
  EXPECT_LT(dead_accuracy, 0.2);

  // With the guard: conv1 drawn again (logged), and the model learns.
  model::Model guarded = mnist_sparse_m();
  options.dead_start_guard = true;
  std::vector<std::string> messages;
  options.on_log = [&](const std::string& message) { messages.push_back(message); };
  const TrainResult alive = train(guarded, train_split, val_split, options);
  EXPECT_GE(alive.redraws, 1);
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages, alive.log);
  EXPECT_NE(messages.front().find("'conv1'"), std::string::npos) << messages.front();
  EXPECT_NE(guarded.layer(1).weights, initial_conv1);
  const double accuracy = alive.history[static_cast<std::size_t>(alive.best_epoch - 1)].val_accuracy;
  std::printf("val accuracy: %.3f without the guard, %.3f with it (%d redraws: %s)\n", dead_accuracy,
              accuracy, alive.redraws, messages.back().c_str());
  EXPECT_GT(accuracy, dead_accuracy + 0.2);
  EXPECT_LT(alive.history.back().loss, alive.history.front().loss);

  // Same seed, same weights, whatever the thread count (the guard included).
  model::Model one_thread = mnist_sparse_m();
  options.threads = 1;
  options.on_log = nullptr;
  const TrainResult again = train(one_thread, train_split, val_split, options);
  EXPECT_EQ(again.redraws, alive.redraws);
  EXPECT_EQ(one_thread.parameters(), guarded.parameters());
}

}  // namespace
}  // namespace sparsepixels::train

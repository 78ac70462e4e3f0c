// The training loop: convergence, determinism across thread counts, early stopping, history, QAT.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>

#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/train/trainer.h"

namespace sparsepixels::train {
namespace {

// A toy task on a 16x16 grid: 4 to 9 hits; label 1 when most of the charge is in the top half.
data::Split toy_split(std::size_t events, std::uint64_t seed, int classes = 2) {
  data::Split split;
  split.height = split.width = 16;
  split.channels = 1;
  split.x.assign(events * 256, 0.0f);
  std::mt19937_64 random(seed);
  for (std::size_t e = 0; e < events; ++e) {
    const int label = static_cast<int>(random() % static_cast<std::uint64_t>(classes));
    const int hits = 4 + static_cast<int>(random() % 6);
    for (int h = 0; h < hits; ++h) {
      // Most hits in the band of the label (top / bottom / for 3 classes: middle), some anywhere.
      const bool in_band = random() % 5 != 0;
      const int band_height = 16 / classes;
      const int row = in_band ? label * band_height + static_cast<int>(random() % band_height)
                              : static_cast<int>(random() % 16);
      const int col = static_cast<int>(random() % 16);
      split.x[e * 256 + row * 16 + col] = 0.2f + static_cast<float>(random() % 800) / 1000.0f;
    }
    split.y.push_back(label);
  }
  return split;
}

const char* const kSparseBinary = R"(
name: toy-sparse
input: {height: 16, width: 16, channels: 1, type: "ap_ufixed<8,1,AP_RND_CONV,AP_SAT>"}
precision: {weight: "ap_fixed<8,3>", bias: "ap_fixed<8,3>", result: "ap_fixed<16,6,AP_RND_CONV,AP_SAT>"}
layers:
  - {type: InputReduce, n_active: 8, threshold: 0.0}
  - {type: SparseConv2D, filters: 2, kernel: 3}
  - {type: SparseReLU}
  - {type: SparseAvgPool2D, pool: 4}
  - {type: SparseFlatten}
  - {type: Dense, units: 8}
  - {type: ReLU}
  - {type: Dense, units: 1}
  - {type: Sigmoid}
training: {batch_size: 32, max_epochs: 8, learning_rate: 0.01, seed: 3, early_stopping: {patience: 50}}
)";

model::Model toy_model(const std::string& text = kSparseBinary) {
  return model::Model(model::parse_config(text, "toy.yml"), "toy.yml");
}

TEST(Train, SparseModelLearnsTheToyTask) {
  model::Model model = toy_model();
  const data::Split train_split = toy_split(2000, 1), val_split = toy_split(500, 2);
  const TrainResult result = train(model, train_split, val_split);
  ASSERT_EQ(result.history.size(), 8u);
  EXPECT_LT(result.history.back().loss, result.history.front().loss);
  const auto [loss, accuracy] = evaluate(model, val_split, false, 1);
  EXPECT_GT(accuracy, 0.85) << "val loss " << loss;
}

TEST(Train, SameSeedSameWeightsWhateverTheThreadCount) {
  const data::Split train_split = toy_split(700, 4), val_split = toy_split(100, 5);
  // Batches of 128 make four shards of 32 events, so two threads really split the work.
  std::string text = kSparseBinary;
  text.replace(text.find("batch_size: 32"), 14, "batch_size: 128");
  model::Model one = toy_model(text), two = toy_model(text);
  TrainOptions options;
  options.epochs = 3;
  options.threads = 1;
  train(one, train_split, val_split, options);
  options.threads = 2;
  train(two, train_split, val_split, options);
  EXPECT_EQ(one.parameters(), two.parameters());  // bit for bit
  options.seed = 99;
  model::Model other = toy_model(text);
  train(other, train_split, val_split, options);
  EXPECT_NE(one.parameters(), other.parameters());
}

TEST(Train, EarlyStoppingRestoresTheBestEpoch) {
  const data::Split train_split = toy_split(300, 6), val_split = toy_split(100, 7);
  std::string text = kSparseBinary;
  text.replace(text.find("early_stopping: {patience: 50}"), 30,
               "early_stopping: {patience: 2, min_delta: 1000.0, restore_best: true}");
  model::Model model = toy_model(text);
  const TrainResult result = train(model, train_split, val_split);
  // No epoch improves by 1000 on the first: stop after 1 + patience epochs, keep epoch 1.
  EXPECT_TRUE(result.stopped_early);
  EXPECT_EQ(result.history.size(), 3u);
  EXPECT_EQ(result.best_epoch, 1);
  model::Model one_epoch = toy_model();
  TrainOptions options;
  options.epochs = 1;
  train(one_epoch, train_split, val_split, options);
  EXPECT_EQ(model.parameters(), one_epoch.parameters());
}

TEST(Train, ReduceLrOnPlateauHalvesTheRateAfterPatienceEpochsDownToTheFloor) {
  const data::Split train_split = toy_split(300, 6), val_split = toy_split(100, 7);
  std::string text = kSparseBinary;
  // No epoch improves by 1000 on the best: from epoch 2 on, every epoch (patience 1) halves the rate.
  text.replace(text.find("early_stopping: {patience: 50}"), 30,
               "early_stopping: {patience: 50}, reduce_lr: {factor: 0.5, patience: 1, min_delta: 1000.0, "
               "min_lr: 0.00125}");
  model::Model model = toy_model(text);
  TrainOptions options;
  options.epochs = 6;
  const TrainResult result = train(model, train_split, val_split, options);
  ASSERT_EQ(result.history.size(), 6u);
  const double expected[] = {0.01, 0.01, 0.005, 0.0025, 0.00125, 0.00125};
  for (std::size_t i = 0; i < 6; ++i) EXPECT_DOUBLE_EQ(result.history[i].learning_rate, expected[i]) << i;
  // The rate reaches Adam: the weights differ from a run without the schedule.
  model::Model constant = toy_model();
  train(constant, train_split, val_split, options);
  EXPECT_NE(model.parameters(), constant.parameters());
  // Off by default.
  model::Model plain = toy_model();
  options.epochs = 3;
  for (const EpochRecord& record : train(plain, train_split, val_split, options).history)
    EXPECT_DOUBLE_EQ(record.learning_rate, 0.01);
}

TEST(Train, KerasSlotRuleTrainsDifferentlyAndLeavesInferenceOnTheActivityRule) {
  const data::Split train_split = toy_split(600, 8), val_split = toy_split(200, 9);
  // A second convolution: the rule decides which of its slots are computed (the first convolution's
  // inputs are the kept pixels themselves, all non-zero).
  std::string two_convs = kSparseBinary;
  const std::string relu = "  - {type: SparseReLU}\n";
  two_convs.insert(two_convs.find(relu) + relu.size(),
                   "  - {type: SparseConv2D, filters: 2, kernel: 3}\n" + relu);
  std::string text = two_convs;
  text.replace(text.find("early_stopping: {patience: 50}"), 30,
               "early_stopping: {patience: 50}, slot_rule: keras");
  model::Model keras = toy_model(text), activity = toy_model(two_convs);
  EXPECT_EQ(keras.spec().training.slot_rule, spec::SlotRule::Keras);
  EXPECT_EQ(activity.spec().training.slot_rule, spec::SlotRule::Activity);
  TrainOptions options;
  options.epochs = 3;
  train(keras, train_split, val_split, options);
  train(activity, train_split, val_split, options);
  // Slots the ReLU zeroed still produce convolution outputs (and gradients) under the Keras mask.
  EXPECT_NE(keras.parameters(), activity.parameters());
  for (std::size_t i = 0; i < keras.size(); ++i) EXPECT_FALSE(keras.layer(i).input_mask()) << i;
  // After train() the trained model infers with the activity rule: as the same model read back from
  // its file (which never trained), and as the bit-exact fixed inference in quantized mode.
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("sparsepixels-slot-rule-" + std::to_string(::getpid()) + ".json"))
                               .string();
  model::save_model(keras, path);
  const model::Model loaded = model::load_model(path);
  std::filesystem::remove(path);
  EXPECT_EQ(loaded.spec().training.slot_rule, spec::SlotRule::Keras);
  std::vector<float> trained_out, loaded_out;
  keras.predict(val_split.x.data(), val_split.size(), trained_out);
  loaded.predict(val_split.x.data(), val_split.size(), loaded_out);
  EXPECT_EQ(trained_out, loaded_out);
}

TEST(Train, ShouldStopEndsTrainingAsEarlyStoppingDoes) {
  const data::Split train_split = toy_split(300, 6), val_split = toy_split(100, 7);
  // Stop requested after the second epoch's bookkeeping: two epochs recorded, the best restored.
  model::Model stopped = toy_model();
  TrainOptions options;
  options.epochs = 10;
  int epochs_seen = 0;
  options.on_epoch = [&epochs_seen](const EpochRecord&) { ++epochs_seen; };
  options.should_stop = [&epochs_seen] { return epochs_seen == 2; };
  const TrainResult result = train(stopped, train_split, val_split, options);
  EXPECT_TRUE(result.stopped_by_request);
  EXPECT_FALSE(result.stopped_early);
  EXPECT_EQ(result.history.size(), 2u);
  model::Model two_epochs = toy_model();
  TrainOptions two;
  two.epochs = 2;
  const TrainResult reference = train(two_epochs, train_split, val_split, two);
  EXPECT_FALSE(reference.stopped_by_request);
  EXPECT_EQ(result.best_epoch, reference.best_epoch);
  EXPECT_EQ(stopped.parameters(), two_epochs.parameters());

  // A stop within the first epoch records no epoch.
  model::Model cut = toy_model();
  TrainOptions at_once;
  at_once.epochs = 10;
  at_once.should_stop = [] { return true; };
  const TrainResult cut_result = train(cut, train_split, val_split, at_once);
  EXPECT_TRUE(cut_result.stopped_by_request);
  EXPECT_TRUE(cut_result.history.empty());
}

TEST(Train, WritesTheHistoryCsv) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "sparsepixels_history_test.csv").string();
  model::Model model = toy_model();
  TrainOptions options;
  options.epochs = 2;
  options.history_csv = path;
  train(model, toy_split(200, 8), toy_split(50, 9), options);
  std::ifstream in(path);
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header, "epoch,loss,accuracy,val_loss,val_accuracy,learning_rate,seconds");
  int rows = 0;
  while (std::getline(in, line)) ++rows;
  EXPECT_EQ(rows, 2);
  std::filesystem::remove(path);
}

// Every layer kind in two models (sparse and standard), categorical and binary heads.
TEST(Train, EveryLayerTypeTrainsEndToEndAndRoundTrips) {
  const char* const sparse = R"(
input: {height: 16, width: 16, channels: 1}
layers:
  - {type: InputReduce, n_active: 8, threshold: 0.1, selection: topk}
  - {type: SparseConv2D, filters: 3, kernel: 3}
  - {type: SparseReLU}
  - {type: SparseMaxPool2D, pool: 2}
  - {type: SparseConv2D, filters: 2, kernel: 3}
  - {type: SparseReLU}
  - {type: SparseAvgPool2D, pool: 2}
  - {type: SparseFlatten}
  - {type: Dense, units: 8}
  - {type: ReLU}
  - {type: Dense, units: 3}
  - {type: Softmax}
training: {batch_size: 32, max_epochs: 6, learning_rate: 0.01, seed: 5}
)";
  const char* const standard = R"(
input: {height: 16, width: 16, channels: 1}
layers:
  - {type: Conv2D, filters: 2, kernel: 3}
  - {type: ReLU}
  - {type: MaxPool2D, pool: 2}
  - {type: AvgPool2D, pool: 2}
  - {type: Flatten}
  - {type: Dense, units: 1}
  - {type: Sigmoid}
training: {batch_size: 32, max_epochs: 6, learning_rate: 0.01, seed: 5}
)";
  for (const auto& [text, classes] : std::vector<std::pair<const char*, int>>{{sparse, 3}, {standard, 2}}) {
    model::Model model = toy_model(text);
    const data::Split train_split = toy_split(1500, 10, classes), val_split = toy_split(300, 11, classes);
    const TrainResult result = train(model, train_split, val_split);
    EXPECT_LT(result.history.back().val_loss, result.history.front().val_loss * 0.9) << model.spec().name;
    const auto [loss, accuracy] = evaluate(model, val_split, false, 2);
    EXPECT_GT(accuracy, 1.5 / classes) << classes;
    const std::string path =
        (std::filesystem::temp_directory_path() / "sparsepixels_every_layer.json").string();
    model::save_model(model, path);
    const model::Model loaded = model::load_model(path);
    std::vector<float> a, b;
    model.predict(val_split.x.data(), val_split.size(), a);
    loaded.predict(val_split.x.data(), val_split.size(), b, false, 2);
    EXPECT_EQ(a, b);
    std::filesystem::remove(path);
  }
}

TEST(Train, QuantizationAwareTrainingKeepsValuesOnTheTypeGrids) {
  std::string text = kSparseBinary;
  text.replace(text.find("seed: 3"), 7, "seed: 3, quantized: true");
  model::Model model = toy_model(text);
  const data::Split train_split = toy_split(1500, 12), val_split = toy_split(300, 13);
  train(model, train_split, val_split);
  const auto [loss, accuracy] = evaluate(model, val_split, true, 2);
  EXPECT_GT(accuracy, 0.8) << loss;
  // The quantized forward's logits lie on the last Dense result grid (ap_fixed<16,6>: 1/1024).
  std::vector<float> out;
  model::Model& m = model;
  for (std::size_t i = 0; i < m.size(); ++i) m.layer(i).prepare(true);
  std::vector<tensor::Batch> activations(m.size() + 1);
  activations[0].reset(20, 256);
  std::copy_n(val_split.x.begin(), 20 * 256, activations[0].values.begin());
  model::forward_range(m, 0, m.size(), activations);
  for (float logit : activations[m.size() - 1].values) {
    EXPECT_EQ(std::fmod(logit * 1024.0f, 1.0f), 0.0f) << logit;
  }
  // Weights used by the quantized forward are on the ap_fixed<8,3> grid: the trained float weights
  // round to them, and the quantized prediction differs from the float one.
  std::vector<float> quantized, plain;
  m.predict(val_split.x.data(), 50, quantized, true);
  m.predict(val_split.x.data(), 50, plain, false);
  EXPECT_NE(quantized, plain);
}

}  // namespace
}  // namespace sparsepixels::train

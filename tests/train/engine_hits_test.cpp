// Engine::prepare from hit lists (issue 15): the same prepared split as from the dense events they
// describe (slots, coordinates, neighbour tables), so a training step gives the same loss and gradients.
#include <gtest/gtest.h>

#include <functional>
#include <numeric>
#include <string>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/data/synthetic.h"
#include "sparsepixels/error.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/tensor/shard_pool.h"
#include "sparsepixels/train/engine.h"
#include "sparsepixels/train/trainer.h"

namespace sparsepixels::train {
namespace {

model::Model sparse_l(std::size_t side, spec::Selection selection) {
  spec::ModelSpec spec = model::paper_model("neutrino", 20);
  spec.input_height = spec.input_width = static_cast<int>(side);
  for (spec::LayerSpec& layer : spec.layers) {
    if (layer.kind == spec::LayerKind::InputReduce) layer.selection = selection;
  }
  model::Model model(spec);
  model.initialize(3);
  return model;
}

void expect_same(const PreparedSplit& a, const PreparedSplit& b) {
  EXPECT_TRUE(a.reduced);
  EXPECT_TRUE(b.reduced);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.values, b.values);
  EXPECT_EQ(a.row, b.row);
  EXPECT_EQ(a.col, b.col);
  EXPECT_EQ(a.position, b.position);
  EXPECT_EQ(a.labels, b.labels);
  ASSERT_EQ(a.neighbours.size(), b.neighbours.size());
  for (const auto& [kernel, table] : a.neighbours) {
    const tensor::NeighbourTable& other = b.neighbours.at(kernel);
    EXPECT_EQ(table.event_begin, other.event_begin);
    ASSERT_EQ(table.pairs.size(), other.pairs.size());
    for (std::size_t k = 0; k < table.pairs.size(); ++k) {
      EXPECT_EQ(table.pairs[k].output_slot, other.pairs[k].output_slot);
      EXPECT_EQ(table.pairs[k].input_slot, other.pairs[k].input_slot);
      EXPECT_EQ(table.pairs[k].tap, other.pairs[k].tap);
    }
  }
}

TEST(EngineFromHits, PreparesAsFromTheDenseEvents) {
  tensor::ShardPool pool(2);
  data::SyntheticOptions options;
  options.height = options.width = 128;
  options.active = 30;
  const data::HitSplit hits = data::synthetic::generate_synthetic_hits(1100, 5, options);  // 3 chunks of 512
  const data::Split dense = data::to_dense(hits);
  for (const spec::Selection selection : {spec::Selection::TopK, spec::Selection::Raster}) {
    for (const bool quantized : {false, true}) {
      SCOPED_TRACE(std::string(quantized ? "QAT " : "float ") + spec::to_string(selection));
      model::Model model = sparse_l(128, selection);
      Engine engine(model, quantized, pool);
      const PreparedSplit from_hits = engine.prepare(hits);
      const PreparedSplit from_dense = engine.prepare(dense);
      expect_same(from_hits, from_dense);
      std::vector<std::uint32_t> order(128);
      std::iota(order.begin(), order.end(), 0u);
      const auto step_hits = engine.train_step(from_hits, order.data(), order.size());
      const auto gradients_hits = engine.gradients();
      const auto step_dense = engine.train_step(from_dense, order.data(), order.size());
      EXPECT_EQ(step_hits, step_dense);
      ASSERT_EQ(gradients_hits.size(), engine.gradients().size());
      for (std::size_t i = 0; i < gradients_hits.size(); ++i) {
        EXPECT_EQ(gradients_hits[i].weights, engine.gradients()[i].weights) << "layer " << i;
      }
    }
  }
}

// train() from hit lists gives the parameters train() gives from the dense events, bit for bit.
TEST(EngineFromHits, TrainingFromHitListsEqualsTrainingFromDenseEvents) {
  data::SyntheticOptions options;
  options.height = options.width = 96;
  options.active = 30;
  const data::HitSplit train_hits = data::synthetic::generate_synthetic_hits(700, 9, options);
  const data::HitSplit val_hits = data::synthetic::generate_synthetic_hits(100, 10, options);
  TrainOptions train_options;
  train_options.epochs = 2;
  train_options.threads = 2;
  for (const bool quantized : {false, true}) {
    SCOPED_TRACE(quantized ? "QAT" : "float");
    model::Model from_hits = sparse_l(96, spec::Selection::TopK),
                 from_dense = sparse_l(96, spec::Selection::TopK);
    from_hits.spec().training.quantized = from_dense.spec().training.quantized = quantized;
    const TrainResult a = train(from_hits, train_hits, val_hits, train_options);
    const TrainResult b =
        train(from_dense, data::to_dense(train_hits), data::to_dense(val_hits), train_options);
    ASSERT_EQ(a.history.size(), b.history.size());
    for (std::size_t e = 0; e < a.history.size(); ++e) EXPECT_EQ(a.history[e].loss, b.history[e].loss);
    EXPECT_EQ(from_hits.parameters(), from_dense.parameters());
  }
}

TEST(EngineFromHits, RefusesAModelWithoutInputReduceAndAnotherShape) {
  tensor::ShardPool pool(1);
  const data::HitSplit hits = data::to_hits(data::generate_synthetic(20, 1));
  model::Model standard(model::paper_model("neutrino", 0));
  standard.initialize(1);
  Engine dense_engine(standard, false, pool);
  EXPECT_THROW(dense_engine.prepare(hits), Error);
  model::Model large = sparse_l(128, spec::Selection::TopK);
  Engine engine(large, false, pool);
  try {
    engine.prepare(hits);
    FAIL() << "a 63x63 split was prepared for a 128x128 model";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("63x63x1"), std::string::npos) << e.what();
  }
}

// Events of another size than the model's input are refused by both prepares, naming both sizes.
TEST(EngineFromHits, EventsOfAnotherSizeAreAnError) {
  tensor::ShardPool pool(1);
  model::Model model = sparse_l(96, spec::Selection::TopK);
  Engine engine(model, false, pool);
  data::SyntheticOptions options;
  options.height = 80;
  options.width = 112;
  options.active = 20;
  const data::HitSplit hits = data::synthetic::generate_synthetic_hits(12, 2, options);
  const data::Split dense = data::to_dense(hits);
  for (const auto& prepare : {std::function<void()>([&] { engine.prepare(hits); }),
                              std::function<void()>([&] { engine.prepare(dense); })}) {
    try {
      prepare();
      ADD_FAILURE() << "no error for 80x112 events into a 96x96 model";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("dataset events are 80x112x1 but the model"),
                std::string::npos)
          << error.what();
      EXPECT_NE(std::string(error.what()).find("expects 96x96x1"), std::string::npos) << error.what();
    }
  }
}

}  // namespace
}  // namespace sparsepixels::train

// The paper's 8-bit example configs must train under QAT. Their hidden results are unsigned 8-bit
// types (the fused conv + quantized ReLU of the reference hardware), which round small positive
// pre-activations to 0, and the 7x7 average pool rounds every cell to 0 at initialization. The ReLU's
// straight-through derivative (docs/training.md) passes positive pre-activations rounded to 0 (as
// QKeras's quantized_relu) and exact zeros, and blocks negative ones; with it the loss leaves log(2).
#include <gtest/gtest.h>

#include <string>

#include "sparsepixels/data/dataset.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"
#include "sparsepixels/train/trainer.h"

namespace sparsepixels::train {
namespace {

data::Split slice(const data::Split& all, std::size_t first, std::size_t count) {
  data::Split part;
  part.height = all.height;
  part.width = all.width;
  part.channels = all.channels;
  part.x.assign(all.x.begin() + static_cast<std::ptrdiff_t>(first * all.event_size()),
                all.x.begin() + static_cast<std::ptrdiff_t>((first + count) * all.event_size()));
  part.y.assign(all.y.begin() + static_cast<std::ptrdiff_t>(first),
                all.y.begin() + static_cast<std::ptrdiff_t>(first + count));
  return part;
}

TEST(PaperConfigQat, EightBitNeutrinoSparseLearnsOnTheGenerator) {
  const std::string config = std::string(SPARSEPIXELS_SOURCE_DIR) + "/examples/neutrino/sparse-l-8b.yml";
  model::Model model(model::load_config(config), config);
  ASSERT_TRUE(model.spec().training.quantized);
  const data::Split events = data::generate_synthetic(4800, 7);
  const data::Split train_split = slice(events, 0, 4200), val_split = slice(events, 4200, 600);
  TrainOptions options;
  options.epochs = 10;
  options.threads = 1;
  const TrainResult result = train(model, train_split, val_split, options);
  ASSERT_FALSE(result.history.empty());
  const double best_val_loss = result.history[static_cast<std::size_t>(result.best_epoch - 1)].val_loss;
  // log(2) = 0.6931 is the loss of a network that outputs 0.5 for everything.
  EXPECT_LT(best_val_loss, 0.66);
}

}  // namespace
}  // namespace sparsepixels::train

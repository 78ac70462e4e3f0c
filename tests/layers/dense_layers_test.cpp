// SparseFlatten, Dense, ReLU, Sigmoid, Softmax.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "layer_harness.h"

namespace sparsepixels::testing {
namespace {

spec::LayerSpec simple(spec::LayerKind kind, int units = 0) {
  spec::LayerSpec spec;
  spec.kind = kind;
  spec.units = units;
  return spec;
}

tensor::Batch dense_batch(std::size_t events, std::vector<float> values) {
  tensor::Batch batch;
  batch.reset(events, values.size() / events);
  batch.values = std::move(values);
  return batch;
}

TEST(SparseFlatten, WritesSlotsChannelLastIntoAZeroFilledVector) {
  auto layer = layers::make_layer(resolve_single(simple(spec::LayerKind::SparseFlatten), 2, 3, 2, 3));
  const tensor::Batch in = sparse_batch({{{2, 3, {1, 2}}, {1, 1, {0, 3}}, {1, 1, {}, false}}}, 2, 3, 2);
  tensor::Batch out;
  layer->forward(in, out);
  // flat[C*((r-1)*W + (c-1)) + c]: (2,3) -> 2*5 = 10, 11; (1,1) -> 0, 1.
  EXPECT_EQ(out.values, (std::vector<float>{0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2}));
  gradient_check(*layer, in, 3, true, [&](std::size_t i) { return i < 4; });
}

TEST(Dense, HandComputedCase) {
  auto layer = layers::make_layer(resolve_single(simple(spec::LayerKind::Dense, 2), 1, 1, 3));
  layer->weights = {1, 2, 3, 4, 5, 6};  // [n_in][n_out]
  layer->bias = {0.5f, -1};
  layer->prepare(false);
  tensor::Batch out;
  layer->forward(dense_batch(2, {1, 0, -1, 2, 1, 0}), out);
  // Event 1: [1*1 + 0*3 - 1*5, 1*2 + 0*4 - 1*6] + b = [-3.5, -5]; event 2: [2+3, 4+4] + b = [5.5, 7].
  EXPECT_EQ(out.values, (std::vector<float>{-3.5f, -5.0f, 5.5f, 7.0f}));
}

TEST(Dense, GradientsMatchFiniteDifferences) {
  auto layer = layers::make_layer(resolve_single(simple(spec::LayerKind::Dense, 4), 1, 1, 5));
  fill_random(layer->weights, 1);
  fill_random(layer->bias, 2);
  tensor::Batch in = dense_batch(3, std::vector<float>(15));
  fill_random(in.values, 3);
  gradient_check(*layer, in, 4);
}

TEST(Dense, SparseInputPathEqualsDensePath) {
  // Dense after SparseFlatten skips zeros; the result must equal the plain product.
  auto flatten = layers::make_layer(resolve_single(simple(spec::LayerKind::SparseFlatten), 5, 5, 2, 6));
  auto dense = layers::make_layer(resolve_single(simple(spec::LayerKind::Dense, 3), 1, 1, 50));
  fill_random(dense->weights, 5);
  fill_random(dense->bias, 6);
  dense->prepare(false);
  const tensor::Batch in = random_sparse_batch(5, 6, 4, 5, 5, 2, 7);
  tensor::Batch flat, out_sparse, out_dense;
  flatten->forward(in, flat);
  ASSERT_GT(flat.nonzero_stride, 0u);
  dense->forward(flat, out_sparse);
  tensor::Batch plain = dense_batch(flat.events, flat.values);
  dense->forward(plain, out_dense);
  for (std::size_t i = 0; i < out_dense.values.size(); ++i)
    EXPECT_NEAR(out_sparse.values[i], out_dense.values[i], 1e-5);
  // Gradients through the sparse path too (inputs listed by the flatten).
  gradient_check(*dense, flat, 8, true, [&](std::size_t i) { return flat.values[i] != 0.0f; });
}

TEST(Activations, HandComputedCases) {
  tensor::Batch out;
  auto relu = layers::make_layer(resolve_single(simple(spec::LayerKind::ReLU), 1, 1, 4));
  relu->forward(dense_batch(1, {-1, 0, 2, -0.5f}), out);
  EXPECT_EQ(out.values, (std::vector<float>{0, 0, 2, 0}));
  auto sparse_relu = layers::make_layer(resolve_single(simple(spec::LayerKind::SparseReLU), 3, 3, 1, 2));
  const tensor::Batch sparse = sparse_batch({{{1, 1, {-2}}, {2, 2, {3}}}}, 3, 3, 1);
  sparse_relu->forward(sparse, out);
  EXPECT_EQ(out.values, (std::vector<float>{0, 3}));
  EXPECT_EQ(out.geometry, sparse.geometry);
  auto sigmoid = layers::make_layer(resolve_single(simple(spec::LayerKind::Sigmoid), 1, 1, 1));
  sigmoid->forward(dense_batch(2, {0, std::log(3.0f)}), out);
  EXPECT_FLOAT_EQ(out.values[0], 0.5f);
  EXPECT_FLOAT_EQ(out.values[1], 0.75f);
  auto softmax = layers::make_layer(resolve_single(simple(spec::LayerKind::Softmax), 1, 1, 3));
  softmax->forward(dense_batch(1, {0, std::log(2.0f), std::log(5.0f)}), out);
  EXPECT_FLOAT_EQ(out.values[0], 0.125f);
  EXPECT_FLOAT_EQ(out.values[1], 0.25f);
  EXPECT_FLOAT_EQ(out.values[2], 0.625f);
}

TEST(Activations, GradientsMatchFiniteDifferences) {
  tensor::Batch in = dense_batch(2, {0.7f, -0.4f, 1.3f, -1.1f, 0.25f, 0.9f});
  for (auto kind : {spec::LayerKind::ReLU, spec::LayerKind::Softmax}) {
    auto layer = layers::make_layer(resolve_single(simple(kind), 1, 1, 3));
    gradient_check(*layer, in, 9, true, nullptr, 1e-3);
  }
  auto sigmoid = layers::make_layer(resolve_single(simple(spec::LayerKind::Sigmoid), 1, 1, 1));
  gradient_check(*sigmoid, dense_batch(3, {0.3f, -2.0f, 1.5f}), 10, true, nullptr, 1e-3);
}

TEST(Quantizer, ResultTypesRoundHalfEvenThenSaturate) {
  const layers::Quantizer q(fixed::FixedType::parse("ap_fixed<4,2,AP_RND_CONV,AP_SAT>"), true);  // lsb 0.25
  EXPECT_EQ(q(0.125f), 0.0f);  // tie -> even (0)
  EXPECT_EQ(q(0.375f), 0.5f);  // tie -> even (2 * 0.25)
  EXPECT_EQ(q(-0.375f), -0.5f);
  EXPECT_EQ(q(5.0f), 1.75f);  // saturates at the maximum
  EXPECT_EQ(q(-5.0f), -2.0f);
  // Declared TRN/WRAP modes are honoured for results (the hardware cast).
  const layers::Quantizer trn(fixed::FixedType::parse("ap_fixed<4,2>"), true);
  EXPECT_EQ(trn(0.45f), 0.25f);
  EXPECT_EQ(trn(2.25f), -1.75f);  // wraps
  // Weights: QKeras semantics whatever the declared modes.
  const layers::Quantizer weight(fixed::FixedType::parse("ap_fixed<4,2>"), false);
  EXPECT_EQ(weight(0.45f), 0.5f);
  EXPECT_EQ(weight(2.25f), 1.75f);
}

// The inline paths (AP_TRN / AP_RND_CONV, then AP_WRAP / AP_SAT) against FixedType::quantize, the
// vendor-exact conversion, on exact doubles: ties, values just beside them, out of range (several
// wraps), huge values (the fallback) and float32 values; also an ap_ufixed and 16-bit types.
TEST(Quantizer, InlinePathsEqualTheFixedTypeConversion) {
  std::mt19937_64 random(21);
  for (const char* text : {"ap_fixed<8,3>", "ap_ufixed<8,0>", "ap_fixed<16,6>", "ap_ufixed<16,6>",
                           "ap_fixed<24,2>", "ap_ufixed<5,7>", "ap_fixed<6,-2>"}) {
    for (const char* modes : {"", ",AP_RND_CONV", ",AP_TRN,AP_SAT", ",AP_RND_CONV,AP_SAT", ",AP_RND",
                              ",AP_TRN_ZERO,AP_SAT_SYM"}) {
      std::string spelled = text;
      spelled.insert(spelled.size() - 1, modes);
      const fixed::FixedType type = fixed::FixedType::parse(spelled);
      const layers::Quantizer quantizer(type, true);
      for (int k = 0; k < 20000; ++k) {
        // Multiples of a quarter lsb (ties and their neighbours) over +-4x the range, plus scaled noise.
        const double lsb = type.lsb(), span = 4.0 * std::max(type.max_value(), 1.0);
        const double quarter =
            std::round((static_cast<double>(random() % 2000001) / 1000000.0 - 1.0) * span / lsb * 4);
        double value = quarter * lsb / 4;
        if (k % 3 == 1) value += (static_cast<double>(random() % 1000) - 500.0) * lsb * 1e-6;
        if (k % 3 == 2) value = static_cast<float>(value);
        if (k == 0) value = 1e30;
        if (k == 1) value = -1e30;
        ASSERT_EQ(quantizer.quantize(value), static_cast<float>(type.quantize(value)))
            << spelled << " " << value;
      }
    }
  }
}

}  // namespace
}  // namespace sparsepixels::testing

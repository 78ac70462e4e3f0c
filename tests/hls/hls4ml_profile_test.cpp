// The hls4ml arithmetic profile (docs/semantics.md, "Arithmetic profiles"): each of its four rules on
// a case worked out by hand in the comments, for the host fixed layer and the HLS kernel alike, with
// the exact profile's different value beside it where that shows the rule switched.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ap_fixed.h"
#include "nnet_activation.h"
#include "nnet_sparse_input_reduce.h"
#include "nnet_sparse_pool.h"
#include "sparsepixels/error.h"
#include "sparsepixels/fixed/activation_tables.h"
#include "sparsepixels/layers/layer.h"
#include "sparsepixels/spec/model_spec.h"

namespace {

namespace spec = sparsepixels::spec;
namespace layers = sparsepixels::layers;
using sparsepixels::fixed::FixedType;

typedef ap_fixed<16, 6> value_t;  // 10 fraction bits: raw = value * 1024
typedef ap_uint<3> hash_t;
const FixedType kValue = FixedType::parse("ap_fixed<16,6>");

// A model of an InputReduce (N slots) and `layer` on an H x W x C input of type ap_fixed<16,6>, every
// result ap_fixed<16,6>, under `profile`.
std::vector<spec::ResolvedLayer> resolve_model(spec::ArithmeticProfile profile, int height, int width,
                                               int channels, int slots, const spec::LayerSpec* layer) {
  spec::ModelSpec model;
  model.input_height = height;
  model.input_width = width;
  model.input_channels = channels;
  model.input_type = kValue;
  model.defaults.result = kValue;
  model.arithmetic_profile = profile;
  spec::LayerSpec reduce;
  reduce.kind = spec::LayerKind::InputReduce;
  reduce.n_active = slots;
  model.layers.push_back(reduce);
  if (layer != nullptr) model.layers.push_back(*layer);
  return spec::resolve(model, "test");
}

layers::LayerValues run_host(const spec::ResolvedLayer& layer, const layers::LayerValues& in) {
  const auto fixed = layers::make_fixed_layer(layer, kValue, {}, {});
  layers::LayerValues out;
  fixed->forward(in, out);
  return out;
}

// Raw mantissas of ap_fixed<16,6> values (exact in double).
std::vector<std::int64_t> raw_of(const std::vector<value_t>& values) {
  std::vector<std::int64_t> raw;
  for (const value_t& value : values) raw.push_back(static_cast<std::int64_t>(value.to_double() * 1024));
  return raw;
}

// --- (a) average pooling over an area that is not a power of two ---------------------------------

template <unsigned H, unsigned W, unsigned PH, unsigned PW, unsigned Op, unsigned Profile>
struct PoolConfig : nnet::sparse_pool_config {
  static const unsigned in_height = H, in_width = W, pool_height = PH, pool_width = PW;
  static const unsigned out_height = H / PH, out_width = W / PW;
  static const unsigned n_sparse = 4, n_chan = 1;
  static const unsigned pool_op = Op;
  static const unsigned arithmetic_profile = Profile;
  typedef ap_fixed<24, 12> accum_t;
  typedef ::hash_t hash_t;
};

// Four slots of one channel: values (raw, 10 fraction bits) at 1-based (row, col).
struct PoolCase {
  std::vector<std::int64_t> raw;
  std::vector<int> hash;  // row, col per slot
};

template <class Config>
std::vector<std::int64_t> run_pool_kernel(const PoolCase& input) {
  std::vector<value_t> in(4), out(4, value_t(1.5));  // sentinel
  std::vector<hash_t> hash(8), hash_out(8);
  for (int k = 0; k < 4; ++k) in[k].range(15, 0) = input.raw[k];
  for (int k = 0; k < 8; ++k) hash[k] = input.hash[k];
  nnet::sparse_pool<value_t, value_t, Config>(in.data(), hash.data(), out.data(), hash_out.data());
  return raw_of(out);
}

std::vector<std::int64_t> run_pool_host(spec::ArithmeticProfile profile, spec::LayerKind kind, int height,
                                        int width, int pool_height, int pool_width, const PoolCase& input) {
  spec::LayerSpec pool;
  pool.kind = kind;
  pool.pool_height = pool_height;
  pool.pool_width = pool_width;
  const auto resolved = resolve_model(profile, height, width, 1, 4, &pool);
  return run_host(resolved[1], layers::LayerValues{input.raw, input.hash}).raw;
}

TEST(Hls4mlProfile, Pool3AverageMultipliesTwiceByTheTruncatedReciprocal) {
  // Three pixels of value 1.0 in the 3x3 cell (1,1) of a 3x3 map; slot 3 empty.
  const PoolCase input{{1024, 1024, 1024, 0}, {1, 1, 2, 2, 3, 3, 1, 1}};
  // hls4ml: 1/3 as ap_ufixed<10,0> truncates to 341/1024; sum 3.0 * 341/1024 * 341/1024 =
  // 3 * 116281 / 2^20 = 348843 / 2^20 = 340.668 / 1024 -> AP_TRN to 10 fraction bits: 340.
  const std::vector<std::int64_t> hls4ml{340, 0, 0, 0};
  // exact: R = round(2^18 / 9) = round(29127.1) = 29127; 3 * 29127 / 2^18 = 341.33 / 1024 -> 341.
  const std::vector<std::int64_t> exact{341, 0, 0, 0};
  EXPECT_EQ((run_pool_kernel<PoolConfig<3, 3, 3, 3, nnet::pool_average, nnet::arithmetic_hls4ml>>(input)),
            hls4ml);
  EXPECT_EQ(
      run_pool_host(spec::ArithmeticProfile::Hls4ml, spec::LayerKind::SparseAvgPool2D, 3, 3, 3, 3, input),
      hls4ml);
  EXPECT_EQ((run_pool_kernel<PoolConfig<3, 3, 3, 3, nnet::pool_average, nnet::arithmetic_exact>>(input)),
            exact);
  EXPECT_EQ(
      run_pool_host(spec::ArithmeticProfile::Exact, spec::LayerKind::SparseAvgPool2D, 3, 3, 3, 3, input),
      exact);
}

TEST(Hls4mlProfile, AsymmetricAverageMultipliesOncePerSide) {
  // Pool 3x2 over a 3x2 map, three pixels of 1.0 at (1,1), (2,2), (3,1).
  const PoolCase input{{1024, 1024, 1024, 0}, {1, 1, 2, 2, 3, 1, 1, 1}};
  // hls4ml: 3.0 * 341/1024 * 512/1024 = 523776 / 2^20 = 511.5 / 1024 -> 511.
  // exact: R = round(2^18 / 6) = round(43690.67) = 43691; 3 * 43691 / 2^18 = 512.004 / 1024 -> 512.
  EXPECT_EQ((run_pool_kernel<PoolConfig<3, 2, 3, 2, nnet::pool_average, nnet::arithmetic_hls4ml>>(input)),
            (std::vector<std::int64_t>{511, 0, 0, 0}));
  EXPECT_EQ(
      run_pool_host(spec::ArithmeticProfile::Hls4ml, spec::LayerKind::SparseAvgPool2D, 3, 2, 3, 2, input),
      (std::vector<std::int64_t>{511, 0, 0, 0}));
  EXPECT_EQ(
      run_pool_host(spec::ArithmeticProfile::Exact, spec::LayerKind::SparseAvgPool2D, 3, 2, 3, 2, input),
      (std::vector<std::int64_t>{512, 0, 0, 0}));
  EXPECT_EQ(sparsepixels::layers::hls4ml_pool_reciprocal_raw(7), 146);  // 1024 / 7 = 146.3
}

// --- (c) max pooling of an all-negative, fully covered cell --------------------------------------

TEST(Hls4mlProfile, MaxPoolOfAnAllNegativeCellIsZero) {
  // A 2x2 map, pool 2: all four pixels active, -1, -0.5, -0.25, -2 (raw -1024, -512, -256, -2048).
  const PoolCase input{{-1024, -512, -256, -2048}, {1, 1, 1, 2, 2, 1, 2, 2}};
  // hls4ml: the running maximum starts at 0 and no value exceeds it: 0.
  // exact (Keras): the cell has no gap, so its maximum is -0.25 (raw -256).
  EXPECT_EQ((run_pool_kernel<PoolConfig<2, 2, 2, 2, nnet::pool_max, nnet::arithmetic_hls4ml>>(input)),
            (std::vector<std::int64_t>{0, 0, 0, 0}));
  EXPECT_EQ(
      run_pool_host(spec::ArithmeticProfile::Hls4ml, spec::LayerKind::SparseMaxPool2D, 2, 2, 2, 2, input),
      (std::vector<std::int64_t>{0, 0, 0, 0}));
  EXPECT_EQ((run_pool_kernel<PoolConfig<2, 2, 2, 2, nnet::pool_max, nnet::arithmetic_exact>>(input)),
            (std::vector<std::int64_t>{-256, 0, 0, 0}));
  EXPECT_EQ(
      run_pool_host(spec::ArithmeticProfile::Exact, spec::LayerKind::SparseMaxPool2D, 2, 2, 2, 2, input),
      (std::vector<std::int64_t>{-256, 0, 0, 0}));
}

// --- (b) empty slots of the input reduction with two channels ------------------------------------

template <unsigned Profile>
struct ReduceConfig : nnet::sparse_input_reduce_config {
  static const unsigned height = 2, width = 2, n_chan = 2, n_sparse = 3;
  static const unsigned arithmetic_profile = Profile;
  typedef ::hash_t hash_t;
};

TEST(Hls4mlProfile, EmptySlotsCopyPixelZerosOtherChannels) {
  // 2x2 image, two channels, threshold 0: pixel 0 = (0, 0.75) is not active (channel 0 is 0);
  // pixel 3 = (0.5, 0.25) is. Raw: pixel 0 (0, 768), pixel 3 (512, 256), the others zero.
  const std::vector<std::int64_t> image{0, 768, 0, 0, 0, 0, 512, 256};
  // Slot 0 is pixel 3 at (2,2); slots 1 and 2 are empty at (1,1):
  // hls4ml: channel 0 zero, channel 1 pixel 0's 0.75 (raw 768): phantom pixels at (1,1).
  const std::vector<std::int64_t> hls4ml{512, 256, 0, 768, 0, 768};
  // exact (contract 3.1): all zero.
  const std::vector<std::int64_t> exact{512, 256, 0, 0, 0, 0};
  const std::vector<int> hash{2, 2, 1, 1, 1, 1};

  for (const auto profile : {spec::ArithmeticProfile::Hls4ml, spec::ArithmeticProfile::Exact}) {
    const auto resolved = resolve_model(profile, 2, 2, 2, 3, nullptr);
    const layers::LayerValues out = run_host(resolved[0], layers::LayerValues{image, {}});
    EXPECT_EQ(out.raw, profile == spec::ArithmeticProfile::Hls4ml ? hls4ml : exact);
    EXPECT_EQ(out.hash, hash);
  }
  auto run_kernel = [&](auto config) {
    using Config = decltype(config);
    std::vector<value_t> x(8), feat(6, value_t(1.5));
    std::vector<hash_t> hash_out(6);
    for (int k = 0; k < 8; ++k) x[k].range(15, 0) = image[k];
    nnet::sparse_input_reduce<value_t, value_t, Config>(x.data(), value_t(0), feat.data(), hash_out.data());
    std::vector<int> hashes;
    for (const hash_t& h : hash_out) hashes.push_back(static_cast<int>(h.to_uint()));
    EXPECT_EQ(hashes, hash);
    return raw_of(feat);
  };
  EXPECT_EQ(run_kernel(ReduceConfig<nnet::arithmetic_hls4ml>{}), hls4ml);
  EXPECT_EQ(run_kernel(ReduceConfig<nnet::arithmetic_exact>{}), exact);
}

// --- (d) sigmoid and softmax tables ---------------------------------------------------------------

struct SigmoidConfig : nnet::sigmoid_hls4ml_config {
  static const unsigned n_in = 4;
  typedef ap_fixed<18, 8> table_t;
};

TEST(Hls4mlProfile, SigmoidTableHoldsTruncatedLeftEdgesIndexedTowardZero) {
  // ap_fixed<18,8> has 10 fraction bits; entry k holds sigmoid((k - 512) / 64) truncated:
  //   k = 512: sigmoid(0) = 0.5 -> 512; k = 576: sigmoid(1) = 0.7310586 * 1024 = 748.60 -> 748;
  //   k = 448: sigmoid(-1) = 0.2689414 * 1024 = 275.40 -> 275;
  //   k = 1023: sigmoid(7.984375) = 0.9996594 * 1024 = 1023.65 -> 1023.
  const FixedType table_type = FixedType::parse("ap_fixed<18,8>");
  const std::vector<std::int64_t> table = sparsepixels::fixed::hls4ml_sigmoid_table(table_type, 1024);
  EXPECT_EQ(table[512], 512);
  EXPECT_EQ(table[576], 748);
  EXPECT_EQ(table[448], 275);
  EXPECT_EQ(table[1023], 1023);
  // Inputs 1.0, -1/128, -1.0, 20.0: index trunc(x * 64) + 512 = 576, 512 (trunc(-0.5) = 0, where
  // floor would give 511), 448, 1792 -> clamped 1023. Results (ap_fixed<16,6>, raw = value * 1024):
  const std::vector<std::int64_t> inputs{1024, -8, -1024, 20480};
  const std::vector<std::int64_t> expected{748, 512, 275, 1023};

  spec::ModelSpec model;
  model.input_height = model.input_width = 1;
  model.input_channels = 1;
  model.input_type = kValue;
  model.defaults.result = kValue;
  model.arithmetic_profile = spec::ArithmeticProfile::Hls4ml;
  spec::LayerSpec sigmoid;
  sigmoid.kind = spec::LayerKind::Sigmoid;
  model.layers = {sigmoid};
  const auto resolved = spec::resolve(model, "test");
  EXPECT_EQ(resolved[0].types.table, table_type);  // hls4ml's default table type
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    EXPECT_EQ(run_host(resolved[0], layers::LayerValues{{inputs[k]}, {}}).raw,
              (std::vector<std::int64_t>{expected[k]}))
        << "input raw " << inputs[k];
  }

  std::vector<SigmoidConfig::table_t> kernel_table(1024);
  for (int k = 0; k < 1024; ++k) kernel_table[k].range(17, 0) = table[k];
  std::vector<value_t> in(4), out(4);
  for (int k = 0; k < 4; ++k) in[k].range(15, 0) = inputs[k];
  nnet::sigmoid_hls4ml<value_t, value_t, SigmoidConfig>(in.data(), out.data(), kernel_table.data());
  EXPECT_EQ(raw_of(out), expected);
}

struct SoftmaxConfig : nnet::softmax_hls4ml_config {
  static const unsigned n_in = 2;
  typedef ap_fixed<18, 8> exp_table_t;
  typedef ap_fixed<18, 8> inv_table_t;
};

TEST(Hls4mlProfile, SoftmaxTablesAreAddressedByTopBits) {
  // Input ap_fixed<16,6>, x = (1.0, 0.0); tables ap_fixed<18,8> (10 fraction bits), 1024 entries.
  // d = x - max = (0, -1.0). The exp table is addressed by the top 10 of d's 16 bits: raw >> 6.
  //   d = 0 -> entry 0, address 0: exp(0) = 1 -> raw 1024.
  //   d = -1.0: raw -1024 = 0xFC00 -> 0x3F0 = 1008; address (1008 - 1024) / 16 = -1.0:
  //   exp(-1) = 0.3678794 * 1024 = 376.71 -> 376.
  // sum = 1024 + 376 = 1400 (1.3671875); its top 10 of 18 bits: 1400 >> 8 = 5; inverse entry 5 has
  //   address 5 * 2^8 / 2^10 = 1.25: 1 / 1.25 = 0.8 * 1024 = 819.2 -> 819.
  // res = (1024 * 819, 376 * 819) / 2^20 -> ap_fixed<16,6> (AP_TRN): 819 and 307944 / 1024 = 300.7 -> 300.
  const FixedType table_type = FixedType::parse("ap_fixed<18,8>");
  const std::vector<std::int64_t> exp_table =
      sparsepixels::fixed::hls4ml_softmax_exp_table(table_type, kValue, 1024);
  const std::vector<std::int64_t> inverse_table =
      sparsepixels::fixed::hls4ml_softmax_inverse_table(table_type, table_type, 1024);
  EXPECT_EQ(exp_table[0], 1024);
  EXPECT_EQ(exp_table[1008], 376);
  EXPECT_EQ(inverse_table[5], 819);
  const std::vector<std::int64_t> inputs{1024, 0};
  const std::vector<std::int64_t> expected{819, 300};

  spec::ModelSpec model;
  model.input_height = model.input_width = 1;
  model.input_channels = 2;
  model.input_type = kValue;
  model.defaults.result = kValue;
  model.arithmetic_profile = spec::ArithmeticProfile::Hls4ml;
  spec::LayerSpec softmax;
  softmax.kind = spec::LayerKind::Softmax;
  model.layers = {softmax};
  const auto resolved = spec::resolve(model, "test");
  EXPECT_EQ(run_host(resolved[0], layers::LayerValues{inputs, {}}).raw, expected);

  std::vector<SoftmaxConfig::exp_table_t> exp_kernel(1024);
  std::vector<SoftmaxConfig::inv_table_t> inv_kernel(1024);
  for (int k = 0; k < 1024; ++k) {
    exp_kernel[k].range(17, 0) = exp_table[k];
    inv_kernel[k].range(17, 0) = inverse_table[k];
  }
  std::vector<value_t> in(2), out(2);
  for (int k = 0; k < 2; ++k) in[k].range(15, 0) = inputs[k];
  nnet::softmax_hls4ml<value_t, value_t, SoftmaxConfig>(in.data(), out.data(), exp_kernel.data(),
                                                        inv_kernel.data());
  EXPECT_EQ(raw_of(out), expected);
}

TEST(Hls4mlProfile, SoftmaxNeedsASignedInputOfTenBits) {
  spec::ModelSpec model;
  model.input_height = model.input_width = 1;
  model.input_channels = 2;
  model.input_type = FixedType::parse("ap_fixed<8,3>");
  model.arithmetic_profile = spec::ArithmeticProfile::Hls4ml;
  spec::LayerSpec softmax;
  softmax.kind = spec::LayerKind::Softmax;
  model.layers = {softmax};
  EXPECT_THROW(spec::resolve(model, "test"), sparsepixels::Error);
  model.arithmetic_profile = spec::ArithmeticProfile::Exact;
  EXPECT_NO_THROW(spec::resolve(model, "test"));
}

}  // namespace

// Archives the tests build: an architecture no published design has (63x63 input, max pooling, a
// 7x7 average pool, an activation inside a convolution, dropout, a sigmoid head) in the Keras 3 and the
// Keras 2 layouts, the sparse-pixels library's own layers, batch normalization, legacy .h5 weights, and
// malformed archives.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "../cli/run_command.h"
#include "keras_archive_builder.h"
#include "reference_models.h"
#include "sparsepixels/error.h"
#include "sparsepixels/import/keras_import.h"
#include "sparsepixels/model/config.h"

namespace {

using import_test::ArchiveBuilder;
using import_test::json;
using import_test::quantized_bits;
using import_test::TestVariable;
using sparsepixels::import::import_keras_archive;
using sparsepixels::import::ImportOptions;
using sparsepixels::spec::LayerKind;

std::vector<float> random_values(std::size_t count, std::uint32_t seed, float scale) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-scale, scale);
  std::vector<float> out(count);
  for (float& v : out) v = uniform(generator);
  return out;
}

// The test architecture's parameters.
struct Parameters {
  std::vector<float> conv_a_w = random_values(5 * 5 * 1 * 2, 1, 1.0f), conv_a_b = random_values(2, 2, 0.2f);
  std::vector<float> conv_b_w = random_values(3 * 3 * 2 * 1, 3, 1.0f), conv_b_b = random_values(1, 4, 0.2f);
  std::vector<float> dense_a_w = random_values(9 * 4, 5, 1.0f), dense_a_b = random_values(4, 6, 0.2f);
  std::vector<float> dense_b_w = random_values(4 * 1, 7, 1.0f), dense_b_b = random_values(1, 8, 0.2f);
};

json conv_config(int filters, int kernel, const std::string& activation) {
  return {{"filters", filters},
          {"kernel_size", {kernel, kernel}},
          {"strides", {1, 1}},
          {"padding", "same"},
          {"data_format", "channels_last"},
          {"dilation_rate", {1, 1}},
          {"groups", 1},
          {"activation", activation},
          {"use_bias", true},
          {"kernel_quantizer", quantized_bits(8, 2)},
          {"bias_quantizer", quantized_bits(8, 2)}};
}

json dense_config(int units) {
  return {{"units", units},
          {"activation", "linear"},
          {"use_bias", true},
          {"kernel_quantizer", quantized_bits(8, 2)},
          {"bias_quantizer", quantized_bits(8, 2)}};
}

// 63x63x1 -> QConv2D 5x5x2 -> quantized_relu(8,2) -> MaxPool 3 -> QConv2D 3x3x1 with quantized_relu
// inside -> AvgPool 7 -> Flatten -> Dropout -> QDense 4 -> quantized_relu -> QDense 1 -> sigmoid.
ArchiveBuilder test_architecture(bool keras2, const Parameters& p = Parameters()) {
  ArchiveBuilder b;
  b.keras2 = keras2;
  auto group = [&](const std::string& keras3, const std::string& keras2_name) {
    return keras2 ? keras2_name : keras3;
  };
  b.add("InputLayer", "x_in", {{keras2 ? "batch_input_shape" : "batch_shape", {nullptr, 63, 63, 1}}}, {},
        group("x_in", "input_layer"));
  b.add("QConv2D", "conv_a", conv_config(2, 5, "linear"),
        {{"vars/0", {5, 5, 1, 2}, p.conv_a_w}, {"vars/1", {2}, p.conv_a_b}}, group("conv_a", "q_conv2d"));
  b.add("QActivation", "relu_a", {{"activation", "quantized_relu(8, 2)"}}, {},
        group("relu_a", "q_activation"));
  b.add("MaxPooling2D", "pool_a", {{"pool_size", {3, 3}}, {"strides", {3, 3}}, {"padding", "valid"}}, {},
        group("pool_a", "max_pooling2d"));
  b.add("QConv2D", "conv_b", conv_config(1, 3, "quantized_relu(8,2)"),
        {{"vars/0", {3, 3, 2, 1}, p.conv_b_w}, {"vars/1", {1}, p.conv_b_b}}, group("conv_b", "q_conv2d_1"));
  b.add("AveragePooling2D", "pool_b", {{"pool_size", {7, 7}}, {"strides", nullptr}, {"padding", "valid"}}, {},
        group("pool_b", "average_pooling2d"));
  b.add("Flatten", "flatten", json::object(), {}, group("flatten", "flatten"));
  b.add("Dropout", "dropout", {{"rate", 0.2}}, {}, group("dropout", "dropout"));
  b.add("QDense", "dense_a", dense_config(4), {{"vars/0", {9, 4}, p.dense_a_w}, {"vars/1", {4}, p.dense_a_b}},
        group("dense_a", "q_dense"));
  b.add("QActivation", "relu_b", {{"activation", "quantized_relu(8,2)"}}, {},
        group("relu_b", "q_activation_1"));
  b.add("QDense", "dense_b", dense_config(1), {{"vars/0", {4, 1}, p.dense_b_w}, {"vars/1", {1}, p.dense_b_b}},
        group("dense_b", "q_dense_1"));
  b.add("Activation", "output", {{"activation", "sigmoid"}}, {}, group("output", "activation"));
  return b;
}

// QKeras quantized_bits(8, 2) and quantized_relu(8, 2), written out independently: round half to even
// on the 2^-5 (weights) or 2^-6 (ReLU) grid, then clip.
double bits_8_2(double x) {
  return std::clamp(std::nearbyint(x * 32.0), -128.0, 127.0) / 32.0;
}
double relu_8_2(double x) {
  return std::clamp(std::nearbyint(std::max(x, 0.0) * 64.0), 0.0, 255.0) / 64.0;
}

// The Keras model above in double precision, dense ('same' zero padding), one event.
double keras_reference(const std::vector<float>& image, const Parameters& p) {
  auto conv = [](const std::vector<double>& in, int side, int channels, const std::vector<float>& w,
                 const std::vector<float>& b, int filters, int kernel) {
    std::vector<double> out(static_cast<std::size_t>(side) * side * filters, 0.0);
    const int r = kernel / 2;
    for (int y = 0; y < side; ++y)
      for (int x = 0; x < side; ++x)
        for (int f = 0; f < filters; ++f) {
          double sum = bits_8_2(b[f]);
          for (int ky = 0; ky < kernel; ++ky)
            for (int kx = 0; kx < kernel; ++kx) {
              const int iy = y + ky - r, ix = x + kx - r;
              if (iy < 0 || ix < 0 || iy >= side || ix >= side) continue;
              for (int c = 0; c < channels; ++c)
                sum += in[(iy * side + ix) * channels + c] *
                       bits_8_2(w[((ky * kernel + kx) * channels + c) * filters + f]);
            }
          out[(y * side + x) * filters + f] = sum;
        }
    return out;
  };
  std::vector<double> x(image.begin(), image.end());
  std::vector<double> a = conv(x, 63, 1, p.conv_a_w, p.conv_a_b, 2, 5);
  for (double& v : a) v = relu_8_2(v);
  std::vector<double> pooled(21 * 21 * 2, 0.0);
  for (int y = 0; y < 21; ++y)
    for (int xx = 0; xx < 21; ++xx)
      for (int c = 0; c < 2; ++c) {
        double best = -1e300;
        for (int dy = 0; dy < 3; ++dy)
          for (int dx = 0; dx < 3; ++dx) best = std::max(best, a[((3 * y + dy) * 63 + 3 * xx + dx) * 2 + c]);
        pooled[(y * 21 + xx) * 2 + c] = best;
      }
  std::vector<double> bconv = conv(pooled, 21, 2, p.conv_b_w, p.conv_b_b, 1, 3);
  for (double& v : bconv) v = relu_8_2(v);
  std::vector<double> flat(9, 0.0);
  for (int y = 0; y < 3; ++y)
    for (int xx = 0; xx < 3; ++xx) {
      double sum = 0;
      for (int dy = 0; dy < 7; ++dy)
        for (int dx = 0; dx < 7; ++dx) sum += bconv[(7 * y + dy) * 21 + 7 * xx + dx];
      flat[y * 3 + xx] = sum / 49.0;
    }
  std::vector<double> hidden(4);
  for (int u = 0; u < 4; ++u) {
    double sum = bits_8_2(p.dense_a_b[u]);
    for (int i = 0; i < 9; ++i) sum += flat[i] * bits_8_2(p.dense_a_w[i * 4 + u]);
    hidden[u] = relu_8_2(sum);
  }
  double logit = bits_8_2(p.dense_b_b[0]);
  for (int i = 0; i < 4; ++i) logit += hidden[i] * bits_8_2(p.dense_b_w[i]);
  return 1.0 / (1.0 + std::exp(-logit));
}

// Sparse-looking 63x63 events: about 4% of the pixels active, values in (0, 1].
std::vector<float> test_events(int events, std::uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<float> out(static_cast<std::size_t>(events) * 63 * 63, 0.0f);
  for (float& v : out)
    if (uniform(generator) < 0.04f) v = 1.0f - uniform(generator);
  return out;
}

ImportOptions float_input() {
  ImportOptions options;
  options.float_input = true;
  return options;
}

class Layouts : public ::testing::TestWithParam<bool> {};

TEST_P(Layouts, AnotherArchitectureImportsAndComputesAsKeras) {
  const Parameters parameters;
  const std::string bytes = test_architecture(GetParam(), parameters).bytes();
  const auto imported = import_keras_archive(bytes.data(), bytes.size(), "test.keras", float_input());
  const auto& resolved = imported.model.resolved();
  const std::vector<LayerKind> expected_kinds = {LayerKind::Conv2D,  LayerKind::ReLU,   LayerKind::MaxPool2D,
                                                 LayerKind::Conv2D,  LayerKind::ReLU,   LayerKind::AvgPool2D,
                                                 LayerKind::Flatten, LayerKind::Dense,  LayerKind::ReLU,
                                                 LayerKind::Dense,   LayerKind::Sigmoid};
  ASSERT_EQ(resolved.size(), expected_kinds.size());
  for (std::size_t i = 0; i < resolved.size(); ++i) EXPECT_EQ(resolved[i].spec.kind, expected_kinds[i]) << i;
  EXPECT_EQ(resolved[4].spec.name, "conv_b_activation");  // the activation inside conv_b
  EXPECT_EQ(resolved[0].types.weight.to_string(), "ap_fixed<8,3>");
  EXPECT_EQ(resolved[1].types.result.to_string(), "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>");

  const int events = 40;
  const std::vector<float> inputs = test_events(events, 11);
  std::vector<float> out;
  imported.model.predict(inputs.data(), events, out, /*quantized=*/true, 1);
  double worst = 0;
  for (int e = 0; e < events; ++e) {
    const std::vector<float> image(inputs.begin() + e * 63 * 63, inputs.begin() + (e + 1) * 63 * 63);
    worst = std::max(worst, std::fabs(out[e] - keras_reference(image, parameters)));
  }
  EXPECT_LE(worst, 1e-5);
}

INSTANTIATE_TEST_SUITE_P(KerasVersions, Layouts, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Keras2" : "Keras3"; });

TEST(KerasArchive, NActiveMakesTheLayersUpToFlattenSparse) {
  ImportOptions options;
  options.n_active = 30;
  options.threshold = 0.1;
  options.selection = sparsepixels::spec::Selection::TopK;
  const std::string bytes = test_architecture(false).bytes();
  const auto imported = import_keras_archive(bytes.data(), bytes.size(), "test.keras", options);
  const auto& resolved = imported.model.resolved();
  ASSERT_EQ(resolved.size(), 12u);
  EXPECT_EQ(resolved[0].spec.kind, LayerKind::InputReduce);
  EXPECT_EQ(resolved[0].spec.n_active, 30);
  EXPECT_DOUBLE_EQ(resolved[0].spec.threshold, 0.1);
  EXPECT_EQ(resolved[0].spec.selection, sparsepixels::spec::Selection::TopK);
  EXPECT_EQ(resolved[1].spec.kind, LayerKind::SparseConv2D);
  EXPECT_EQ(resolved[3].spec.kind, LayerKind::SparseMaxPool2D);
  EXPECT_EQ(resolved[6].spec.kind, LayerKind::SparseAvgPool2D);
  EXPECT_EQ(resolved[7].spec.kind, LayerKind::SparseFlatten);
  EXPECT_EQ(resolved[8].spec.kind, LayerKind::Dense);
  // Without --float-input nothing is float: fixed inference and code generation accept it.
  EXPECT_FALSE(imported.model.spec().float_input);
}

TEST(KerasArchive, TheLibrarysOwnSparseLayersCarryNAndTheThreshold) {
  ArchiveBuilder b;
  b.keras2 = true;
  const std::vector<float> w = random_values(3 * 3 * 1 * 2, 21, 1.0f), bias = random_values(2, 22, 0.1f);
  const std::vector<float> dw = random_values(16 * 2 * 3, 23, 1.0f), db = random_values(3, 24, 0.1f);
  b.add("InputLayer", "x_in", {{"batch_input_shape", {nullptr, 12, 12, 1}}}, {}, "input_layer");
  b.add("InputReduce", "input_reduce", {{"n_max_pixels", 10}, {"threshold", 0.25}}, {}, "input_reduce");
  json conv = conv_config(2, 3, "linear");
  conv["name"] = "conv1";
  b.add("QConv2DSparse", "conv1", {{"conv_config", conv}},
        {{"conv/vars/0", {3, 3, 1, 2}, w}, {"conv/vars/1", {2}, bias}}, "q_conv2d_sparse");
  b.add("QActivation", "relu1", {{"activation", "quantized_relu(8,2)"}}, {}, "q_activation");
  b.add("AveragePooling2DSparse", "pool1", {{"pool_config", {{"pool_size", {3, 3}}, {"padding", "valid"}}}},
        {}, "average_pooling2d_sparse");
  b.add("Flatten", "flatten", json::object(), {}, "flatten");
  b.add("QDense", "dense1", dense_config(3), {{"vars/0", {32, 3}, dw}, {"vars/1", {3}, db}}, "q_dense");
  b.add("Activation", "softmax", {{"activation", "softmax"}}, {}, "activation");
  const std::string bytes = b.bytes();
  const auto imported = import_keras_archive(bytes.data(), bytes.size(), "own.keras", ImportOptions());
  const auto& resolved = imported.model.resolved();
  ASSERT_EQ(resolved.size(), 7u);
  EXPECT_EQ(resolved[0].spec.kind, LayerKind::InputReduce);
  EXPECT_EQ(resolved[0].spec.n_active, 10);
  EXPECT_DOUBLE_EQ(resolved[0].spec.threshold, 0.25);
  EXPECT_EQ(resolved[1].spec.kind, LayerKind::SparseConv2D);
  EXPECT_EQ(resolved[3].spec.kind, LayerKind::SparseAvgPool2D);
  EXPECT_EQ(imported.model.layer(1).weights, w);
  EXPECT_EQ(imported.model.layer(1).bias, bias);
  EXPECT_EQ(imported.model.layer(5).weights, dw);
  // --n-active beside the archive's own InputReduce is a usage error.
  ImportOptions twice;
  twice.n_active = 4;
  EXPECT_THROW(import_keras_archive(bytes.data(), bytes.size(), "own.keras", twice),
               sparsepixels::UsageError);
}

TEST(KerasArchive, BatchNormalizationBecomesTheSparseLayerFoldedIntoTheConvolution) {
  ArchiveBuilder b;
  const std::vector<float> w = random_values(3 * 3 * 1 * 2, 31, 1.0f), bias = random_values(2, 32, 0.1f);
  const std::vector<float> gamma{1.5f, 0.5f}, beta{0.1f, -0.2f}, mean{0.05f, 0.1f}, variance{2.0f, 0.5f};
  b.add("InputLayer", "x_in", {{"batch_shape", {nullptr, 8, 8, 1}}});
  b.add("QConv2D", "conv1", conv_config(2, 3, "linear"),
        {{"vars/0", {3, 3, 1, 2}, w}, {"vars/1", {2}, bias}});
  b.add("BatchNormalization", "bn1", {{"axis", -1}, {"momentum", 0.9}, {"epsilon", 0.001}},
        {{"vars/0", {2}, gamma}, {"vars/1", {2}, beta}, {"vars/2", {2}, mean}, {"vars/3", {2}, variance}});
  b.add("QActivation", "relu1", {{"activation", "quantized_relu(8,2)"}});
  b.add("Flatten", "flatten", json::object());
  b.add("QDense", "dense1", dense_config(1),
        {{"vars/0", {128, 1}, random_values(128, 33, 1.0f)}, {"vars/1", {1}, random_values(1, 34, 0.1f)}});
  const std::string bytes = b.bytes();
  ImportOptions options;
  options.n_active = 5;
  const auto imported = import_keras_archive(bytes.data(), bytes.size(), "bn.keras", options);
  const auto& bn = imported.model.resolved()[2];
  EXPECT_EQ(bn.spec.kind, LayerKind::SparseBatchNormalization);
  EXPECT_TRUE(bn.folded);
  EXPECT_DOUBLE_EQ(bn.spec.momentum, 0.9);
  const std::vector<float> expected{1.5f, 0.5f, 0.05f, 0.1f, 2.0f, 0.5f};
  EXPECT_EQ(imported.model.layer(2).weights, expected);
  EXPECT_EQ(imported.model.layer(2).bias, beta);
  // The standard CNN has no batch-normalization layer: a clear error.
  try {
    import_keras_archive(bytes.data(), bytes.size(), "bn.keras", ImportOptions());
    FAIL() << "expected an error";
  } catch (const sparsepixels::Error& e) {
    EXPECT_NE(std::string(e.what()).find("'bn1'"), std::string::npos) << e.what();
  }
}

TEST(KerasArchive, SequentialModelsImportByLayerOrder) {
  ArchiveBuilder b = test_architecture(false);
  b.model_class = "Sequential";
  for (auto& l : b.layers) l.entry.erase("inbound_nodes");
  const std::string bytes = b.bytes();
  const auto imported = import_keras_archive(bytes.data(), bytes.size(), "seq.keras", ImportOptions());
  EXPECT_EQ(imported.model.resolved().size(), 11u);
}

// Expects an Error whose message holds every one of `parts`.
void expect_error(const std::string& bytes, const std::vector<std::string>& parts,
                  const ImportOptions& options = {}) {
  try {
    import_keras_archive(bytes.data(), bytes.size(), "bad.keras", options);
    FAIL() << "expected an error";
  } catch (const sparsepixels::Error& e) {
    for (const std::string& part : parts)
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(MalformedArchive, TruncatedOrNotAZip) {
  const std::string bytes = test_architecture(false).bytes();
  expect_error(bytes.substr(0, bytes.size() / 2), {"bad.keras"});
  expect_error(bytes.substr(0, 100), {"bad.keras", "zip"});
  expect_error("just some text", {"bad.keras", "zip"});
}

TEST(MalformedArchive, MissingMembersAndWeights) {
  ArchiveBuilder no_weights = test_architecture(false);
  no_weights.omit_weights = true;
  expect_error(no_weights.bytes(), {"model.weights.h5"});

  ArchiveBuilder missing_bias = test_architecture(false);
  missing_bias.layers[1].variables.pop_back();
  expect_error(missing_bias.bytes(), {"'conv_a'", "bias", "missing"});

  ArchiveBuilder other_group = test_architecture(false);
  other_group.layers[8].group = "somewhere_else";
  expect_error(other_group.bytes(), {"'dense_a'", "no group"});
}

TEST(MalformedArchive, WrongShapesAreNamed) {
  ArchiveBuilder b = test_architecture(false);
  b.layers[1].variables[0].shape = {3, 3, 1, 2};
  b.layers[1].variables[0].values.resize(18);
  expect_error(b.bytes(), {"'conv_a'", "kernel", "(3, 3, 1, 2)", "(5, 5, 1, 2)"});
}

TEST(MalformedArchive, SizesAreCheckedBeforeAllocation) {
  ArchiveBuilder b = test_architecture(false);
  b.layers[1].variables[0].shape = {1u << 14, 1u << 14, 1, 1};  // 2^28 floats, never written
  b.layers[1].variables[0].values.clear();
  // The HDF5 check refuses a dataset that stores less than it declares before the importer reads it.
  expect_error(b.bytes(), {"bad.keras: model.weights.h5", "conv_a", "declares 268435456 values", "stores 0"});
}

TEST(MalformedArchive, UnsupportedQuantizersAndLayersAreNamed) {
  ArchiveBuilder po2 = test_architecture(false);
  po2.layers[1].entry["config"]["kernel_quantizer"] = {{"class_name", "quantized_po2"},
                                                       {"config", {{"bits", 4}}}};
  expect_error(po2.bytes(), {"'conv_a'", "kernel_quantizer", "quantized_po2"});

  ArchiveBuilder alpha = test_architecture(false);
  alpha.layers[8].entry["config"]["kernel_quantizer"]["config"]["alpha"] = "auto_po2";
  expect_error(alpha.bytes(), {"'dense_a'", "alpha", "auto_po2"});

  ArchiveBuilder hgq = test_architecture(false);
  hgq.layers[1].entry["module"] = "hgq.layers";
  expect_error(hgq.bytes(), {"'conv_a'", "HGQ2"});

  ArchiveBuilder conv1d = test_architecture(false);
  conv1d.layers[3].entry["class_name"] = "Conv1D";
  expect_error(conv1d.bytes(), {"'pool_a'", "Conv1D"});

  ArchiveBuilder strided = test_architecture(false);
  strided.layers[1].entry["config"]["strides"] = {2, 2};
  expect_error(strided.bytes(), {"'conv_a'", "strides"});
}

TEST(MalformedArchive, BranchesAreRejected) {
  ArchiveBuilder b = test_architecture(false);
  b.layers[4].entry["inbound_nodes"] = import_test::inbound_keras3("relu_a");  // skips pool_a
  expect_error(b.bytes(), {"'conv_b'", "sequential"});
}

TEST(MalformedArchive, BadConfigJson) {
  ArchiveBuilder b = test_architecture(false);
  b.config_override = "{\"class_name\": \"Functional\", \"config\": {\"layers\": [";
  expect_error(b.bytes(), {"config.json", "JSON"});
  b.config_override = std::string(300, '[') + std::string(300, ']');
  expect_error(b.bytes(), {"config.json"});
}

// The legacy .h5 weight files of the published designs, with our config naming the layers, give the
// same parameters as the .keras archives.
TEST(LegacyWeights, PublishedH5MatchesTheArchive) {
  const std::string root = SPARSEPIXELS_REFERENCE_MODELS;
  ImportOptions legacy;
  legacy.architecture_config = std::string(SPARSEPIXELS_SOURCE_DIR) + "/examples/mnist/sparse-m-8b.yml";
  const auto from_h5 = sparsepixels::import::import_model(root + "/weights/mnist_sparse_m-8b.h5", legacy);
  ImportOptions archive;
  archive.n_active = 16;
  archive.threshold = 0.4;
  const auto from_keras =
      sparsepixels::import::import_model(root + "/sparsemnist/model-8b/sparse_m/keras_model.keras", archive);
  ASSERT_EQ(from_h5.model.size(), from_keras.model.size());
  for (std::size_t i = 0; i < from_h5.model.size(); ++i) {
    EXPECT_EQ(from_h5.model.layer(i).weights, from_keras.model.layer(i).weights) << i;
    EXPECT_EQ(from_h5.model.layer(i).bias, from_keras.model.layer(i).bias) << i;
  }
}

TEST(LegacyWeights, ALayerInOneAndNotTheOtherIsAnError) {
  const std::string root = SPARSEPIXELS_REFERENCE_MODELS;
  ImportOptions legacy;
  // The jets config has conv1, conv2, dense1, dense2 too, but of other shapes; the neutrino config
  // names the same layers: shapes differ, so the error names the layer and the shape.
  legacy.architecture_config = std::string(SPARSEPIXELS_SOURCE_DIR) + "/examples/jets/sparse-m-8b.yml";
  try {
    sparsepixels::import::import_model(root + "/weights/mnist_sparse_m-8b.h5", legacy);
    FAIL() << "expected an error";
  } catch (const sparsepixels::Error& e) {
    EXPECT_NE(std::string(e.what()).find("shape"), std::string::npos) << e.what();
  }
}

TEST(ImportCli, WritesTheModelOrNothing) {
  namespace fs = std::filesystem;
  const fs::path folder = fs::temp_directory_path() / ("sparsepixels-import-cli-" + std::to_string(getpid()));
  fs::remove_all(folder);
  fs::create_directories(folder);
  const std::string design = std::string(SPARSEPIXELS_REFERENCE_MODELS) + "/sparsemnist/model-8b/sparse_s";
  const std::string out = (folder / "model.json").string();
  auto ok = sparsepixels::testing::run_cli("import " + design +
                                           "/keras_model.keras --n-active 12 --threshold 0.4 "
                                           "--hls4ml-config " +
                                           design + "/hls4ml_config.yml --out " + out);
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_TRUE(fs::exists(out));
  auto summary = sparsepixels::testing::run_cli("summary " + out);
  EXPECT_NE(summary.output.find("N=12"), std::string::npos) << summary.output;

  // A truncated archive: exit 1, the file named, no output written.
  const std::string broken = (folder / "broken.keras").string();
  {
    std::ifstream in(design + "/keras_model.keras", std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(broken, std::ios::binary) << bytes.substr(0, bytes.size() / 3);
  }
  const std::string out2 = (folder / "model2.json").string();
  auto bad = sparsepixels::testing::run_cli("import " + broken + " --out " + out2);
  EXPECT_EQ(bad.exit_code, 1) << bad.output;
  EXPECT_NE(bad.output.find("broken.keras"), std::string::npos) << bad.output;
  EXPECT_FALSE(fs::exists(out2));

  // --threshold without --n-active is bad usage (exit 2).
  auto usage =
      sparsepixels::testing::run_cli("import " + design + "/keras_model.keras --threshold 0.4 --out " + out2);
  EXPECT_EQ(usage.exit_code, 2) << usage.output;

  // A float-input import is refused by convert with the field named.
  const std::string float_model = (folder / "float.json").string();
  EXPECT_EQ(sparsepixels::testing::run_cli(
                "import " + design + "/keras_model.keras --n-active 12 --float-input --out " + float_model)
                .exit_code,
            0);
  auto refused =
      sparsepixels::testing::run_cli("convert " + float_model + " --out " + (folder / "prj").string());
  EXPECT_EQ(refused.exit_code, 1) << refused.output;
  EXPECT_NE(refused.output.find("input.float"), std::string::npos) << refused.output;
  fs::remove_all(folder);
}

}  // namespace

namespace {

// An imported design generates a project whose C simulation equals our fixed inference bit for bit.
TEST(ImportCli, ImportedDesignConvertsAndSimulatesBitExact) {
  namespace fs = std::filesystem;
  const std::string mnist = std::string(SPARSEPIXELS_SOURCE_DIR) + "/data/mnist";
  if (!fs::exists(mnist + "/t10k-images-idx3-ubyte") && !fs::exists(mnist + "/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "MNIST IDX files absent from " << mnist << " (scripts/fetch-mnist.sh)";
  const fs::path folder =
      fs::temp_directory_path() / ("sparsepixels-import-csim-" + std::to_string(getpid()));
  fs::remove_all(folder);
  fs::create_directories(folder);
  const std::string design = std::string(SPARSEPIXELS_REFERENCE_MODELS) + "/sparsemnist/model-16b/sparse_t";
  const std::string model = (folder / "model.json").string(), data = (folder / "mnist.h5").string();
  const std::string project = (folder / "prj").string();
  auto run = [](const std::string& args) {
    const auto result = sparsepixels::testing::run_cli(args);
    EXPECT_EQ(result.exit_code, 0) << args << "\n" << result.output;
    return result.output;
  };
  run("data mnist --idx-dir " + mnist + " --out " + data);
  // Both arithmetic profiles: exact (ours) and hls4ml's rules (tables, pooling, empty slots, max pool).
  for (const std::string profile : {"exact", "hls4ml"}) {
    run("import " + design + "/keras_model.keras --n-active 8 --threshold 0.4 --hls4ml-config " + design +
        "/hls4ml_config.yml --profile " + profile + " --out " + model);
    EXPECT_NE(
        run("summary " + model).find(profile == "hls4ml" ? "ap_fixed<18,8,AP_RND,AP_SAT>" : "ap_fixed<18,2>"),
        std::string::npos)
        << profile;
    run("convert " + model + " --out " + project + " --force");
    const std::string csim = run("csim " + project + " --data " + data + " --events 200");
    EXPECT_NE(csim.find(" 0 mismatches"), std::string::npos) << profile << "\n" << csim;
  }
  fs::remove_all(folder);
}

}  // namespace

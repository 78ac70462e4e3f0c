// The paper's 30 example configs: every file loads, and its architecture, parameter count, budget,
// threshold, types, training and HLS settings are those of the reference (sections 4, 5, 6, 8),
// written out here by hand from the reference's tables.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sparsepixels/fixed/fixed_type.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::model {

using namespace spec;  // the layer vocabulary
namespace {

namespace fs = std::filesystem;

fixed::FixedType type(const char* text) {
  return fixed::FixedType::parse(text);
}

// Reference section 5: the 8-bit types per dataset (input, weights/biases, ReLU results).
struct DatasetFacts {
  int size;
  std::size_t parameters;
  double threshold;
  const char* input8;
  const char* weight8;
  const char* relu8;
  // Layer kinds of the standard model (section 4); the sparse model adds InputReduce first and uses
  // the sparse versions of conv, ReLU, pool and flatten.
  std::vector<LayerKind> standard_layers;
  std::vector<std::pair<int, int>> convs;  // (kernel, filters)
  std::vector<int> pools;
  std::vector<int> units;
  const char* loss;
};

const std::map<std::string, DatasetFacts>& facts() {
  using K = LayerKind;
  static const std::map<std::string, DatasetFacts> table = {
      {"mnist",
       {48,
        4422,
        0.4,
        "ap_ufixed<8,1>",
        "ap_fixed<8,1>",
        "ap_ufixed<8,0,AP_RND_CONV,AP_SAT>",
        {K::Conv2D, K::ReLU, K::AvgPool2D, K::Conv2D, K::ReLU, K::AvgPool2D, K::Flatten, K::Dense, K::ReLU,
         K::Dense, K::Softmax},
        {{7, 1}, {5, 3}},
        {4, 2},
        {36, 10},
        "categorical_crossentropy"}},
      {"jets",
       {56,
        4535,
        0.0,
        "ap_ufixed<8,1>",
        "ap_fixed<8,5>",
        "ap_ufixed<8,4,AP_RND_CONV,AP_SAT>",
        {K::Conv2D, K::ReLU, K::Conv2D, K::ReLU, K::AvgPool2D, K::Flatten, K::Dense, K::ReLU, K::Dense,
         K::Softmax},
        {{9, 3}, {9, 1}},
        {4},
        {20, 5},
        "categorical_crossentropy"}},
      {"neutrino",
       {63,
        4121,
        0.0,
        "ap_ufixed<8,1>",
        "ap_fixed<8,3>",
        "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>",
        {K::Conv2D, K::ReLU, K::Conv2D, K::ReLU, K::AvgPool2D, K::Flatten, K::Dense, K::ReLU, K::Dense,
         K::Sigmoid},
        {{7, 1}, {7, 3}},
        {7},
        {16, 1},
        "binary_crossentropy"}},
  };
  return table;
}

const std::map<std::string, int>& budgets() {
  static const std::map<std::string, int> table = {
      {"standard", 0}, {"sparse-t", 8}, {"sparse-s", 12}, {"sparse-m", 16}, {"sparse-l", 20}};
  return table;
}

LayerKind sparse_version(LayerKind kind) {
  switch (kind) {
    case LayerKind::Conv2D:
      return LayerKind::SparseConv2D;
    case LayerKind::ReLU:
      return LayerKind::SparseReLU;
    case LayerKind::AvgPool2D:
      return LayerKind::SparseAvgPool2D;
    case LayerKind::Flatten:
      return LayerKind::SparseFlatten;
    default:
      return kind;
  }
}

// The large-image configs (examples/lartpc-<side>/sparse-l.yml, issue 15) are not paper designs.
bool is_large_image_example(const fs::path& path) {
  return path.parent_path().filename().string().rfind("lartpc-", 0) == 0;
}

// Every *.yml below examples/ but the large-image ones, found by walking the folder (not from a list).
std::vector<fs::path> example_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(SPARSEPIXELS_EXAMPLES_DIR)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yml" &&
        !is_large_image_example(entry.path()))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// "examples/jets/sparse-m-16b.yml" -> dataset "jets", variant "sparse-m", bits 16.
struct Identity {
  std::string dataset, variant;
  int bits = 0;
};

Identity identify(const fs::path& path) {
  Identity id;
  id.dataset = path.parent_path().filename().string();
  const std::string stem = path.stem().string();  // "sparse-m-16b"
  const auto dash = stem.rfind('-');
  id.variant = stem.substr(0, dash);
  id.bits = std::stoi(stem.substr(dash + 1));
  return id;
}

TEST(Examples, ThereAreExactlyThirtyCoveringEveryDesign) {
  const std::vector<fs::path> files = example_files();
  EXPECT_EQ(files.size(), 30u);
  std::set<std::string> seen;
  for (const fs::path& file : files) {
    const Identity id = identify(file);
    EXPECT_TRUE(facts().count(id.dataset)) << file;
    EXPECT_TRUE(budgets().count(id.variant)) << file;
    EXPECT_TRUE(id.bits == 8 || id.bits == 16) << file;
    EXPECT_EQ(file.stem().string(), id.variant + "-" + std::to_string(id.bits) + "b") << file;
    seen.insert(id.dataset + "/" + id.variant + "/" + std::to_string(id.bits));
  }
  EXPECT_EQ(seen.size(), 3u * 5u * 2u);
}

TEST(Examples, ArchitectureParametersBudgetAndThreshold) {
  for (const fs::path& file : example_files()) {
    SCOPED_TRACE(file.string());
    const Identity id = identify(file);
    const DatasetFacts& expected = facts().at(id.dataset);
    const int budget = budgets().at(id.variant);
    const Model model = load_model_or_config(file.string());
    EXPECT_EQ(model.parameter_count(), expected.parameters);
    EXPECT_EQ(model.spec().input_height, expected.size);
    EXPECT_EQ(model.spec().input_width, expected.size);
    EXPECT_EQ(model.spec().input_channels, 1);

    std::vector<LayerKind> kinds;
    if (budget > 0) kinds.push_back(LayerKind::InputReduce);
    for (LayerKind kind : expected.standard_layers) {
      // The dense head stays dense in the sparse model (section 4).
      const bool head = kind == LayerKind::Dense || kind == LayerKind::Softmax ||
                        kind == LayerKind::Sigmoid ||
                        (kind == LayerKind::ReLU && kinds.size() > 0 && kinds.back() == LayerKind::Dense);
      kinds.push_back(budget > 0 && !head ? sparse_version(kind) : kind);
    }
    const auto& layers = model.resolved();
    ASSERT_EQ(layers.size(), kinds.size());
    std::vector<std::pair<int, int>> convs;
    std::vector<int> pools, units;
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const LayerSpec& layer = layers[i].spec;
      EXPECT_EQ(layer.kind, kinds[i]) << "layer " << i;
      if (layer.kind == LayerKind::Conv2D || layer.kind == LayerKind::SparseConv2D) {
        convs.emplace_back(layer.kernel, layer.filters);
      }
      if (layer.kind == LayerKind::AvgPool2D || layer.kind == LayerKind::SparseAvgPool2D) {
        EXPECT_EQ(layer.pool_height, layer.pool_width);
        pools.push_back(layer.pool_height);
      }
      if (layer.kind == LayerKind::Dense) units.push_back(layer.units);
    }
    EXPECT_EQ(convs, expected.convs);
    EXPECT_EQ(pools, expected.pools);
    EXPECT_EQ(units, expected.units);
    if (budget > 0) {
      EXPECT_EQ(layers.front().spec.n_active, budget);
      EXPECT_DOUBLE_EQ(layers.front().spec.threshold, expected.threshold);
      EXPECT_EQ(layers.front().spec.selection, Selection::Raster);
    }
  }
}

TEST(Examples, TypesFollowThePrecisionTable) {
  for (const fs::path& file : example_files()) {
    SCOPED_TRACE(file.string());
    const Identity id = identify(file);
    const DatasetFacts& expected = facts().at(id.dataset);
    const bool eight = id.bits == 8;
    const fixed::FixedType input = type(eight ? expected.input8 : "ap_fixed<16,6>");
    const fixed::FixedType weight = type(eight ? expected.weight8 : "ap_fixed<16,7>");
    const fixed::FixedType relu = type(eight ? expected.relu8 : "ap_ufixed<16,6,AP_RND_CONV,AP_SAT>");
    const fixed::FixedType output = type("ap_fixed<16,6>");
    const Model model = load_model_or_config(file.string());
    EXPECT_EQ(model.spec().input_type, input);
    EXPECT_TRUE(model.spec().defaults.accum_auto);
    const auto& layers = model.resolved();
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const ResolvedLayer& layer = layers[i];
      SCOPED_TRACE(layer.spec.name);
      const bool last_dense = layer.spec.kind == LayerKind::Dense && i + 2 == layers.size();
      switch (layer.spec.kind) {
        case LayerKind::Conv2D:
        case LayerKind::SparseConv2D:
        case LayerKind::Dense:
          EXPECT_EQ(layer.types.weight, weight);
          EXPECT_EQ(layer.types.bias, weight);
          // The logits keep the exact accumulator type, as the published designs ('auto'): a
          // narrower type such as ap_fixed<16,6> wraps on large sums.
          EXPECT_EQ(layer.types.result, last_dense ? layer.types.accum : relu);
          EXPECT_EQ(layer.logits, last_dense);
          // 'auto': at least as wide as weight + input bits (section 11.3).
          EXPECT_GE(layer.types.accum.width,
                    weight.width + (i == 0 ? model.spec().input_type : layers[i - 1].types.result).width);
          break;
        case LayerKind::ReLU:
        case LayerKind::SparseReLU:
        case LayerKind::AvgPool2D:
        case LayerKind::SparseAvgPool2D:
          EXPECT_EQ(layer.types.result, relu);
          break;
        case LayerKind::InputReduce:
          EXPECT_EQ(layer.types.result, input);
          break;
        case LayerKind::Softmax:
        case LayerKind::Sigmoid:
          EXPECT_EQ(i + 1, layers.size());
          EXPECT_EQ(layer.types.result, output);
          break;
        default:
          break;
      }
      if (eight) {  // 8-bit logits fit float32: QAT carries them exactly
        const bool activation =
            layer.spec.kind == LayerKind::Softmax || layer.spec.kind == LayerKind::Sigmoid;
        EXPECT_LE(layer.types.result.width, activation ? 16 : last_dense ? 24 : 8);
      }
    }
  }
}

TEST(Examples, TrainingAndHlsSettingsFollowSectionsSixAndEight) {
  for (const fs::path& file : example_files()) {
    SCOPED_TRACE(file.string());
    const Identity id = identify(file);
    const bool sparse = budgets().at(id.variant) > 0;
    const ModelSpec spec = load_config(file.string());
    const TrainingSettings& training = spec.training;
    EXPECT_EQ(training.loss, facts().at(id.dataset).loss);
    EXPECT_DOUBLE_EQ(training.learning_rate, 1e-3);
    EXPECT_EQ(training.batch_size, 128);
    EXPECT_TRUE(training.quantized);
    if (id.dataset == "jets") {
      // Fixed epoch counts: 140-150 sparse, 80 standard.
      EXPECT_FALSE(training.early_stopping);
      EXPECT_EQ(training.max_epochs, sparse ? 150 : 80);
    } else {
      EXPECT_TRUE(training.early_stopping);
      EXPECT_EQ(training.max_epochs, 200);
      EXPECT_DOUBLE_EQ(training.min_delta, 1e-3);
      EXPECT_EQ(training.patience, 15);
      EXPECT_TRUE(training.restore_best);
    }
    EXPECT_EQ(spec.hls.part, "xcu250-figd2104-2L-e");
    EXPECT_DOUBLE_EQ(spec.hls.clock_ns, 5.0);
    EXPECT_DOUBLE_EQ(spec.hls.clock_uncertainty, sparse ? 0.27 : 0.125);
    EXPECT_EQ(spec.hls.io_type, sparse ? "io_parallel" : "io_stream");
    EXPECT_EQ(spec.hls.selection_policy, Selection::Raster);
  }
}

// examples/lartpc-512 and lartpc-2048 (issue 15): neutrino sparse-l 8-bit's layers, types and settings with
// the larger input and top-k selection (raster-first-N would keep only the top rows' hits).
TEST(Examples, LargeImageConfigsAreNeutrinoSparseLWithTopK) {
  std::set<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(SPARSEPIXELS_EXAMPLES_DIR)) {
    if (entry.path().extension() == ".yml" && is_large_image_example(entry.path()))
      found.insert(fs::relative(entry.path(), SPARSEPIXELS_EXAMPLES_DIR).string());
  }
  EXPECT_EQ(found, (std::set<std::string>{"lartpc-2048/sparse-l.yml", "lartpc-512/sparse-l.yml"}));
  const ModelSpec neutrino =
      load_config(std::string(SPARSEPIXELS_EXAMPLES_DIR) + "/neutrino/sparse-l-8b.yml");
  for (const int side : {512, 2048}) {
    const std::string path =
        std::string(SPARSEPIXELS_EXAMPLES_DIR) + "/lartpc-" + std::to_string(side) + "/sparse-l.yml";
    SCOPED_TRACE(path);
    const ModelSpec spec = load_config(path);
    EXPECT_EQ(spec.input_height, side);
    EXPECT_EQ(spec.input_width, side);
    EXPECT_EQ(spec.input_channels, 1);
    EXPECT_EQ(spec.input_type, neutrino.input_type);
    EXPECT_EQ(spec.hls.selection_policy, Selection::TopK);
    EXPECT_EQ(spec.hls.part, neutrino.hls.part);
    EXPECT_EQ(spec.hls.io_type, neutrino.hls.io_type);
    EXPECT_EQ(spec.training.loss, neutrino.training.loss);
    ASSERT_EQ(spec.layers.size(), neutrino.layers.size());
    for (std::size_t i = 0; i < spec.layers.size(); ++i) {
      const LayerSpec &layer = spec.layers[i], &expected = neutrino.layers[i];
      EXPECT_EQ(layer.kind, expected.kind) << "layer " << i;
      EXPECT_EQ(layer.name, expected.name) << "layer " << i;
      EXPECT_EQ(layer.kernel, expected.kernel) << "layer " << i;
      EXPECT_EQ(layer.filters, expected.filters) << "layer " << i;
      EXPECT_EQ(layer.pool_height, expected.pool_height) << "layer " << i;
      EXPECT_EQ(layer.units, expected.units) << "layer " << i;
      EXPECT_EQ(layer.n_active, expected.n_active) << "layer " << i;
    }
    EXPECT_EQ(spec.layers.front().kind, LayerKind::InputReduce);
    EXPECT_EQ(spec.layers.front().selection, Selection::TopK);
    EXPECT_EQ(spec.layers.front().n_active, 20);
    // The model resolves: dense1 takes the 7x7 pool's (side / 7)^2 x 3 grid.
    const Model model(spec, path);
    const std::size_t grid = static_cast<std::size_t>(side / 7);
    EXPECT_EQ(model.parameter_count(), 50u + 150u + (grid * grid * 3 + 1) * 16 + 17);
  }
}

}  // namespace
}  // namespace sparsepixels::model

// The kind table (spec/layer_kinds.cpp) against itself, the kernel headers on disk, and what the layers
// actually do: a wrong row fails here rather than in a generated project.
#include "sparsepixels/spec/layer_kinds.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/model/model.h"

namespace spec = sparsepixels::spec;
namespace fs = std::filesystem;

TEST(LayerKinds, EveryRowNamesItsOwnKindAndParses) {
  std::set<std::string> names;
  std::size_t index = 0;
  for (const spec::LayerKindInfo& row : spec::layer_kinds()) {
    EXPECT_EQ(static_cast<std::size_t>(row.kind), index) << row.name << ": rows must be in LayerKind order";
    EXPECT_EQ(&spec::kind_info(row.kind), &row);
    EXPECT_TRUE(names.insert(row.name).second) << "duplicate spelling " << row.name;
    EXPECT_EQ(spec::parse_layer_kind(row.name), row.kind);
    EXPECT_EQ(spec::to_string(row.kind), row.name);
    ++index;
  }
  EXPECT_EQ(index, static_cast<std::size_t>(spec::LayerKind::SparseBatchNormalization) + 1)
      << "a kind without a row";
  EXPECT_FALSE(spec::parse_layer_kind("sparseconv2d").has_value());
  EXPECT_FALSE(spec::parse_layer_kind("").has_value());
}

TEST(LayerKinds, ColumnsAgreeWithEachOther) {
  for (const spec::LayerKindInfo& row : spec::layer_kinds()) {
    SCOPED_TRACE(row.name);
    const std::vector<std::string> files(row.parameter_files.begin(), row.parameter_files.end());
    // Trainable kinds write exactly two arrays, the multiplier and the addend: weights and biases, or
    // batch normalization's folded scale and shift (its gamma, beta and moving statistics fold into them).
    const bool multiplier_and_addend = files == std::vector<std::string>{"_w", "_b"} ||
                                       (row.kind == spec::LayerKind::SparseBatchNormalization &&
                                        files == std::vector<std::string>{"_s", "_b"});
    EXPECT_EQ(row.has_parameters, multiplier_and_addend);
    // And they sum products (fan-in products plus the addend) into their accumulator.
    EXPECT_EQ(row.has_parameters, row.accumulator == spec::AccumulatorRule::Products);
    // Only input reduction is built into the design instead of costed as a stage.
    EXPECT_EQ(!row.stage.has_value(), row.kind == spec::LayerKind::InputReduce);
    // Each kind has a kernel for at least one io type; sparse kinds only io_parallel ones.
    EXPECT_TRUE(std::string(row.kernel_header).size() + std::string(row.stream_header).size() > 0);
    if (row.sparse_input || row.sparse_output) {
      EXPECT_STREQ(row.stream_header, "");
    }
  }
}

TEST(LayerKinds, KernelHeadersExist) {
  const fs::path nnet = fs::path(SPARSEPIXELS_SOURCE_DIR) / "hls" / "nnet_utils";
  for (const spec::LayerKindInfo& row : spec::layer_kinds()) {
    for (const char* header : {row.kernel_header, row.stream_header}) {
      if (std::string(header).empty()) continue;
      EXPECT_TRUE(fs::is_regular_file(nnet / header)) << row.name << ": " << header;
    }
  }
}

// sparse_output must match what each layer's fixed forward pass produces (slots carry coordinates).
TEST(LayerKinds, SparseOutputMatchesTheFixedLayers) {
  const std::string config = R"(
name: every-sparse-kind
input: {height: 12, width: 12, channels: 1, type: "ap_ufixed<8,1>"}
precision: {weight: "ap_fixed<8,1>", bias: "ap_fixed<8,1>", result: "ap_fixed<12,4>", accum: auto}
layers:
  - {type: InputReduce, name: reduce, n_active: 6, threshold: 0.1}
  - {type: SparseConv2D, name: conv, filters: 2, kernel: 3}
  - {type: SparseReLU, name: relu}
  - {type: SparseBatchNormalization, name: bn}
  - {type: SparseMaxPool2D, name: max, pool: 2}
  - {type: SparseAvgPool2D, name: avg, pool: 2}
  - {type: SparseFlatten, name: flatten}
  - {type: Dense, name: dense, units: 3}
  - {type: ReLU, name: relu_dense}
  - {type: Dense, name: logit, units: 1}
  - {type: Sigmoid, name: sigmoid}
)";
  const sparsepixels::model::Model model(sparsepixels::model::parse_config(config, "layer_kinds_test"));
  const sparsepixels::inference::FixedModel fixed(model);
  std::vector<float> event(144, 0.0f);
  for (std::size_t k = 0; k < event.size(); k += 7) event[k] = 0.5f;
  std::vector<sparsepixels::inference::LayerValues> outputs;
  fixed.run(event.data(), outputs);
  ASSERT_EQ(outputs.size(), model.size());
  for (std::size_t index = 0; index < outputs.size(); ++index) {
    const spec::LayerKind kind = model.spec().layers[index].kind;
    EXPECT_EQ(spec::kind_info(kind).sparse_output, !outputs[index].hash.empty()) << spec::to_string(kind);
  }
}

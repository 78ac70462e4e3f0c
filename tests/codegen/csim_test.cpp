// convert + csim end to end: generated projects of the paper's three sparse architectures at 8 and 16 bits
// (random weights of realistic scale on the types' grids, raster and topk selection, average and max
// pooling) compiled with g++ must reproduce the library's fixed inference bit for bit on 1,000 random sparse
// events; a corrupted project must be caught; the bridge library must give the same outputs.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>

#include "../cli/run_command.h"
#include "codegen_fixture.h"
#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/train/trainer.h"

namespace {

namespace fs = std::filesystem;
namespace model = sparsepixels::model;
namespace spec = sparsepixels::spec;
using codegen_test::TemporaryFolder;

void expect_bit_exact(const spec::ModelSpec& spec, std::uint64_t seed, int events = 1000) {
  TemporaryFolder folder("codegen-csim-" + std::to_string(seed));
  const auto report = codegen_test::convert_and_simulate(spec, events, seed, folder.path());
  EXPECT_EQ(report.events, static_cast<std::size_t>(events));
  EXPECT_GT(report.outputs, 0u);
  EXPECT_EQ(report.mismatches, 0u) << report.details;
  // The project's record names the io type its top function uses.
  const bool sparse = spec.layers.front().kind == spec::LayerKind::InputReduce;
  const std::string record = codegen_test::read_text(folder.path() / "project" / "sparsepixels_config.yml");
  EXPECT_NE(record.find(sparse ? "io_type: \"io_parallel\"" : "io_type: \"io_stream\""), std::string::npos)
      << record;
  EXPECT_NE(record.find("arithmetic_profile: \"" + spec::to_string(spec.arithmetic_profile) + "\""),
            std::string::npos)
      << record;
}

TEST(CodegenCsim, MnistSparseT8Bit) {
  expect_bit_exact(codegen_test::example("mnist/sparse-t-8b"), 11);
}
TEST(CodegenCsim, MnistSparseT16Bit) {
  expect_bit_exact(codegen_test::example("mnist/sparse-t-16b"), 12);
}
TEST(CodegenCsim, JetsSparseT8Bit) {
  expect_bit_exact(codegen_test::example("jets/sparse-t-8b"), 13);
}
TEST(CodegenCsim, JetsSparseS16Bit) {
  expect_bit_exact(codegen_test::example("jets/sparse-s-16b"), 14);
}
TEST(CodegenCsim, NeutrinoSparseT8Bit) {
  expect_bit_exact(codegen_test::example("neutrino/sparse-t-8b"), 15);
}
TEST(CodegenCsim, NeutrinoSparseM16Bit) {
  expect_bit_exact(codegen_test::example("neutrino/sparse-m-16b"), 16);
}

// Top-k selection and max pooling everywhere (the MNIST architecture, 8 bits).
TEST(CodegenCsim, TopkAndMaxPooling) {
  auto spec = codegen_test::example("mnist/sparse-s-8b");
  int pools = 0;
  for (auto& layer : spec.layers) {
    if (layer.kind == spec::LayerKind::InputReduce) layer.selection = spec::Selection::TopK;
    if (layer.kind == spec::LayerKind::SparseAvgPool2D) {
      layer.kind = spec::LayerKind::SparseMaxPool2D;
      ++pools;
    }
  }
  ASSERT_EQ(pools, 2);
  expect_bit_exact(spec, 17);
}

// The hls4ml arithmetic profile (docs/semantics.md, "Arithmetic profiles"): the generated kernels follow
// hls4ml's rules exactly as the fixed inference does. Neutrino: 7x7 average pooling and a sigmoid head.
TEST(CodegenCsim, Hls4mlProfilePool7AndSigmoid) {
  auto spec = codegen_test::example("neutrino/sparse-t-8b");
  spec.arithmetic_profile = spec::ArithmeticProfile::Hls4ml;
  expect_bit_exact(spec, 41);
}

// MNIST with top-k selection, max pooling and a softmax head under the hls4ml profile.
TEST(CodegenCsim, Hls4mlProfileMaxPoolingAndSoftmax) {
  auto spec = codegen_test::example("mnist/sparse-s-8b");
  spec.arithmetic_profile = spec::ArithmeticProfile::Hls4ml;
  for (auto& layer : spec.layers) {
    if (layer.kind == spec::LayerKind::InputReduce) layer.selection = spec::Selection::TopK;
    if (layer.kind == spec::LayerKind::SparseAvgPool2D) layer.kind = spec::LayerKind::SparseMaxPool2D;
  }
  expect_bit_exact(spec, 42);
}

// Every hls4ml rule at once: two input channels with pixel 0 set on channel 1 only in half the events
// (empty slots become phantom pixels at (1, 1)), max pooling of signed convolution outputs, 3x3 average
// pooling and a softmax head; the generated code selects hls4ml's rules by config constants and kernels.
TEST(CodegenCsim, Hls4mlProfileEveryRuleWithTwoChannels) {
  const spec::ModelSpec spec = model::parse_config(R"(
name: hls4ml_rules
arithmetic_profile: hls4ml
input: {height: 12, width: 12, channels: 2, type: "ap_fixed<12,4,AP_RND_CONV,AP_SAT>"}
precision: {weight: "ap_fixed<8,2>", bias: "ap_fixed<8,2>", result: "ap_fixed<16,6,AP_RND_CONV,AP_SAT>", accum: auto}
layers:
  - {type: InputReduce, name: reduce, n_active: 8, threshold: 0.1}
  - {type: SparseConv2D, name: conv1, filters: 2, kernel: 3}
  - {type: SparseMaxPool2D, name: pool1, pool: 2}
  - {type: SparseConv2D, name: conv2, filters: 2, kernel: 3}
  - {type: SparseReLU, name: relu2}
  - {type: SparseAvgPool2D, name: pool2, pool: 3}
  - {type: SparseFlatten, name: flatten}
  - {type: Dense, name: dense1, units: 3}
  - {type: Softmax, name: softmax}
)",
                                                   "csim_test");
  constexpr int kEvents = 1000;
  TemporaryFolder folder("codegen-csim-hls4ml-rules");
  const std::string model_path = codegen_test::save_random_model(spec, 43, folder.path());
  // Random events (codegen_test::random_events), then pixel 0 = (0, 0.375) in every other event.
  sparsepixels::data::Split split;
  split.height = split.width = 12;
  split.channels = 2;
  split.x = codegen_test::random_events(kEvents, 12, 12, 2, 8, 0.1, spec.input_type, 44);
  for (int e = 0; e < kEvents; e += 2) {
    split.x[static_cast<std::size_t>(e) * 288] = 0.0f;
    split.x[static_cast<std::size_t>(e) * 288 + 1] = 0.375f;
  }
  split.y.assign(kEvents, 0);
  sparsepixels::data::DatasetInfo info;
  info.source = "codegen test";
  info.transform = "random sparse events, pixel 0 set on channel 1";
  info.threshold = 0.1;
  info.class_names = {"a", "b", "c"};
  info.height = info.width = 12;
  info.channels = 2;
  const std::string data = (folder.path() / "data.h5").string();
  sparsepixels::data::write_dataset(data, info, split, split, split);

  // The rule shows: empty slots of the fixed inference carry pixel 0's channel 1.
  const model::Model loaded = model::load_model(model_path);
  const sparsepixels::inference::FixedModel fixed(loaded);
  std::vector<sparsepixels::inference::LayerValues> outputs;
  int events_with_phantoms = 0;
  for (int e = 0; e < kEvents; ++e) {
    fixed.run(split.event(static_cast<std::size_t>(e)), outputs);
    bool phantom = false;
    for (int slot = 0; slot < 8; ++slot)
      phantom = phantom || (outputs[0].raw[2 * slot] == 0 && outputs[0].raw[2 * slot + 1] != 0);
    events_with_phantoms += phantom ? 1 : 0;
  }
  EXPECT_GT(events_with_phantoms,
            kEvents / 8);  // half the events set pixel 0; about half of those have empty slots

  const fs::path project = folder.path() / "project";
  sparsepixels::codegen::write_project(model_path, project.string());
  sparsepixels::codegen::CsimOptions options;
  options.data = data;
  options.events = kEvents;
  const auto report = sparsepixels::codegen::run_csim(project.string(), options);
  EXPECT_EQ(report.events, static_cast<std::size_t>(kEvents));
  EXPECT_EQ(report.mismatches, 0u) << report.details;
  const std::string parameters = codegen_test::read_text(project / "firmware" / "parameters.h");
  const std::string top = codegen_test::read_text(project / "firmware" / "hls4ml_rules.cpp");
  EXPECT_NE(parameters.find("arithmetic_profile = nnet::arithmetic_hls4ml"), std::string::npos);
  EXPECT_NE(top.find("nnet::softmax_hls4ml"), std::string::npos);
}

// Trains `config` (QAT, batch statistics, moving statistics updated) on events whose label the model can
// learn (whether the event's summed intensity is large), saves, converts and simulates it.
struct TrainedProject {
  model::Model model;
  fs::path project;
  sparsepixels::codegen::CsimReport report;
};
TrainedProject train_convert_simulate(const std::string& config, const TemporaryFolder& folder) {
  const spec::ModelSpec spec = model::parse_config(config, "csim_test");
  constexpr int kEvents = 600;
  sparsepixels::data::Split split;
  split.height = split.width = 12;
  split.channels = 1;
  split.x = codegen_test::random_events(kEvents, 12, 12, 1, 10, 0.1, spec.input_type, 41);
  for (int e = 0; e < kEvents; ++e) {
    double sum = 0;
    for (int k = 0; k < 144; ++k) sum += split.x[static_cast<std::size_t>(e * 144 + k)];
    split.y.push_back(sum > 3.0 ? 1 : 0);
  }
  sparsepixels::data::DatasetInfo info;
  info.source = "codegen test";
  info.transform = "random sparse events";
  info.threshold = 0.1;
  info.class_names = {"a", "b"};
  info.height = info.width = 12;
  info.channels = 1;
  const std::string data = (folder.path() / "data.h5").string();
  sparsepixels::data::write_dataset(data, info, split, split, split);

  model::Model trained(spec);
  sparsepixels::train::TrainOptions options;
  options.epochs = 4;
  sparsepixels::train::train(trained, split, split, options);
  const std::string model_path = (folder.path() / "model.json").string();
  model::save_model(trained, model_path);
  const fs::path project = folder.path() / "project";
  sparsepixels::codegen::write_project(model_path, project.string());
  sparsepixels::codegen::CsimOptions csim;
  csim.data = data;
  csim.events = kEvents;
  auto report = sparsepixels::codegen::run_csim(project.string(), csim);
  EXPECT_EQ(report.events, static_cast<std::size_t>(kEvents));
  return {std::move(trained), project, std::move(report)};
}

// A standalone SparseBatchNormalization after an average pool: the generated kernel must reproduce the
// fixed inference (which folds the moving statistics into scale and shift) bit for bit.
TEST(CodegenCsim, TrainedSparseBatchNormalization) {
  const std::string config = R"(
name: bn-csim
input: {height: 12, width: 12, channels: 1, type: "ap_ufixed<8,1,AP_RND_CONV,AP_SAT>"}
precision: {weight: "ap_fixed<8,2>", bias: "ap_fixed<8,2>", result: "ap_fixed<12,4,AP_RND_CONV,AP_SAT>", accum: auto}
layers:
  - {type: InputReduce, name: reduce, n_active: 10, threshold: 0.1}
  - {type: SparseConv2D, name: conv1, filters: 2, kernel: 3}
  - {type: SparseReLU, name: relu1, precision: {result: "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>"}}
  - {type: SparseAvgPool2D, name: pool1, pool: 2}
  - {type: SparseBatchNormalization, name: bn1, precision: {weight: "ap_fixed<12,6>", bias: "ap_fixed<12,6>"}}
  - {type: SparseFlatten, name: flatten}
  - {type: Dense, name: dense1, units: 1}
  - {type: Sigmoid, name: output}
training: {quantized: true, batch_size: 64, learning_rate: 0.01, seed: 3, threads: 1}
)";
  TemporaryFolder folder("codegen-csim-batchnorm");
  const TrainedProject trained = train_convert_simulate(config, folder);
  const auto& bn = trained.model.layer(4);
  ASSERT_EQ(trained.model.resolved()[4].spec.kind, spec::LayerKind::SparseBatchNormalization);
  EXPECT_NE(bn.weights[2], 0.0f) << "the moving mean was never updated";
  EXPECT_NE(bn.weights[0], 1.0f) << "gamma was never trained";
  EXPECT_EQ(trained.report.mismatches, 0u) << trained.report.details;
  std::printf("SparseBatchNormalization csim: %zu events, %zu mismatches\n", trained.report.events,
              trained.report.mismatches);
  // The batch normalization's outputs take part: its folded parameters are in the project.
  EXPECT_TRUE(fs::exists(trained.project / "firmware" / "weights" / "bn1_s.h"));
}

// A SparseBatchNormalization right after the convolution is folded into it: QAT trains the folded,
// quantized weights; the project has no batch-normalization kernel, its convolution weights are the
// folded ones, and it reproduces the fixed inference bit for bit.
TEST(CodegenCsim, TrainedFoldedSparseBatchNormalization) {
  const std::string config = R"(
name: bn-folded-csim
input: {height: 12, width: 12, channels: 1, type: "ap_ufixed<8,1,AP_RND_CONV,AP_SAT>"}
precision: {weight: "ap_fixed<8,2>", bias: "ap_fixed<8,2>", result: "ap_fixed<12,4,AP_RND_CONV,AP_SAT>", accum: auto}
layers:
  - {type: InputReduce, name: reduce, n_active: 10, threshold: 0.1}
  - {type: SparseConv2D, name: conv1, filters: 2, kernel: 3}
  - {type: SparseBatchNormalization, name: bn1}
  - {type: SparseReLU, name: relu1, precision: {result: "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>"}}
  - {type: SparseAvgPool2D, name: pool1, pool: 2}
  - {type: SparseFlatten, name: flatten}
  - {type: Dense, name: dense1, units: 1}
  - {type: Sigmoid, name: output}
training: {quantized: true, batch_size: 64, learning_rate: 0.01, seed: 3, threads: 1}
)";
  TemporaryFolder folder("codegen-csim-batchnorm-folded");
  const TrainedProject trained = train_convert_simulate(config, folder);
  ASSERT_TRUE(trained.model.resolved()[2].folded);
  const auto& bn = trained.model.layer(2);
  EXPECT_NE(bn.weights[2], 0.0f) << "the moving mean was never updated";
  EXPECT_NE(bn.weights[0], 1.0f) << "gamma was never trained";
  EXPECT_EQ(trained.report.mismatches, 0u) << trained.report.details;
  std::printf("folded SparseBatchNormalization csim: %zu events, %zu mismatches\n", trained.report.events,
              trained.report.mismatches);
  EXPECT_FALSE(fs::exists(trained.project / "firmware" / "weights" / "bn1_s.h"));
  std::ifstream top(trained.project / "firmware" / "bn_folded_csim.cpp");
  const std::string code((std::istreambuf_iterator<char>(top)), std::istreambuf_iterator<char>());
  EXPECT_NE(code.find("nnet::sparse_conv"), std::string::npos);
  EXPECT_EQ(code.find("sparse_batchnorm"), std::string::npos);
  // The convolution's weights in the project are the folded ones (the model's own differ).
  const sparsepixels::inference::FixedModel fixed(trained.model);
  const auto unfolded =
      sparsepixels::layers::make_fixed_layer(trained.model.resolved()[1], trained.model.spec().input_type,
                                             trained.model.layer(1).weights, trained.model.layer(1).bias);
  EXPECT_NE(fixed.weights_raw(1), unfolded->weights_raw());
}

// Standard (io_stream) baselines: line-buffer convolutions and streamed pooling feed the dense head.
TEST(CodegenCsim, MnistStandard8Bit) {
  expect_bit_exact(codegen_test::example("mnist/standard-8b"), 18);
}
TEST(CodegenCsim, JetsStandard16Bit) {
  expect_bit_exact(codegen_test::example("jets/standard-16b"), 19, 300);  // 300: a slow stream csim
}

// A bias changed by hand in the generated project: csim must count mismatches, name the first one and show
// the layers from both sides (the last two layers differ, the ones before are equal).
TEST(CodegenCsim, CorruptedProjectIsCaught) {
  TemporaryFolder folder("codegen-corrupt");
  const auto spec = codegen_test::example("mnist/sparse-t-8b");
  const std::string model_path = codegen_test::save_random_model(spec, 21, folder.path());
  const std::string data = codegen_test::save_random_dataset(spec, 200, 22, folder.path());
  const fs::path project = folder.path() / "project";
  sparsepixels::codegen::write_project(model_path, project.string());
  const fs::path bias_file = project / "firmware" / "weights" / "dense2_b.h";
  std::string text = codegen_test::read_text(bias_file);
  const std::regex first_literal(R"(= \{\s*(-?[0-9.]+))");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(text, match, first_literal));
  const std::string replacement = match[1].str() == "0.5" ? "-0.25" : "0.5";
  text.replace(static_cast<std::size_t>(match.position(1)), match[1].length(), replacement);
  std::ofstream(bias_file) << text;

  sparsepixels::codegen::CsimOptions options;
  options.data = data;
  options.events = 200;
  const auto report = sparsepixels::codegen::run_csim(project.string(), options);
  EXPECT_GT(report.mismatches, 0u);
  EXPECT_NE(report.details.find(
                fmt::format("first mismatch: event {}, output {}", report.first_event, report.first_output)),
            std::string::npos);
  EXPECT_NE(report.details.find("layer 10 'dense2' (Dense), raw values of ap_fixed<22,7>: DIFFER"),
            std::string::npos)
      << report.details;
  EXPECT_NE(
      report.details.find("layer 9 'relu3' (ReLU), raw values of ap_ufixed<8,0,AP_RND_CONV,AP_SAT>: equal"),
      std::string::npos)
      << report.details;

  // The command line exits 1 and prints the count and the first mismatch.
  const auto result =
      sparsepixels::testing::run_cli("csim " + project.string() + " --data " + data + " --events 200");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find(fmt::format("{} mismatches", report.mismatches)), std::string::npos)
      << result.output;
}

// The command line end to end, then the bridge library of build_lib.sh against the fixed inference.
TEST(CodegenCsim, CommandLineAndBridge) {
  TemporaryFolder folder("codegen-cli");
  const auto spec = codegen_test::example("neutrino/sparse-t-8b");
  const std::string model_path = codegen_test::save_random_model(spec, 31, folder.path());
  const std::string data = codegen_test::save_random_dataset(spec, 100, 32, folder.path());
  const fs::path project = folder.path() / "project";
  auto result = sparsepixels::testing::run_cli("convert " + model_path + " --out " + project.string() +
                                               " --name neutrino_top --clock-ns 4");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(codegen_test::read_text(project / "build_prj.tcl").find("create_clock -period 4 -name default"),
            std::string::npos);
  result = sparsepixels::testing::run_cli("csim " + project.string() + " --data " + data + " --events 100");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("100 events, 1 outputs each: 0 mismatches"), std::string::npos)
      << result.output;

  ASSERT_EQ(std::system(("sh " + (project / "build_lib.sh").string() + " > /dev/null 2>&1").c_str()), 0);
  void* library = dlopen((project / "libneutrino_top.so").c_str(), RTLD_NOW);
  ASSERT_NE(library, nullptr) << dlerror();
  using Entry = void (*)(double*, double*);
  auto entry = reinterpret_cast<Entry>(dlsym(library, "neutrino_top_double"));
  ASSERT_NE(entry, nullptr);
  const model::Model loaded = model::load_model(model_path);
  const auto split = sparsepixels::data::read_split(data, "test");
  const auto expected = sparsepixels::inference::fixed_predict(loaded, split.x.data(), split.size());
  for (std::size_t event = 0; event < split.size(); ++event) {
    std::vector<double> x(split.event(event), split.event(event) + split.event_size());
    double y = -1;
    entry(x.data(), &y);
    EXPECT_EQ(y, expected.values[event]) << "event " << event;
  }
  dlclose(library);
}

}  // namespace

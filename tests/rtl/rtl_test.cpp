// The Verilog backend (docs/rtl.md): every supported layer's module against its FixedLayer on random inputs
// through Verilator, verilator --lint-only -Wall on every generated file, and a small design end to end
// (convert --backend verilog -> rtlsim -> 0 mismatches). Verilator is required: a missing tool fails.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "../cli/run_command.h"
#include "../codegen/codegen_fixture.h"
#include "sparsepixels/codegen/verilog.h"
#include "sparsepixels/error.h"
#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/model/config.h"
#include "sparsepixels/util/process.h"

namespace {

namespace fs = std::filesystem;
namespace codegen = sparsepixels::codegen;
namespace layers = sparsepixels::layers;
namespace model = sparsepixels::model;
namespace spec = sparsepixels::spec;
using sparsepixels::fixed::FixedType;

// Two small models covering every layer kind the backend supports, 8-bit unsigned and 16-bit signed inputs,
// C and F > 1, pools of area 1, 4 (a power of two) and 9 (a rounded reciprocal), sigmoid and softmax heads.
const char* kSoftmaxModel = R"(
name: rtl-softmax
input: {height: 9, width: 9, channels: 2, type: "ap_ufixed<8,1>"}
precision: {weight: "ap_fixed<8,2>", bias: "ap_fixed<8,2>", result: "ap_ufixed<8,2,AP_RND_CONV,AP_SAT>", accum: auto}
layers:
  - {type: InputReduce, name: reduce, n_active: 6, threshold: 0.2, selection: raster}
  - {type: SparseConv2D, name: conv1, filters: 3, kernel: 3, precision: {result: "ap_fixed<10,3,AP_RND,AP_SAT>"}}
  - {type: SparseReLU, name: relu1}
  - {type: SparseAvgPool2D, name: pool1, pool: 1}
  - {type: SparseConv2D, name: conv2, filters: 2, kernel: 5, precision: {result: "ap_fixed<9,3>"}}
  - {type: SparseReLU, name: relu2, precision: {result: "ap_ufixed<6,2,AP_TRN,AP_SAT>"}}
  - {type: SparseAvgPool2D, name: pool2, pool: 3}
  - {type: SparseFlatten, name: flatten}
  - {type: Dense, name: dense1, units: 7, precision: {result: "ap_fixed<12,4,AP_RND_ZERO,AP_SAT_SYM>"}}
  - {type: ReLU, name: relu3}
  - {type: Dense, name: dense2, units: 4, precision: {result: "ap_fixed<16,6>"}}
  - {type: Softmax, name: softmax, precision: {result: "ap_fixed<16,6>"}}
)";

const char* kSigmoidModel = R"(
name: rtl-sigmoid
input: {height: 8, width: 10, channels: 1, type: "ap_fixed<16,6>"}
precision: {weight: "ap_fixed<16,7>", bias: "ap_fixed<16,7>", result: "ap_ufixed<16,6,AP_RND_CONV,AP_SAT>", accum: auto}
layers:
  - {type: InputReduce, name: reduce, n_active: 5, threshold: 0.0, selection: raster}
  - {type: SparseConv2D, name: conv1, filters: 2, kernel: 3}
  - {type: SparseReLU, name: relu1}
  - {type: SparseAvgPool2D, name: pool1, pool: 2, precision: {result: "ap_fixed<12,4,AP_RND_INF,AP_WRAP>"}}
  - {type: SparseFlatten, name: flatten, precision: {result: "ap_fixed<12,4,AP_RND_INF,AP_WRAP>"}}
  - {type: Dense, name: dense1, units: 3, precision: {result: "ap_fixed<12,5,AP_RND_MIN_INF,AP_SAT_ZERO>"}}
  - {type: Dense, name: dense2, units: 1, precision: {result: "ap_fixed<16,6,AP_TRN_ZERO,AP_WRAP>"}}
  - {type: Sigmoid, name: sigmoid, precision: {result: "ap_fixed<16,6>"}}
)";

// A random value of `type`'s raw range, zero about one time in four.
std::int64_t random_raw(std::mt19937_64& random, const FixedType& type) {
  if (random() % 4 == 0) return 0;
  std::uniform_int_distribution<std::int64_t> pick(type.min_raw(), type.max_raw());
  return pick(random);
}

// Random input of a layer: values over the whole range of its input type; sparse slots get random hashes
// (often shared, sometimes beyond the grid) and some all-zero slots.
layers::LayerValues random_input(const layers::FixedLayer& layer, int hash_width, std::mt19937_64& random) {
  const spec::Shape& shape = layer.info().input;
  layers::LayerValues values;
  values.raw.resize(shape.size());
  for (auto& value : values.raw) value = random_raw(random, layer.input_type());
  if (shape.sparse) {
    const int largest = (1 << hash_width) - 1;
    for (int slot = 0; slot < shape.slots; ++slot) {
      if (random() % 5 == 0) {
        for (int c = 0; c < shape.channels; ++c)
          values.raw[static_cast<std::size_t>(slot * shape.channels + c)] = 0;
      }
      const bool beyond = random() % 8 == 0;
      values.hash.push_back(
          1 + static_cast<int>(random() % static_cast<unsigned>(beyond ? largest : shape.height)));
      values.hash.push_back(
          1 + static_cast<int>(random() % static_cast<unsigned>(beyond ? largest : shape.width)));
    }
  }
  return values;
}

// A top running every layer module side by side: x is the concatenation of their input buses, y of their
// outputs; same ports as a design's top, so the design testbench drives it.
std::string harness_top(const std::string& name, const std::vector<codegen::VerilogModule>& modules) {
  std::size_t x_width = 0, y_width = 0;
  for (const auto& module : modules) {
    x_width += module.input.width();
    y_width += module.output.width();
  }
  std::string text = fmt::format(
      "module {} (\n  input wire ap_clk,\n  input wire ap_rst,\n  input wire ap_start,\n  output wire "
      "ap_done,\n"
      "  output wire ap_idle,\n  output wire ap_ready,\n  input wire [{}:0] x,\n  output wire [{}:0] y,\n"
      "  output wire y_ap_vld\n);\n",
      name, x_width - 1, y_width - 1);
  std::size_t x_at = 0, y_at = 0;
  std::string all_valid;
  for (std::size_t k = 0; k < modules.size(); ++k) {
    const auto& module = modules[k];
    text += fmt::format(
        "  wire valid_{0};\n  {1} u_{0} (.clk(ap_clk), .rst(ap_rst), .in_valid(ap_start), .in_data(x[{2} +: "
        "{3}]),\n"
        "      .out_valid(valid_{0}), .out_data(y[{4} +: {5}]));\n",
        k, module.name, x_at, module.input.width(), y_at, module.output.width());
    x_at += module.input.width();
    y_at += module.output.width();
    all_valid += (k == 0 ? "" : " && ") + fmt::format("valid_{}", k);
  }
  text += fmt::format(
      "  assign y_ap_vld = {0};\n  assign ap_done = {0};\n  assign ap_ready = ap_start;\n"
      "  assign ap_idle = !ap_start;\nendmodule\n",
      all_valid);
  return text;
}

// Bits [at, at + width) of a word vector, as words.
std::vector<std::uint32_t> slice_bits(const std::vector<std::uint32_t>& words, std::size_t at,
                                      std::size_t width) {
  std::vector<std::uint32_t> out((width + 31) / 32, 0);
  for (std::size_t bit = 0; bit < width; ++bit) {
    const std::size_t from = at + bit;
    if (((words[from / 32] >> (from % 32)) & 1) != 0) out[bit / 32] |= std::uint32_t{1} << (bit % 32);
  }
  return out;
}

void append_bits(std::vector<std::uint32_t>& words, std::size_t& at, const std::vector<std::uint32_t>& part,
                 std::size_t width) {
  words.resize((at + width + 31) / 32, 0);
  for (std::size_t bit = 0; bit < width; ++bit) {
    if (((part[bit / 32] >> (bit % 32)) & 1) != 0) {
      const std::size_t to = at + bit;
      words[to / 32] |= std::uint32_t{1} << (to % 32);
    }
  }
  at += width;
}

// Every layer of `config` as a module, driven with random inputs (and, for half the events, the inputs the
// model itself gives the layer) through one Verilator build; every output compared with the FixedLayer.
void expect_layers_match(const std::string& config, std::uint64_t seed, int events) {
  const spec::ModelSpec model_spec = model::parse_config(config, "rtl test");
  model::Model model(model_spec);
  codegen_test::randomize_parameters(model, seed);
  const spec::Shape input = model.input_shape();
  const int hash_width = codegen::hash_bits(input.height, input.width);
  std::vector<std::unique_ptr<layers::FixedLayer>> fixed_layers;
  std::vector<codegen::VerilogModule> modules;
  FixedType type = model_spec.input_type;
  for (std::size_t k = 0; k < model.size(); ++k) {
    fixed_layers.push_back(model.layer(k).make_fixed(type));
    modules.push_back(codegen::emit_verilog_layer(
        *fixed_layers.back(), fmt::format("{}_l{}", model_spec.name == "rtl-softmax" ? "sm" : "sg", k),
        hash_width));
    type = model.resolved()[k].types.result;
  }
  // Inputs: model traces of random sparse events for even events, random layer inputs for odd ones.
  const sparsepixels::inference::FixedModel fixed(model);
  const std::vector<float> images = codegen_test::random_events(
      events, input.height, input.width, input.channels, model_spec.layers[0].n_active,
      model_spec.layers[0].threshold, model_spec.input_type, seed + 1);
  std::mt19937_64 random(seed + 2);
  std::vector<std::vector<layers::LayerValues>> layer_inputs(modules.size());  // [layer][event]
  std::vector<std::int64_t> quantized;
  std::vector<layers::LayerValues> trace;
  for (int event = 0; event < events; ++event) {
    const float* image = images.data() + static_cast<std::size_t>(event) * input.size();
    fixed.quantize_input(image, quantized);
    fixed.run(image, trace);
    for (std::size_t k = 0; k < modules.size(); ++k) {
      if (k == 0) {
        layers::LayerValues values;
        values.raw = quantized;
        layer_inputs[k].push_back(values);
      } else if (event % 2 == 0) {
        layer_inputs[k].push_back(trace[k - 1]);
      } else {
        layer_inputs[k].push_back(random_input(*fixed_layers[k], hash_width, random));
      }
    }
  }
  std::vector<std::vector<std::uint32_t>> buses(static_cast<std::size_t>(events));
  for (int event = 0; event < events; ++event) {
    std::size_t at = 0;
    for (std::size_t k = 0; k < modules.size(); ++k) {
      append_bits(buses[static_cast<std::size_t>(event)], at,
                  codegen::pack_bus(modules[k].input, layer_inputs[k][static_cast<std::size_t>(event)]),
                  modules[k].input.width());
    }
  }
  codegen_test::TemporaryFolder folder("rtl-layers");
  std::vector<std::string> files;
  for (const auto& module : modules) {
    files.push_back((folder.path() / (module.name + ".v")).string());
    std::ofstream(files.back()) << module.text;
  }
  const std::string top = model_spec.name == "rtl-softmax" ? "sm_layers" : "sg_layers";
  files.push_back((folder.path() / (top + ".v")).string());
  std::ofstream(files.back()) << harness_top(top, modules);
  codegen::BusLayout x_bus, y_bus;  // only widths matter to the testbench
  x_bus.value_width = y_bus.value_width = 1;
  for (const auto& module : modules) {
    x_bus.values += module.input.width();
    y_bus.values += module.output.width();
  }
  const codegen::RtlRun run =
      codegen::simulate_verilog((folder.path() / "build").string(), top, files, x_bus, y_bus, buses);
  ASSERT_EQ(run.outputs.size(), static_cast<std::size_t>(events));
  EXPECT_EQ(run.latency, 1);
  EXPECT_EQ(run.interval, 1);
  for (std::size_t k = 0; k < modules.size(); ++k) {
    std::size_t mismatches = 0, at = 0;
    for (std::size_t j = 0; j < k; ++j) at += modules[j].output.width();
    for (int event = 0; event < events; ++event) {
      layers::LayerValues expected;
      fixed_layers[k]->forward(layer_inputs[k][static_cast<std::size_t>(event)], expected);
      const layers::LayerValues got = codegen::unpack_bus(
          modules[k].output,
          slice_bits(run.outputs[static_cast<std::size_t>(event)], at, modules[k].output.width()));
      const bool same = got.raw == expected.raw && (!modules[k].output.sparse || got.hash == expected.hash);
      if (!same && mismatches++ == 0) {
        ADD_FAILURE() << "layer " << model.resolved()[k].spec.name << " event " << event << ": RTL "
                      << fmt::format("{} / {}", fmt::join(got.raw, " "), fmt::join(got.hash, " "))
                      << " expected "
                      << fmt::format("{} / {}", fmt::join(expected.raw, " "), fmt::join(expected.hash, " "));
      }
    }
    EXPECT_EQ(mismatches, 0u) << "layer " << model.resolved()[k].spec.name;
  }
}

TEST(RtlLayers, SoftmaxModelLayersMatchFixedInference) {
  expect_layers_match(kSoftmaxModel, 11, 300);
}

TEST(RtlLayers, SigmoidModelLayersMatchFixedInference) {
  expect_layers_match(kSigmoidModel, 23, 300);
}

// The lint of every file convert writes, for the two test models and a paper design (MNIST sparse-t-8b).
TEST(RtlLint, EveryGeneratedFileIsLintClean) {
  codegen_test::TemporaryFolder folder("rtl-lint");
  std::vector<spec::ModelSpec> specs = {model::parse_config(kSoftmaxModel, "softmax"),
                                        model::parse_config(kSigmoidModel, "sigmoid"),
                                        codegen_test::example("mnist/sparse-t-8b")};
  int files = 0;
  for (std::size_t k = 0; k < specs.size(); ++k) {
    const fs::path design = folder.path() / fmt::format("design{}", k);
    fs::create_directories(design);
    const std::string model_path = codegen_test::save_random_model(specs[k], 5 + k, design);
    codegen::write_verilog(model_path, (design / "out").string());
    for (const auto& entry : fs::directory_iterator(design / "out" / "rtl")) {
      const std::string log = (design / (entry.path().stem().string() + ".lint")).string();
      const int status =
          sparsepixels::util::run_program({"verilator", "--lint-only", "-Wall", "-y",
                                           (design / "out" / "rtl").string(), entry.path().string()},
                                          log);
      EXPECT_EQ(status, 0) << entry.path() << ":\n" << codegen_test::read_text(log);
      EXPECT_EQ(codegen_test::read_text(log), "") << entry.path();
      ++files;
    }
  }
  EXPECT_GE(files, 30);
}

// convert --backend verilog, then rtlsim: 0 mismatches, the latency of one cycle per layer, II 1.
TEST(RtlEndToEnd, SmallDesignConvertsSimulatesAndMatches) {
  using sparsepixels::testing::run_cli;
  codegen_test::TemporaryFolder folder("rtl-e2e");
  const spec::ModelSpec model_spec = model::parse_config(kSigmoidModel, "sigmoid");
  const std::string model_path = codegen_test::save_random_model(model_spec, 31, folder.path());
  const std::string data = codegen_test::save_random_dataset(model_spec, 200, 32, folder.path());
  const std::string out = (folder.path() / "design").string();
  auto converted = run_cli(fmt::format("convert {} --backend verilog --out {}", model_path, out));
  ASSERT_EQ(converted.exit_code, 0) << converted.output;
  EXPECT_NE(converted.output.find("wrote Verilog design 'rtl_sigmoid'"), std::string::npos)
      << converted.output;
  // The folder rules of convert: an existing design needs --force.
  auto again = run_cli(fmt::format("convert {} --backend verilog --out {}", model_path, out));
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("already exists (remove it or pass --force)"), std::string::npos)
      << again.output;
  auto forced = run_cli(fmt::format("convert {} --backend verilog --out {} --force", model_path, out));
  ASSERT_EQ(forced.exit_code, 0) << forced.output;

  const std::string json = (folder.path() / "rtlsim.json").string();
  auto simulated = run_cli(fmt::format("rtlsim {} --data {} --events 200 --json {}", out, data, json));
  ASSERT_EQ(simulated.exit_code, 0) << simulated.output;
  EXPECT_NE(simulated.output.find("200 events, 1 outputs each: 0 mismatches"), std::string::npos)
      << simulated.output;
  EXPECT_NE(simulated.output.find("latency 8 cycles"), std::string::npos) << simulated.output;
  EXPECT_NE(simulated.output.find("II 1 cycles"), std::string::npos) << simulated.output;
  const std::string written = codegen_test::read_text(json);
  EXPECT_NE(written.find("\"mismatches\": 0"), std::string::npos) << written;
  EXPECT_NE(written.find("\"latency_cycles\": 8"), std::string::npos) << written;

  // A broken module: rtlsim reports mismatches, fails, and traces the first one to the layer.
  const fs::path dense1 = fs::path(out) / "rtl" / "rtl_sigmoid_dense1.v";
  std::string text = codegen_test::read_text(dense1);
  const std::string healthy = "cast_sum(to_accum(sum0))";
  ASSERT_NE(text.find(healthy), std::string::npos);
  text.replace(text.find(healthy), healthy.size(), "cast_sum(to_accum(~sum0))");
  std::ofstream(dense1) << text;
  auto broken = run_cli(fmt::format("rtlsim {} --data {} --events 50", out, data));
  EXPECT_EQ(broken.exit_code, 1) << broken.output;
  EXPECT_EQ(broken.output.find(" 0 mismatches"), std::string::npos) << broken.output;
  EXPECT_NE(broken.output.find("traced to layer 'dense1' (stage 6)"), std::string::npos) << broken.output;
}

TEST(RtlRefusals, UnsupportedLayersAndModelsGetClearErrors) {
  codegen_test::TemporaryFolder folder("rtl-refuse");
  auto expect_refusal = [&](spec::ModelSpec model_spec, const std::string& fragment) {
    const fs::path design = folder.path() / model_spec.name;
    fs::create_directories(design);
    const std::string model_path = codegen_test::save_random_model(model_spec, 3, design);
    try {
      codegen::write_verilog(model_path, (design / "out").string());
      ADD_FAILURE() << model_spec.name << ": no error";
    } catch (const sparsepixels::Error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(design / "out"));
  };
  spec::ModelSpec topk = model::parse_config(kSoftmaxModel, "topk");
  topk.name = "topk";
  topk.layers[0].selection = spec::Selection::TopK;
  expect_refusal(topk, "layer 'reduce' (InputReduce): the Verilog backend does not support topk selection");
  spec::ModelSpec max_pool = model::parse_config(kSoftmaxModel, "max");
  max_pool.name = "maxpool";
  max_pool.layers[6].kind = spec::LayerKind::SparseMaxPool2D;
  expect_refusal(max_pool,
                 "layer 'pool2' (SparseMaxPool2D): the Verilog backend does not support max pooling");
  expect_refusal(codegen_test::example("mnist/standard-8b"), "standard (dense) model");
}

TEST(RtlRefusals, TopNamesAreNeverVerilogKeywords) {
  codegen_test::TemporaryFolder folder("rtl-names");
  spec::ModelSpec model_spec = model::parse_config(kSigmoidModel, "sigmoid");
  model_spec.name = "module";
  const std::string model_path = codegen_test::save_random_model(model_spec, 3, folder.path());
  EXPECT_EQ(codegen::write_verilog(model_path, (folder.path() / "a").string()).name, "module_design");
  codegen::VerilogOptions options;
  options.name = "wire";
  EXPECT_THROW(codegen::write_verilog(model_path, (folder.path() / "b").string(), options),
               sparsepixels::UsageError);
  EXPECT_FALSE(fs::exists(folder.path() / "b"));
}

TEST(RtlRefusals, MissingVerilatorIsAClearError) {
  codegen_test::TemporaryFolder folder("rtl-noverilator");
  const spec::ModelSpec model_spec = model::parse_config(kSigmoidModel, "sigmoid");
  const std::string model_path = codegen_test::save_random_model(model_spec, 3, folder.path());
  const std::string data = codegen_test::save_random_dataset(model_spec, 10, 4, folder.path());
  codegen::write_verilog(model_path, (folder.path() / "design").string());
  codegen::RtlsimOptions options;
  options.data = data;
  options.events = 10;
  options.verilator = (folder.path() / "no-such-verilator").string();
  try {
    codegen::run_rtlsim((folder.path() / "design").string(), options);
    ADD_FAILURE() << "no error";
  } catch (const sparsepixels::Error& e) {
    EXPECT_NE(std::string(e.what()).find("is Verilator installed?"), std::string::npos) << e.what();
  }
}

}  // namespace

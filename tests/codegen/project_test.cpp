// The project writer: exact literals (checked against the model's float parameters and hand-computed values),
// layer names made into safe identifiers or rejected, malformed inputs rejected with clear errors, and the
// hls4ml layout with the requested part and clock.
#include <gtest/gtest.h>

#include <regex>

#include "codegen_fixture.h"
#include "sparsepixels/error.h"

namespace {

namespace fs = std::filesystem;
namespace model = sparsepixels::model;
namespace spec = sparsepixels::spec;
namespace codegen = sparsepixels::codegen;
using codegen_test::TemporaryFolder;

// Every numeric literal of an initializer list in a generated weights header, as written.
std::vector<std::string> literals(const fs::path& header) {
  const std::string text = codegen_test::read_text(header);
  const auto open = text.find("= {");
  const auto close = text.find('}', open);
  std::vector<std::string> tokens;
  const std::string body = text.substr(open + 3, close - open - 3);
  const std::regex number(R"(-?[0-9]+(\.[0-9]+)?)");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), number); it != std::sregex_iterator(); ++it) {
    tokens.push_back(it->str());
  }
  return tokens;
}

// Expects `call` to throw sparsepixels::Error whose message contains every one of `parts`.
template <class Call>
void expect_error(Call call, const std::vector<std::string>& parts) {
  try {
    call();
    ADD_FAILURE() << "no error";
  } catch (const sparsepixels::Error& error) {
    for (const auto& part : parts)
      EXPECT_NE(std::string(error.what()).find(part), std::string::npos) << error.what();
  }
}

TEST(CodegenProject, LayerIdentifiers) {
  EXPECT_EQ(codegen::layer_identifier("conv1", 1), "conv1");
  EXPECT_EQ(codegen::layer_identifier("a b", 1), "a_b");
  EXPECT_EQ(codegen::layer_identifier("1x", 2), "layer_1x");
  EXPECT_EQ(codegen::layer_identifier("x;system(\"rm\")", 3), "x_system_rm");
  EXPECT_EQ(codegen::layer_identifier("__Dense--Head__", 4), "dense_head");
  EXPECT_EQ(codegen::layer_identifier("*/ ;", 5), "layer5");
  EXPECT_EQ(codegen::layer_identifier("", 6), "layer6");
  EXPECT_EQ(codegen::layer_identifier(std::string(100, 'a'), 7), std::string(48, 'a'));
}

TEST(CodegenProject, ProjectNameChecked) {
  EXPECT_NO_THROW(codegen::check_identifier("my_model2", "--name"));
  for (const std::string bad : {"1bad", "a;b", "class", "_hidden", "", "a b", "main"}) {
    EXPECT_THROW(codegen::check_identifier(bad, "--name"), sparsepixels::UsageError) << bad;
  }
}

TEST(CodegenProject, FileHashIsFnv1a64) {
  TemporaryFolder folder("codegen-hash");
  std::ofstream(folder.path() / "empty").close();
  std::ofstream(folder.path() / "a") << "a";
  // Published FNV-1a 64 test vectors.
  EXPECT_EQ(codegen::file_hash((folder.path() / "empty").string()), "cbf29ce484222325");
  EXPECT_EQ(codegen::file_hash((folder.path() / "a").string()), "af63dc4c8601ec8c");
}

// 0.3203125 = 41/128 in ap_fixed<8,1> must be written exactly (hls4ml once printed 0.320312, which AP_TRN
// turned into 0.3125); every other literal must equal the model's parameter; the threshold 0.4 in
// ap_ufixed<8,1> (AP_TRN) is floor(0.4 * 128) / 128 = 51/128 = 0.3984375.
TEST(CodegenProject, ExactLiterals) {
  TemporaryFolder folder("codegen-literals");
  const auto spec = codegen_test::example("mnist/sparse-t-8b");
  model::Model model(spec);
  codegen_test::randomize_parameters(model, 41);
  ASSERT_EQ(model.resolved()[1].types.weight.to_string(), "ap_fixed<8,1>");
  model.layer(1).weights[3] = 0.3203125f;
  model.layer(1).weights[4] = -0.3203125f;
  const std::string model_path = (folder.path() / "model.json").string();
  model::save_model(model, model_path);
  const fs::path project = folder.path() / "project";
  codegen::write_project(model_path, project.string());

  const auto weights = literals(project / "firmware" / "weights" / "conv1_w.h");
  ASSERT_EQ(weights.size(), 49u);
  EXPECT_EQ(weights[3], "0.3203125");
  EXPECT_EQ(weights[4], "-0.3203125");
  for (std::size_t layer : {1u, 4u, 8u, 10u}) {
    const std::string id = model.resolved()[layer].spec.name;
    const auto w = literals(project / "firmware" / "weights" / (id + "_w.h"));
    const auto b = literals(project / "firmware" / "weights" / (id + "_b.h"));
    ASSERT_EQ(w.size(), model.layer(layer).weights.size()) << id;
    ASSERT_EQ(b.size(), model.layer(layer).bias.size()) << id;
    for (std::size_t k = 0; k < w.size(); ++k)
      EXPECT_EQ(std::stod(w[k]), model.layer(layer).weights[k]) << id;
    for (std::size_t k = 0; k < b.size(); ++k) EXPECT_EQ(std::stod(b[k]), model.layer(layer).bias[k]) << id;
  }
  EXPECT_NE(codegen_test::read_text(project / "firmware" / "weights" / "input_reduce_threshold.h")
                .find("static const input_t input_reduce_threshold = 0.3984375;"),
            std::string::npos);
  // Softmax tables: 1024 entries each, every one on the 18-bit table grid (value * 2^fraction an integer).
  for (const std::string table : {"softmax_exp_table.h", "softmax_inv_table.h"}) {
    const auto entries = literals(project / "firmware" / "weights" / table);
    ASSERT_EQ(entries.size(), 1024u) << table;
    EXPECT_EQ(std::stod(entries.front()) * 65536, std::floor(std::stod(entries.front()) * 65536)) << table;
  }
}

TEST(CodegenProject, LayoutPartClockAndRecord) {
  TemporaryFolder folder("codegen-layout");
  const auto spec = codegen_test::example("jets/sparse-t-16b");
  const std::string model_path = codegen_test::save_random_model(spec, 51, folder.path());
  const fs::path project = folder.path() / "project";
  codegen::ProjectOptions options;
  options.name = "jets_top";
  options.part = "xcvu13p-flga2577-2-e";
  options.clock_ns = 3.125;
  const auto summary = codegen::write_project(model_path, project.string(), options);
  EXPECT_EQ(summary.name, "jets_top");
  EXPECT_EQ(summary.model_hash, codegen::file_hash(model_path));
  for (const std::string file :
       {"firmware/jets_top.cpp", "firmware/jets_top.h", "firmware/defines.h", "firmware/parameters.h",
        "firmware/nnet_utils/nnet_sparse_conv.h", "firmware/ap_types/ap_fixed.h", "jets_top_test.cpp",
        "jets_top_bridge.cpp", "build_lib.sh", "build_prj.tcl", "model.json", "sparsepixels_config.yml",
        "README.md"}) {
    EXPECT_TRUE(fs::exists(project / file)) << file;
  }
  EXPECT_EQ(codegen_test::read_text(project / "model.json"), codegen_test::read_text(model_path));
  const std::string tcl = codegen_test::read_text(project / "build_prj.tcl");
  EXPECT_NE(tcl.find("set_part {xcvu13p-flga2577-2-e}"), std::string::npos);
  EXPECT_NE(tcl.find("create_clock -period 3.125 -name default"), std::string::npos);
  EXPECT_NE(tcl.find("set_clock_uncertainty 27%"), std::string::npos);
  // The only mention of ap_types is the comment saying Vitis uses its own.
  const std::size_t comment = tcl.find("firmware/ap_types/ is never added") + std::string("firmware/").size();
  EXPECT_EQ(tcl.find("ap_types"), comment);
  EXPECT_EQ(tcl.rfind("ap_types"), comment);
  for (const std::string step : {"csim_design", "csynth_design", "cosim_design", "export_design"}) {
    EXPECT_NE(tcl.find(step), std::string::npos) << step;
  }
  const std::string top = codegen_test::read_text(project / "firmware" / "jets_top.cpp");
  for (const std::string pragma : {"#pragma HLS DATAFLOW", "#pragma HLS INTERFACE ap_vld port = input",
                                   "#pragma HLS ARRAY_RESHAPE variable = input complete"}) {
    EXPECT_NE(top.find(pragma), std::string::npos) << pragma;
  }
  EXPECT_EQ(top.find("ap_types"), std::string::npos);
  const std::string record = codegen_test::read_text(project / "sparsepixels_config.yml");
  for (const std::string& field : std::vector<std::string>{
           "tool: \"Vitis HLS 2023.1\"", "part: \"xcvu13p-flga2577-2-e\"", "clock_ns: 3.125",
           "model_hash: \"fnv1a64:" + summary.model_hash + "\"", "ap_fixed<16,7>"}) {
    EXPECT_NE(record.find(field), std::string::npos) << field;
  }
  EXPECT_NE(codegen_test::read_text(project / "README.md").find("Vitis HLS 2023.1"), std::string::npos);
  // One kernel call per layer, one config struct per layer.
  const std::string parameters = codegen_test::read_text(project / "firmware" / "parameters.h");
  std::size_t calls = 0, configs = 0;
  for (std::size_t at = top.find("nnet::"); at != std::string::npos; at = top.find("nnet::", at + 1)) ++calls;
  for (std::size_t at = parameters.find("_config : nnet::"); at != std::string::npos;
       at = parameters.find("_config : nnet::", at + 1)) {
    ++configs;
  }
  EXPECT_EQ(calls, spec.layers.size());
  EXPECT_EQ(configs, spec.layers.size());

  // An existing folder is kept unless overwriting is asked for; no temporary folder is left behind.
  expect_error([&] { codegen::write_project(model_path, project.string(), options); }, {"already exists"});
  options.overwrite = true;
  options.clock_ns = 4;
  codegen::write_project(model_path, project.string(), options);
  EXPECT_NE(codegen_test::read_text(project / "build_prj.tcl").find("-period 4 "), std::string::npos);
  for (const auto& entry : fs::directory_iterator(folder.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  }
}

// Hostile layer names become safe identifiers (the project compiles and matches; no generated source holds
// the original text); names that clash once made safe are rejected naming both layers.
TEST(CodegenProject, HostileLayerNames) {
  TemporaryFolder folder("codegen-names");
  auto spec = codegen_test::example("neutrino/sparse-t-8b");
  spec.name = "x;system(\"rm -rf /\")";
  spec.layers[1].name = "a b";
  spec.layers[2].name = "1x";
  spec.layers[3].name = "x;system(\"rm\")";
  spec.layers[4].name = "*/ #define int";
  const std::string model_path = codegen_test::save_random_model(spec, 61, folder.path());
  const std::string data = codegen_test::save_random_dataset(spec, 50, 62, folder.path());
  const fs::path project = folder.path() / "project";
  const auto summary = codegen::write_project(model_path, project.string());
  EXPECT_EQ(summary.name, "x_system_rm_rf");
  const std::string parameters = codegen_test::read_text(project / "firmware" / "parameters.h");
  for (const std::string id : {"a_b_config", "layer_1x_config", "x_system_rm_config", "define_int_config"}) {
    EXPECT_NE(parameters.find("struct " + id), std::string::npos) << id;
  }
  for (const auto& entry : fs::recursive_directory_iterator(project)) {
    if (!entry.is_regular_file() || entry.path().filename() == "model.json") continue;
    const std::string text = codegen_test::read_text(entry.path());
    EXPECT_EQ(text.find("system("), std::string::npos) << entry.path();
    EXPECT_EQ(text.find("#define int"), std::string::npos) << entry.path();
  }
  codegen::CsimOptions options;
  options.data = data;
  options.events = 50;
  EXPECT_EQ(codegen::run_csim(project.string(), options).mismatches, 0u);
  options.ap_types = folder.path().string();  // holds no ap_fixed.h
  expect_error([&] { codegen::run_csim(project.string(), options); }, {"--ap-types", "ap_fixed.h not found"});

  spec.layers[5].name = "a-b";  // clashes with "a b" once made safe
  const std::string clash = codegen_test::save_random_model(spec, 63, folder.path());
  expect_error([&] { codegen::write_project(clash, (folder.path() / "clash").string()); },
               {"'a-b'", "'a b'", "a_b", "rename"});
  EXPECT_FALSE(fs::exists(folder.path() / "clash"));
  codegen::ProjectOptions bad_name;
  bad_name.name = "1bad";
  EXPECT_THROW(codegen::write_project(model_path, (folder.path() / "bad").string(), bad_name),
               sparsepixels::UsageError);
  bad_name.name = "good";
  bad_name.part = "xcu250\"; exec rm";
  EXPECT_THROW(codegen::write_project(model_path, (folder.path() / "bad").string(), bad_name),
               sparsepixels::UsageError);
}

TEST(CodegenProject, MalformedAndUnsupportedModelsRejected) {
  TemporaryFolder folder("codegen-malformed");
  const fs::path garbage = folder.path() / "garbage.json";
  std::ofstream(garbage) << "{ \"layers\": [ not json";
  expect_error([&] { codegen::write_project(garbage.string(), (folder.path() / "out").string()); },
               {garbage.string()});
  const fs::path wrong = folder.path() / "wrong.json";
  std::ofstream(wrong) << "{\"format_version\": 1, \"layers\": 7}";
  expect_error([&] { codegen::write_project(wrong.string(), (folder.path() / "out").string()); },
               {wrong.string()});
  expect_error([&] { codegen::write_project((folder.path() / "missing.json").string(), "out"); },
               {"missing.json"});
  EXPECT_FALSE(fs::exists(folder.path() / "out"));

  // A model that would end in a stream of pixels cannot be written.
  auto spec = codegen_test::example("mnist/standard-8b");
  spec.layers.resize(2);
  const std::string unfinished = codegen_test::save_random_model(spec, 71, folder.path());
  expect_error([&] { codegen::write_project(unfinished, (folder.path() / "out").string()); },
               {"'relu1'", "stream of pixels", "Flatten"});
}

TEST(CodegenProject, WarnsAboutLargeUnrolls) {
  TemporaryFolder folder("codegen-unroll");
  auto spec = codegen_test::example("neutrino/sparse-t-8b");
  const std::string small = codegen_test::save_random_model(spec, 81, folder.path());
  EXPECT_TRUE(codegen::write_project(small, (folder.path() / "small").string()).warnings.empty());
  spec.input_height = spec.input_width = 70;  // 4,900 pixels in the input reduction
  const std::string large = codegen_test::save_random_model(spec, 82, folder.path());
  const auto summary = codegen::write_project(large, (folder.path() / "large").string());
  ASSERT_FALSE(summary.warnings.empty());
  EXPECT_NE(summary.warnings.front().find("4900"), std::string::npos) << summary.warnings.front();
}

}  // namespace

// The project writer: plans the layers of a model (the arrays between them, io_parallel or io_stream),
// collects each layer's code from its emitter (emitters/) and fills every template file of
// templates/vivado/ with it (the convention is in templates.cpp).
#include "project_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>

#include "sparsepixels/codegen/project.h"
#include "sparsepixels/error.h"
#include "sparsepixels/version.h"

namespace sparsepixels::codegen {

namespace fs = std::filesystem;
using spec::LayerKind;

namespace {

// Vivado HLS refuses to unroll loops past about this many operations ("Stop unrolling loop").
constexpr std::size_t kUnrollWarning = 4096;
// The template of every weights/ header; the other templates are project files of the same path.
constexpr std::string_view kArrayTemplate = "firmware/weights/array.h";
// The stand-in for the project name in template file names (hls4ml's convention).
constexpr std::string_view kNameInPaths = "myproject";

// Writes `text` to `path`, creating its folder; errors name the file.
void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream file(path, std::ios::binary);
  file << text;
  file.close();
  if (!file) throw Error(fmt::format("{}: cannot write", path.string()));
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

// ceil(log2(n + 1)): the bits of an unsigned integer holding 0..n.
int bits_for(int n) {
  int bits = 1;
  while ((1LL << bits) <= n) ++bits;
  return bits;
}

void copy_headers(const fs::path& from, const fs::path& to) {
  if (!fs::is_directory(from))
    throw Error(fmt::format(
        "{}: kernel header folder not found (set SPARSEPIXELS_HLS_DIR to the hls/ folder)", from.string()));
  fs::create_directories(to);
  std::size_t copied = 0;
  for (const auto& entry : fs::directory_iterator(from)) {
    if (entry.is_regular_file() && entry.path().extension() == ".h") {
      fs::copy_file(entry.path(), to / entry.path().filename());
      ++copied;
    }
  }
  if (copied == 0) throw Error(fmt::format("{}: no headers to copy", from.string()));
}

// The per-layer part of defines.h.
constexpr std::string_view kLayerTypes = R"(
// Layer {{index}}: {{id}} ({{kind}}), output {{shape}}
typedef {{result}} {{result_type}};
)";

// The per-layer part of the top function: output arrays, the kernel call, the C-simulation trace.
constexpr std::string_view kStreamOutput =
    "  hls::stream<nnet::array<{{result_type}}, {{n_chan}}> > {{output}}(\"{{output}}\");\n";
constexpr std::string_view kArrayOutput = R"(  {{result_type}} {{output}}[{{size}}];
#pragma HLS ARRAY_PARTITION variable = {{output}} complete dim = 0
)";
constexpr std::string_view kHashOutput = R"(  hash_t {{output_hash}}[{{hash_size}}];
#pragma HLS ARRAY_PARTITION variable = {{output_hash}} complete dim = 0
)";
constexpr std::string_view kTraceValues = R"(#ifdef SPARSEPIXELS_TRACE
  sparsepixels_trace::values({{index}}, {{output}}, {{size}}, {{fraction}});
)";
constexpr std::string_view kTraceHashes =
    "  sparsepixels_trace::hashes({{index}}, {{output_hash}}, {{hash_size}});\n";

// One line of the layer list in sparsepixels_config.yml.
constexpr std::string_view kLayerRecord =
    "  - {identifier: \"{{id}}\", kind: \"{{kind}}\", result: \"{{result}}\", accum: \"{{accum}}\", "
    "weight: \"{{weight}}\", bias: \"{{bias}}\", table: \"{{table}}\"}\n";

}  // namespace

ProjectWriter::ProjectWriter(const model::Model& model, const inference::FixedModel& fixed,
                             ProjectSettings settings)
    : model_(model), fixed_(fixed), settings_(std::move(settings)) {
  plan();
  const EmitContext context{model_, fixed_};
  for (const auto& layer : layers_) {
    code_.push_back(emit_layer(layer, context));
    const auto operations = code_.back().unrolled_operations;
    if (operations > kUnrollWarning) {
      const auto& spec = layer.info->spec;
      warnings_.push_back(
          fmt::format("layer '{}' ({}) unrolls about {} operations in one loop (Vitis HLS may stop "
                      "unrolling past about {})",
                      spec.name, spec::to_string(spec.kind), operations, kUnrollWarning));
    }
  }
}

// Checks the model is one the writer supports, names every array and checks every identifier.
void ProjectWriter::plan() {
  const auto& resolved = model_.resolved();
  if (resolved.empty()) throw Error("convert: the model has no layers");
  int max_side = 1;
  for (std::size_t index = 0; index < resolved.size(); ++index) {
    const auto& layer = resolved[index];
    const auto& kind = spec::kind_info(layer.spec.kind);
    // A kind with only an io_stream kernel makes a standard model: streamed from the input on.
    if (*kind.kernel_header == '\0') {
      if (index == 0) stream_input_ = true;
      if (!stream_input_) {
        throw Error(
            fmt::format("convert: layer '{}' ({}): a standard (io_stream) layer must follow the input "
                        "or another streamed layer",
                        layer.spec.name, kind.name));
      }
    }
    if (layer.spec.kind == LayerKind::InputReduce) {
      if (index != 0)
        throw Error(fmt::format("convert: layer '{}': InputReduce must come first", layer.spec.name));
      max_side = std::max(layer.input.height, layer.input.width);
    }
  }
  if (resolved.back().output.sparse) {
    throw Error(
        fmt::format("convert: the last layer '{}' outputs sparse slots; end the model with SparseFlatten "
                    "and dense layers",
                    resolved.back().spec.name));
  }
  hash_type_ = fmt::format("ap_uint<{}>", bits_for(max_side));

  const std::string& name = settings_.name;
  std::set<std::string> identifiers{name,     name + "_float", name + "_double", "input",
                                    "output", "input_t",       "result_t",       "hash_t"};
  std::map<std::string, std::string> owner;  // generated identifier -> layer name
  auto claim = [&](const std::string& identifier, const std::string& layer_name) {
    if (!identifiers.insert(identifier).second) {
      const auto previous = owner.find(identifier);
      throw Error(fmt::format(
          "convert: layer '{}' would make the C identifier '{}', which {} already uses; rename one of the "
          "layers",
          layer_name, identifier,
          previous == owner.end() ? "the project" : "layer '" + previous->second + "'"));
    }
    owner[identifier] = layer_name;
  };

  std::string features = stream_input_ ? "input_stream" : "input", hash, type = "input_t";
  bool streaming = stream_input_;
  for (std::size_t index = 0; index < resolved.size(); ++index) {
    const auto& layer = resolved[index];
    // A batch normalization folded into the convolution before it has no kernel: the convolution's
    // weights and biases are the folded ones (its fixed layer's), and its output feeds the next layer.
    if (layer.folded) continue;
    LayerPlan plan;
    plan.info = &layer;
    plan.index = index;
    plan.id = layer_identifier(layer.spec.name, index);
    plan.data_type = type;
    plan.features_in = features;
    plan.hash_in = hash;
    plan.result_type = plan.id + "_result_t";
    const bool last = index + 1 == resolved.size();
    plan.features_out = last ? "output" : plan.id + "_out";
    plan.hash_out = layer.output.sparse ? plan.id + "_hash" : "";
    plan.stream_in = streaming;
    if (layer.spec.kind == LayerKind::Flatten) streaming = false;  // the flatten ends the stream
    if (streaming && !layer.input.sparse && *spec::kind_info(layer.spec.kind).stream_header == '\0') {
      throw Error(
          fmt::format("convert: layer '{}' ({}) cannot take a stream of pixels; add a Flatten before it",
                      layer.spec.name, spec::to_string(layer.spec.kind)));
    }
    plan.stream_out = streaming;
    if (last && streaming) {
      throw Error(
          fmt::format("convert: the last layer '{}' outputs a stream of pixels; end the model with "
                      "Flatten and dense layers",
                      layer.spec.name));
    }
    for (const std::string suffix :
         {"_result_t", "_accum_t", "_weight_t", "_bias_t", "_table_t", "_exp_table_t", "_inv_table_t",
          "_config", "_out", "_hash", "_w", "_b", "_threshold", "_table", "_exp_table", "_inv_table"}) {
      claim(plan.id + suffix, layer.spec.name);
    }
    features = plan.features_out;
    hash = plan.hash_out;
    type = plan.result_type;
    layers_.push_back(plan);
  }
}

void ProjectWriter::write(const fs::path& root, const std::string& model_path,
                          const std::string& hls_dir) const {
  const auto& resolved = model_.resolved();
  std::set<std::string> kernel_headers;  // sorted, each once
  for (const auto& code : code_) kernel_headers.insert(code.kernel_header);
  std::string kernel_includes, parameter_includes;
  for (const auto& header : kernel_headers)
    kernel_includes += fmt::format("#include \"nnet_utils/{}\"\n", header);
  for (const auto& plan : layers_) {
    for (const char* suffix : spec::kind_info(plan.info->spec.kind).parameter_files)
      parameter_includes += fmt::format("#include \"weights/{}{}.h\"\n", plan.id, suffix);
  }
  std::vector<Placeholder> values = common();
  const std::vector<Placeholder> specific{
      {"name_upper", upper(settings_.name)},
      {"n_input", fixed_.input_size()},
      {"n_output", fixed_.output_size()},
      {"input_shape", model_.input_shape().to_string()},
      {"input_type", model_.spec().input_type.to_string()},
      {"result_type", resolved.back().types.result.to_string()},
      {"hash_type", hash_type_},
      {"layer_types", layer_types()},
      {"kernel_includes", kernel_includes},
      {"parameter_includes", parameter_includes},
      {"layer_configs", layer_configs()},
      {"io_description", stream_input_ ? "standard, io_stream layers" : "sparse, io_parallel"},
      {"io_type", stream_input_ ? "io_stream" : "io_parallel"},
      {"arithmetic_profile", spec::to_string(model_.spec().arithmetic_profile)},
      {"input_stream", stream_input_ ? emit_input_to_stream(resolved.front().input) : std::string()},
      {"layer_calls", layer_calls()},
      {"part", settings_.part},
      {"clock_ns", settings_.clock_ns},
      {"clock_uncertainty", settings_.uncertainty},
      {"clock_uncertainty_percent", settings_.uncertainty * 100},
      {"layers", layer_records()}};
  values.insert(values.end(), specific.begin(), specific.end());

  for (const TemplateFile& file : embedded_templates()) {
    if (file.path == kArrayTemplate) continue;
    std::string path(file.path);
    for (auto at = path.find(kNameInPaths); at != std::string::npos; at = path.find(kNameInPaths))
      path.replace(at, kNameInPaths.size(), settings_.name);
    write_file(root / path, fill(file.text, values, file.path));
    if (path.ends_with(".sh")) {
      fs::permissions(root / path, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                      fs::perm_options::add);
    }
  }
  write_weights(root / "firmware" / "weights");
  fs::create_directories(root / "tb_data");
  fs::copy_file(model_path, root / "model.json");
  copy_headers(fs::path(hls_dir) / "nnet_utils", root / "firmware" / "nnet_utils");
  copy_headers(fs::path(hls_dir) / "ap_types", root / "firmware" / "ap_types");
}

// The placeholders of every file: what the "Generated by" line names.
std::vector<Placeholder> ProjectWriter::common() const {
  return {{"name", settings_.name},
          {"version", version()},
          {"model", layer_identifier(model_.spec().name, 0)},
          {"model_hash", settings_.model_hash}};
}

std::string ProjectWriter::layer_types() const {
  std::string text;
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    const auto& plan = layers_[k];
    const auto& layer = *plan.info;
    text += fill(kLayerTypes,
                 {{"index", plan.index},
                  {"id", plan.id},
                  {"kind", spec::to_string(layer.spec.kind)},
                  {"shape", layer.output.to_string()},
                  {"result", layer.types.result.to_string()},
                  {"result_type", plan.result_type}},
                 "defines.h");
    text += code_[k].types;
  }
  return text;
}

std::string ProjectWriter::layer_configs() const {
  std::string text;
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    const auto& plan = layers_[k];
    text +=
        fmt::format("\n// Layer {}: {} ({})\n", plan.index, plan.id, spec::to_string(plan.info->spec.kind));
    text += code_[k].config;
  }
  return text;
}

std::string ProjectWriter::layer_calls() const {
  std::string text;
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    const auto& plan = layers_[k];
    const auto& layer = *plan.info;
    const std::vector<Placeholder> values{{"index", plan.index},
                                          {"result_type", plan.result_type},
                                          {"output", plan.features_out},
                                          {"output_hash", plan.hash_out},
                                          {"n_chan", layer.output.channels},
                                          {"size", layer.output.size()},
                                          {"hash_size", 2 * layer.output.slots},
                                          {"fraction", layer.types.result.fraction()}};
    const std::string what = fmt::format("the top function, layer '{}'", layer.spec.name);
    text += fmt::format("\n  // Layer {}: {} ({}) -> {}\n", plan.index, plan.id,
                        spec::to_string(layer.spec.kind), layer.output.to_string());
    if (plan.stream_out) {
      text += fill(kStreamOutput, values, what);
    } else if (plan.features_out != "output") {
      text += fill(kArrayOutput, values, what);
    }
    if (!plan.hash_out.empty()) text += fill(kHashOutput, values, what);
    text += "  " + code_[k].call + "\n";
    if (plan.stream_out) continue;  // a stream cannot be read twice: streamed layers are not traced
    text += fill(kTraceValues, values, what);
    if (!plan.hash_out.empty()) text += fill(kTraceHashes, values, what);
    text += "#endif\n";
  }
  return text;
}

std::string ProjectWriter::layer_records() const {
  std::string text;
  for (const auto& plan : layers_) {
    const auto& types = plan.info->types;
    text += fill(kLayerRecord,
                 {{"id", plan.id},
                  {"kind", spec::to_string(plan.info->spec.kind)},
                  {"result", types.result.to_string()},
                  {"accum", types.accum.to_string()},
                  {"weight", types.weight.to_string()},
                  {"bias", types.bias.to_string()},
                  {"table", types.table.to_string()}},
                 "sparsepixels_config.yml");
  }
  return text;
}

void ProjectWriter::write_weights(const fs::path& folder) const {
  fs::create_directories(folder);
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    const auto& plan = layers_[k];
    for (const auto& array : code_[k].arrays) {
      write_file(folder / (plan.id + array.suffix + ".h"),
                 fill(template_text(kArrayTemplate),
                      {{"comment", array.comment},
                       {"guard", upper(plan.id + array.suffix) + "_H_"},
                       {"declaration", array.declaration},
                       {"values", array.values}},
                      kArrayTemplate));
    }
  }
}

}  // namespace sparsepixels::codegen

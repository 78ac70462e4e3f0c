// The project writer of `sparsepixels convert` (docs/codegen.md): one Vitis HLS project in hls4ml's
// layout whose top function wires the kernels of hls/nnet_utils exactly as tests/inference proves them
// equal to the host fixed inference, with every parameter and table written as an exact literal.
#include "sparsepixels/codegen/project.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "sparsepixels/error.h"
#include "sparsepixels/fixed/activation_tables.h"
#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/version.h"

namespace sparsepixels::codegen {

namespace fs = std::filesystem;
using fixed::FixedType;
using spec::LayerKind;

namespace {

// The widest type whose every value a double literal holds exactly.
constexpr int kMaxLiteralWidth = 53;
// Vivado HLS refuses to unroll loops past about this many operations ("Stop unrolling loop").
constexpr std::size_t kUnrollWarning = 4096;

const std::set<std::string>& keywords() {
  static const std::set<std::string> words{
      "alignas",   "alignof",  "and",      "and_eq",    "asm",          "auto",          "bitand",
      "bitor",     "bool",     "break",    "case",      "catch",        "char",          "char16_t",
      "char32_t",  "class",    "compl",    "const",     "constexpr",    "const_cast",    "continue",
      "decltype",  "default",  "delete",   "do",        "double",       "dynamic_cast",  "else",
      "enum",      "explicit", "export",   "extern",    "false",        "float",         "for",
      "friend",    "goto",     "if",       "inline",    "int",          "long",          "mutable",
      "namespace", "new",      "noexcept", "not",       "not_eq",       "nullptr",       "operator",
      "or",        "or_eq",    "private",  "protected", "public",       "register",      "reinterpret_cast",
      "return",    "short",    "signed",   "sizeof",    "static",       "static_assert", "static_cast",
      "struct",    "switch",   "template", "this",      "thread_local", "throw",         "true",
      "try",       "typedef",  "typeid",   "typename",  "union",        "unsigned",      "using",
      "virtual",   "void",     "volatile", "wchar_t",   "while",        "xor",           "xor_eq",
      "main",      "nnet",     "std",      "hls"};
  return words;
}

// Writes `text` to `path`, creating its folder; errors name the file.
void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream file(path, std::ios::binary);
  file << text;
  file.close();
  if (!file) throw Error(fmt::format("{}: cannot write", path.string()));
}

// The exact decimal literal of a raw value of `type` (checked to fit a double exactly).
std::string literal(std::int64_t raw, const FixedType& type, const std::string& what) {
  if (type.width > kMaxLiteralWidth) {
    throw Error(fmt::format("{}: type {} is wider than {} bits; its literals would not be exact", what,
                            type.to_string(), kMaxLiteralWidth));
  }
  return fixed::exact_decimal(raw, type.fraction());
}

// A C initializer list of exact literals, eight per line.
std::string initializer(const std::vector<std::int64_t>& raw, const FixedType& type,
                        const std::string& what) {
  std::string text = "{";
  for (std::size_t k = 0; k < raw.size(); ++k) {
    text += (k % 8 == 0) ? "\n    " : " ";
    text += literal(raw[k], type, what);
    if (k + 1 < raw.size()) text += ",";
  }
  return text + "\n}";
}

// ceil(log2(n + 1)): the bits of an unsigned integer holding 0..n.
int bits_for(int n) {
  int bits = 1;
  while ((1LL << bits) <= n) ++bits;
  return bits;
}

// A weights/<file>.h header holding one array.
std::string array_header(const std::string& guard, const std::string& comment, const std::string& declaration,
                         const std::string& values) {
  return fmt::format("// {}\n#ifndef {}\n#define {}\n\n#include \"../defines.h\"\n\n{} = {};\n\n#endif\n",
                     comment, guard, guard, declaration, values);
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

std::string format_double(double value) {
  return fmt::format("{}", value);
}

// One layer as the writer sees it.
struct LayerPlan {
  const spec::ResolvedLayer* info = nullptr;
  std::size_t index = 0;
  std::string id;           // the sanitized layer name
  std::string data_type;    // the type of the layer's input values
  std::string result_type;  // the type of its output values
  std::string features_in;  // input arrays (hash_in empty for dense inputs)
  std::string hash_in;
  std::string features_out;  // output arrays
  std::string hash_out;
  bool stream_in = false, stream_out = false;  // io_stream: one pixel (nnet::array of channels) per element
};

/// Writes the files of one project into `root`.
class ProjectWriter {
 public:
  ProjectWriter(const model::Model& model, const inference::FixedModel& fixed, std::string name,
                std::string part, double clock_ns, double uncertainty, std::string model_hash)
      : model_(model),
        fixed_(fixed),
        name_(std::move(name)),
        part_(std::move(part)),
        clock_ns_(clock_ns),
        uncertainty_(uncertainty),
        model_hash_(std::move(model_hash)) {
    plan();
  }

  const std::vector<std::string>& warnings() const { return warnings_; }

  void write(const fs::path& root, const std::string& model_path, const std::string& hls_dir) const {
    write_file(root / "firmware" / "defines.h", defines());
    write_file(root / "firmware" / "parameters.h", parameters());
    write_weights(root / "firmware" / "weights");
    write_file(root / "firmware" / (name_ + ".h"), top_header());
    write_file(root / "firmware" / (name_ + ".cpp"), top_source());
    write_file(root / "firmware" / "trace.h", trace_header());
    write_file(root / (name_ + "_test.cpp"), testbench());
    write_file(root / (name_ + "_bridge.cpp"), bridge());
    write_file(root / "build_lib.sh", build_lib());
    fs::permissions(root / "build_lib.sh",
                    fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add);
    write_file(root / "build_prj.tcl", build_tcl());
    write_file(root / "sparsepixels_config.yml", config_record());
    write_file(root / "README.md", readme());
    fs::create_directories(root / "tb_data");
    fs::copy_file(model_path, root / "model.json");
    copy_headers(fs::path(hls_dir) / "nnet_utils", root / "firmware" / "nnet_utils");
    copy_headers(fs::path(hls_dir) / "ap_types", root / "firmware" / "ap_types");
  }

 private:
  const model::Model& model_;
  const inference::FixedModel& fixed_;
  std::string name_, part_;
  double clock_ns_, uncertainty_;
  std::string model_hash_;
  std::vector<LayerPlan> layers_;
  std::string hash_type_;      // ap_uint<B> shared by every sparse layer
  bool stream_input_ = false;  // a standard (io_stream) model: the input is streamed pixel by pixel
  std::vector<std::string> warnings_;

  static void copy_headers(const fs::path& from, const fs::path& to) {
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

  // Checks the model is one the writer supports, names every array and checks every identifier.
  void plan() {
    const auto& resolved = model_.resolved();
    if (resolved.empty()) throw Error("convert: the model has no layers");
    int max_side = 1;
    for (std::size_t index = 0; index < resolved.size(); ++index) {
      const auto& layer = resolved[index];
      switch (layer.spec.kind) {
        case LayerKind::Conv2D:
        case LayerKind::AvgPool2D:
        case LayerKind::MaxPool2D:
        case LayerKind::Flatten:
          if (index == 0) stream_input_ = true;
          if (!stream_input_) {
            throw Error(
                fmt::format("convert: layer '{}' ({}): a standard (io_stream) layer must follow the input "
                            "or another streamed layer",
                            layer.spec.name, spec::to_string(layer.spec.kind)));
          }
          break;
        case LayerKind::InputReduce:
          if (index != 0)
            throw Error(fmt::format("convert: layer '{}': InputReduce must come first", layer.spec.name));
          max_side = std::max(layer.input.height, layer.input.width);
          break;
        default:
          break;
      }
    }
    if (resolved.back().output.sparse) {
      throw Error(
          fmt::format("convert: the last layer '{}' outputs sparse slots; end the model with SparseFlatten "
                      "and dense layers",
                      resolved.back().spec.name));
    }
    hash_type_ = fmt::format("ap_uint<{}>", bits_for(max_side));

    std::set<std::string> identifiers{name_,    name_ + "_float", name_ + "_double", "input",
                                      "output", "input_t",        "result_t",        "hash_t"};
    std::map<std::string, std::string> owner;  // generated identifier -> layer name
    auto claim = [&](const std::string& identifier, const std::string& layer_name) {
      if (!identifiers.insert(identifier).second) {
        const auto previous = owner.find(identifier);
        throw Error(
            fmt::format("convert: layer '{}' would make the C identifier '{}', which {} already uses; "
                        "rename one of the layers",
                        layer_name, identifier,
                        previous == owner.end() ? "the project" : "layer '" + previous->second + "'"));
      }
      owner[identifier] = layer_name;
    };

    std::string features = stream_input_ ? "input_stream" : "input", hash, type = "input_t";
    bool streaming = stream_input_;
    for (std::size_t index = 0; index < resolved.size(); ++index) {
      LayerPlan plan;
      plan.info = &resolved[index];
      plan.index = index;
      plan.id = layer_identifier(resolved[index].spec.name, index);
      plan.data_type = type;
      plan.features_in = features;
      plan.hash_in = hash;
      plan.result_type = plan.id + "_result_t";
      const bool last = index + 1 == resolved.size();
      plan.features_out = last ? "output" : plan.id + "_out";
      plan.hash_out = resolved[index].output.sparse ? plan.id + "_hash" : "";
      plan.stream_in = streaming;
      if (resolved[index].spec.kind == LayerKind::Flatten) streaming = false;
      if (streaming && !resolved[index].input.sparse) {
        const auto kind = resolved[index].spec.kind;
        if (kind != LayerKind::Conv2D && kind != LayerKind::AvgPool2D && kind != LayerKind::MaxPool2D &&
            kind != LayerKind::ReLU) {
          throw Error(
              fmt::format("convert: layer '{}' ({}) cannot take a stream of pixels; add a Flatten before it",
                          resolved[index].spec.name, spec::to_string(kind)));
        }
      }
      plan.stream_out = streaming;
      if (last && streaming) {
        throw Error(
            fmt::format("convert: the last layer '{}' outputs a stream of pixels; end the model with "
                        "Flatten and dense layers",
                        resolved[index].spec.name));
      }
      for (const std::string suffix :
           {"_result_t", "_accum_t", "_weight_t", "_bias_t", "_table_t", "_exp_table_t", "_inv_table_t",
            "_config", "_out", "_hash", "_w", "_b", "_threshold", "_table", "_exp_table", "_inv_table"}) {
        claim(plan.id + suffix, resolved[index].spec.name);
      }
      check_unroll(resolved[index]);
      features = plan.features_out;
      hash = plan.hash_out;
      type = plan.result_type;
      layers_.push_back(plan);
    }
  }

  void check_unroll(const spec::ResolvedLayer& layer) {
    std::size_t operations = 0;
    const auto& in = layer.input;
    switch (layer.spec.kind) {
      case LayerKind::InputReduce:
        operations = static_cast<std::size_t>(in.height) * in.width;
        break;
      case LayerKind::SparseConv2D:
        operations = static_cast<std::size_t>(in.slots) * in.slots * in.channels * layer.spec.filters;
        break;
      case LayerKind::Dense:
      case LayerKind::Conv2D:  // all taps of one pixel in parallel
        operations = layer.weight_count;
        break;
      default:
        break;
    }
    if (operations > kUnrollWarning) {
      warnings_.push_back(
          fmt::format("layer '{}' ({}) unrolls about {} operations in one loop (Vitis HLS may stop "
                      "unrolling past about {})",
                      layer.spec.name, spec::to_string(layer.spec.kind), operations, kUnrollWarning));
    }
  }

  std::string header_comment(const std::string& what) const {
    return fmt::format(
        "// {}: {}\n// Generated by sparsepixels {} from model '{}' (model hash fnv1a64:{}).\n", name_, what,
        version(), layer_identifier(model_.spec().name, 0), model_hash_);
  }

  std::string defines() const {
    const auto& resolved = model_.resolved();
    std::string text = header_comment("sizes and fixed-point types of every layer");
    text += "#ifndef DEFINES_H_\n#define DEFINES_H_\n\n#include <ap_fixed.h>\n#include <ap_int.h>\n\n";
    text += fmt::format("// Input: {} values per event ({}), output: {} values.\n", fixed_.input_size(),
                        model_.input_shape().to_string(), fixed_.output_size());
    text +=
        fmt::format("#define N_INPUT {}\n#define N_OUTPUT {}\n\n", fixed_.input_size(), fixed_.output_size());
    text += fmt::format("typedef {} input_t;\n", model_.spec().input_type.to_string());
    text += fmt::format("typedef {} result_t;\n", resolved.back().types.result.to_string());
    text += fmt::format("// Slot coordinates: 1..{} (reference section 2).\ntypedef {} hash_t;\n",
                        "max(H, W)", hash_type_);
    for (const auto& plan : layers_) {
      const auto& layer = *plan.info;
      const auto& types = layer.types;
      text += fmt::format("\n// Layer {}: {} ({}), output {}\n", plan.index, plan.id,
                          spec::to_string(layer.spec.kind), layer.output.to_string());
      text += fmt::format("typedef {} {};\n", types.result.to_string(), plan.result_type);
      switch (layer.spec.kind) {
        case LayerKind::SparseConv2D:
        case LayerKind::Conv2D:
        case LayerKind::Dense:
          text += fmt::format("typedef {} {}_weight_t;\n", types.weight.to_string(), plan.id);
          text += fmt::format("typedef {} {}_bias_t;\n", types.bias.to_string(), plan.id);
          text += fmt::format("typedef {} {}_accum_t;\n", types.accum.to_string(), plan.id);
          break;
        case LayerKind::SparseAvgPool2D:
        case LayerKind::SparseMaxPool2D:
        case LayerKind::AvgPool2D:
        case LayerKind::MaxPool2D:
          text += fmt::format("typedef {} {}_accum_t;\n", types.accum.to_string(), plan.id);
          break;
        case LayerKind::Sigmoid:
          text += fmt::format("typedef {} {}_table_t;\n",
                              inference::make_sigmoid_table(layer).table_type.to_string(), plan.id);
          break;
        case LayerKind::Softmax: {
          const auto tables = inference::make_softmax_tables(layer);
          text += fmt::format("typedef {} {}_exp_table_t;\n", tables.exp_type.to_string(), plan.id);
          text += fmt::format("typedef {} {}_inv_table_t;\n", tables.inverse_type.to_string(), plan.id);
          text += fmt::format("typedef {} {}_accum_t;\n", tables.sum_type.to_string(), plan.id);
          break;
        }
        default:
          break;
      }
    }
    return text + "\n#endif\n";
  }

  static const char* kernel_header(const LayerPlan& plan) {
    if (plan.stream_in && plan.info->spec.kind == LayerKind::ReLU) return "nnet_activation_stream.h";
    switch (plan.info->spec.kind) {
      case LayerKind::Conv2D:
        return "nnet_conv2d_stream.h";
      case LayerKind::AvgPool2D:
      case LayerKind::MaxPool2D:
        return "nnet_pooling_stream.h";
      case LayerKind::Flatten:
        return "nnet_flatten_stream.h";
      case LayerKind::InputReduce:
        return "nnet_sparse_input_reduce.h";
      case LayerKind::SparseConv2D:
        return "nnet_sparse_conv.h";
      case LayerKind::SparseReLU:
        return "nnet_sparse_activation.h";
      case LayerKind::SparseAvgPool2D:
      case LayerKind::SparseMaxPool2D:
        return "nnet_sparse_pool.h";
      case LayerKind::SparseFlatten:
        return "nnet_sparse_flatten.h";
      case LayerKind::Dense:
        return "nnet_dense.h";
      default:
        return "nnet_activation.h";
    }
  }

  std::string parameters() const {
    std::string text = header_comment("one configuration struct per layer, and the weights");
    text += "#ifndef PARAMETERS_H_\n#define PARAMETERS_H_\n\n#include \"defines.h\"\n\n";
    std::set<std::string> headers;
    for (const auto& plan : layers_) headers.insert(kernel_header(plan));
    for (const auto& header : headers) text += fmt::format("#include \"nnet_utils/{}\"\n", header);
    text += "\n";
    for (const auto& plan : layers_) {
      for (const auto& file : weight_files(plan)) text += fmt::format("#include \"weights/{}\"\n", file);
    }
    for (const auto& plan : layers_) text += config_struct(plan);
    return text + "\n#endif\n";
  }

  std::string config_struct(const LayerPlan& plan) const {
    const auto& layer = *plan.info;
    const auto& in = layer.input;
    const auto& out = layer.output;
    const std::string head = fmt::format("\n// Layer {}: {} ({})\nstruct {}_config : nnet::", plan.index,
                                         plan.id, spec::to_string(layer.spec.kind), plan.id);
    switch (layer.spec.kind) {
      case LayerKind::InputReduce:
        return head +
               fmt::format(
                   "sparse_input_reduce_config {{\n  static const unsigned height = {}, width = {}, n_chan = "
                   "{};\n"
                   "  static const unsigned n_sparse = {};\n  static const unsigned selection = nnet::{};\n"
                   "  typedef ::hash_t hash_t;\n}};\n",
                   in.height, in.width, in.channels, out.slots,
                   layer.spec.selection == spec::Selection::TopK ? "select_topk" : "select_raster");
      case LayerKind::SparseConv2D:
        return head +
               fmt::format(
                   "sparse_conv_config {{\n  static const unsigned n_sparse = {}, n_chan = {}, n_filt = {};\n"
                   "  static const unsigned kernel_size = {};\n  typedef {}_accum_t accum_t;\n"
                   "  typedef {}_weight_t weight_t;\n  typedef {}_bias_t bias_t;\n  typedef ::hash_t "
                   "hash_t;\n}};\n",
                   in.slots, in.channels, out.channels, layer.spec.kernel, plan.id, plan.id, plan.id);
      case LayerKind::SparseReLU:
        return head + fmt::format(
                          "sparse_activation_config {{\n  static const unsigned n_sparse = {}, n_chan = {};\n"
                          "  typedef ::hash_t hash_t;\n}};\n",
                          in.slots, in.channels);
      case LayerKind::SparseAvgPool2D:
      case LayerKind::SparseMaxPool2D:
        return head + fmt::format(
                          "sparse_pool_config {{\n  static const unsigned in_height = {}, in_width = {};\n"
                          "  static const unsigned pool_height = {}, pool_width = {};\n"
                          "  static const unsigned out_height = {}, out_width = {};\n"
                          "  static const unsigned n_sparse = {}, n_chan = {};\n  static const unsigned "
                          "pool_op = nnet::{};\n"
                          "  typedef {}_accum_t accum_t;\n  typedef ::hash_t hash_t;\n}};\n",
                          in.height, in.width, layer.spec.pool_height, layer.spec.pool_width, out.height,
                          out.width, in.slots, in.channels,
                          layer.spec.kind == LayerKind::SparseMaxPool2D ? "pool_max" : "pool_average",
                          plan.id);
      case LayerKind::SparseFlatten:
        return head +
               fmt::format(
                   "sparse_flatten_config {{\n  static const unsigned height = {}, width = {}, n_chan = {};\n"
                   "  static const unsigned n_sparse = {};\n  typedef ::hash_t hash_t;\n}};\n",
                   in.height, in.width, in.channels, in.slots);
      case LayerKind::Dense:
        return head +
               fmt::format(
                   "dense_config {{\n  static const unsigned n_in = {}, n_out = {};\n  static const unsigned "
                   "reuse_factor = 1;\n  typedef {}_accum_t accum_t;\n  typedef {}_weight_t weight_t;\n"
                   "  typedef {}_bias_t bias_t;\n}};\n",
                   in.size(), out.size(), plan.id, plan.id, plan.id);
      case LayerKind::ReLU:
        if (plan.stream_in) {
          return head +
                 fmt::format(
                     "activation_stream_config {{\n  static const unsigned n_in = {}, n_chan = {};\n}};\n",
                     in.height * in.width, in.channels);
        }
        return head +
               fmt::format("activation_config {{\n  static const unsigned n_in = {};\n}};\n", in.size());
      case LayerKind::Conv2D:
        return head + fmt::format(
                          "conv2d_stream_config {{\n  static const unsigned in_height = {}, in_width = {}, "
                          "n_chan = {};\n"
                          "  static const unsigned filt_height = {}, filt_width = {}, n_filt = {};\n"
                          "  typedef {}_accum_t accum_t;\n  typedef {}_weight_t weight_t;\n  typedef "
                          "{}_bias_t bias_t;\n}};\n",
                          in.height, in.width, in.channels, layer.spec.kernel, layer.spec.kernel,
                          out.channels, plan.id, plan.id, plan.id);
      case LayerKind::AvgPool2D:
      case LayerKind::MaxPool2D:
        return head + fmt::format(
                          "pooling2d_stream_config {{\n  static const unsigned in_height = {}, in_width = "
                          "{}, n_chan = {};\n"
                          "  static const unsigned pool_height = {}, pool_width = {};\n"
                          "  static const unsigned out_height = {}, out_width = {};\n  static const unsigned "
                          "pool_op = nnet::{};\n"
                          "  typedef {}_accum_t accum_t;\n}};\n",
                          in.height, in.width, in.channels, layer.spec.pool_height, layer.spec.pool_width,
                          out.height, out.width,
                          layer.spec.kind == LayerKind::MaxPool2D ? "pool_max" : "pool_average", plan.id);
      case LayerKind::Flatten:
        return head + fmt::format(
                          "flatten_stream_config {{\n  static const unsigned height = {}, width = {}, n_chan "
                          "= {};\n}};\n",
                          in.height, in.width, in.channels);
      case LayerKind::Sigmoid: {
        const auto table = inference::make_sigmoid_table(layer);
        return head +
               fmt::format(
                   "sigmoid_config {{\n  static const unsigned n_in = {};\n  static const unsigned "
                   "table_size "
                   "= {};\n  static const int table_range_log2 = {};\n  typedef {}_table_t table_t;\n}};\n",
                   in.size(), table.layout.size, table.layout.range_log2, plan.id);
      }
      case LayerKind::Softmax: {
        const auto tables = inference::make_softmax_tables(layer);
        return head + fmt::format(
                          "softmax_config {{\n  static const unsigned n_in = {};\n"
                          "  static const unsigned exp_table_size = {}, inv_table_size = {};\n"
                          "  static const int exp_range_log2 = {}, inv_range_log2 = {};\n"
                          "  typedef {}_exp_table_t exp_table_t;\n  typedef {}_inv_table_t inv_table_t;\n"
                          "  typedef {}_accum_t accum_t;\n}};\n",
                          in.size(), tables.exp_layout.size, tables.inverse_layout.size,
                          tables.exp_layout.range_log2, tables.inverse_layout.range_log2, plan.id, plan.id,
                          plan.id);
      }
      default:
        throw Error(fmt::format("convert: layer '{}': kind {} cannot be written", layer.spec.name,
                                spec::to_string(layer.spec.kind)));
    }
  }

  std::vector<std::string> weight_files(const LayerPlan& plan) const {
    switch (plan.info->spec.kind) {
      case LayerKind::InputReduce:
        return {plan.id + "_threshold.h"};
      case LayerKind::SparseConv2D:
      case LayerKind::Conv2D:
      case LayerKind::Dense:
        return {plan.id + "_w.h", plan.id + "_b.h"};
      case LayerKind::Sigmoid:
        return {plan.id + "_table.h"};
      case LayerKind::Softmax:
        return {plan.id + "_exp_table.h", plan.id + "_inv_table.h"};
      default:
        return {};
    }
  }

  void write_weights(const fs::path& folder) const {
    fs::create_directories(folder);
    for (const auto& plan : layers_) {
      const auto& layer = *plan.info;
      const std::string what = fmt::format("convert: layer '{}'", layer.spec.name);
      const std::string guard = upper(plan.id);
      switch (layer.spec.kind) {
        case LayerKind::InputReduce:
          write_file(folder / (plan.id + "_threshold.h"),
                     array_header(guard + "_THRESHOLD_H_",
                                  fmt::format("{}: the activity threshold {} in the input type", plan.id,
                                              format_double(layer.spec.threshold)),
                                  fmt::format("static const input_t {}_threshold", plan.id),
                                  literal(fixed_.threshold_raw(), model_.spec().input_type, what)));
          break;
        case LayerKind::SparseConv2D:
        case LayerKind::Conv2D:
        case LayerKind::Dense: {
          const auto& weights = fixed_.weights_raw(plan.index);
          const auto& biases = fixed_.biases_raw(plan.index);
          const char* order = layer.spec.kind == LayerKind::Dense ? "[n_in][n_out]" : "HWIO [kr][kc][c][f]";
          write_file(
              folder / (plan.id + "_w.h"),
              array_header(guard + "_W_H_", fmt::format("{}: {} weights, {}", plan.id, weights.size(), order),
                           fmt::format("static {}_weight_t {}_w[{}]", plan.id, plan.id, weights.size()),
                           initializer(weights, layer.types.weight, what)));
          write_file(folder / (plan.id + "_b.h"),
                     array_header(guard + "_B_H_", fmt::format("{}: {} biases", plan.id, biases.size()),
                                  fmt::format("static {}_bias_t {}_b[{}]", plan.id, plan.id, biases.size()),
                                  initializer(biases, layer.types.bias, what)));
          break;
        }
        case LayerKind::Sigmoid: {
          const auto table = inference::make_sigmoid_table(layer);
          write_file(
              folder / (plan.id + "_table.h"),
              array_header(
                  guard + "_TABLE_H_",
                  fmt::format("{}: sigmoid table, {} entries over [-2^{}, 2^{})", plan.id, table.raw.size(),
                              table.layout.range_log2, table.layout.range_log2),
                  fmt::format("static const {}_table_t {}_table[{}]", plan.id, plan.id, table.raw.size()),
                  initializer(table.raw, table.table_type, what)));
          break;
        }
        case LayerKind::Softmax: {
          const auto tables = inference::make_softmax_tables(layer);
          write_file(folder / (plan.id + "_exp_table.h"),
                     array_header(guard + "_EXP_TABLE_H_",
                                  fmt::format("{}: exp(-d) table, {} entries over [0, 2^{})", plan.id,
                                              tables.exp_raw.size(), tables.exp_layout.range_log2),
                                  fmt::format("static const {}_exp_table_t {}_exp_table[{}]", plan.id,
                                              plan.id, tables.exp_raw.size()),
                                  initializer(tables.exp_raw, tables.exp_type, what)));
          write_file(folder / (plan.id + "_inv_table.h"),
                     array_header(guard + "_INV_TABLE_H_",
                                  fmt::format("{}: 1/s table, {} entries over [0, 2^{})", plan.id,
                                              tables.inverse_raw.size(), tables.inverse_layout.range_log2),
                                  fmt::format("static const {}_inv_table_t {}_inv_table[{}]", plan.id,
                                              plan.id, tables.inverse_raw.size()),
                                  initializer(tables.inverse_raw, tables.inverse_type, what)));
          break;
        }
        default:
          break;
      }
    }
  }

  std::string top_header() const {
    std::string text = header_comment("the top function");
    text +=
        fmt::format("#ifndef {}_H_\n#define {}_H_\n\n#include \"defines.h\"\n\n", upper(name_), upper(name_));
    text += fmt::format(
        "/// One event: {} input values in, {} output values out.\nvoid {}(input_t input[N_INPUT], "
        "result_t output[N_OUTPUT]);\n\n#endif\n",
        fixed_.input_size(), fixed_.output_size(), name_);
    return text;
  }

  std::string call(const LayerPlan& plan) const {
    const auto& layer = *plan.info;
    // Streamed layers pass one pixel at a time: nnet::array<type, channels>.
    const std::string data = plan.stream_in
                                 ? fmt::format("nnet::array<{}, {}>", plan.data_type, layer.input.channels)
                                 : plan.data_type;
    const std::string result =
        plan.stream_out ? fmt::format("nnet::array<{}, {}>", plan.result_type, layer.output.channels)
                        : plan.result_type;
    const std::string templates = fmt::format("<{}, {}, {}_config>", data, result, plan.id);
    if (plan.stream_in) {
      switch (layer.spec.kind) {
        case LayerKind::Conv2D:
          return fmt::format("nnet::conv_2d_stream{}({}, {}, {}_w, {}_b);", templates, plan.features_in,
                             plan.features_out, plan.id, plan.id);
        case LayerKind::AvgPool2D:
        case LayerKind::MaxPool2D:
          return fmt::format("nnet::pooling_2d_stream{}({}, {});", templates, plan.features_in,
                             plan.features_out);
        case LayerKind::ReLU:
          return fmt::format("nnet::relu_stream{}({}, {});", templates, plan.features_in, plan.features_out);
        case LayerKind::Flatten:
          return fmt::format("nnet::flatten_stream{}({}, {});", templates, plan.features_in,
                             plan.features_out);
        default:
          break;
      }
    }
    const std::string sparse_io =
        fmt::format("({}, {}, {}, {})", plan.features_in, plan.hash_in, plan.features_out, plan.hash_out);
    switch (layer.spec.kind) {
      case LayerKind::InputReduce:
        return fmt::format("nnet::sparse_input_reduce{}({}, {}_threshold, {}, {});", templates,
                           plan.features_in, plan.id, plan.features_out, plan.hash_out);
      case LayerKind::SparseConv2D:
        return fmt::format("nnet::sparse_conv{}({}, {}, {}, {}, {}_w, {}_b);", templates, plan.features_in,
                           plan.hash_in, plan.features_out, plan.hash_out, plan.id, plan.id);
      case LayerKind::SparseReLU:
        return fmt::format("nnet::sparse_relu{}{};", templates, sparse_io);
      case LayerKind::SparseAvgPool2D:
      case LayerKind::SparseMaxPool2D:
        return fmt::format("nnet::sparse_pool{}{};", templates, sparse_io);
      case LayerKind::SparseFlatten:
        return fmt::format("nnet::sparse_flatten{}({}, {}, {});", templates, plan.features_in, plan.hash_in,
                           plan.features_out);
      case LayerKind::Dense:
        return fmt::format("nnet::dense{}({}, {}, {}_w, {}_b);", templates, plan.features_in,
                           plan.features_out, plan.id, plan.id);
      case LayerKind::ReLU:
        return fmt::format("nnet::relu{}({}, {});", templates, plan.features_in, plan.features_out);
      case LayerKind::Sigmoid:
        return fmt::format("nnet::sigmoid{}({}, {}, {}_table);", templates, plan.features_in,
                           plan.features_out, plan.id);
      case LayerKind::Softmax:
        return fmt::format("nnet::softmax{}({}, {}, {}_exp_table, {}_inv_table);", templates,
                           plan.features_in, plan.features_out, plan.id, plan.id);
      default:
        throw Error(fmt::format("convert: layer '{}': kind {} cannot be written", layer.spec.name,
                                spec::to_string(layer.spec.kind)));
    }
  }

  std::string top_source() const {
    std::string text = header_comment(
        stream_input_ ? "the top function: one kernel call per layer (standard, io_stream layers)"
                      : "the top function: one kernel call per layer (sparse, io_parallel)");
    text += fmt::format("#include \"{}.h\"\n\n#include \"parameters.h\"\n\n", name_);
    text +=
        "// C simulation only (the csim driver defines it): per-layer outputs for mismatch reports.\n"
        "#ifdef SPARSEPIXELS_TRACE\n#include \"trace.h\"\n#endif\n\n";
    text += fmt::format("void {}(input_t input[N_INPUT], result_t output[N_OUTPUT]) {{\n", name_);
    text += "#pragma HLS INTERFACE ap_vld port = input\n#pragma HLS INTERFACE ap_vld port = output\n";
    text += "#pragma HLS ARRAY_RESHAPE variable = input complete dim = 0\n";
    text += "#pragma HLS ARRAY_RESHAPE variable = output complete dim = 0\n#pragma HLS DATAFLOW\n";
    if (stream_input_) {
      const auto& in = model_.resolved().front().input;
      text += fmt::format(
          "\n  // The input image as a stream of pixels (raster order, channels together), as io_stream "
          "layers take it.\n"
          "  hls::stream<nnet::array<input_t, {0}> > input_stream(\"input_stream\");\n"
          "InputToStream:\n  for (unsigned pixel = 0; pixel < {1}; pixel++) {{\n#pragma HLS PIPELINE II = 1\n"
          "    nnet::array<input_t, {0}> value;\n    for (unsigned channel = 0; channel < {0}; channel++) "
          "{{\n"
          "#pragma HLS UNROLL\n      value[channel] = input[{0} * pixel + channel];\n    }}\n"
          "    input_stream.write(value);\n  }}\n",
          in.channels, in.height * in.width);
    }
    for (const auto& plan : layers_) {
      const auto& layer = *plan.info;
      text += fmt::format("\n  // Layer {}: {} ({}) -> {}\n", plan.index, plan.id,
                          spec::to_string(layer.spec.kind), layer.output.to_string());
      if (plan.stream_out) {
        text += fmt::format("  hls::stream<nnet::array<{}, {}> > {}(\"{}\");\n", plan.result_type,
                            layer.output.channels, plan.features_out, plan.features_out);
      } else if (plan.features_out != "output") {
        text += fmt::format("  {} {}[{}];\n#pragma HLS ARRAY_PARTITION variable = {} complete dim = 0\n",
                            plan.result_type, plan.features_out, layer.output.size(), plan.features_out);
      }
      if (!plan.hash_out.empty()) {
        text += fmt::format("  hash_t {}[{}];\n#pragma HLS ARRAY_PARTITION variable = {} complete dim = 0\n",
                            plan.hash_out, 2 * layer.output.slots, plan.hash_out);
      }
      text += "  " + call(plan) + "\n";
      if (plan.stream_out) continue;  // a stream cannot be read twice: streamed layers are not traced
      text += fmt::format("#ifdef SPARSEPIXELS_TRACE\n  sparsepixels_trace::values({}, {}, {}, {});\n",
                          plan.index, plan.features_out, layer.output.size(), layer.types.result.fraction());
      if (!plan.hash_out.empty()) {
        text += fmt::format("  sparsepixels_trace::hashes({}, {}, {});\n", plan.index, plan.hash_out,
                            2 * layer.output.slots);
      }
      text += "#endif\n";
    }
    return text + "}\n";
  }

  static std::string trace_header() {
    return R"CODE(// trace.h: per-layer outputs for C simulation only (never part of synthesis). The csim driver
// compares them with the host fixed inference when an event mismatches.
#ifndef SPARSEPIXELS_TRACE_H_
#define SPARSEPIXELS_TRACE_H_

#include <cmath>
#include <cstdio>

namespace sparsepixels_trace {

/// Where the traced event's layers go (null: tracing off).
inline std::FILE*& output() {
  static std::FILE* file = nullptr;
  return file;
}

/// One line "LAYER values RAW..." with the raw mantissas (value * 2^fraction, exact up to 53 bits).
template <class T>
void values(int layer, const T* data, unsigned count, int fraction) {
  if (output() == nullptr) return;
  std::fprintf(output(), "%d values", layer);
  for (unsigned k = 0; k < count; ++k) {
    std::fprintf(output(), " %lld", static_cast<long long>(std::llround(std::ldexp(data[k].to_double(), fraction))));
  }
  std::fprintf(output(), "\n");
}

/// One line "LAYER hash ROW COL ..." with the slot coordinates.
template <class T>
void hashes(int layer, const T* data, unsigned count) {
  if (output() == nullptr) return;
  std::fprintf(output(), "%d hash", layer);
  for (unsigned k = 0; k < count; ++k) std::fprintf(output(), " %u", static_cast<unsigned>(data[k].to_uint()));
  std::fprintf(output(), "\n");
}

}  // namespace sparsepixels_trace

#endif
)CODE";
  }

  std::string testbench() const {
    std::string text = header_comment("C simulation testbench");
    text += R"CODE(//
// Reads tb_data/tb_input_features.dat (one event per line, float32 values) and
// tb_data/tb_output_predictions.dat (the expected outputs, exact decimals of result_t), runs the top
// function on each event and compares every output bit for bit (equal values of one fixed-point type
// have equal bits). Writes tb_data/csim_results.log (one event per line). Exit code 1 on a mismatch.
// `--trace EVENT FILE` (csim driver, with SPARSEPIXELS_TRACE) writes that event's layer outputs to FILE.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "firmware/)CODE" +
            name_ + R"CODE(.h"
#ifdef SPARSEPIXELS_TRACE
#include "firmware/trace.h"
#endif

int main(int argc, char** argv) {
  long trace_event = -1;
  std::FILE* trace_file = nullptr;
  if (argc == 4 && std::strcmp(argv[1], "--trace") == 0) {
    trace_event = std::atol(argv[2]);
    trace_file = std::fopen(argv[3], "w");
    if (trace_file == nullptr) {
      std::cerr << argv[3] << ": cannot write\n";
      return 2;
    }
  }
  std::ifstream inputs("tb_data/tb_input_features.dat");
  std::ifstream expected("tb_data/tb_output_predictions.dat");
  if (!inputs || !expected) {
    std::cerr << "tb_data/tb_input_features.dat or tb_data/tb_output_predictions.dat: cannot read\n";
    return 2;
  }
  std::ofstream results("tb_data/csim_results.log");
  results.precision(17);
  std::string input_line, expected_line;
  long event = 0, mismatches = 0;
  while (std::getline(inputs, input_line)) {
    if (!std::getline(expected, expected_line)) {
      std::cerr << "tb_output_predictions.dat: no line for event " << event << "\n";
      return 2;
    }
    std::istringstream input_values(input_line), expected_values(expected_line);
    input_t input[N_INPUT];
    for (int k = 0; k < N_INPUT; ++k) {
      float value = 0;
      if (!(input_values >> value)) {
        std::cerr << "tb_input_features.dat: event " << event << ": value " << k << " missing\n";
        return 2;
      }
      input[k] = input_t(value);  // converted exactly as the library converts float32 inputs
    }
    result_t output[N_OUTPUT];
#ifdef SPARSEPIXELS_TRACE
    sparsepixels_trace::output() = event == trace_event ? trace_file : nullptr;
#endif
    )CODE" + name_ +
            R"CODE((input, output);
    for (int k = 0; k < N_OUTPUT; ++k) {
      double value = 0;
      if (!(expected_values >> value)) {
        std::cerr << "tb_output_predictions.dat: event " << event << ": value " << k << " missing\n";
        return 2;
      }
      const result_t want = result_t(value);
      if (want.to_double() != value) {
        std::cerr << "tb_output_predictions.dat: event " << event << ": " << value << " is not a result_t value\n";
        return 2;
      }
      if (output[k] != want) {
        if (mismatches == 0) {
          std::cout << "first mismatch: event " << event << ", output " << k << ": got " << output[k].to_double()
                    << ", expected " << value << "\n";
        }
        ++mismatches;
      }
      results << (k == 0 ? "" : " ") << output[k].to_double();
    }
    results << "\n";
    ++event;
  }
  if (trace_file != nullptr) std::fclose(trace_file);
  std::cout << event << " events, " << mismatches << " mismatches\n";
  return mismatches == 0 ? 0 : 1;
}
)CODE";
    return text;
  }

  std::string bridge() const {
    std::string text = header_comment("extern \"C\" entry points for a host library (build_lib.sh)");
    text += fmt::format(R"CODE(#include "firmware/{0}.h"

extern "C" {{

/// Runs one event given as float32 values (converted like the library converts them).
void {0}_float(float* x, float* y) {{
  input_t input[N_INPUT];
  for (int k = 0; k < N_INPUT; ++k) input[k] = input_t(x[k]);
  result_t output[N_OUTPUT];
  {0}(input, output);
  for (int k = 0; k < N_OUTPUT; ++k) y[k] = output[k].to_float();
}}

/// Runs one event given as doubles.
void {0}_double(double* x, double* y) {{
  input_t input[N_INPUT];
  for (int k = 0; k < N_INPUT; ++k) input[k] = input_t(x[k]);
  result_t output[N_OUTPUT];
  {0}(input, output);
  for (int k = 0; k < N_OUTPUT; ++k) y[k] = output[k].to_double();
}}

}}
)CODE",
                        name_);
    return text;
  }

  std::string build_lib() const {
    return fmt::format(R"CODE(#!/bin/sh
# Builds lib{0}.so, the bit-accurate C simulation library (entry points {0}_float, {0}_double).
# AP_TYPES may point to the vendor's ap types headers; the default is this project's copy.
set -e
cd "$(dirname "$0")"
CXX="${{CXX:-g++}}"
AP_TYPES="${{AP_TYPES:-firmware/ap_types}}"
FLAGS="-O3 -fPIC -std=c++14 -Wno-unknown-pragmas -Ifirmware -I$AP_TYPES"
$CXX $FLAGS -c firmware/{0}.cpp -o {0}.o
$CXX $FLAGS -c {0}_bridge.cpp -o {0}_bridge.o
$CXX -shared {0}.o {0}_bridge.o -o lib{0}.so
rm -f {0}.o {0}_bridge.o
)CODE",
                       name_);
  }

  std::string build_tcl() const {
    return fmt::format(R"CODE(# build_prj.tcl: Vitis HLS 2023.1 project for {0} (vitis_hls -f build_prj.tcl).
# Steps: set csim, synth, cosim, export below (or pass "csim=0 synth=1 ..." after -tclargs).
# Vitis uses its own ap types: firmware/ap_types/ is never added here.
array set opt {{
  csim   1
  synth  1
  cosim  0
  export 0
}}
foreach arg $::argv {{
  foreach {{key value}} [split $arg =] {{
    if {{[info exists opt($key)]}} {{ set opt($key) $value }}
  }}
}}

open_project -reset {0}_prj
set_top {0}
add_files firmware/{0}.cpp -cflags "-std=c++14"
add_files -tb {0}_test.cpp -cflags "-std=c++14 -Wno-unknown-pragmas"
add_files -tb firmware/weights
add_files -tb tb_data
open_solution -reset "solution1" -flow_target vivado
set_part {{{1}}}
create_clock -period {2} -name default
set_clock_uncertainty {3}%

if {{$opt(csim)}} {{ csim_design }}
if {{$opt(synth)}} {{ csynth_design }}
if {{$opt(cosim)}} {{ cosim_design }}
if {{$opt(export)}} {{ export_design -format ip_catalog }}
exit
)CODE",
                       name_, part_, format_double(clock_ns_), format_double(uncertainty_ * 100));
  }

  std::string config_record() const {
    std::string text = "# The configuration this project was generated with (sparsepixels convert).\n";
    text += fmt::format("project_name: \"{}\"\n", name_);
    text += fmt::format("generator: \"sparsepixels {}\"\n", version());
    text += "tool: \"Vitis HLS 2023.1\"\n";
    text += fmt::format("model_file: \"model.json\"\nmodel_hash: \"fnv1a64:{}\"\n", model_hash_);
    text += fmt::format("part: \"{}\"\nclock_ns: {}\nclock_uncertainty: {}\nio_type: \"io_parallel\"\n",
                        part_, format_double(clock_ns_), format_double(uncertainty_));
    text += fmt::format("input_type: \"{}\"\nhash_type: \"{}\"\nlayers:\n",
                        model_.spec().input_type.to_string(), hash_type_);
    for (const auto& plan : layers_) {
      const auto& types = plan.info->types;
      text += fmt::format(
          "  - {{identifier: \"{}\", kind: \"{}\", result: \"{}\", accum: \"{}\", weight: \"{}\", bias: "
          "\"{}\", "
          "table: \"{}\"}}\n",
          plan.id, spec::to_string(plan.info->spec.kind), types.result.to_string(), types.accum.to_string(),
          types.weight.to_string(), types.bias.to_string(), types.table.to_string());
    }
    return text;
  }

  std::string readme() const {
    return fmt::format(R"CODE(# {0}: a SparsePixels Vitis HLS project

Generated by sparsepixels {1} (model hash fnv1a64:{2}) for **Vitis HLS 2023.1**,
part {3}, clock {4} ns, uncertainty {5}%.

- `firmware/{0}.cpp`, `.h`: the top function (DATAFLOW, one kernel call per layer);
  `firmware/defines.h` sizes and types, `firmware/parameters.h` one config per layer,
  `firmware/weights/` every weight and table as an exact decimal literal,
  `firmware/nnet_utils/` the kernels, `firmware/ap_types/` ap types for C simulation outside Vitis.
- `{0}_test.cpp`: testbench on `tb_data/` (written by `sparsepixels csim`), bit-exact comparison.
- `{0}_bridge.cpp` and `build_lib.sh`: `lib{0}.so` with `{0}_float` / `{0}_double`.
- `model.json`: the model; `sparsepixels_config.yml`: types, part, clock, tool, model hash.

Build: `vitis_hls -f build_prj.tcl` (C simulation and synthesis; edit the options at its top).
Check against the library without Vitis: `sparsepixels csim . --data DATASET.h5`.
)CODE",
                       name_, version(), model_hash_, part_, format_double(clock_ns_),
                       format_double(uncertainty_ * 100));
  }
};

}  // namespace

std::string layer_identifier(const std::string& name, std::size_t index) {
  std::string text;
  for (unsigned char c : name) {
    const char lower = static_cast<char>(std::tolower(c));
    const bool keep = (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9');
    if (keep) {
      text += lower;
    } else if (!text.empty() && text.back() != '_') {
      text += '_';
    }
  }
  while (!text.empty() && text.back() == '_') text.pop_back();
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text.front()))) text = "layer_" + text;
  if (text.size() > 48) text.resize(48);
  while (!text.empty() && text.back() == '_') text.pop_back();
  if (text.empty()) text = fmt::format("layer{}", index);
  return text;
}

void check_identifier(const std::string& name, const std::string& what) {
  bool valid = !name.empty() && name.size() <= 64 && (std::isalpha(static_cast<unsigned char>(name[0])) != 0);
  for (unsigned char c : name) valid = valid && (std::isalnum(c) != 0 || c == '_') && c < 128;
  if (!valid || keywords().count(name) != 0) {
    throw UsageError(
        fmt::format("{} '{}' is not a valid C identifier (a letter, then letters, digits or '_', at "
                    "most 64 characters, not a keyword)",
                    what, name));
  }
}

std::vector<std::string> hls_dir_candidates(const std::string& environment_value,
                                            const std::string& executable_path,
                                            const std::string& source_hls_dir) {
  if (!environment_value.empty()) return {environment_value};
  std::vector<std::string> candidates;
  if (!executable_path.empty()) {
    // An installed binary: <prefix>/bin/sparsepixels with the headers in <prefix>/share/sparsepixels/hls.
    candidates.push_back((fs::path(executable_path).parent_path() / ".." / "share" / "sparsepixels" / "hls")
                             .lexically_normal());
  }
  if (!source_hls_dir.empty()) candidates.push_back(source_hls_dir);
  return candidates;
}

std::string locate_hls_dir(const std::vector<std::string>& candidates) {
  for (const auto& folder : candidates) {
    std::error_code error;
    if (fs::is_regular_file(fs::path(folder) / "nnet_utils" / "nnet_common.h", error) &&
        fs::is_regular_file(fs::path(folder) / "ap_types" / "ap_fixed.h", error)) {
      return folder;
    }
  }
  std::string tried;
  for (const auto& folder : candidates) tried += "\n  " + folder;
  throw Error(fmt::format(
      "kernel headers not found: no folder holds nnet_utils/nnet_common.h and ap_types/ap_fixed.h; tried:{}\n"
      "set SPARSEPIXELS_HLS_DIR to the hls/ folder of the sparsepixels sources (or install with "
      "`cmake --install`, which puts it in <prefix>/share/sparsepixels/hls)",
      tried.empty() ? std::string(" (nothing)") : tried));
}

std::string default_hls_dir() {
  const char* environment = std::getenv("SPARSEPIXELS_HLS_DIR");
  std::error_code error;
  const fs::path executable = fs::read_symlink("/proc/self/exe", error);
  // The kernels of the source tree this binary was built from (set by src/CMakeLists.txt; not derived
  // from __FILE__, which a compiler cache may make relative).
  const fs::path source_hls = SPARSEPIXELS_SOURCE_HLS_DIR;
  return locate_hls_dir(hls_dir_candidates(environment == nullptr ? std::string() : std::string(environment),
                                           error ? std::string() : executable.string(), source_hls.string()));
}

std::string file_hash(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw Error(fmt::format("{}: cannot read", path));
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  std::array<char, 65536> buffer{};
  while (file) {
    file.read(buffer.data(), buffer.size());
    for (std::streamsize k = 0; k < file.gcount(); ++k) {
      hash ^= static_cast<unsigned char>(buffer[static_cast<std::size_t>(k)]);
      hash *= 0x100000001b3ULL;
    }
  }
  return fmt::format("{:016x}", hash);
}

ProjectSummary write_project(const std::string& model_path, const std::string& out_dir,
                             const ProjectOptions& options) {
  const model::Model model = model::load_model(model_path);
  const auto& hls = model.spec().hls;
  ProjectSummary summary;
  summary.name = options.name.empty() ? layer_identifier(model.spec().name, 0) : options.name;
  if (options.name.empty() && keywords().count(summary.name) != 0) summary.name += "_model";
  check_identifier(summary.name, options.name.empty() ? "project name (from the model's name)" : "--name");
  const std::string part = options.part.empty() ? hls.part : options.part;
  const bool part_valid =
      !part.empty() && part.size() <= 64 && std::all_of(part.begin(), part.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
      });
  if (!part_valid)
    throw UsageError(fmt::format("--part '{}': expected letters, digits, '-', '_' or '.'", part));
  const double clock_ns = options.clock_ns > 0 ? options.clock_ns : hls.clock_ns;
  if (!(clock_ns > 0) || !std::isfinite(clock_ns) || clock_ns > 1000) {
    throw UsageError(fmt::format("--clock-ns {}: expected a period in (0, 1000] ns", clock_ns));
  }
  const double uncertainty =
      options.clock_uncertainty >= 0 ? options.clock_uncertainty : hls.clock_uncertainty;
  if (!(uncertainty >= 0 && uncertainty < 1)) {
    throw UsageError(fmt::format("clock uncertainty {}: expected a fraction in [0, 1)", uncertainty));
  }
  summary.model_hash = file_hash(model_path);
  const inference::FixedModel fixed(model);
  ProjectWriter writer(model, fixed, summary.name, part, clock_ns, uncertainty, summary.model_hash);
  summary.warnings = writer.warnings();

  const fs::path target = fs::absolute(out_dir);
  if (fs::exists(target) && !options.overwrite) {
    throw Error(fmt::format("{}: already exists (remove it or pass --force)", out_dir));
  }
  const std::string hls_dir = options.hls_dir.empty() ? default_hls_dir() : options.hls_dir;
  const fs::path temporary =
      target.parent_path() / (target.filename().string() + ".tmp" + std::to_string(getpid()));
  fs::remove_all(temporary);
  try {
    fs::create_directories(temporary);
    writer.write(temporary, model_path, hls_dir);
    if (fs::exists(target)) fs::remove_all(target);
    fs::rename(temporary, target);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(temporary, ignored);
    throw;
  }
  return summary;
}

}  // namespace sparsepixels::codegen

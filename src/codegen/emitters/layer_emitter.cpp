// The dispatch from a layer kind to its family's emitter, and what the emitters share (kernel call
// placeholders, the typedefs and arrays of layers with weights, exact literals).
#include <fmt/format.h>

#include "emitter.h"
#include "sparsepixels/error.h"
#include "sparsepixels/fixed/activation_tables.h"

namespace sparsepixels::codegen {

using spec::LayerKind;

namespace {

// The widest type whose every value a double literal holds exactly.
constexpr int kMaxLiteralWidth = 53;

// The family's code of one kind; every kind is listed, so a new kind fails to compile here (-Werror=switch).
LayerCode emit_kind(const LayerPlan& plan, const EmitContext& context) {
  switch (plan.info->spec.kind) {
    case LayerKind::InputReduce:
      return emit_input_reduce(plan, context);
    case LayerKind::SparseConv2D:
      return emit_sparse_conv(plan, context);
    case LayerKind::SparseReLU:
      return emit_sparse_relu(plan, context);
    case LayerKind::SparseAvgPool2D:
    case LayerKind::SparseMaxPool2D:
      return emit_sparse_pool(plan, context);
    case LayerKind::SparseFlatten:
      return emit_sparse_flatten(plan, context);
    case LayerKind::Dense:
      return emit_dense(plan, context);
    case LayerKind::ReLU:
      return plan.stream_in ? emit_relu_stream(plan, context) : emit_relu(plan, context);
    case LayerKind::Sigmoid:
      return emit_sigmoid(plan, context);
    case LayerKind::Softmax:
      return emit_softmax(plan, context);
    case LayerKind::Conv2D:
      return emit_conv2d_stream(plan, context);
    case LayerKind::AvgPool2D:
    case LayerKind::MaxPool2D:
      return emit_pooling_stream(plan, context);
    case LayerKind::Flatten:
      return emit_flatten_stream(plan, context);
    case LayerKind::SparseBatchNormalization:
      return emit_sparse_batchnorm(plan, context);
  }
  throw Error(fmt::format("{}: unknown layer kind", layer_what(plan)));
}

}  // namespace

LayerCode emit_layer(const LayerPlan& plan, const EmitContext& context) {
  const auto& layer = *plan.info;
  const spec::LayerKindInfo& kind = spec::kind_info(layer.spec.kind);
  // A streamed layer takes its io_stream kernel when the kind has one; a kind without a kernel in the
  // layer's io mode (a Conv2D after a Flatten) cannot be written.
  const std::string header =
      plan.stream_in && *kind.stream_header != '\0' ? kind.stream_header : kind.kernel_header;
  if (header.empty()) {
    throw Error(fmt::format("convert: layer '{}': kind {} cannot be written", layer.spec.name,
                            spec::to_string(layer.spec.kind)));
  }
  LayerCode code = emit_kind(plan, context);
  code.kernel_header = header;
  std::vector<std::string> suffixes;
  for (const auto& array : code.arrays) suffixes.push_back(array.suffix);
  if (suffixes != std::vector<std::string>(kind.parameter_files.begin(), kind.parameter_files.end())) {
    throw Error(fmt::format("{}: the {} emitter and the kind table disagree on the parameter files",
                            layer_what(plan), kind.name));
  }
  return code;
}

std::vector<Placeholder> call_placeholders(const LayerPlan& plan) {
  const auto& layer = *plan.info;
  // Streamed layers pass one pixel at a time: nnet::array<type, channels>.
  const std::string data = plan.stream_in
                               ? fmt::format("nnet::array<{}, {}>", plan.data_type, layer.input.channels)
                               : plan.data_type;
  const std::string result = plan.stream_out
                                 ? fmt::format("nnet::array<{}, {}>", plan.result_type, layer.output.channels)
                                 : plan.result_type;
  return {{"id", plan.id},
          {"template_arguments", fmt::format("<{}, {}, {}_config>", data, result, plan.id)},
          {"input", plan.features_in},
          {"input_hash", plan.hash_in},
          {"output", plan.features_out},
          {"output_hash", plan.hash_out}};
}

std::string fill_snippet(std::string_view snippet, const std::vector<Placeholder>& values,
                         const LayerPlan& plan) {
  return fill(snippet, values,
              fmt::format("layer '{}' ({})", plan.info->spec.name, spec::to_string(plan.info->spec.kind)));
}

std::string weighted_types(const LayerPlan& plan) {
  const auto& types = plan.info->types;
  return fill_snippet(R"(typedef {{weight}} {{id}}_weight_t;
typedef {{bias}} {{id}}_bias_t;
typedef {{accum}} {{id}}_accum_t;
)",
                      {{"id", plan.id},
                       {"weight", types.weight.to_string()},
                       {"bias", types.bias.to_string()},
                       {"accum", types.accum.to_string()}},
                      plan);
}

std::vector<ParameterArray> weight_arrays(const LayerPlan& plan, const EmitContext& context,
                                          const std::string& order) {
  const auto& weights = context.fixed.weights_raw(plan.index);
  const auto& biases = context.fixed.biases_raw(plan.index);
  const auto& types = plan.info->types;
  const std::string what = layer_what(plan);
  return {{"_w", fmt::format("{}: {} weights, {}", plan.id, weights.size(), order),
           fmt::format("static {}_weight_t {}_w[{}]", plan.id, plan.id, weights.size()),
           initializer(weights, types.weight, what)},
          {"_b", fmt::format("{}: {} biases", plan.id, biases.size()),
           fmt::format("static {}_bias_t {}_b[{}]", plan.id, plan.id, biases.size()),
           initializer(biases, types.bias, what)}};
}

std::string literal(std::int64_t raw, const fixed::FixedType& type, const std::string& what) {
  if (type.width > kMaxLiteralWidth) {
    throw Error(fmt::format("{}: type {} is wider than {} bits; its literals would not be exact", what,
                            type.to_string(), kMaxLiteralWidth));
  }
  return fixed::exact_decimal(raw, type.fraction());
}

std::string initializer(const std::vector<std::int64_t>& raw, const fixed::FixedType& type,
                        const std::string& what) {
  std::string text = "{";
  for (std::size_t k = 0; k < raw.size(); ++k) {
    text += (k % 8 == 0) ? "\n    " : " ";
    text += literal(raw[k], type, what);
    if (k + 1 < raw.size()) text += ",";
  }
  return text + "\n}";
}

std::string layer_what(const LayerPlan& plan) {
  return fmt::format("convert: layer '{}'", plan.info->spec.name);
}

std::string profile_constant(const spec::ResolvedLayer& layer) {
  return layer.profile == spec::ArithmeticProfile::Hls4ml
             ? "\n  static const unsigned arithmetic_profile = nnet::arithmetic_hls4ml;"
             : "";
}

}  // namespace sparsepixels::codegen

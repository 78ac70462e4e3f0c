// Emitters of the dense activations (nnet_activation.h): ReLU, and the table-driven sigmoid and softmax
// whose tables are written as exact literals.
#include <fmt/format.h>

#include "emitter.h"

namespace sparsepixels::codegen {

namespace {

constexpr std::string_view kReluConfig = R"(struct {{id}}_config : nnet::activation_config {
  static const unsigned n_in = {{n_in}};
};
)";

constexpr std::string_view kReluCall = "nnet::relu{{template_arguments}}({{input}}, {{output}});";

constexpr std::string_view kSigmoidConfig = R"(struct {{id}}_config : nnet::sigmoid_config {
  static const unsigned n_in = {{n_in}};
  static const unsigned table_size = {{table_size}};
  static const int table_range_log2 = {{table_range_log2}};
  typedef {{id}}_table_t table_t;
};
)";

constexpr std::string_view kSigmoidCall =
    "nnet::sigmoid{{template_arguments}}({{input}}, {{output}}, {{id}}_table);";

constexpr std::string_view kSoftmaxTypes = R"(typedef {{exp_table}} {{id}}_exp_table_t;
typedef {{inv_table}} {{id}}_inv_table_t;
typedef {{accum}} {{id}}_accum_t;
)";

constexpr std::string_view kSoftmaxConfig = R"(struct {{id}}_config : nnet::softmax_config {
  static const unsigned n_in = {{n_in}};
  static const unsigned exp_table_size = {{exp_table_size}}, inv_table_size = {{inv_table_size}};
  static const int exp_range_log2 = {{exp_range_log2}}, inv_range_log2 = {{inv_range_log2}};
  typedef {{id}}_exp_table_t exp_table_t;
  typedef {{id}}_inv_table_t inv_table_t;
  typedef {{id}}_accum_t accum_t;
};
)";

constexpr std::string_view kSoftmaxCall =
    "nnet::softmax{{template_arguments}}({{input}}, {{output}}, {{id}}_exp_table, {{id}}_inv_table);";

// hls4ml's table kernels (arithmetic profile hls4ml): their tables are indexed differently, so they
// carry only the table size.
constexpr std::string_view kHls4mlSigmoidConfig = R"(struct {{id}}_config : nnet::sigmoid_hls4ml_config {
  static const unsigned n_in = {{n_in}};
  static const unsigned table_size = {{table_size}};
  typedef {{id}}_table_t table_t;
};
)";

constexpr std::string_view kHls4mlSigmoidCall =
    "nnet::sigmoid_hls4ml{{template_arguments}}({{input}}, {{output}}, {{id}}_table);";

constexpr std::string_view kHls4mlSoftmaxTypes = R"(typedef {{exp_table}} {{id}}_exp_table_t;
typedef {{inv_table}} {{id}}_inv_table_t;
)";

constexpr std::string_view kHls4mlSoftmaxConfig = R"(struct {{id}}_config : nnet::softmax_hls4ml_config {
  static const unsigned n_in = {{n_in}};
  static const unsigned table_size = {{table_size}};
  typedef {{id}}_exp_table_t exp_table_t;
  typedef {{id}}_inv_table_t inv_table_t;
};
)";

constexpr std::string_view kHls4mlSoftmaxCall =
    "nnet::softmax_hls4ml{{template_arguments}}({{input}}, {{output}}, {{id}}_exp_table, {{id}}_inv_table);";

}  // namespace

LayerCode emit_relu(const LayerPlan& plan, const EmitContext&) {
  LayerCode code;
  code.config = fill_snippet(kReluConfig, {{"id", plan.id}, {"n_in", plan.info->input.size()}}, plan);
  code.call = fill_snippet(kReluCall, call_placeholders(plan), plan);
  return code;
}

LayerCode emit_sigmoid(const LayerPlan& plan, const EmitContext&) {
  const auto& layer = *plan.info;
  const auto table = inference::make_sigmoid_table(layer);
  LayerCode code;
  code.types = fill_snippet("typedef {{table}} {{id}}_table_t;\n",
                            {{"id", plan.id}, {"table", table.table_type.to_string()}}, plan);
  if (layer.profile == spec::ArithmeticProfile::Hls4ml) {
    code.config =
        fill_snippet(kHls4mlSigmoidConfig,
                     {{"id", plan.id}, {"n_in", layer.input.size()}, {"table_size", table.raw.size()}}, plan);
    code.call = fill_snippet(kHls4mlSigmoidCall, call_placeholders(plan), plan);
    code.arrays.push_back(
        {"_table",
         fmt::format("{}: hls4ml sigmoid table, {} entries at the left edges of [-8, 8)", plan.id,
                     table.raw.size()),
         fmt::format("static const {}_table_t {}_table[{}]", plan.id, plan.id, table.raw.size()),
         initializer(table.raw, table.table_type, layer_what(plan))});
    return code;
  }
  code.config = fill_snippet(kSigmoidConfig,
                             {{"id", plan.id},
                              {"n_in", layer.input.size()},
                              {"table_size", table.layout.size},
                              {"table_range_log2", table.layout.range_log2}},
                             plan);
  code.call = fill_snippet(kSigmoidCall, call_placeholders(plan), plan);
  code.arrays.push_back(
      {"_table",
       fmt::format("{}: sigmoid table, {} entries over [-2^{}, 2^{})", plan.id, table.raw.size(),
                   table.layout.range_log2, table.layout.range_log2),
       fmt::format("static const {}_table_t {}_table[{}]", plan.id, plan.id, table.raw.size()),
       initializer(table.raw, table.table_type, layer_what(plan))});
  return code;
}

LayerCode emit_softmax(const LayerPlan& plan, const EmitContext& context) {
  const auto& layer = *plan.info;
  const fixed::FixedType input_type =
      plan.index == 0 ? context.fixed.input_type() : context.fixed.result_type(plan.index - 1);
  const auto tables = inference::make_softmax_tables(layer, input_type);
  const std::string what = layer_what(plan);
  LayerCode code;
  if (layer.profile == spec::ArithmeticProfile::Hls4ml) {
    code.types = fill_snippet(kHls4mlSoftmaxTypes,
                              {{"id", plan.id},
                               {"exp_table", tables.exp_type.to_string()},
                               {"inv_table", tables.inverse_type.to_string()}},
                              plan);
    code.config = fill_snippet(
        kHls4mlSoftmaxConfig,
        {{"id", plan.id}, {"n_in", layer.input.size()}, {"table_size", tables.exp_layout.size}}, plan);
    code.call = fill_snippet(kHls4mlSoftmaxCall, call_placeholders(plan), plan);
    code.arrays.push_back(
        {"_exp_table",
         fmt::format("{}: hls4ml exp table, {} entries addressed by the top bits of x - max", plan.id,
                     tables.exp_raw.size()),
         fmt::format("static const {}_exp_table_t {}_exp_table[{}]", plan.id, plan.id, tables.exp_raw.size()),
         initializer(tables.exp_raw, tables.exp_type, what)});
    code.arrays.push_back(
        {"_inv_table",
         fmt::format("{}: hls4ml 1/s table, {} entries addressed by the top bits of the sum", plan.id,
                     tables.inverse_raw.size()),
         fmt::format("static const {}_inv_table_t {}_inv_table[{}]", plan.id, plan.id,
                     tables.inverse_raw.size()),
         initializer(tables.inverse_raw, tables.inverse_type, what)});
    return code;
  }
  code.types = fill_snippet(kSoftmaxTypes,
                            {{"id", plan.id},
                             {"exp_table", tables.exp_type.to_string()},
                             {"inv_table", tables.inverse_type.to_string()},
                             {"accum", tables.sum_type.to_string()}},
                            plan);
  code.config = fill_snippet(kSoftmaxConfig,
                             {{"id", plan.id},
                              {"n_in", layer.input.size()},
                              {"exp_table_size", tables.exp_layout.size},
                              {"inv_table_size", tables.inverse_layout.size},
                              {"exp_range_log2", tables.exp_layout.range_log2},
                              {"inv_range_log2", tables.inverse_layout.range_log2}},
                             plan);
  code.call = fill_snippet(kSoftmaxCall, call_placeholders(plan), plan);
  code.arrays.push_back(
      {"_exp_table",
       fmt::format("{}: exp(-d) table, {} entries over [0, 2^{})", plan.id, tables.exp_raw.size(),
                   tables.exp_layout.range_log2),
       fmt::format("static const {}_exp_table_t {}_exp_table[{}]", plan.id, plan.id, tables.exp_raw.size()),
       initializer(tables.exp_raw, tables.exp_type, what)});
  code.arrays.push_back({"_inv_table",
                         fmt::format("{}: 1/s table, {} entries over [0, 2^{})", plan.id,
                                     tables.inverse_raw.size(), tables.inverse_layout.range_log2),
                         fmt::format("static const {}_inv_table_t {}_inv_table[{}]", plan.id, plan.id,
                                     tables.inverse_raw.size()),
                         initializer(tables.inverse_raw, tables.inverse_type, what)});
  return code;
}

}  // namespace sparsepixels::codegen

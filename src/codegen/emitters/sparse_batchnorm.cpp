// Emitter of the sparse batch normalization (nnet_sparse_batchnorm.h): the folded scale and shift of
// every channel, applied to the active slots.
#include <fmt/format.h>

#include "emitter.h"

namespace sparsepixels::codegen {

namespace {

constexpr std::string_view kTypes = R"(typedef {{weight}} {{id}}_scale_t;
typedef {{bias}} {{id}}_bias_t;
typedef {{accum}} {{id}}_accum_t;
)";

constexpr std::string_view kConfig = R"(struct {{id}}_config : nnet::sparse_batchnorm_config {
  static const unsigned n_sparse = {{n_sparse}}, n_chan = {{n_chan}};
  typedef {{id}}_accum_t accum_t;
  typedef {{id}}_scale_t scale_t;
  typedef {{id}}_bias_t bias_t;
  typedef ::hash_t hash_t;
};
)";

constexpr std::string_view kCall =
    "nnet::sparse_batchnorm{{template_arguments}}({{input}}, {{input_hash}}, {{output}}, {{output_hash}}, "
    "{{id}}_s, {{id}}_b);";

}  // namespace

LayerCode emit_sparse_batchnorm(const LayerPlan& plan, const EmitContext& context) {
  const auto& layer = *plan.info;
  const auto& in = layer.input;
  const auto& types = layer.types;
  LayerCode code;
  code.types = fill_snippet(kTypes,
                            {{"id", plan.id},
                             {"weight", types.weight.to_string()},
                             {"bias", types.bias.to_string()},
                             {"accum", types.accum.to_string()}},
                            plan);
  code.config =
      fill_snippet(kConfig, {{"id", plan.id}, {"n_sparse", in.slots}, {"n_chan", in.channels}}, plan);
  code.call = fill_snippet(kCall, call_placeholders(plan), plan);
  // The folded parameters: scale = gamma / sqrt(moving_variance + epsilon), shift = beta - mean * scale.
  const auto& scale = context.fixed.weights_raw(plan.index);
  const auto& shift = context.fixed.biases_raw(plan.index);
  const std::string what = layer_what(plan);
  code.arrays = {
      {"_s",
       fmt::format("{}: {} folded scales gamma / sqrt(moving_variance + epsilon)", plan.id, scale.size()),
       fmt::format("static {}_scale_t {}_s[{}]", plan.id, plan.id, scale.size()),
       initializer(scale, types.weight, what)},
      {"_b", fmt::format("{}: {} folded shifts beta - moving_mean * scale", plan.id, shift.size()),
       fmt::format("static {}_bias_t {}_b[{}]", plan.id, plan.id, shift.size()),
       initializer(shift, types.bias, what)}};
  code.unrolled_operations = static_cast<std::size_t>(in.slots) * in.channels;
  return code;
}

}  // namespace sparsepixels::codegen

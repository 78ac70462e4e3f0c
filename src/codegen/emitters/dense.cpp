// Emitter of the fully connected layer (nnet_dense.h), all multiplications in parallel.
#include "emitter.h"

namespace sparsepixels::codegen {

namespace {

constexpr std::string_view kConfig = R"(struct {{id}}_config : nnet::dense_config {
  static const unsigned n_in = {{n_in}}, n_out = {{n_out}};
  static const unsigned reuse_factor = 1;
  typedef {{id}}_accum_t accum_t;
  typedef {{id}}_weight_t weight_t;
  typedef {{id}}_bias_t bias_t;
};
)";

constexpr std::string_view kCall =
    "nnet::dense{{template_arguments}}({{input}}, {{output}}, {{id}}_w, {{id}}_b);";

}  // namespace

LayerCode emit_dense(const LayerPlan& plan, const EmitContext& context) {
  const auto& layer = *plan.info;
  LayerCode code;
  code.types = weighted_types(plan);
  code.config = fill_snippet(
      kConfig, {{"id", plan.id}, {"n_in", layer.input.size()}, {"n_out", layer.output.size()}}, plan);
  code.call = fill_snippet(kCall, call_placeholders(plan), plan);
  code.arrays = weight_arrays(plan, context, "[n_in][n_out]");
  code.unrolled_operations = layer.weight_count;
  return code;
}

}  // namespace sparsepixels::codegen

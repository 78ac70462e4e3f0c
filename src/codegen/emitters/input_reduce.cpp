// Emitter of the input reduction (nnet_sparse_input_reduce.h): the dense image to N active slots.
#include <fmt/format.h>

#include "emitter.h"

namespace sparsepixels::codegen {

namespace {

constexpr std::string_view kConfig = R"(struct {{id}}_config : nnet::sparse_input_reduce_config {
  static const unsigned height = {{height}}, width = {{width}}, n_chan = {{n_chan}};
  static const unsigned n_sparse = {{n_sparse}};
  static const unsigned selection = nnet::{{selection}};{{profile}}
  typedef ::hash_t hash_t;
};
)";

constexpr std::string_view kCall =
    "nnet::sparse_input_reduce{{template_arguments}}({{input}}, {{id}}_threshold, {{output}}, "
    "{{output_hash}});";

}  // namespace

LayerCode emit_input_reduce(const LayerPlan& plan, const EmitContext& context) {
  const auto& layer = *plan.info;
  LayerCode code;
  code.config = fill_snippet(
      kConfig,
      {{"id", plan.id},
       {"height", layer.input.height},
       {"width", layer.input.width},
       {"n_chan", layer.input.channels},
       {"n_sparse", layer.output.slots},
       {"selection", layer.spec.selection == spec::Selection::TopK ? "select_topk" : "select_raster"},
       {"profile", profile_constant(layer)}},
      plan);
  code.call = fill_snippet(kCall, call_placeholders(plan), plan);
  code.arrays.push_back(
      {"_threshold",
       fmt::format("{}: the activity threshold {} in the input type", plan.id, layer.spec.threshold),
       fmt::format("static const input_t {}_threshold", plan.id),
       literal(context.fixed.threshold_raw(), context.model.spec().input_type, layer_what(plan))});
  code.unrolled_operations = static_cast<std::size_t>(layer.input.height) * layer.input.width;
  return code;
}

}  // namespace sparsepixels::codegen

// Emitters of the slot-wise layers: sparse ReLU (nnet_sparse_activation.h) and the sparse flatten that
// scatters the slots back into a dense vector (nnet_sparse_flatten.h).
#include "emitter.h"

namespace sparsepixels::codegen {

namespace {

constexpr std::string_view kReluConfig = R"(struct {{id}}_config : nnet::sparse_activation_config {
  static const unsigned n_sparse = {{n_sparse}}, n_chan = {{n_chan}};
  typedef ::hash_t hash_t;
};
)";

constexpr std::string_view kReluCall =
    "nnet::sparse_relu{{template_arguments}}({{input}}, {{input_hash}}, {{output}}, {{output_hash}});";

constexpr std::string_view kFlattenConfig = R"(struct {{id}}_config : nnet::sparse_flatten_config {
  static const unsigned height = {{height}}, width = {{width}}, n_chan = {{n_chan}};
  static const unsigned n_sparse = {{n_sparse}};
  typedef ::hash_t hash_t;
};
)";

constexpr std::string_view kFlattenCall =
    "nnet::sparse_flatten{{template_arguments}}({{input}}, {{input_hash}}, {{output}});";

}  // namespace

LayerCode emit_sparse_relu(const LayerPlan& plan, const EmitContext&) {
  const auto& in = plan.info->input;
  LayerCode code;
  code.config =
      fill_snippet(kReluConfig, {{"id", plan.id}, {"n_sparse", in.slots}, {"n_chan", in.channels}}, plan);
  code.call = fill_snippet(kReluCall, call_placeholders(plan), plan);
  return code;
}

LayerCode emit_sparse_flatten(const LayerPlan& plan, const EmitContext&) {
  const auto& in = plan.info->input;
  LayerCode code;
  code.config = fill_snippet(kFlattenConfig,
                             {{"id", plan.id},
                              {"height", in.height},
                              {"width", in.width},
                              {"n_chan", in.channels},
                              {"n_sparse", in.slots}},
                             plan);
  code.call = fill_snippet(kFlattenCall, call_placeholders(plan), plan);
  return code;
}

}  // namespace sparsepixels::codegen

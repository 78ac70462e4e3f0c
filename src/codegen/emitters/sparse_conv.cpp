// Emitter of the sparse convolution (nnet_sparse_conv.h): every slot against every slot, K x K taps.
#include "emitter.h"

namespace sparsepixels::codegen {

namespace {

constexpr std::string_view kConfig = R"(struct {{id}}_config : nnet::sparse_conv_config {
  static const unsigned n_sparse = {{n_sparse}}, n_chan = {{n_chan}}, n_filt = {{n_filt}};
  static const unsigned kernel_size = {{kernel_size}};
  typedef {{id}}_accum_t accum_t;
  typedef {{id}}_weight_t weight_t;
  typedef {{id}}_bias_t bias_t;
  typedef ::hash_t hash_t;
};
)";

constexpr std::string_view kCall =
    "nnet::sparse_conv{{template_arguments}}({{input}}, {{input_hash}}, {{output}}, {{output_hash}}, "
    "{{id}}_w, {{id}}_b);";

}  // namespace

LayerCode emit_sparse_conv(const LayerPlan& plan, const EmitContext& context) {
  const auto& layer = *plan.info;
  const auto& in = layer.input;
  LayerCode code;
  code.types = weighted_types(plan);
  code.config = fill_snippet(kConfig,
                             {{"id", plan.id},
                              {"n_sparse", in.slots},
                              {"n_chan", in.channels},
                              {"n_filt", layer.output.channels},
                              {"kernel_size", layer.spec.kernel}},
                             plan);
  code.call = fill_snippet(kCall, call_placeholders(plan), plan);
  code.arrays = weight_arrays(plan, context, "HWIO [kr][kc][c][f]");
  code.unrolled_operations = static_cast<std::size_t>(in.slots) * in.slots * in.channels * layer.spec.filters;
  return code;
}

}  // namespace sparsepixels::codegen

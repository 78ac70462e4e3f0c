// Emitter of sparse average and max pooling (nnet_sparse_pool.h): slots merged by pooling cell.
#include "emitter.h"

namespace sparsepixels::codegen {

namespace {

constexpr std::string_view kConfig = R"(struct {{id}}_config : nnet::sparse_pool_config {
  static const unsigned in_height = {{in_height}}, in_width = {{in_width}};
  static const unsigned pool_height = {{pool_height}}, pool_width = {{pool_width}};
  static const unsigned out_height = {{out_height}}, out_width = {{out_width}};
  static const unsigned n_sparse = {{n_sparse}}, n_chan = {{n_chan}};
  static const unsigned pool_op = nnet::{{pool_op}};{{profile}}
  typedef {{id}}_accum_t accum_t;
  typedef ::hash_t hash_t;
};
)";

constexpr std::string_view kCall =
    "nnet::sparse_pool{{template_arguments}}({{input}}, {{input_hash}}, {{output}}, {{output_hash}});";

}  // namespace

LayerCode emit_sparse_pool(const LayerPlan& plan, const EmitContext&) {
  const auto& layer = *plan.info;
  const auto& in = layer.input;
  const auto& out = layer.output;
  LayerCode code;
  code.types = fill_snippet("typedef {{accum}} {{id}}_accum_t;\n",
                            {{"id", plan.id}, {"accum", layer.types.accum.to_string()}}, plan);
  code.config = fill_snippet(
      kConfig,
      {{"id", plan.id},
       {"in_height", in.height},
       {"in_width", in.width},
       {"pool_height", layer.spec.pool_height},
       {"pool_width", layer.spec.pool_width},
       {"out_height", out.height},
       {"out_width", out.width},
       {"n_sparse", in.slots},
       {"n_chan", in.channels},
       {"pool_op", layer.spec.kind == spec::LayerKind::SparseMaxPool2D ? "pool_max" : "pool_average"},
       {"profile", profile_constant(layer)}},
      plan);
  code.call = fill_snippet(kCall, call_placeholders(plan), plan);
  return code;
}

}  // namespace sparsepixels::codegen

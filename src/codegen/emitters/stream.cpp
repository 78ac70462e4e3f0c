// Emitters of the standard io_stream layers (hls4ml's style, one pixel of channels per stream element):
// convolution (nnet_conv2d_stream.h), pooling (nnet_pooling_stream.h), ReLU (nnet_activation_stream.h),
// the flatten that ends the stream (nnet_flatten_stream.h), and the top function's input stream.
#include "emitter.h"

namespace sparsepixels::codegen {

namespace {

constexpr std::string_view kConvConfig = R"(struct {{id}}_config : nnet::conv2d_stream_config {
  static const unsigned in_height = {{in_height}}, in_width = {{in_width}}, n_chan = {{n_chan}};
  static const unsigned filt_height = {{kernel}}, filt_width = {{kernel}}, n_filt = {{n_filt}};
  typedef {{id}}_accum_t accum_t;
  typedef {{id}}_weight_t weight_t;
  typedef {{id}}_bias_t bias_t;
};
)";

constexpr std::string_view kConvCall =
    "nnet::conv_2d_stream{{template_arguments}}({{input}}, {{output}}, {{id}}_w, {{id}}_b);";

constexpr std::string_view kPoolConfig = R"(struct {{id}}_config : nnet::pooling2d_stream_config {
  static const unsigned in_height = {{in_height}}, in_width = {{in_width}}, n_chan = {{n_chan}};
  static const unsigned pool_height = {{pool_height}}, pool_width = {{pool_width}};
  static const unsigned out_height = {{out_height}}, out_width = {{out_width}};
  static const unsigned pool_op = nnet::{{pool_op}};
  typedef {{id}}_accum_t accum_t;
};
)";

constexpr std::string_view kPoolCall =
    "nnet::pooling_2d_stream{{template_arguments}}({{input}}, {{output}});";

constexpr std::string_view kReluConfig = R"(struct {{id}}_config : nnet::activation_stream_config {
  static const unsigned n_in = {{n_in}}, n_chan = {{n_chan}};
};
)";

constexpr std::string_view kReluCall = "nnet::relu_stream{{template_arguments}}({{input}}, {{output}});";

constexpr std::string_view kFlattenConfig = R"(struct {{id}}_config : nnet::flatten_stream_config {
  static const unsigned height = {{height}}, width = {{width}}, n_chan = {{n_chan}};
};
)";

constexpr std::string_view kFlattenCall =
    "nnet::flatten_stream{{template_arguments}}({{input}}, {{output}});";

constexpr std::string_view kInputToStream = R"(
  // The input image as a stream of pixels (raster order, channels together), as io_stream layers take it.
  hls::stream<nnet::array<input_t, {{n_chan}}> > input_stream("input_stream");
InputToStream:
  for (unsigned pixel = 0; pixel < {{n_pixels}}; pixel++) {
#pragma HLS PIPELINE II = 1
    nnet::array<input_t, {{n_chan}}> value;
    for (unsigned channel = 0; channel < {{n_chan}}; channel++) {
#pragma HLS UNROLL
      value[channel] = input[{{n_chan}} * pixel + channel];
    }
    input_stream.write(value);
  }
)";

}  // namespace

LayerCode emit_conv2d_stream(const LayerPlan& plan, const EmitContext& context) {
  const auto& layer = *plan.info;
  const auto& in = layer.input;
  LayerCode code;
  code.types = weighted_types(plan);
  code.config = fill_snippet(kConvConfig,
                             {{"id", plan.id},
                              {"in_height", in.height},
                              {"in_width", in.width},
                              {"n_chan", in.channels},
                              {"kernel", layer.spec.kernel},
                              {"n_filt", layer.output.channels}},
                             plan);
  code.call = fill_snippet(kConvCall, call_placeholders(plan), plan);
  code.arrays = weight_arrays(plan, context, "HWIO [kr][kc][c][f]");
  code.unrolled_operations = layer.weight_count;  // all taps of one pixel in parallel
  return code;
}

LayerCode emit_pooling_stream(const LayerPlan& plan, const EmitContext&) {
  const auto& layer = *plan.info;
  const auto& in = layer.input;
  const auto& out = layer.output;
  LayerCode code;
  code.types = fill_snippet("typedef {{accum}} {{id}}_accum_t;\n",
                            {{"id", plan.id}, {"accum", layer.types.accum.to_string()}}, plan);
  code.config =
      fill_snippet(kPoolConfig,
                   {{"id", plan.id},
                    {"in_height", in.height},
                    {"in_width", in.width},
                    {"n_chan", in.channels},
                    {"pool_height", layer.spec.pool_height},
                    {"pool_width", layer.spec.pool_width},
                    {"out_height", out.height},
                    {"out_width", out.width},
                    {"pool_op", layer.spec.kind == spec::LayerKind::MaxPool2D ? "pool_max" : "pool_average"}},
                   plan);
  code.call = fill_snippet(kPoolCall, call_placeholders(plan), plan);
  return code;
}

LayerCode emit_relu_stream(const LayerPlan& plan, const EmitContext&) {
  const auto& in = plan.info->input;
  LayerCode code;
  code.config = fill_snippet(
      kReluConfig, {{"id", plan.id}, {"n_in", in.height * in.width}, {"n_chan", in.channels}}, plan);
  code.call = fill_snippet(kReluCall, call_placeholders(plan), plan);
  return code;
}

LayerCode emit_flatten_stream(const LayerPlan& plan, const EmitContext&) {
  const auto& in = plan.info->input;
  LayerCode code;
  code.config = fill_snippet(
      kFlattenConfig, {{"id", plan.id}, {"height", in.height}, {"width", in.width}, {"n_chan", in.channels}},
      plan);
  code.call = fill_snippet(kFlattenCall, call_placeholders(plan), plan);
  return code;
}

std::string emit_input_to_stream(const spec::Shape& input) {
  return fill(kInputToStream, {{"n_chan", input.channels}, {"n_pixels", input.height * input.width}},
              "the input stream");
}

}  // namespace sparsepixels::codegen

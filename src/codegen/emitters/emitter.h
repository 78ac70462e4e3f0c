// The per-layer code of a generated project: one emitter per kernel family (one file each in this folder)
// turns a planned layer into its typedefs, its config struct, its kernel call and its parameter arrays.
// Snippets are filled with named placeholders (the convention of codegen/templates.cpp). A new backend
// (e.g. Verilog) is one more set of emitters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../templates.h"
#include "sparsepixels/inference/fixed_inference.h"
#include "sparsepixels/model/model.h"

namespace sparsepixels::codegen {

/// One layer as the project writer sees it: where its values come from and go.
struct LayerPlan {
  const spec::ResolvedLayer* info = nullptr;
  std::size_t index = 0;
  std::string id;           ///< the sanitized layer name
  std::string data_type;    ///< the type of the layer's input values
  std::string result_type;  ///< the type of its output values
  std::string features_in;  ///< input arrays (hash_in empty for dense inputs)
  std::string hash_in;
  std::string features_out;  ///< output arrays
  std::string hash_out;
  bool stream_in = false;  ///< io_stream: one pixel (nnet::array of channels) per element
  bool stream_out = false;
};

/// What every emitter may read besides its layer.
struct EmitContext {
  const model::Model& model;
  const inference::FixedModel& fixed;
};

/// One weights/<id><suffix>.h header holding one array (filled into firmware/weights/array.h).
struct ParameterArray {
  std::string suffix;       ///< after the layer id: "_w", "_table"
  std::string comment;      ///< the header's first line
  std::string declaration;  ///< "static const input_t conv1_threshold"
  std::string values;       ///< an exact literal or an initializer list
};

/// The code of one layer.
struct LayerCode {
  std::string kernel_header;            ///< nnet_utils header of its kernel (from the kind table)
  std::string types;                    ///< defines.h: typedef lines after the result type
  std::string config;                   ///< parameters.h: "struct <id>_config : nnet::..." to "};\n"
  std::string call;                     ///< the kernel call in the top function (one line, no indent)
  std::vector<ParameterArray> arrays;   ///< in the order of kind_info(kind).parameter_files
  std::size_t unrolled_operations = 0;  ///< the largest fully unrolled loop, for the unroll warning
};

/// The code of `plan`'s layer: dispatches on its kind to the family's emitter and checks the result
/// against the kind table. Throws sparsepixels::Error for a kind that has no kernel in the layer's io
/// mode (e.g. a Conv2D after a Flatten) or an exact literal that a double cannot hold.
LayerCode emit_layer(const LayerPlan& plan, const EmitContext& context);

// The families (each in its own file).
LayerCode emit_input_reduce(const LayerPlan& plan, const EmitContext& context);
LayerCode emit_sparse_conv(const LayerPlan& plan, const EmitContext& context);
LayerCode emit_sparse_pool(const LayerPlan& plan, const EmitContext& context);
LayerCode emit_sparse_relu(const LayerPlan& plan, const EmitContext& context);
LayerCode emit_sparse_flatten(const LayerPlan& plan, const EmitContext& context);
LayerCode emit_sparse_batchnorm(const LayerPlan& plan, const EmitContext& context);
LayerCode emit_dense(const LayerPlan& plan, const EmitContext& context);
LayerCode emit_relu(const LayerPlan& plan, const EmitContext& context);
LayerCode emit_sigmoid(const LayerPlan& plan, const EmitContext& context);
LayerCode emit_softmax(const LayerPlan& plan, const EmitContext& context);
LayerCode emit_conv2d_stream(const LayerPlan& plan, const EmitContext& context);
LayerCode emit_pooling_stream(const LayerPlan& plan, const EmitContext& context);
LayerCode emit_flatten_stream(const LayerPlan& plan, const EmitContext& context);
LayerCode emit_relu_stream(const LayerPlan& plan, const EmitContext& context);

/// The top function's block that turns the input array into the stream of pixels io_stream layers take.
std::string emit_input_to_stream(const spec::Shape& input);

// Shared by the emitters (layer_emitter.cpp).

/// The placeholders of a kernel call: id, template_arguments ("<data, result, id_config>"), input,
/// input_hash, output, output_hash.
std::vector<Placeholder> call_placeholders(const LayerPlan& plan);

/// A snippet filled with the placeholders, naming the layer in errors.
std::string fill_snippet(std::string_view snippet, const std::vector<Placeholder>& values,
                         const LayerPlan& plan);

/// The weight_t, bias_t and accum_t typedefs of a layer with weights.
std::string weighted_types(const LayerPlan& plan);

/// The weights (`order` describes their layout) and biases of a layer with weights.
std::vector<ParameterArray> weight_arrays(const LayerPlan& plan, const EmitContext& context,
                                          const std::string& order);

/// The exact decimal literal of a raw value of `type`; throws naming `what` for types wider than a double
/// holds exactly.
std::string literal(std::int64_t raw, const fixed::FixedType& type, const std::string& what);

/// A C initializer list of exact literals, eight per line.
std::string initializer(const std::vector<std::int64_t>& raw, const fixed::FixedType& type,
                        const std::string& what);

/// "convert: layer '<name>'", the start of every error about a layer's values.
std::string layer_what(const LayerPlan& plan);

/// The config line that selects hls4ml's rules in a kernel with an arithmetic_profile constant
/// ("\n  static const unsigned arithmetic_profile = nnet::arithmetic_hls4ml;"), or "" for the exact
/// profile (the kernels' default).
std::string profile_constant(const spec::ResolvedLayer& layer);

}  // namespace sparsepixels::codegen

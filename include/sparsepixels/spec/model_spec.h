#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sparsepixels/fixed/fixed_type.h"
#include "sparsepixels/spec/layer_kinds.h"

namespace sparsepixels::spec {

/// How InputReduce picks its slots: first N active pixels in raster order, or the N largest.
enum class Selection { Raster, TopK };
std::string to_string(Selection selection);

/// Which arithmetic rules a model follows (docs/semantics.md, "Arithmetic profiles"): Exact, the
/// project's contract (the default), or Hls4ml, hls4ml's sparse kernels and activation tables where
/// they differ (average pooling over areas that are not powers of two, empty input-reduction slots,
/// max pooling, sigmoid/softmax tables).
enum class ArithmeticProfile { Exact, Hls4ml };
std::string to_string(ArithmeticProfile profile);
/// "exact" or "hls4ml"; anything else throws sparsepixels::Error naming `field` and the value.
ArithmeticProfile parse_arithmetic_profile(const std::string& text, const std::string& field);

/// Which slots the sparse convolutions compute while training (`training.slot_rule`, docs/training.md):
/// Activity, the hardware's rule (the default), or Keras, every slot the input reduction kept, as the
/// reference's Keras layers. Inference always follows the activity rule.
enum class SlotRule { Activity, Keras };
std::string to_string(SlotRule rule);
/// "activity" or "keras"; anything else throws sparsepixels::Error naming `field` and the value.
SlotRule parse_slot_rule(const std::string& text, const std::string& field);

/// The shape of the tensor between two layers. Sparse: `slots` slots of `channels` features on a
/// height x width grid. Dense: height x width x channels, channel-last (a vector is 1 x 1 x n).
struct Shape {
  bool sparse = false;
  int height = 0, width = 0, channels = 0;
  int slots = 0;
  /// Floats per event: slots*channels (sparse) or height*width*channels (dense).
  std::size_t size() const;
  /// Keras-like text: "(20 slots of 63x63x1)" or "(9, 9, 3)".
  std::string to_string() const;
  friend bool operator==(const Shape&, const Shape&) = default;
};

/// Fixed-point types of one layer, as declared; unset fields take the model defaults.
struct LayerPrecision {
  std::optional<fixed::FixedType> weight, bias, accum, result, table;
  bool accum_auto = false;   // "auto": the exact accumulator of reference section 11.3
  bool result_auto = false;  // "auto" (convolutions and Dense): the result is the accumulator type
};

/// One layer of a sequential model, as declared in a config or a model file.
struct LayerSpec {
  LayerKind kind = LayerKind::Dense;
  std::string name;
  // InputReduce
  int n_active = 0;
  double threshold = 0;
  Selection selection = Selection::Raster;
  // SparseConv2D / Conv2D
  int filters = 0, kernel = 0;
  // pools
  int pool_height = 0, pool_width = 0;
  // Dense
  int units = 0;
  // SparseBatchNormalization (Keras defaults)
  double momentum = 0.99, epsilon = 1e-3;
  LayerPrecision precision;
  /// Only in models imported with --float-input (a comparison aid, docs/import.md): QAT keeps this
  /// layer's result in float, as Keras does for a layer without a quantizer. Needs
  /// ModelSpec::float_input; such a model has no fixed inference and no HLS project.
  bool float_result = false;
  /// SparseConv2D of a float-input model only (set by resolve, not stored): a slot is active while
  /// the input reduction's mask holds it (Keras's keep_mask), even after a ReLU zeroed its features;
  /// the hardware, with no valid bit, uses the activity rule of reference 3.2 instead.
  bool keras_mask = false;
};

/// Fully resolved types of one layer (every field concrete; unused ones equal the result type).
struct LayerTypes {
  fixed::FixedType weight, bias, accum, result, table;
};

/// Training settings (reference section 6 defaults).
struct TrainingSettings {
  std::string loss = "auto";  // binary_crossentropy, categorical_crossentropy or auto (from the head)
  double learning_rate = 1e-3;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7;
  int batch_size = 128;
  int max_epochs = 200;
  bool early_stopping = true;
  double min_delta = 1e-3;
  int patience = 15;
  bool restore_best = true;
  // Keras ReduceLROnPlateau on the monitored loss (val_loss, else loss): after `reduce_lr_patience`
  // epochs without an improvement of more than `reduce_lr_min_delta`, the learning rate is multiplied
  // by `reduce_lr_factor`, not below `min_learning_rate`. Factor 0: off (the default).
  double reduce_lr_factor = 0;
  int reduce_lr_patience = 10;
  double reduce_lr_min_delta = 1e-4;
  double min_learning_rate = 0;
  SlotRule slot_rule = SlotRule::Activity;
  std::uint64_t seed = 1;
  bool quantized = false;  // quantization-aware training with the declared types
  int threads = 0;         // 0: all hardware threads; never changes the result
};

/// HLS project settings carried through to code generation.
struct HlsSettings {
  std::string part = "xcu250-figd2104-2L-e";
  double clock_ns = 5;
  double clock_uncertainty = 0.27;  // fraction of the clock period
  std::string io_type = "io_parallel";
  Selection selection_policy = Selection::Raster;  // default for InputReduce layers that set none
};

/// A sequential model as declared: input, layers, model-wide default types, settings.
struct ModelSpec {
  std::string name = "model";
  int input_height = 0, input_width = 0, input_channels = 1;
  fixed::FixedType input_type;
  /// The input stays float (imported with --float-input, a comparison aid): QAT does not quantize it
  /// (an InputReduce compares floats); fixed inference, code generation and the estimator refuse it.
  bool float_input = false;
  LayerPrecision defaults;  // model-wide defaults for every layer's precision
  std::vector<LayerSpec> layers;
  TrainingSettings training;
  HlsSettings hls;
  ArithmeticProfile arithmetic_profile = ArithmeticProfile::Exact;
};

/// A model spec with shapes, types and parameter counts worked out for every layer.
struct ResolvedLayer {
  LayerSpec spec;
  Shape input, output;
  LayerTypes types;
  std::size_t weight_count = 0, bias_count = 0;
  int fan_in = 0;  // terms summed per output (0 for layers without a sum)
  /// A SparseBatchNormalization right after a SparseConv2D: folded into the convolution (its weights
  /// and bias absorb the scale and shift; reference-free rule, docs/semantics.md 4b). It has the
  /// convolution's types and no kernel of its own.
  bool folded = false;
  /// The model's arithmetic profile (every layer of a model has the same one).
  ArithmeticProfile profile = ArithmeticProfile::Exact;
  /// The result feeds the model's last layer, a Sigmoid or Softmax (the logits). QAT may carry such
  /// a result rounded once to float32 when its type is wider (docs/training.md, "Exact sums").
  bool logits = false;
};

/// Resolves shapes, names, types ('auto' accumulators) and parameter counts; checks that the layer
/// sequence is valid. Errors name `origin` (a file), the layer and the field.
std::vector<ResolvedLayer> resolve(const ModelSpec& spec, const std::string& origin = "model");

/// True if every value of `narrow` is exactly representable in `wide`.
bool type_covers(const fixed::FixedType& wide, const fixed::FixedType& narrow);

/// hls4ml's 'auto' accumulator (and result) of a Dense or convolution with `n_ops` products per output
/// (n_in, or C*K*K), as its InferPrecisionTypes pass computes it (docs/import.md, "Types"): the
/// accumulator `auto` resolves to under the hls4ml arithmetic profile, when it holds the exact one.
fixed::FixedType hls4ml_products_accumulator(const fixed::FixedType& input, const fixed::FixedType& weight,
                                             const fixed::FixedType& bias, int n_ops);

/// hls4ml's 'auto' accumulator of an average pooling over `area` inputs: width + 2e, integer + e with
/// e = ceil(log2(area)).
fixed::FixedType hls4ml_average_accumulator(const fixed::FixedType& input, int area);

/// The exact accumulator of a pooling sum over `area` inputs of type `input` (section 11.3, 11.5).
fixed::FixedType exact_pool_accumulator(const fixed::FixedType& input, int area);

}  // namespace sparsepixels::spec

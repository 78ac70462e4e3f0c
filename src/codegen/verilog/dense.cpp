// Dense as Verilog (docs/rtl.md; semantics.md section 7): res[j] = cast(b[j] + sum_i W[i][j] * x[i]),
// exact, with the weights as constants (zero weights leave no term).
#include <fmt/format.h>

#include <algorithm>

#include "verilog_text.h"

namespace sparsepixels::codegen::verilog {

std::string emit_dense(const layers::FixedLayer& layer, const std::string& name) {
  const spec::ResolvedLayer& info = layer.info();
  const spec::LayerTypes& types = info.types;
  const FixedType& in_type = layer.input_type();
  const BusLayout in_bus = input_bus(layer, 1), out_bus = output_bus(layer, 1);
  const int n_in = static_cast<int>(in_bus.values), n_out = info.spec.units;
  const int in_width = in_type.width, out_width = types.result.width;
  const int x_width = in_width + (in_type.is_signed ? 0 : 1);
  const int w_width = types.weight.width + (types.weight.is_signed ? 0 : 1);
  const int b_width = types.bias.width + (types.bias.is_signed ? 0 : 1);
  const int product_fraction = types.weight.fraction() + in_type.fraction();
  const int sum_fraction = std::max(product_fraction, types.bias.fraction());
  const int weight_shift = sum_fraction - product_fraction, bias_shift = sum_fraction - types.bias.fraction();
  const int sum_width =
      std::max({x_width + w_width + weight_shift + bits_for(static_cast<std::size_t>(n_in) + 1),
                b_width + bias_shift + 1, types.accum.width + 1});
  const auto& weights = layer.weights_raw();
  const auto& biases = layer.biases_raw();
  std::string text = fmt::format(
      "// Layer '{}' (Dense): {} -> {}; input {}, weights {}, bias {}, accumulator {} (sums exact in {}\n"
      "// bits), result {}.\n",
      info.spec.name, n_in, n_out, in_type.to_string(), types.weight.to_string(), types.bias.to_string(),
      types.accum.to_string(), sum_width, types.result.to_string());
  text += module_begin(name, "", in_bus, out_bus);
  text += cast_function("to_accum", {sum_width, sum_fraction, true}, types.accum,
                        "exact sum to accumulator type");
  text += cast_function("cast_sum", operand_of(types.accum), types.result, "accumulator to result type");
  // Only inputs with a non-zero weight somewhere are read.
  std::vector<bool> read(static_cast<std::size_t>(n_in), false);
  for (int i = 0; i < n_in; ++i)
    for (int j = 0; j < n_out; ++j)
      read[static_cast<std::size_t>(i)] =
          read[static_cast<std::size_t>(i)] || weights[static_cast<std::size_t>(i) * n_out + j] != 0;
  text += fmt::format("\n  // Inputs widened to the sum's {} bits.\n", sum_width);
  for (int i = 0; i < n_in; ++i) {
    if (!read[static_cast<std::size_t>(i)]) continue;
    const std::string raw = fmt::format("in_data[{} +: {}]", i * in_width, in_width);
    const std::string fill = in_type.is_signed ? fmt::format("{{{}{{in_data[{}]}}}}", sum_width - in_width,
                                                             i * in_width + in_width - 1)
                                               : fmt::format("{}'d0", sum_width - in_width);
    text += fmt::format("  wire signed [{}:0] x{} = $signed({{{}, {}}});\n", sum_width - 1, i, fill, raw);
  }
  if (std::count(read.begin(), read.end(), false) > 0) {
    text += "  // Inputs whose weights are all zero are not read.\n";
    text +=
        "  /* verilator lint_off UNUSEDSIGNAL */\n  wire unused_inputs = ^in_data;\n  /* verilator lint_on "
        "UNUSEDSIGNAL */\n";
  }
  for (int j = 0; j < n_out; ++j) {
    std::string sum =
        literal(sum_width, fixed::Int128(biases[static_cast<std::size_t>(j)]) << bias_shift, true);
    for (int i = 0; i < n_in; ++i) {
      const std::int64_t w = weights[static_cast<std::size_t>(i) * n_out + j];
      if (w == 0) continue;
      sum += fmt::format("\n      + x{} * {}", i, literal(sum_width, fixed::Int128(w) << weight_shift, true));
    }
    text += fmt::format("\n  // Output {}: bias + the products.\n  wire signed [{}:0] sum{} = {};\n", j,
                        sum_width - 1, j, sum);
    text +=
        fmt::format("  assign result[{} +: {}] = cast_sum(to_accum(sum{}));\n", j * out_width, out_width, j);
  }
  text += module_end();
  return text;
}

}  // namespace sparsepixels::codegen::verilog

// SparseAvgPool2D as Verilog (docs/rtl.md; semantics.md section 5): every slot gets its pooled hash; a
// slot leading its cell (inside the output grid, no lower slot in the same cell) receives the exact cell
// sum times R = 1/area (ap_ufixed<18,0>, rounded half to even), cast once; every other slot outputs zero.
#include <fmt/format.h>

#include "verilog_text.h"

namespace sparsepixels::codegen::verilog {

std::string emit_sparse_pool(const layers::FixedLayer& layer, const std::string& name, int hash_width) {
  const spec::ResolvedLayer& info = layer.info();
  const spec::LayerTypes& types = info.types;
  const FixedType& in_type = layer.input_type();
  const int slots = info.input.slots, channels = info.input.channels;
  const int pool_height = info.spec.pool_height, pool_width = info.spec.pool_width,
            area = pool_height * pool_width;
  const int out_height = info.output.height, out_width_grid = info.output.width;
  const int b = hash_width;
  const BusLayout in_bus = input_bus(layer, b), out_bus = output_bus(layer, b);
  const int in_width = in_type.width, out_width = types.result.width;
  const int x_width = in_width + (in_type.is_signed ? 0 : 1);
  const int sum_width = x_width + bits_for(static_cast<std::size_t>(slots));
  constexpr int kReciprocalBits = 18;
  const std::int64_t reciprocal = area > 1 ? layers::pool_reciprocal_raw(area) : 1;
  const int accum_width = types.accum.width + (types.accum.is_signed ? 0 : 1);
  const int product_width = accum_width + kReciprocalBits + 1;

  std::string text = fmt::format(
      "// Layer '{}' (SparseAvgPool2D): {} slots of {} channels, pool {}x{} onto a {}x{} grid; input {},\n"
      "// accumulator {} (sums exact in {} bits), reciprocal {}/2^18, result {}.\n",
      info.spec.name, slots, channels, pool_height, pool_width, out_height, out_width_grid,
      in_type.to_string(), types.accum.to_string(), sum_width, reciprocal, types.result.to_string());
  text += module_begin(name, "", in_bus, out_bus);
  text += cast_function("to_accum", {sum_width, in_type.fraction(), true}, types.accum,
                        "exact sum to accumulator type");
  if (area > 1) {
    text += cast_function("cast_average", {product_width, types.accum.fraction() + kReciprocalBits, true},
                          types.result, "accumulator times reciprocal to result type");
  } else {
    text +=
        cast_function("cast_average", operand_of(types.accum), types.result, "accumulator to result type");
  }
  auto pooled = [&](const char* coordinate, int pool) {
    if (pool == 1) return std::string(coordinate);
    return fmt::format("({} - {}) / {} + {}", coordinate, literal(b, 1, false), literal(b, pool, false),
                       literal(b, 1, false));
  };
  text += fmt::format(
      "\n"
      "  // Pooled hash (row, col) of every slot: ((r - 1) / p) + 1.\n"
      "  wire [{}:0] pooled;\n"
      "  genvar s, m, c;\n"
      "  generate\n"
      "    for (s = 0; s < {}; s = s + 1) begin : g_cell\n"
      "      wire [{}:0] row = in_data[{} + 2*s*{} +: {}];\n"
      "      wire [{}:0] col = in_data[{} + (2*s + 1)*{} +: {}];\n"
      "      assign pooled[s*{} +: {}] = {{{}, {}}};\n"
      "    end\n"
      "  endgenerate\n\n",
      2 * slots * b - 1, slots, b - 1, in_bus.hash_offset(), b, b, b - 1, in_bus.hash_offset(), b, b, 2 * b,
      2 * b, pooled("col", pool_width), pooled("row", pool_height));
  text += fmt::format(
      "  generate\n"
      "    for (s = 0; s < {}; s = s + 1) begin : g_slot\n"
      "      wire [{}:0] own = pooled[s*{} +: {}];\n"
      "      wire in_grid = own[{}:0] <= {} && own[{}:{}] <= {};\n"
      "      wire [s:0] earlier;  // bit m: slot m < s shares the cell\n"
      "      for (m = 0; m <= s; m = m + 1) begin : g_earlier\n"
      "        if (m < s) begin : g_other\n"
      "          assign earlier[m] = pooled[m*{} +: {}] == own;\n"
      "        end else begin : g_self\n"
      "          assign earlier[m] = 1'b0;\n"
      "        end\n"
      "      end\n"
      "      wire leads = in_grid && !(|earlier);\n"
      "      for (c = 0; c < {}; c = c + 1) begin : g_channel\n"
      "        reg signed [{}:0] sum;  // the exact cell sum\n"
      "        always @* begin : accumulate\n"
      "          integer k;\n"
      "          sum = {};\n"
      "          for (k = 0; k < {}; k = k + 1)\n"
      "            if (pooled[k*{} +: {}] == own)\n"
      "              sum = sum + $signed({{{}, in_data[(k*{} + c)*{} +: {}]}});\n"
      "        end\n",
      slots, 2 * b - 1, 2 * b, 2 * b, b - 1, literal(b, out_height, false), 2 * b - 1, b,
      literal(b, out_width_grid, false), 2 * b, 2 * b, channels, sum_width - 1, literal(sum_width, 0, true),
      slots, 2 * b, 2 * b,
      in_type.is_signed ? fmt::format("{{{}{{in_data[(k*{} + c)*{} + {}]}}}}", sum_width - in_width, channels,
                                      in_width, in_width - 1)
                        : fmt::format("{}'d0", sum_width - in_width),
      channels, in_width, in_width);
  const std::string slice = fmt::format("result[(s*{} + c)*{} +: {}]", channels, out_width, out_width);
  text += fmt::format("        wire [{}:0] accumulated = to_accum(sum);\n", types.accum.width - 1);
  if (area > 1) {
    text += fmt::format(
        "        wire signed [{}:0] product = {} * $signed({{1'b0, {}}});\n"
        "        assign {} = leads ? cast_average(product) : {}'d0;\n",
        product_width - 1,
        types.accum.is_signed ? std::string("$signed(accumulated)")
                              : std::string("$signed({1'b0, accumulated})"),
        literal(kReciprocalBits, reciprocal, false), slice, out_width);
  } else {
    text += fmt::format("        assign {} = leads ? cast_average(accumulated) : {}'d0;\n", slice, out_width);
  }
  text += fmt::format(
      "      end\n"
      "      assign result[{} + s*{} +: {}] = own;\n"
      "    end\n"
      "  endgenerate\n",
      out_bus.hash_offset(), 2 * b, 2 * b);
  text += module_end();
  return text;
}

}  // namespace sparsepixels::codegen::verilog

// SparseFlatten as Verilog (docs/rtl.md; semantics.md section 6): the zero-filled H'xW'xC array, each
// non-zero feature of a slot inside the grid cast into C*((r-1)*W' + (c-1)) + c (a later slot wins).
#include <fmt/format.h>

#include "verilog_text.h"

namespace sparsepixels::codegen::verilog {

std::string emit_sparse_flatten(const layers::FixedLayer& layer, const std::string& name, int hash_width) {
  const spec::ResolvedLayer& info = layer.info();
  const FixedType& in_type = layer.input_type();
  const int slots = info.input.slots, channels = info.input.channels;
  const int height = info.input.height, width = info.input.width;
  const int b = hash_width;
  const BusLayout in_bus = input_bus(layer, b), out_bus = output_bus(layer, b);
  const int in_width = in_type.width, out_width = info.types.result.width;
  std::string text = fmt::format(
      "// Layer '{}' (SparseFlatten): {} slots of {} channels onto {}x{}x{} values; input {}, result {}.\n",
      info.spec.name, slots, channels, height, width, channels, in_type.to_string(),
      info.types.result.to_string());
  text += module_begin(name, "", in_bus, out_bus);
  text += cast_function("cast_value", operand_of(in_type), info.types.result, "input type to result type");
  text += fmt::format(
      "\n"
      "  genvar r, q, c;\n"
      "  generate\n"
      "    for (r = 0; r < {}; r = r + 1) begin : g_row\n"
      "      for (q = 0; q < {}; q = q + 1) begin : g_col\n"
      "        localparam integer ROW = r + 1, COL = q + 1;\n"
      "        localparam [{}:0] HASH = {{COL[{}:0], ROW[{}:0]}};  // (row, col) as on the bus\n"
      "        for (c = 0; c < {}; c = c + 1) begin : g_channel\n"
      "          reg [{}:0] value;\n"
      "          always @* begin : place\n"
      "            integer s;\n"
      "            value = {}'d0;\n"
      "            for (s = 0; s < {}; s = s + 1)\n"
      "              if (in_data[{} + s*{} +: {}] == HASH && in_data[(s*{} + c)*{} +: {}] != {}'d0)\n"
      "                value = cast_value(in_data[(s*{} + c)*{} +: {}]);\n"
      "          end\n"
      "          assign result[((r*{} + q)*{} + c)*{} +: {}] = value;\n"
      "        end\n"
      "      end\n"
      "    end\n"
      "  endgenerate\n",
      height, width, 2 * b - 1, b - 1, b - 1, channels, out_width - 1, out_width, slots, in_bus.hash_offset(),
      2 * b, 2 * b, channels, in_width, in_width, in_width, channels, in_width, in_width, width, channels,
      out_width, out_width);
  text += module_end();
  return text;
}

}  // namespace sparsepixels::codegen::verilog

// InputReduce as Verilog (docs/rtl.md; semantics.md section 2): raster selection of the first N pixels
// whose channel 0 exceeds the threshold, their channels cast to the result type, hash (row, col), empty
// slots zero at (1, 1).
#include <fmt/format.h>

#include "sparsepixels/error.h"
#include "verilog_text.h"

namespace sparsepixels::codegen::verilog {

std::string emit_input_reduce(const layers::FixedLayer& layer, const std::string& name, int hash_width) {
  const spec::ResolvedLayer& info = layer.info();
  if (info.spec.selection != spec::Selection::Raster) refuse(layer, "topk selection yet (raster only)");
  const FixedType& in_type = layer.input_type();
  const FixedType& out_type = info.types.result;
  const int height = info.input.height, width = info.input.width, channels = info.input.channels;
  const std::size_t pixels = static_cast<std::size_t>(height) * width;
  const int slots = info.spec.n_active;
  const int in_width = in_type.width, out_width = out_type.width;
  const int index_width = bits_for(pixels - 1);
  const int count_width = bits_for(static_cast<std::size_t>(slots));
  const int b = hash_width;
  if (hash_bits(height, width) > b) {
    throw Error(fmt::format("layer '{}': a hash of {} bits cannot hold its {}x{} grid", info.spec.name, b,
                            height, width));
  }
  const BusLayout in_bus = input_bus(layer, b), out_bus = output_bus(layer, b);
  const std::int64_t threshold = layers::threshold_raw(info, in_type);

  std::string text;
  text = fmt::format(
      "// Layer '{}' (InputReduce, raster selection): the first {} pixels of the {}x{}x{} input whose\n"
      "// channel 0 exceeds the threshold (raw {} of {}), in raster order; result {}.\n",
      info.spec.name, slots, height, width, channels, threshold, in_type.to_string(), out_type.to_string());
  text += module_begin(name, "", in_bus, out_bus);
  text += cast_function("cast_value", operand_of(in_type), out_type, "input type to result type");
  text += fmt::format(
      "\n"
      "  // Pixel r*W + q is active when its channel 0 exceeds the threshold.\n"
      "  wire [{}:0] active;\n"
      "  genvar r, q;\n"
      "  generate\n"
      "    for (r = 0; r < {}; r = r + 1) begin : g_row\n"
      "      for (q = 0; q < {}; q = q + 1) begin : g_col\n"
      "        assign active[r*{} + q] = {} > {};\n"
      "      end\n"
      "    end\n"
      "  endgenerate\n\n",
      pixels - 1, height, width, width,
      in_type.is_signed
          ? fmt::format("$signed(in_data[(r*{} + q)*{} +: {}])", width, channels * in_width, in_width)
          : fmt::format("in_data[(r*{} + q)*{} +: {}]", width, channels * in_width, in_width),
      literal(in_width, threshold, in_type.is_signed));
  text += fmt::format(
      "  // Raster scan: slot k receives the k-th active pixel (its index and 1-based row and column).\n"
      "  reg [{}:0] chosen_pixel;\n"
      "  reg [{}:0] chosen_hash;\n"
      "  reg [{}:0] filled;  // how many slots received a pixel\n"
      "  reg [{}:0] used;    // slot k received a pixel (a thermometer code of filled)\n"
      "  always @* begin : scan\n"
      "    integer pixel;\n"
      "    reg [{}:0] row, col;\n"
      "    chosen_pixel = {}'d0;\n"
      "    chosen_hash = {}'d0;\n"
      "    filled = {};\n"
      "    used = {}'d0;\n"
      "    row = {};\n"
      "    col = {};\n"
      "    for (pixel = 0; pixel < {}; pixel = pixel + 1) begin\n"
      "      if (active[pixel] && filled != {}) begin\n"
      "        chosen_pixel[filled*{} +: {}] = pixel[{}:0];\n"
      "        chosen_hash[filled*{} +: {}] = {{col, row}};\n"
      "        filled = filled + {};\n"
      "        used = {};\n"
      "      end\n"
      "      if (col == {}) begin\n"
      "        col = {};\n"
      "        row = row + {};\n"
      "      end else begin\n"
      "        col = col + {};\n"
      "      end\n"
      "    end\n"
      "  end\n\n",
      slots * index_width - 1, slots * 2 * b - 1, count_width - 1, slots - 1, b - 1, slots * index_width,
      slots * 2 * b, literal(count_width, 0, false), slots, literal(b, 1, false), literal(b, 1, false),
      pixels, literal(count_width, slots, false), index_width, index_width, index_width - 1, 2 * b, 2 * b,
      literal(count_width, 1, false),
      slots == 1 ? std::string("1'b1") : fmt::format("{{used[{}:0], 1'b1}}", slots - 2),
      literal(b, width, false), literal(b, 1, false), literal(b, 1, false), literal(b, 1, false));
  text += fmt::format(
      "  // Slot outputs: the chosen pixel's channels cast, or zeros at (1, 1) for an empty slot.\n"
      "  genvar s, c;\n"
      "  generate\n"
      "    for (s = 0; s < {}; s = s + 1) begin : g_slot\n"
      "      wire [{}:0] pixel = chosen_pixel[s*{} +: {}];\n"
      "      wire [{}:0] values = in_data[pixel*{} +: {}];\n"

      "      for (c = 0; c < {}; c = c + 1) begin : g_channel\n"
      "        assign result[(s*{} + c)*{} +: {}] = used[s] ? cast_value(values[c*{} +: {}]) : {}'d0;\n"
      "      end\n"
      "      assign result[{} + s*{} +: {}] = used[s] ? chosen_hash[s*{} +: {}] : {{{}, {}}};\n"
      "    end\n"
      "  endgenerate\n",
      slots, index_width - 1, index_width, index_width, channels * in_width - 1, channels * in_width,
      channels * in_width, channels, channels, out_width, out_width, in_width, in_width, out_width,
      out_bus.hash_offset(), 2 * b, 2 * b, 2 * b, 2 * b, literal(b, 1, false), literal(b, 1, false));
  text += module_end();
  return text;
}

}  // namespace sparsepixels::codegen::verilog

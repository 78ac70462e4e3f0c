// SparseConv2D as Verilog (docs/rtl.md; semantics.md section 3): for every output slot and filter, the
// exact sum of weight x feature over the slots within the kernel radius, the bias only on a non-zero sum,
// one cast; inactive slots output zero; the hash passes through.
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "verilog_text.h"

namespace sparsepixels::codegen::verilog {

std::string emit_sparse_conv(const layers::FixedLayer& layer, const std::string& name, int hash_width) {
  const spec::ResolvedLayer& info = layer.info();
  const spec::LayerTypes& types = info.types;
  const FixedType& in_type = layer.input_type();
  const int slots = info.input.slots, channels = info.input.channels, filters = info.spec.filters;
  const int kernel = info.spec.kernel, radius = (kernel - 1) / 2;
  const int b = hash_width;
  const BusLayout in_bus = input_bus(layer, b), out_bus = output_bus(layer, b);
  const int in_width = in_type.width, out_width = types.result.width;
  const int x_width = in_width + (in_type.is_signed ? 0 : 1);
  const int w_width = types.weight.width + (types.weight.is_signed ? 0 : 1);
  const int b_width = types.bias.width + (types.bias.is_signed ? 0 : 1);
  const int product_width = w_width + x_width;
  const int terms = slots * channels;
  const int sum_width =
      std::max(product_width + bits_for(static_cast<std::size_t>(terms)), types.accum.width + 1);
  const int product_fraction = types.weight.fraction() + in_type.fraction();
  const int sum_fraction = std::max(product_fraction, types.bias.fraction());
  const int sum_shift = sum_fraction - product_fraction, bias_shift = sum_fraction - types.bias.fraction();
  const int total_width = std::max(sum_width + sum_shift, b_width + bias_shift) + 1;
  const std::vector<std::int64_t>& weights = layer.weights_raw();
  const std::vector<std::int64_t>& biases = layer.biases_raw();
  auto weight = [&](int kr, int kc, int c, int f) {
    return weights[((static_cast<std::size_t>(kr) * kernel + kc) * channels + c) * filters + f];
  };

  std::string text = fmt::format(
      "// Layer '{}' (SparseConv2D): {} slots, {} -> {} channels, {}x{} kernel; input {}, weights {},\n"
      "// bias {}, accumulator {} (sums exact in {} bits), result {}.\n",
      info.spec.name, slots, channels, filters, kernel, kernel, in_type.to_string(), types.weight.to_string(),
      types.bias.to_string(), types.accum.to_string(), sum_width, types.result.to_string());
  text += module_begin(name, "", in_bus, out_bus);
  text += cast_function("to_accum", {total_width, sum_fraction, true}, types.accum,
                        "exact sum to accumulator type");
  text += cast_function("cast_sum", operand_of(types.accum), types.result, "accumulator to result type");
  // One constant table per (channel, filter) with a non-zero tap, indexed by {row, col} of the tap (kw bits
  // each; entries outside the kernel are zero).
  const int kw = bits_for(static_cast<std::size_t>(kernel - 1));
  const int entries = 1 << (2 * kw);
  std::vector<std::vector<int>> used(static_cast<std::size_t>(filters));  // channels with a non-zero tap
  for (int f = 0; f < filters; ++f) {
    for (int c = 0; c < channels; ++c) {
      bool any = false;
      for (int kr = 0; kr < kernel; ++kr)
        for (int kc = 0; kc < kernel; ++kc) any = any || weight(kr, kc, c, f) != 0;
      if (!any) continue;
      used[static_cast<std::size_t>(f)].push_back(c);
      std::string rows;
      for (int kr = (1 << kw) - 1; kr >= 0; --kr) {
        std::string row;
        for (int kc = (1 << kw) - 1; kc >= 0; --kc) {
          const std::int64_t value = kr < kernel && kc < kernel ? weight(kr, kc, c, f) : 0;
          row += fmt::format("{}{}", row.empty() ? "" : ", ", literal(w_width, value, true));
        }
        rows += fmt::format("      {}{}  // kernel row {}\n", row, kr == 0 ? "" : ",", kr);
      }
      text += fmt::format(
          "\n  // Weights of input channel {}, filter {}: entry {{kernel row, kernel column}}, the last "
          "column first.\n"
          "  localparam [{}:0] WEIGHTS_C{}_F{} = {{\n{}  }};\n",
          c, f, entries * w_width - 1, c, f, rows);
    }
  }
  // The low kw bits of a (b+1)-bit offset (sign-extended when kw is wider).
  auto low_bits = [&](const std::string& name) {
    if (kw == b + 1) return name;
    if (kw < b + 1) return fmt::format("{}[{}:0]", name, kw - 1);
    return fmt::format("{{{{{}{{{}[{}]}}}}, {}}}", kw - b - 1, name, b, name);
  };
  const std::string lo = literal(b + 1, -radius, true), hi = literal(b + 1, radius, true);
  text += fmt::format(
      "\n"
      "  genvar o, i;\n"
      "  generate\n"
      "    for (o = 0; o < {}; o = o + 1) begin : g_out\n"
      "      wire [{}:0] row = in_data[{} + 2*o*{} +: {}];\n"
      "      wire [{}:0] col = in_data[{} + (2*o + 1)*{} +: {}];\n"
      "      wire active = |in_data[o*{} +: {}];  // any input channel non-zero\n",
      slots, b - 1, in_bus.hash_offset(), b, b, b - 1, in_bus.hash_offset(), b, b, channels * in_width,
      channels * in_width);
  for (int f = 0; f < filters; ++f) {
    const auto& list = used[static_cast<std::size_t>(f)];
    if (list.empty()) continue;
    text += fmt::format("      wire [{}:0] terms_f{};  // (slot, channel) products of filter {}\n",
                        slots * static_cast<int>(list.size()) * product_width - 1, f, f);
  }
  text += fmt::format(
      "      for (i = 0; i < {}; i = i + 1) begin : g_in\n"
      "        wire signed [{}:0] row_offset = $signed({{1'b0, in_data[{} + 2*i*{} +: {}]}}) - "
      "$signed({{1'b0, row}});\n"
      "        wire signed [{}:0] col_offset = $signed({{1'b0, in_data[{} + (2*i + 1)*{} +: {}]}}) - "
      "$signed({{1'b0, col}});\n"
      "        wire near = row_offset >= {} && row_offset <= {} && col_offset >= {} && col_offset <= {};\n"
      "        wire [{}:0] tap = {{{} + {}, {} + {}}};  // {{kernel row, kernel column}} when near\n",
      slots, b, in_bus.hash_offset(), b, b, b, in_bus.hash_offset(), b, b, lo, hi, lo, hi, 2 * kw - 1,
      low_bits("row_offset"), literal(kw, radius, false), low_bits("col_offset"), literal(kw, radius, false));
  std::vector<bool> channel_used(static_cast<std::size_t>(channels), false);
  for (const auto& list : used)
    for (int c : list) channel_used[static_cast<std::size_t>(c)] = true;
  for (int c = 0; c < channels; ++c) {
    if (!channel_used[static_cast<std::size_t>(c)]) continue;
    const std::string raw = fmt::format("in_data[(i*{} + {})*{} +: {}]", channels, c, in_width, in_width);
    text += fmt::format(
        "        wire signed [{}:0] x_c{} = {};\n", x_width - 1, c,
        in_type.is_signed ? fmt::format("$signed({})", raw) : fmt::format("$signed({{1'b0, {}}})", raw));
  }
  for (int f = 0; f < filters; ++f) {
    const auto& list = used[static_cast<std::size_t>(f)];
    for (std::size_t u = 0; u < list.size(); ++u) {
      const int c = list[u];
      text += fmt::format(
          "        assign terms_f{}[(i*{} + {})*{} +: {}] = near ? $signed(WEIGHTS_C{}_F{}[tap*{} +: {}]) * "
          "x_c{} : "
          "{};\n",
          f, list.size(), u, product_width, product_width, c, f, w_width, w_width, c,
          literal(product_width, 0, true));
    }
  }
  text += "      end\n";
  for (int f = 0; f < filters; ++f) {
    const auto& list = used[static_cast<std::size_t>(f)];
    const std::string slice = fmt::format("result[(o*{} + {})*{} +: {}]", filters, f, out_width, out_width);
    if (list.empty()) {
      text +=
          fmt::format("      assign {} = {}'d0;  // filter {}: every weight is zero\n", slice, out_width, f);
      continue;
    }
    const int count = slots * static_cast<int>(list.size());
    text += fmt::format(
        "      // Filter {}: the exact sum, the bias only when it is non-zero, one cast.\n"
        "      reg signed [{}:0] sum_f{};\n"
        "      always @* begin : accumulate_f{}\n"
        "        integer t;\n"
        "        sum_f{} = {};\n"
        "        for (t = 0; t < {}; t = t + 1)\n"
        "          sum_f{} = sum_f{} + $signed({{{{{}{{terms_f{}[t*{} + {}]}}}}, terms_f{}[t*{} +: {}]}});\n"
        "      end\n",
        f, sum_width - 1, f, f, f, literal(sum_width, 0, true), count, f, f, sum_width - product_width, f,
        product_width, product_width - 1, f, product_width, product_width);
    const std::string aligned =
        sum_shift == 0 ? fmt::format("sum_f{}", f) : fmt::format("{{sum_f{}, {}'d0}}", f, sum_shift);
    const int aligned_width = sum_width + sum_shift;
    text += fmt::format(
        "      wire signed [{}:0] total_f{} = (sum_f{} == {}) ? {} : $signed({{{{{}{{sum_f{}[{}]}}}}, {}}}) "
        "+ {};\n"
        "      assign {} = active ? cast_sum(to_accum(total_f{})) : {}'d0;\n",
        total_width - 1, f, f, literal(sum_width, 0, true), literal(total_width, 0, true),
        total_width - aligned_width, f, sum_width - 1, aligned,
        literal(total_width, fixed::Int128(biases[static_cast<std::size_t>(f)]) << bias_shift, true), slice,
        f, out_width);
  }
  text += fmt::format(
      "    end\n"
      "  endgenerate\n\n"
      "  assign result[{} +: {}] = in_data[{} +: {}];  // hash unchanged\n",
      out_bus.hash_offset(), 2 * slots * b, in_bus.hash_offset(), 2 * slots * b);
  text += module_end();
  return text;
}

}  // namespace sparsepixels::codegen::verilog

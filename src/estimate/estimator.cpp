#include "sparsepixels/estimate/estimator.h"

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "model_terms.h"
#include "sparsepixels/error.h"
#include "sparsepixels/util/atomic_file.h"

namespace sparsepixels::estimate {

namespace detail {

namespace {

int ceil_log2(long long value) {
  int bits = 0;
  while ((1LL << bits) < value) ++bits;
  return bits;
}

bool is_power_of_two(long long value) {
  return value > 0 && (value & (value - 1)) == 0;
}

/// Whether an a x b multiplier goes to DSP blocks (narrow ones become LUT logic).
bool on_dsp(int a_bits, int b_bits, const Coefficients& coefficients) {
  return std::min(a_bits, b_bits) >= coefficients.dsp_min_operand_bits;
}

/// DSP48E2 blocks for one a x b multiplier (27 x 18 bit primitive).
double dsp_blocks(int a_bits, int b_bits) {
  const int wide = std::max(a_bits, b_bits);
  const int narrow = std::min(a_bits, b_bits);
  return std::ceil(wide / 27.0) * std::ceil(narrow / 18.0);
}

/// Structural LUT units of a multiplier: a x b partial-product bits in fabric, none on a DSP.
double multiplier_units(int a_bits, int b_bits, const Coefficients& coefficients) {
  return on_dsp(a_bits, b_bits, coefficients) ? 0.0 : static_cast<double>(a_bits) * b_bits;
}

/// Logic units and DSP blocks of the constant-weight multipliers of a dense or streaming conv layer.
struct ConstantWeightCost {
  double units = 0;           ///< logic (LUT) units
  double register_units = 0;  ///< pipeline-register (FF) units: every non-zero product at accumulator width
  double dsp_blocks = 0;      ///< before the share HLS actually maps to DSPs (dense_dsp_fraction)
};

/// A constant multiplier in fabric adds one shifted copy of its input per non-zero CSD digit of its
/// weight beyond the first (an adder of input + weight bits each: a zero or a power of two costs no
/// adder), and every non-zero product is one addend of the layer's accumulator-wide adder tree.
/// Wide multipliers (both operands >= dsp_min_operand_bits) go to DSPs in the share
/// dense_dsp_fraction (HLS keeps cheap constants in fabric); those cost only their addend.
ConstantWeightCost constant_weight_cost(const StageSpec& layer, const LayerShape& shape, double weights,
                                        int fan_in, int fan_out, const Coefficients& coefficients) {
  const WeightDigits digits = constant_weight_digits(layer, fan_in, fan_out);
  const double adders_per_weight = std::max(0.0, digits.mean_digits - digits.nonzero_share);
  const double fabric_units = weights * (adders_per_weight * (shape.input_bits + layer.weight_bits) +
                                         digits.nonzero_share * shape.accumulator_bits);
  ConstantWeightCost cost;
  // Registers hold products and partial sums, not the shift-and-add internals of a multiplier.
  cost.register_units = weights * digits.nonzero_share * shape.accumulator_bits;
  if (on_dsp(shape.input_bits, layer.weight_bits, coefficients)) {
    const double on_dsps = std::clamp(coefficients.dense_dsp_fraction, 0.0, 1.0);
    const double dsp_units = weights * digits.nonzero_share * shape.accumulator_bits;
    cost.units = on_dsps * dsp_units + (1.0 - on_dsps) * fabric_units;
    cost.dsp_blocks = weights * digits.nonzero_share * dsp_blocks(shape.input_bits, layer.weight_bits);
  } else {
    cost.units = fabric_units;
  }
  return cost;
}

/// Dense layers, activations on flat data and the output activations: the same in both architectures.
void add_head_layer(const StageSpec& layer, const LayerShape& shape, const Coefficients& coefficients,
                    LayerTerms& terms) {
  switch (layer.kind) {
    case StageKind::Dense: {
      const double weights = static_cast<double>(shape.inputs) * layer.units;
      const ConstantWeightCost cost =
          constant_weight_cost(layer, shape, weights, shape.inputs, layer.units, coefficients);
      terms.lut.add(&Coefficients::lut_per_dense_unit, cost.units);
      terms.ff.add(&Coefficients::ff_per_fixed_unit, cost.register_units);
      if (cost.dsp_blocks > 0) {
        terms.dsp.add(&Coefficients::dense_dsp_fraction, cost.dsp_blocks);
        terms.latency.add(&Coefficients::dsp_stage_extra_cycles, 1.0);
      }
      terms.latency.add(&Coefficients::dense_base_cycles, 1.0)
          .add(&Coefficients::dense_cycles_per_level, std::log2(static_cast<double>(shape.inputs)));
      terms.ii.add(1.0);
      break;
    }
    case StageKind::Activation: {
      const double units = static_cast<double>(shape.inputs) * shape.input_bits;
      terms.lut.add(&Coefficients::lut_per_dense_unit, units);
      terms.ff.add(&Coefficients::ff_per_fixed_unit, units);
      terms.ii.add(1.0);
      break;
    }
    case StageKind::Softmax:
    case StageKind::Sigmoid: {
      const double classes = shape.inputs;
      // Index arithmetic and, for softmax, the max and sum trees and the final products.
      double units = classes * (shape.input_bits + layer.table_bits);
      if (layer.kind == StageKind::Softmax) {
        units += classes * (2.0 * layer.table_bits +
                            multiplier_units(layer.table_bits, layer.table_bits, coefficients));
        if (on_dsp(layer.table_bits, layer.table_bits, coefficients)) {
          terms.dsp.add(classes * dsp_blocks(layer.table_bits, layer.table_bits));
        }
        terms.latency.add(&Coefficients::softmax_base_cycles, 1.0)
            .add(ceil_log2(static_cast<long long>(classes)));
      } else {
        terms.latency.add(&Coefficients::sigmoid_cycles, 1.0);
      }
      terms.lut.add(&Coefficients::lut_per_dense_unit, units);
      terms.ff.add(&Coefficients::ff_per_fixed_unit, units);
      // Tables are ROMs in block RAM halves (18 Kb), one dual-port copy per two parallel reads.
      const double table_kbits = static_cast<double>(layer.table_size) * layer.table_bits / 1024.0;
      const double halves_per_copy = std::ceil(table_kbits / 18.0);
      const double copies = std::ceil(classes / 2.0) + (layer.kind == StageKind::Softmax ? 1.0 : 0.0);
      terms.bram36 = 0.5 * halves_per_copy * copies;
      terms.ii.add(1.0);
      break;
    }
    case StageKind::Conv:  // the body stages are costed by the architecture's own loop
    case StageKind::Pool:
    case StageKind::Flatten:
      break;
  }
}

/// Stage latencies were calibrated at the reference clock; at another clock the same logic depth is
/// cut into proportionally more or fewer cycles (first-order extrapolation, not calibrated).
double clock_factor(const DesignSpec& design) {
  return kReferenceEffectivePeriodNs / (design.clock_ns * (1.0 - design.clock_uncertainty));
}

const char* kind_name(StageKind kind) {
  switch (kind) {
    case StageKind::Conv:
      return "conv";
    case StageKind::Activation:
      return "activation";
    case StageKind::Pool:
      return "pool";
    case StageKind::Flatten:
      return "flatten";
    case StageKind::Dense:
      return "dense";
    case StageKind::Softmax:
      return "softmax";
    case StageKind::Sigmoid:
      return "sigmoid";
  }
  return "unknown";
}

DesignTerms build_sparse_terms(const DesignSpec& design, const std::vector<LayerShape>& shapes,
                               const Coefficients& coefficients) {
  DesignTerms result;
  const double n = design.n_active;
  const int hash_bits = coordinate_bits(design.height, design.width);
  const long long pixels = static_cast<long long>(design.height) * design.width;

  LayerTerms reduce;
  reduce.name = "input_reduce";
  reduce.kind = "input_reduce";
  const int per_slot = reduction_cycles_per_slot(static_cast<int>(pixels), design, coefficients);
  reduce.latency.add(per_slot * n).add(&Coefficients::reduce_extra_cycles, 1.0);
  reduce.ii = reduce.latency;
  double reduce_units = static_cast<double>(pixels) * design.channels * design.input_bits;
  // top-k compares values at every tree node instead of one active bit (assumption, not calibrated).
  if (design.selection == SelectionPolicy::TopK)
    reduce_units += static_cast<double>(pixels) * design.input_bits;
  reduce.lut.add(&Coefficients::lut_per_reduce_bit, reduce_units);
  reduce.ff.add(&Coefficients::ff_per_reduce_unit, reduce_units);
  result.layers.push_back(reduce);

  for (std::size_t index = 0; index < design.layers.size(); ++index) {
    const StageSpec& layer = design.layers[index];
    const LayerShape& shape = shapes[index];
    LayerTerms terms;
    terms.name = layer.name.empty() ? std::string(kind_name(layer.kind)) + std::to_string(index) : layer.name;
    terms.kind = kind_name(layer.kind);
    const double channels = shape.channels;
    const double channel_levels = std::log2(channels);
    switch (layer.kind) {
      case StageKind::Conv: {
        const double macs = n * n * channels * layer.filters;
        // Each product's weight comes from a K^2-way multiplexer of constants selected by the slot
        // pair's offset: weight_bits functions of ceil(log2(K^2)) select bits, 2^(s - 6) LUT6 each
        // beyond six inputs.
        const int select_bits = ceil_log2(static_cast<long long>(layer.kernel_size) * layer.kernel_size);
        const double lut6_per_bit = std::ldexp(1.0, std::max(0, select_bits - 6));
        const double units = n * n * 4.0 * hash_bits +
                             macs * (multiplier_units(shape.input_bits, layer.weight_bits, coefficients) +
                                     shape.accumulator_bits + layer.weight_bits * lut6_per_bit) +
                             n * layer.filters * shape.accumulator_bits;
        terms.lut.add(&Coefficients::lut_per_slot_unit, units);
        terms.ff.add(&Coefficients::ff_per_slot_unit, units);
        terms.latency.add(&Coefficients::conv_base_cycles, 1.0)
            .add(&Coefficients::cycles_per_slot, n)
            .add(&Coefficients::cycles_per_channel_level, channel_levels);
        if (on_dsp(shape.input_bits, layer.weight_bits, coefficients)) {
          terms.dsp.add(macs * dsp_blocks(shape.input_bits, layer.weight_bits));
          terms.latency.add(&Coefficients::dsp_stage_extra_cycles, 1.0);
        }
        terms.ii.add(1.0);
        break;
      }
      case StageKind::Activation:
        if (shape.flat) {
          add_head_layer(layer, shape, coefficients, terms);
        } else {
          const double units = n * channels * shape.input_bits;
          terms.lut.add(&Coefficients::lut_per_slot_unit, units);
          terms.ff.add(&Coefficients::ff_per_slot_unit, units);
          terms.ii.add(1.0);
        }
        break;
      case StageKind::Pool: {
        double units = n * n * (2.0 * hash_bits + channels * shape.accumulator_bits);
        const long long area = static_cast<long long>(layer.pool_height) * layer.pool_width;
        if (layer.pool_kind == PoolKind::Average && !is_power_of_two(area)) {
          // Product with the 18-bit reciprocal of section 11.5, one per slot and channel.
          units += n * channels * multiplier_units(shape.accumulator_bits, 18, coefficients);
          if (on_dsp(shape.accumulator_bits, 18, coefficients)) {
            terms.dsp.add(&Coefficients::dense_dsp_fraction,
                          n * channels * dsp_blocks(shape.accumulator_bits, 18));
          }
        }
        terms.lut.add(&Coefficients::lut_per_slot_unit, units);
        terms.ff.add(&Coefficients::ff_per_slot_unit, units);
        terms.latency.add(&Coefficients::pool_base_cycles, 1.0)
            .add(&Coefficients::cycles_per_slot, n)
            .add(&Coefficients::cycles_per_channel_level, channel_levels);
        terms.ii.add(1.0);
        break;
      }
      case StageKind::Flatten: {
        // Every output position selects among the N slots.
        const double units = static_cast<double>(shape.outputs) * n * (shape.input_bits + 3.0) / 3.0;
        terms.lut.add(&Coefficients::lut_per_slot_unit, units);
        terms.ff.add(&Coefficients::ff_per_slot_unit, units);
        terms.latency.add(&Coefficients::flatten_base_cycles, 1.0).add(&Coefficients::cycles_per_slot, n);
        terms.ii.add(1.0);
        break;
      }
      case StageKind::Dense:
      case StageKind::Sigmoid:
      case StageKind::Softmax:
        add_head_layer(layer, shape, coefficients, terms);
        break;
    }
    terms.latency.scale(clock_factor(design));
    result.layers.push_back(terms);
  }

  LayerTerms overhead;
  overhead.name = "top_overhead";
  overhead.kind = "top_overhead";
  overhead.latency.add(&Coefficients::stage_handoff_cycles, static_cast<double>(result.layers.size() - 1));
  result.layers.push_back(overhead);

  for (const LayerTerms& terms : result.layers) result.latency += terms.latency;
  result.ii = result.layers.front().latency;
  result.ii.add(&Coefficients::design_ii_extra_cycles, 1.0);
  result.latency_is_layer_sum = true;
  return result;
}

DesignTerms build_stream_terms(const DesignSpec& design, const std::vector<LayerShape>& shapes,
                               const Coefficients& coefficients) {
  DesignTerms result;
  result.latency_is_layer_sum = false;
  bool first_conv = true;
  bool pooled_since_conv = false;
  double longest_conv = 0;
  Term longest_conv_term;
  for (std::size_t index = 0; index < design.layers.size(); ++index) {
    const StageSpec& layer = design.layers[index];
    const LayerShape& shape = shapes[index];
    LayerTerms terms;
    terms.name = layer.name.empty() ? std::string(kind_name(layer.kind)) + std::to_string(index) : layer.name;
    terms.kind = kind_name(layer.kind);
    const double channels = shape.channels;
    const double pixels = static_cast<double>(shape.height) * shape.width;
    switch (layer.kind) {
      case StageKind::Conv: {
        const int padding = layer.kernel_size - 1;
        const double rows = shape.height + padding;
        const double columns = shape.width + padding;
        terms.latency.add(rows * columns).add(&Coefficients::stream_row_overhead_cycles, rows);
        terms.ii = terms.latency;
        // Each multiplier of a streaming conv has one constant weight, costed like a dense layer's.
        const int window = layer.kernel_size * layer.kernel_size;
        const double weights = static_cast<double>(window) * channels * layer.filters;
        const ConstantWeightCost cost = constant_weight_cost(layer, shape, weights, window * shape.channels,
                                                             window * layer.filters, coefficients);
        const double line_buffer_bits =
            static_cast<double>(padding) * shape.width * channels * shape.input_bits;
        terms.lut.add(&Coefficients::lut_per_slot_unit, cost.units + line_buffer_bits / 32.0);
        terms.ff.add(&Coefficients::ff_per_slot_unit, cost.register_units + line_buffer_bits / 32.0);
        if (cost.dsp_blocks > 0) terms.dsp.add(&Coefficients::dense_dsp_fraction, cost.dsp_blocks);
        const double standalone = terms.latency.evaluate(coefficients);
        if (first_conv) {
          result.latency += terms.latency;
        } else if (!pooled_since_conv) {
          // A follow-on conv at the same resolution adds most of its own time in the HLS report.
          result.latency.add(&Coefficients::stream_serial_fraction, standalone);
        }
        if (standalone > longest_conv) {
          longest_conv = standalone;
          longest_conv_term = terms.latency;
        }
        first_conv = false;
        pooled_since_conv = false;
        break;
      }
      case StageKind::Activation:
        if (shape.flat) {
          add_head_layer(layer, shape, coefficients, terms);
        } else {
          const double units = channels * shape.input_bits;
          terms.lut.add(&Coefficients::lut_per_slot_unit, units);
          terms.ff.add(&Coefficients::ff_per_slot_unit, units);
          terms.latency.add(pixels);
          terms.ii.add(pixels);
        }
        break;
      case StageKind::Pool: {
        const double units =
            shape.width * channels * shape.accumulator_bits / 32.0 + channels * shape.accumulator_bits;
        terms.lut.add(&Coefficients::lut_per_slot_unit, units);
        terms.ff.add(&Coefficients::ff_per_slot_unit, units);
        terms.latency.add(pixels);
        terms.ii.add(pixels);
        pooled_since_conv = true;
        break;
      }
      case StageKind::Flatten:
        terms.latency.add(static_cast<double>(shape.outputs));
        terms.ii.add(static_cast<double>(shape.outputs));
        break;
      case StageKind::Dense:
      case StageKind::Sigmoid:
      case StageKind::Softmax:
        add_head_layer(layer, shape, coefficients, terms);
        terms.latency.scale(clock_factor(design));
        break;
    }
    result.layers.push_back(terms);
  }
  if (first_conv) result.latency.add(static_cast<double>(design.height) * design.width);
  result.latency.add(&Coefficients::stream_tail_cycles, 1.0);
  result.ii = first_conv ? Term{}.add(static_cast<double>(design.height) * design.width) : longest_conv_term;
  return result;
}

}  // namespace

int reduction_cycles_per_slot(int pixels, const DesignSpec& design, const Coefficients& coefficients) {
  const double effective_period = design.clock_ns * (1.0 - design.clock_uncertainty);
  double levels_per_cycle = coefficients.tree_levels_per_ns * effective_period;
  // top-k compares values at each node: assume half the levels per cycle (not calibrated).
  if (design.selection == SelectionPolicy::TopK) levels_per_cycle /= 2.0;
  const int depth = ceil_log2(pixels);
  if (levels_per_cycle <= 0) throw Error("estimator: tree_levels_per_ns must be positive");
  const double cycles = std::ceil((depth + coefficients.tree_level_offset) / levels_per_cycle - 1e-9);
  return std::max(1, static_cast<int>(cycles));
}

DesignTerms build_terms(const DesignSpec& design, const Coefficients& coefficients) {
  const std::vector<LayerShape> shapes = propagate_shapes(design);
  return design.architecture == Architecture::Sparse ? build_sparse_terms(design, shapes, coefficients)
                                                     : build_stream_terms(design, shapes, coefficients);
}

}  // namespace detail

Resources& Resources::operator+=(const Resources& other) {
  lut += other.lut;
  ff += other.ff;
  dsp += other.dsp;
  bram36 += other.bram36;
  return *this;
}

const std::vector<Part>& known_parts() {
  // Capacities: see docs/estimator.md for the sources.
  static const std::vector<Part> parts = {
      {"xcu250", 1728000, 3456000, 12288, 2688},
  };
  return parts;
}

const Part* find_part(const std::string& part_name) {
  std::string lower = part_name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char character) { return static_cast<char>(std::tolower(character)); });
  const Part* best = nullptr;
  for (const Part& part : known_parts()) {
    if (lower.rfind(part.prefix, 0) == 0 && (best == nullptr || part.prefix.size() > best->prefix.size()))
      best = &part;
  }
  return best;
}

namespace {

/// 2100000 -> "2,100,000".
std::string with_thousands(double value) {
  const std::string digits = std::to_string(std::llround(std::abs(value)));
  std::string text;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) text += ',';
    text += digits[i];
  }
  return value < 0 ? "-" + text : text;
}

}  // namespace

std::vector<std::string> utilization_messages(const DesignEstimate& estimate) {
  std::vector<std::string> messages;
  if (!estimate.capacity) {
    std::string known;
    for (const Part& part : known_parts()) known += (known.empty() ? "" : ", ") + part.prefix + "*";
    messages.push_back(
        fmt::format("warning: {}: unknown part '{}' (known devices: {}): utilization cannot be checked",
                    estimate.name, estimate.part, known));
    return messages;
  }
  const Part& part = *estimate.capacity;
  for (const LayerEstimate& layer : estimate.layers) {
    if (layer.kind != "input_reduce" || layer.resources.lut <= static_cast<double>(part.lut)) continue;
    const double pixels = static_cast<double>(estimate.input_height) * estimate.input_width;
    messages.push_back(fmt::format(
        "warning: {}: the input reduction alone is estimated at {} LUTs ({:.0f} per pixel of the {}x{} dense "
        "input), more than the part {} has ({}): this design does not fit it. Inputs this large need the "
        "hits "
        "read in hardware (a hit-list input, a later step that convert does not generate yet)",
        estimate.name, with_thousands(layer.resources.lut), pixels > 0 ? layer.resources.lut / pixels : 0.0,
        estimate.input_height, estimate.input_width, estimate.part,
        with_thousands(static_cast<double>(part.lut))));
  }
  const std::pair<const char*, std::pair<double, double>> usage[] = {
      {"LUT", {estimate.resources.lut, static_cast<double>(part.lut)}},
      {"FF", {estimate.resources.ff, static_cast<double>(part.ff)}},
      {"DSP", {estimate.resources.dsp, static_cast<double>(part.dsp)}},
      {"BRAM36", {estimate.resources.bram36, part.bram36}}};
  for (const auto& [resource, amounts] : usage) {
    const auto [used, available] = amounts;
    if (available <= 0) continue;
    if (used > available) {
      messages.push_back(fmt::format("warning: {}: estimated {} {} exceeds the part {} ({})", estimate.name,
                                     resource, with_thousands(used), estimate.part,
                                     with_thousands(available)));
    } else if (used > kUtilizationNoteShare * available) {
      messages.push_back(fmt::format("note: {}: estimated {} {} is {:.1f}% of the part {} ({})",
                                     estimate.name, resource, with_thousands(used), 100.0 * used / available,
                                     estimate.part, with_thousands(available)));
    }
  }
  return messages;
}

DesignEstimate estimate_design(const DesignSpec& design, const Coefficients& coefficients) {
  const detail::DesignTerms terms = detail::build_terms(design, coefficients);
  DesignEstimate estimate;
  estimate.name = design.name;
  estimate.clock_ns = design.clock_ns;
  estimate.part = design.part;
  estimate.input_height = design.height;
  estimate.input_width = design.width;
  if (const Part* part = find_part(design.part)) estimate.capacity = *part;
  std::int64_t layer_latency_sum = 0;
  for (const detail::LayerTerms& layer : terms.layers) {
    LayerEstimate entry;
    entry.name = layer.name;
    entry.kind = layer.kind;
    // Every stage with logic takes at least a cycle; activations fold into their neighbours.
    const std::int64_t least = (entry.kind == "activation" || entry.kind == "top_overhead") ? 0 : 1;
    entry.latency_cycles = std::max<std::int64_t>(least, std::llround(layer.latency.evaluate(coefficients)));
    entry.ii_cycles = std::max<std::int64_t>(entry.kind == "top_overhead" ? 0 : 1,
                                             std::llround(layer.ii.evaluate(coefficients)));
    entry.resources.lut = std::max(0.0, std::round(layer.lut.evaluate(coefficients)));
    entry.resources.ff = std::max(0.0, std::round(layer.ff.evaluate(coefficients)));
    entry.resources.dsp = std::max(0.0, std::round(layer.dsp.evaluate(coefficients)));
    entry.resources.bram36 = layer.bram36;
    layer_latency_sum += entry.latency_cycles;
    estimate.resources += entry.resources;
    estimate.layers.push_back(entry);
  }
  estimate.latency_cycles =
      terms.latency_is_layer_sum ? layer_latency_sum : std::llround(terms.latency.evaluate(coefficients));
  estimate.ii_cycles = std::max<std::int64_t>(1, std::llround(terms.ii.evaluate(coefficients)));
  return estimate;
}

nlohmann::json to_json(const DesignEstimate& estimate) {
  auto resources_json = [](const Resources& resources) {
    return nlohmann::json{{"lut", static_cast<std::int64_t>(resources.lut)},
                          {"ff", static_cast<std::int64_t>(resources.ff)},
                          {"dsp", static_cast<std::int64_t>(resources.dsp)},
                          {"bram", resources.bram36}};
  };
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerEstimate& layer : estimate.layers) {
    layers.push_back({{"name", layer.name},
                      {"kind", layer.kind},
                      {"latency_cycles", layer.latency_cycles},
                      {"ii_cycles", layer.ii_cycles},
                      {"resources", resources_json(layer.resources)}});
  }
  nlohmann::json utilization = nullptr;
  if (estimate.capacity) {
    const Part& part = *estimate.capacity;
    utilization = {{"lut", estimate.resources.lut / static_cast<double>(part.lut)},
                   {"ff", estimate.resources.ff / static_cast<double>(part.ff)},
                   {"dsp", estimate.resources.dsp / static_cast<double>(part.dsp)},
                   {"bram", estimate.resources.bram36 / part.bram36}};
  }
  return nlohmann::json{{"design", estimate.name},
                        {"latency_cycles", estimate.latency_cycles},
                        {"ii_cycles", estimate.ii_cycles},
                        {"clock_ns", estimate.clock_ns},
                        {"latency_ns", static_cast<double>(estimate.latency_cycles) * estimate.clock_ns},
                        {"part", estimate.part},
                        {"resources", resources_json(estimate.resources)},
                        {"utilization", utilization},
                        {"layers", layers}};
}

void write_estimate_json(const DesignEstimate& estimate, const std::string& path) {
  const std::string text = to_json(estimate).dump(2) + "\n";
  if (path == "-") {
    std::cout << text << std::flush;
    return;
  }
  util::write_file_atomically(path, text);
}

std::string format_estimate(const DesignEstimate& estimate) {
  std::string text = fmt::format("{:<16} {:<13} {:>9} {:>9} {:>10} {:>10} {:>7} {:>7}\n", "layer", "kind",
                                 "latency", "II", "LUT", "FF", "DSP", "BRAM36");
  for (const LayerEstimate& layer : estimate.layers) {
    text += fmt::format("{:<16} {:<13} {:>9} {:>9} {:>10.0f} {:>10.0f} {:>7.0f} {:>7.1f}\n", layer.name,
                        layer.kind, layer.latency_cycles, layer.ii_cycles, layer.resources.lut,
                        layer.resources.ff, layer.resources.dsp, layer.resources.bram36);
  }
  text += fmt::format("{:<16} {:<13} {:>9} {:>9} {:>10.0f} {:>10.0f} {:>7.0f} {:>7.1f}\n", "total", "",
                      estimate.latency_cycles, estimate.ii_cycles, estimate.resources.lut,
                      estimate.resources.ff, estimate.resources.dsp, estimate.resources.bram36);
  text += fmt::format("latency {:.1f} ns at {} ns clock; ",
                      static_cast<double>(estimate.latency_cycles) * estimate.clock_ns, estimate.clock_ns);
  if (estimate.capacity) {
    const Part& part = *estimate.capacity;
    text += fmt::format("utilization of {}: LUT {:.1f}%, FF {:.1f}%, DSP {:.1f}%, BRAM {:.1f}%\n",
                        estimate.part, 100.0 * estimate.resources.lut / static_cast<double>(part.lut),
                        100.0 * estimate.resources.ff / static_cast<double>(part.ff),
                        100.0 * estimate.resources.dsp / static_cast<double>(part.dsp),
                        100.0 * estimate.resources.bram36 / part.bram36);
  } else {
    text += fmt::format("part {} unknown: utilization cannot be checked\n", estimate.part);
  }
  return text;
}

}  // namespace sparsepixels::estimate

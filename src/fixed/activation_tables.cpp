#include "sparsepixels/fixed/activation_tables.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "sparsepixels/error.h"

namespace sparsepixels::fixed {
namespace {

constexpr std::size_t kMaxTableSize = std::size_t{1} << 20;
constexpr int kMaxRangeLog2 = 30;

int log2_exact(std::size_t size) {
  int bits = 0;
  while ((std::size_t{1} << bits) < size) ++bits;
  return bits;
}

/// The table type with round-half-to-even and saturation: tables are always rounded that way.
FixedType rounding_type(const FixedType& table_type) {
  table_type.validate();
  FixedType rounded = table_type;
  rounded.quantization = Quantization::RND_CONV;
  rounded.overflow = Overflow::SAT;
  rounded.saturation_bits = 0;
  return rounded;
}

void require_signedness(const TableLayout& layout, bool is_signed, const char* table) {
  layout.validate();
  if (layout.is_signed != is_signed) {
    throw Error(std::string("activation table '") + table + "': field is_signed must be " +
                (is_signed ? "true" : "false") + " (the kernel's index function)");
  }
}

template <typename Function>
std::vector<std::int64_t> tabulate(const FixedType& table_type, const TableLayout& layout,
                                   Function function) {
  const FixedType rounded = rounding_type(table_type);
  std::vector<std::int64_t> table(layout.size);
  for (std::size_t entry = 0; entry < layout.size; ++entry) {
    table[entry] = rounded.quantize_raw(function(layout.bin_centre(entry)));
  }
  return table;
}

}  // namespace

void TableLayout::validate() const {
  if (size < 2 || size > kMaxTableSize || (size & (size - 1)) != 0) {
    throw Error("activation table: field size = " + std::to_string(size) +
                " must be a power of two between 2 and " + std::to_string(kMaxTableSize));
  }
  if (range_log2 < -kMaxRangeLog2 || range_log2 > kMaxRangeLog2) {
    throw Error("activation table: field range_log2 = " + std::to_string(range_log2) + " must be between " +
                std::to_string(-kMaxRangeLog2) + " and " + std::to_string(kMaxRangeLog2));
  }
}

FixedType TableLayout::index_type() const {
  validate();
  FixedType type;
  type.width = log2_exact(size);
  type.integer = is_signed ? range_log2 + 1 : range_log2;
  type.is_signed = is_signed;
  type.quantization = Quantization::TRN;
  type.overflow = Overflow::SAT;
  return type;
}

double TableLayout::bin_width() const {
  validate();
  const int range_bits = is_signed ? range_log2 + 1 : range_log2;
  return std::ldexp(1.0, range_bits - log2_exact(size));
}

double TableLayout::bin_centre(std::size_t entry) const {
  const double start = is_signed ? -std::ldexp(1.0, range_log2) : 0.0;
  // Exact in double: powers of two times integers well below 2^53.
  return start + (static_cast<double>(entry) + 0.5) * bin_width();
}

std::size_t TableLayout::index(std::int64_t raw, int fraction) const {
  const std::int64_t bins = index_type().cast_raw(raw, fraction);
  const std::int64_t offset = is_signed ? static_cast<std::int64_t>(size / 2) : 0;
  return static_cast<std::size_t>(bins + offset);
}

std::vector<std::int64_t> sigmoid_table(const FixedType& table_type, const TableLayout& layout) {
  require_signedness(layout, true, "sigmoid");
  return tabulate(table_type, layout, [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
}

std::vector<std::int64_t> softmax_exp_table(const FixedType& table_type, const TableLayout& layout) {
  require_signedness(layout, false, "softmax exponential");
  return tabulate(table_type, layout, [](double difference) { return std::exp(-difference); });
}

std::vector<std::int64_t> softmax_inverse_table(const FixedType& table_type, const TableLayout& layout) {
  require_signedness(layout, false, "softmax inverse");
  return tabulate(table_type, layout, [](double sum) { return 1.0 / sum; });
}

std::vector<std::int64_t> hls4ml_sigmoid_table(const FixedType& table_type, std::size_t size) {
  TableLayout{size, 3, true}.validate();
  table_type.validate();
  std::vector<std::int64_t> table(size);
  for (std::size_t entry = 0; entry < size; ++entry) {
    // hls4ml's float steps: the left edge of the bin, then 1.0 / (1 + expf(-x)) rounded to float.
    const float edge = static_cast<float>(16.0 * (static_cast<double>(entry) - size / 2.0) / size);
    const float value = static_cast<float>(1.0 / (1.0f + std::exp(-edge)));
    table[entry] = table_type.quantize_raw(value);
  }
  return table;
}

std::size_t hls4ml_sigmoid_index(std::size_t size, std::int64_t raw, int fraction) {
  // x * size / 16 = raw * 2^(log2(size) - 4 - fraction), truncated toward zero (a C cast to int).
  const int shift = log2_exact(size) - 4 - fraction;
  Int128 scaled = raw;
  if (shift >= 0) {
    scaled *= Int128(1) << std::min(shift, 100);
  } else {
    scaled = -shift >= 100 ? 0 : scaled / (Int128(1) << -shift);  // C division truncates toward zero
  }
  const Int128 index = scaled + static_cast<Int128>(size / 2);
  if (index < 0) return 0;
  if (index > static_cast<Int128>(size - 1)) return size - 1;
  return static_cast<std::size_t>(index);
}

double hls4ml_table_address(const FixedType& address_type, std::size_t entry, std::size_t size) {
  const int bits = log2_exact(size);
  // The top `bits` bits of a width-bit pattern; signed types read it in two's complement.
  std::int64_t top = static_cast<std::int64_t>(entry);
  if (address_type.is_signed && (entry >> (bits - 1)) != 0) top -= static_cast<std::int64_t>(size);
  return std::ldexp(static_cast<double>(top), address_type.width - bits - address_type.fraction());
}

std::size_t hls4ml_top_bits_index(const FixedType& address_type, std::int64_t raw, std::size_t size) {
  const int bits = log2_exact(size);
  const std::uint64_t pattern = static_cast<std::uint64_t>(raw);
  return static_cast<std::size_t>((pattern >> (address_type.width - bits)) & (size - 1));
}

std::vector<std::int64_t> hls4ml_softmax_exp_table(const FixedType& table_type, const FixedType& address_type,
                                                   std::size_t size) {
  TableLayout{size, 3, false}.validate();
  table_type.validate();
  std::vector<std::int64_t> table(size);
  for (std::size_t entry = 0; entry < size; ++entry) {
    const float x = static_cast<float>(hls4ml_table_address(address_type, entry, size));
    table[entry] = table_type.quantize_raw(std::exp(x));  // expf, as hls4ml's exp_fcn_float
  }
  return table;
}

std::vector<std::int64_t> hls4ml_softmax_inverse_table(const FixedType& table_type,
                                                       const FixedType& address_type, std::size_t size) {
  TableLayout{size, 3, false}.validate();
  table_type.validate();
  std::vector<std::int64_t> table(size);
  for (std::size_t entry = 0; entry < size; ++entry) {
    const float x = static_cast<float>(hls4ml_table_address(address_type, entry, size));
    table[entry] = x == 0.0f ? table_type.max_raw() : table_type.quantize_raw(1 / x);  // float division
  }
  return table;
}

std::string exact_decimal(std::int64_t raw, int fraction) {
  if (fraction > 60) {
    throw Error("exact_decimal: fraction = " + std::to_string(fraction) + " must be at most 60");
  }
  if (raw == 0) return "0";
  const bool negative = raw < 0;
  // The magnitude as unsigned: also correct for the most negative int64.
  const std::uint64_t magnitude =
      negative ? ~static_cast<std::uint64_t>(raw) + 1 : static_cast<std::uint64_t>(raw);
  std::string text = negative ? "-" : "";
  if (fraction <= 0) {
    // An integer: raw * 2^-fraction, with up to 64 - fraction bits; print it digit by digit.
    std::vector<std::uint32_t> limbs;  // base 10^9, little-endian
    limbs.push_back(static_cast<std::uint32_t>(magnitude % 1000000000u));
    limbs.push_back(static_cast<std::uint32_t>(magnitude / 1000000000u % 1000000000u));
    limbs.push_back(static_cast<std::uint32_t>(magnitude / 1000000000u / 1000000000u));
    for (int shift = 0; shift < -fraction; ++shift) {
      std::uint64_t carry = 0;
      for (auto& limb : limbs) {
        const std::uint64_t doubled = std::uint64_t{limb} * 2 + carry;
        limb = static_cast<std::uint32_t>(doubled % 1000000000u);
        carry = doubled / 1000000000u;
      }
      if (carry != 0) limbs.push_back(static_cast<std::uint32_t>(carry));
    }
    while (limbs.size() > 1 && limbs.back() == 0) limbs.pop_back();
    std::string digits = std::to_string(limbs.back());
    for (std::size_t i = limbs.size() - 1; i-- > 0;) {
      const std::string part = std::to_string(limbs[i]);
      digits += std::string(9 - part.size(), '0') + part;
    }
    return text + digits;
  }
  const std::uint64_t mask = (std::uint64_t{1} << fraction) - 1;
  text += std::to_string(magnitude >> fraction);
  std::uint64_t remainder = magnitude & mask;
  if (remainder != 0) text += '.';
  // Each step multiplies the remainder (< 2^fraction <= 2^60) by 10: no overflow in 64 bits.
  while (remainder != 0) {
    remainder *= 10;
    text += static_cast<char>('0' + (remainder >> fraction));
    remainder &= mask;
  }
  return text;
}

}  // namespace sparsepixels::fixed

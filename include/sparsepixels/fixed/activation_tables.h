#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sparsepixels/fixed/fixed_type.h"

namespace sparsepixels::fixed {

/// The shape of a lookup table over a power-of-two input range (docs/semantics.md, "Lookup tables").
///
/// A signed table covers [-2^range_log2, 2^range_log2), an unsigned one [0, 2^range_log2), each in
/// `size` equal bins (size a power of two). Entry k holds the function at the centre of bin k. The
/// index of an input is the input converted with AP_TRN (floor) and AP_SAT to the fixed type whose
/// raw integer counts bins (index_type()), offset by size/2 when signed; inputs outside the range
/// therefore read the end entries. This equals nnet::signed_table_index / unsigned_table_index.
struct TableLayout {
  std::size_t size = 1024;
  int range_log2 = 3;
  bool is_signed = true;

  /// Throws sparsepixels::Error naming the field if size is not a power of two in [2, 2^20] or
  /// range_log2 is outside [-30, 30].
  void validate() const;
  /// log2(size) bits, range_log2 + 1 (signed) or range_log2 (unsigned) integer bits, AP_TRN, AP_SAT.
  FixedType index_type() const;
  /// The width of one bin: 2^(range_log2+1)/size (signed) or 2^range_log2/size (unsigned).
  double bin_width() const;
  /// The input at the centre of bin `entry`.
  double bin_centre(std::size_t entry) const;
  /// The entry read for the exact input raw * 2^-fraction (a raw mantissa of any fixed type).
  std::size_t index(std::int64_t raw, int fraction) const;
};

/// The sigmoid table: entry k = 1 / (1 + exp(-centre_k)), rounded half to even and saturated to
/// `table_type` (the double result of the function is what is rounded). Returns raw mantissas.
/// Throws sparsepixels::Error for an invalid layout or type; `layout` must be signed.
std::vector<std::int64_t> sigmoid_table(const FixedType& table_type, const TableLayout& layout);

/// The softmax exponential table over differences d = max - x >= 0: entry k = exp(-centre_k),
/// rounded half to even and saturated to `table_type`. `layout` must be unsigned.
std::vector<std::int64_t> softmax_exp_table(const FixedType& table_type, const TableLayout& layout);

/// The softmax inverse table over sums s >= 0: entry k = 1 / centre_k, rounded half to even and
/// saturated to `table_type`. `layout` must be unsigned.
std::vector<std::int64_t> softmax_inverse_table(const FixedType& table_type, const TableLayout& layout);

// hls4ml's tables (arithmetic profile hls4ml, docs/semantics.md "Arithmetic profiles"): entries at
// the left edge of each bin, computed in float as hls4ml's kernels do and converted to the table type
// with that type's own modes; their index functions below.

/// hls4ml's sigmoid table of `size` entries over [-8, 8): entry k = sigmoid((k - size/2) / (size/16))
/// in float, converted to `table_type` with its modes.
std::vector<std::int64_t> hls4ml_sigmoid_table(const FixedType& table_type, std::size_t size);
/// hls4ml's sigmoid index of the exact input raw * 2^-fraction: trunc(x * size/16) (toward zero) +
/// size/2, clamped to [0, size - 1].
std::size_t hls4ml_sigmoid_index(std::size_t size, std::int64_t raw, int fraction);
/// The value addressed by entry `entry` of an hls4ml softmax table indexed by the top log2(size)
/// bits of `address_type`: that type with those bits set to `entry` and the others zero.
double hls4ml_table_address(const FixedType& address_type, std::size_t entry, std::size_t size);
/// The index of a raw value of `address_type` in such a table: its top log2(size) bits.
std::size_t hls4ml_top_bits_index(const FixedType& address_type, std::int64_t raw, std::size_t size);
/// hls4ml's softmax exponential table: entry i = exp(address_i) in float, address_i from the
/// softmax input type `address_type`; converted to `table_type` with its modes.
std::vector<std::int64_t> hls4ml_softmax_exp_table(const FixedType& table_type, const FixedType& address_type,
                                                   std::size_t size);
/// hls4ml's softmax inverse table: entry i = 1 / address_i in float, address_i from the exponential
/// table's type `address_type`; converted to `table_type` with its modes (1/0 saturates to the
/// largest value; that entry is never read, as a sum is at least 1).
std::vector<std::int64_t> hls4ml_softmax_inverse_table(const FixedType& table_type,
                                                       const FixedType& address_type, std::size_t size);

/// The exact decimal spelling of raw * 2^-fraction ("-0.3203125", "12", "0"), for writing table
/// entries as literals that convert to the table type without any rounding (a value printed with
/// too few digits and then truncated by AP_TRN was a known hls4ml bug). fraction must be <= 60.
std::string exact_decimal(std::int64_t raw, int fraction);

}  // namespace sparsepixels::fixed

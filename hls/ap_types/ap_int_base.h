// ap_int_base (the vendor's common base of ap_int and ap_uint), its bit and range references, and
// the operators between integers. Internal header: user code includes <ap_int.h>.
#ifndef SPARSEPIXELS_HLS_AP_INT_BASE_H
#define SPARSEPIXELS_HLS_AP_INT_BASE_H

#include "ap_common.h"

namespace ap_types_detail {

/// The vendor's result-type factory: ap_int<W> when signed, ap_uint<W> otherwise.
template <int W, bool S>
struct IntFactory {
  typedef ap_int<W> type;
};
template <int W>
struct IntFactory<W, false> {
  typedef ap_uint<W> type;
};

/// The ap type the vendor uses for a C integer type T: bool is ap_uint<1>, char follows its
/// signedness, every other type its size (int is ap_int<32>, long ap_int<64> on LP64).
template <class T>
struct CInteger {
  static const int width = std::is_same<T, bool>::value ? 1 : static_cast<int>(sizeof(T) * 8);
  static const bool is_signed = std::is_signed<T>::value;
};

template <class T, class R>
using IfInteger = typename std::enable_if<std::is_integral<T>::value, R>::type;

/// Bits of a C integer, sign- or zero-extended to 128.
template <class T>
inline uint128 bits_from_integer(T value) {
  return static_cast<uint128>(static_cast<int128>(value));
}

/// The operands of the vendor's ap_int / and %: both extended to max(W + S', W2 + S') bits
/// (S' = either signed) with the signedness of the wider operand (either's when equal widths).
struct DivisionOperands {
  Exact dividend;
  Exact divisor;
  bool is_signed;
};
inline DivisionOperands division_operands(uint128 a, int a_width, bool a_signed, uint128 b, int b_width,
                                          bool b_signed) {
  const int any_signed = (a_signed || b_signed) ? 1 : 0;
  const int width = max_of(a_width + any_signed, b_width + any_signed);
  const bool is_signed =
      a_width > b_width ? a_signed : (b_width > a_width ? b_signed : (a_signed || b_signed));
  DivisionOperands operands;
  operands.dividend = exact_from_bits(canonical(a, width, is_signed), is_signed, 0);
  operands.divisor = exact_from_bits(canonical(b, width, is_signed), is_signed, 0);
  operands.is_signed = is_signed;
  return operands;
}

/// The vendor's ap_int division: truncated division of the extended operands (a narrower negative
/// signed operand divided with a wider unsigned one reads as unsigned). 0 for a zero divisor
/// (the vendor's is undefined).
inline uint128 divide(uint128 a, int a_width, bool a_signed, uint128 b, int b_width, bool b_signed) {
  const DivisionOperands o = division_operands(a, a_width, a_signed, b, b_width, b_signed);
  if (o.divisor.magnitude == 0) return 0;
  const uint128 quotient = o.dividend.magnitude / o.divisor.magnitude;
  return o.dividend.negative != o.divisor.negative ? uint128(0) - quotient : quotient;
}

/// The vendor's ap_int remainder: of the extended operands, with the dividend's sign; an unsigned
/// dividend and a negative divisor give the dividend unchanged (its urem on 64-bit patterns).
/// 0 for a zero divisor.
inline uint128 remainder(uint128 a, int a_width, bool a_signed, uint128 b, int b_width, bool b_signed) {
  const DivisionOperands o = division_operands(a, a_width, a_signed, b, b_width, b_signed);
  if (o.divisor.magnitude == 0) return 0;
  if (!a_signed && o.divisor.negative) return o.dividend.magnitude;
  const uint128 rest = o.dividend.magnitude % o.divisor.magnitude;
  return o.dividend.negative ? uint128(0) - rest : rest;
}

/// Bits hi..lo of canonical bits, right-aligned; reversed when lo > hi (vendor range semantics).
inline uint128 get_range(uint128 bits, int hi, int lo) {
  if (hi >= lo) return (bits >> lo) & low_mask(hi - lo + 1);
  uint128 result = 0;
  for (int i = lo, j = 0; i >= hi; --i, ++j) result |= ((bits >> i) & 1) << j;
  return result;
}

/// Writes `value` into bits hi..lo (reversed when lo > hi); the caller re-canonicalizes.
inline uint128 set_range(uint128 bits, int hi, int lo, uint128 value) {
  if (hi >= lo) {
    const uint128 mask = low_mask(hi - lo + 1) << lo;
    return (bits & ~mask) | ((value << lo) & mask);
  }
  for (int i = lo, j = 0; i >= hi; --i, ++j) {
    const uint128 bit = uint128(1) << i;
    bits = ((value >> j) & 1) ? (bits | bit) : (bits & ~bit);
  }
  return bits;
}

}  // namespace ap_types_detail

/// Arbitrary-precision integer of _AP_W bits (signed when _AP_S): the base of ap_int and ap_uint.
template <int _AP_W, bool _AP_S>
struct ap_int_base {
  /// The value, sign- or zero-extended into its storage integer.
  typename ap_types_detail::Storage<_AP_W, _AP_S>::type V;

  static const int width = _AP_W;
  typedef typename std::conditional<_AP_S, ap_slong, ap_ulong>::type RetType;

  /// The vendor's full-precision result types of an operation with ap_int_base<_AP_W2, _AP_S2>.
  template <int _AP_W2, bool _AP_S2>
  struct RType {
    enum {
      mult_w = _AP_W + _AP_W2,
      mult_s = _AP_S || _AP_S2,
      plus_w = ap_types_detail::max_of(_AP_W + (_AP_S2 && !_AP_S), _AP_W2 + (_AP_S && !_AP_S2)) + 1,
      plus_s = _AP_S || _AP_S2,
      minus_w = ap_types_detail::max_of(_AP_W + (_AP_S2 && !_AP_S), _AP_W2 + (_AP_S && !_AP_S2)) + 1,
      minus_s = true,
      div_w = _AP_W + _AP_S2,
      div_s = _AP_S || _AP_S2,
      mod_w = ap_types_detail::min_of(_AP_W, _AP_W2 + (!_AP_S2 && _AP_S)),
      mod_s = _AP_S,
      logic_w = ap_types_detail::max_of(_AP_W + (_AP_S2 && !_AP_S), _AP_W2 + (_AP_S && !_AP_S2)),
      logic_s = _AP_S || _AP_S2
    };
    typedef ap_int_base<mult_w, mult_s> mult_base;
    typedef ap_int_base<plus_w, plus_s> plus_base;
    typedef ap_int_base<minus_w, minus_s> minus_base;
    typedef ap_int_base<logic_w, logic_s> logic_base;
    typedef ap_int_base<div_w, div_s> div_base;
    typedef ap_int_base<mod_w, mod_s> mod_base;
    typedef ap_int_base<_AP_W, _AP_S> arg1_base;
    typedef typename ap_types_detail::IntFactory<mult_w, mult_s>::type mult;
    typedef typename ap_types_detail::IntFactory<plus_w, plus_s>::type plus;
    typedef typename ap_types_detail::IntFactory<minus_w, minus_s>::type minus;
    typedef typename ap_types_detail::IntFactory<logic_w, logic_s>::type logic;
    typedef typename ap_types_detail::IntFactory<div_w, div_s>::type div;
    typedef typename ap_types_detail::IntFactory<mod_w, mod_s>::type mod;
    typedef typename ap_types_detail::IntFactory<_AP_W, _AP_S>::type arg1;
    typedef bool reduce;
  };

  /// Zero (the vendor leaves it unspecified).
  ap_int_base() : V(0) {}

  /// From another width or signedness: the low bits, sign- or zero-extended (no saturation).
  template <int _AP_W2, bool _AP_S2>
  ap_int_base(const ap_int_base<_AP_W2, _AP_S2>& op) {
    ap_types_detail::set_bits(*this, ap_types_detail::canonical(ap_types_detail::bits_of(op), _AP_W, _AP_S));
  }

  /// From a C integer: modulo 2^_AP_W.
  template <class T, class = ap_types_detail::IfInteger<T, void> >
  ap_int_base(T op) {
    ap_types_detail::set_bits(
        *this, ap_types_detail::canonical(ap_types_detail::bits_from_integer(op), _AP_W, _AP_S));
  }

  /// From a double: truncated toward zero, modulo 2^_AP_W (vendor ap_int_base(double)).
  ap_int_base(double op) {
    ap_types_detail::set_bits(*this, ap_types_detail::integer_from_double(op, _AP_W, _AP_S));
  }

  /// From a float: exactly as from the same double.
  ap_int_base(float op) {
    ap_types_detail::set_bits(*this, ap_types_detail::integer_from_double(op, _AP_W, _AP_S));
  }

  /// From a fixed-point value: its integer part truncated toward zero (to_ap_int_base), wrapped.
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_int_base(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& op) {
    ap_types_detail::set_bits(
        *this, ap_types_detail::canonical(ap_types_detail::bits_of(op.to_ap_int_base()), _AP_W, _AP_S));
  }

  template <int _AP_W2, bool _AP_S2>
  ap_int_base(const ap_range_ref<_AP_W2, _AP_S2>& ref) {
    *this = ref.get();
  }

  template <int _AP_W2, bool _AP_S2>
  ap_int_base(const ap_bit_ref<_AP_W2, _AP_S2>& ref) {
    V = ref.operator bool() ? 1 : 0;
  }

  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_int_base(const af_range_ref<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& ref) {
    *this = ref.get();
  }

  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_int_base(const af_bit_ref<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& ref) {
    V = ref.operator bool() ? 1 : 0;
  }

  template <int _AP_W2, bool _AP_S2>
  ap_int_base& operator=(const ap_int_base<_AP_W2, _AP_S2>& op2) {
    ap_types_detail::set_bits(*this, ap_types_detail::canonical(ap_types_detail::bits_of(op2), _AP_W, _AP_S));
    return *this;
  }

  /// Implicit conversion to the 64-bit C integer of the same signedness (vendor RetType).
  operator RetType() const { return static_cast<RetType>(V); }

  bool to_bool() const { return V != 0; }
  char to_char() const { return static_cast<char>(V); }
  signed char to_schar() const { return static_cast<signed char>(V); }
  unsigned char to_uchar() const { return static_cast<unsigned char>(V); }
  short to_short() const { return static_cast<short>(V); }
  unsigned short to_ushort() const { return static_cast<unsigned short>(V); }
  int to_int() const { return static_cast<int>(V); }
  unsigned to_uint() const { return static_cast<unsigned>(V); }
  long to_long() const { return static_cast<long>(V); }
  unsigned long to_ulong() const { return static_cast<unsigned long>(V); }
  ap_slong to_int64() const { return static_cast<ap_slong>(V); }
  ap_ulong to_uint64() const { return static_cast<ap_ulong>(V); }
  float to_float() const { return ap_types_detail::to_float(ap_types_detail::bits_of(*this), _AP_S, 0); }
  double to_double() const { return ap_types_detail::to_double(ap_types_detail::bits_of(*this), _AP_S, 0); }

  int length() const { return _AP_W; }
  bool iszero() const { return V == 0; }
  bool is_zero() const { return V == 0; }
  /// True when negative.
  bool sign() const { return ap_types_detail::negative_bits(ap_types_detail::bits_of(*this), _AP_S); }
  void clear(int i) { set_bit(i, false); }
  void invert(int i) { set_bit(i, !get_bit(i)); }
  bool test(int i) const { return get_bit(i); }
  void set(int i) { set_bit(i, true); }
  void set(int i, bool v) { set_bit(i, v); }
  void set_bit(int i, bool v) {
    const ap_types_detail::uint128 bit = ap_types_detail::uint128(1) << i;
    const ap_types_detail::uint128 bits = ap_types_detail::bits_of(*this);
    ap_types_detail::set_bits(*this,
                              ap_types_detail::canonical(v ? (bits | bit) : (bits & ~bit), _AP_W, _AP_S));
  }
  bool get_bit(int i) const { return ((ap_types_detail::bits_of(*this) >> i) & 1) != 0; }
  void b_not() {
    ap_types_detail::set_bits(*this,
                              ap_types_detail::canonical(~ap_types_detail::bits_of(*this), _AP_W, _AP_S));
  }
  ap_int_base& get() { return *this; }

  bool and_reduce() const {
    return (ap_types_detail::bits_of(*this) & ap_types_detail::low_mask(_AP_W)) ==
           ap_types_detail::low_mask(_AP_W);
  }
  bool nand_reduce() const { return !and_reduce(); }
  bool or_reduce() const { return V != 0; }
  bool nor_reduce() const { return V == 0; }
  bool xor_reduce() const {
    ap_types_detail::uint128 bits = ap_types_detail::bits_of(*this) & ap_types_detail::low_mask(_AP_W);
    bool parity = false;
    for (; bits != 0; bits &= bits - 1) parity = !parity;
    return parity;
  }
  bool xnor_reduce() const { return !xor_reduce(); }

  /// Leading zeros of the _AP_W-bit pattern.
  int countLeadingZeros() const {
    for (int i = _AP_W - 1; i >= 0; --i)
      if (get_bit(i)) return _AP_W - 1 - i;
    return _AP_W;
  }

  // Compound assignment: the full result wrapped into this type.
#define SPARSEPIXELS_AP_INT_ASSIGN(OP, EXPRESSION)                                          \
  template <int _AP_W2, bool _AP_S2>                                                        \
  ap_int_base& operator OP(const ap_int_base<_AP_W2, _AP_S2>& op2) {                        \
    const ap_types_detail::uint128 a = ap_types_detail::bits_of(*this);                     \
    const ap_types_detail::uint128 b = ap_types_detail::bits_of(op2);                       \
    (void)a;                                                                                \
    (void)b;                                                                                \
    ap_types_detail::set_bits(*this, ap_types_detail::canonical(EXPRESSION, _AP_W, _AP_S)); \
    return *this;                                                                           \
  }
  SPARSEPIXELS_AP_INT_ASSIGN(+=, a + b)
  SPARSEPIXELS_AP_INT_ASSIGN(-=, a - b)
  SPARSEPIXELS_AP_INT_ASSIGN(*=, a* b)
  SPARSEPIXELS_AP_INT_ASSIGN(/=, ap_types_detail::divide(a, _AP_W, _AP_S, b, _AP_W2, _AP_S2))
  SPARSEPIXELS_AP_INT_ASSIGN(%=, ap_types_detail::remainder(a, _AP_W, _AP_S, b, _AP_W2, _AP_S2))
  SPARSEPIXELS_AP_INT_ASSIGN(&=, a& b)
  SPARSEPIXELS_AP_INT_ASSIGN(|=, a | b)
  SPARSEPIXELS_AP_INT_ASSIGN(^=, a ^ b)
#undef SPARSEPIXELS_AP_INT_ASSIGN

  ap_int_base& operator++() {
    return *this += ap_int_base<1, false>(1);
  }
  ap_int_base& operator--() {
    return *this -= ap_int_base<1, false>(1);
  }
  const typename RType<_AP_W, _AP_S>::arg1 operator++(int) {
    const typename RType<_AP_W, _AP_S>::arg1 previous(*this);
    ++*this;
    return previous;
  }
  const typename RType<_AP_W, _AP_S>::arg1 operator--(int) {
    const typename RType<_AP_W, _AP_S>::arg1 previous(*this);
    --*this;
    return previous;
  }

  typename RType<_AP_W, _AP_S>::arg1 operator+() const {
    return *this;
  }
  /// 0 - x: one bit wider and always signed (vendor RType<1,false>::minus).
  typename RType<1, false>::minus operator-() const {
    typename RType<1, false>::minus result;
    ap_types_detail::set_bits(
        result, ap_types_detail::canonical(ap_types_detail::uint128(0) - ap_types_detail::bits_of(*this),
                                           RType<1, false>::minus_w, true));
    return result;
  }
  bool operator!() const {
    return V == 0;
  }
  typename RType<_AP_W, _AP_S>::arg1 operator~() const {
    typename RType<_AP_W, _AP_S>::arg1 result;
    ap_types_detail::set_bits(result,
                              ap_types_detail::canonical(~ap_types_detail::bits_of(*this), _AP_W, _AP_S));
    return result;
  }

  // Shifts keep the left operand's type; a negative signed count shifts the other way.
  template <int _AP_W2>
  typename RType<_AP_W, _AP_S>::arg1 operator<<(const ap_int_base<_AP_W2, true>& op2) const {
    if (op2.sign()) return operator>>(ap_int_base<_AP_W2, false>(-op2));
    return operator<<(ap_int_base<_AP_W2, false>(op2));
  }
  template <int _AP_W2>
  typename RType<_AP_W, _AP_S>::arg1 operator<<(const ap_int_base<_AP_W2, false>& op2) const {
    typename RType<_AP_W, _AP_S>::arg1 result;
    ap_types_detail::set_bits(
        result, ap_types_detail::shift_left(ap_types_detail::bits_of(*this), op2.to_uint(), _AP_W, _AP_S));
    return result;
  }
  template <int _AP_W2>
  typename RType<_AP_W, _AP_S>::arg1 operator>>(const ap_int_base<_AP_W2, true>& op2) const {
    if (op2.sign()) return operator<<(ap_int_base<_AP_W2, false>(-op2));
    return operator>>(ap_int_base<_AP_W2, false>(op2));
  }
  template <int _AP_W2>
  typename RType<_AP_W, _AP_S>::arg1 operator>>(const ap_int_base<_AP_W2, false>& op2) const {
    typename RType<_AP_W, _AP_S>::arg1 result;
    ap_types_detail::set_bits(
        result, ap_types_detail::shift_right(ap_types_detail::bits_of(*this), op2.to_uint(), _AP_W, _AP_S));
    return result;
  }
  template <int _AP_W2, bool _AP_S2>
  ap_int_base& operator<<=(const ap_int_base<_AP_W2, _AP_S2>& op2) {
    return *this = operator<<(op2);
  }
  template <int _AP_W2, bool _AP_S2>
  ap_int_base& operator>>=(const ap_int_base<_AP_W2, _AP_S2>& op2) {
    return *this = operator>>(op2);
  }

  // Comparisons follow the vendor's ap_private rules (exact except mixed signedness at 32+ bits).
#define SPARSEPIXELS_AP_INT_COMPARE(OP, RELATION)                                                    \
  template <int _AP_W2, bool _AP_S2>                                                                 \
  bool operator OP(const ap_int_base<_AP_W2, _AP_S2>& op2) const {                                   \
    return ap_types_detail::vendor_compare(                                                          \
        ap_types_detail::Relation::RELATION,                                                         \
        ap_types_detail::exact_from_bits(ap_types_detail::bits_of(*this), _AP_S, 0), _AP_W, _AP_S,   \
        ap_types_detail::exact_from_bits(ap_types_detail::bits_of(op2), _AP_S2, 0), _AP_W2, _AP_S2); \
  }
  SPARSEPIXELS_AP_INT_COMPARE(==, kEqual)
  SPARSEPIXELS_AP_INT_COMPARE(!=, kNotEqual)
  SPARSEPIXELS_AP_INT_COMPARE(<, kLess)
  SPARSEPIXELS_AP_INT_COMPARE(<=, kLessEqual)
  SPARSEPIXELS_AP_INT_COMPARE(>, kGreater)
  SPARSEPIXELS_AP_INT_COMPARE(>=, kGreaterEqual)
#undef SPARSEPIXELS_AP_INT_COMPARE

  ap_range_ref<_AP_W, _AP_S> range(int Hi, int Lo) {
    return ap_range_ref<_AP_W, _AP_S>(this, Hi, Lo);
  }
  ap_range_ref<_AP_W, _AP_S> range(int Hi, int Lo) const {
    return ap_range_ref<_AP_W, _AP_S>(const_cast<ap_int_base*>(this), Hi, Lo);
  }
  ap_range_ref<_AP_W, _AP_S> range() {
    return range(_AP_W - 1, 0);
  }
  ap_range_ref<_AP_W, _AP_S> range() const {
    return range(_AP_W - 1, 0);
  }
  template <int _AP_W2, bool _AP_S2, int _AP_W3, bool _AP_S3>
  ap_range_ref<_AP_W, _AP_S> range(const ap_int_base<_AP_W2, _AP_S2>& HiIdx,
                                   const ap_int_base<_AP_W3, _AP_S3>& LoIdx) const {
    return range(HiIdx.to_int(), LoIdx.to_int());
  }
  ap_range_ref<_AP_W, _AP_S> operator()(int Hi, int Lo) {
    return range(Hi, Lo);
  }
  ap_range_ref<_AP_W, _AP_S> operator()(int Hi, int Lo) const {
    return range(Hi, Lo);
  }

  ap_bit_ref<_AP_W, _AP_S> operator[](int index) {
    return ap_bit_ref<_AP_W, _AP_S>(this, index);
  }
  template <int _AP_W2, bool _AP_S2>
  ap_bit_ref<_AP_W, _AP_S> operator[](const ap_int_base<_AP_W2, _AP_S2>& index) {
    return ap_bit_ref<_AP_W, _AP_S>(this, index.to_int());
  }
  bool operator[](int index) const {
    return get_bit(index);
  }
  template <int _AP_W2, bool _AP_S2>
  bool operator[](const ap_int_base<_AP_W2, _AP_S2>& index) const {
    return get_bit(index.to_int());
  }
  ap_bit_ref<_AP_W, _AP_S> bit(int index) {
    return ap_bit_ref<_AP_W, _AP_S>(this, index);
  }
  bool bit(int index) const {
    return get_bit(index);
  }
};

template <int _AP_W, bool _AP_S>
const int ap_int_base<_AP_W, _AP_S>::width;

/// A reference to bits Hi..Lo of an ap_int_base; reads as ap_int_base<_AP_W, false>.
template <int _AP_W, bool _AP_S>
struct ap_range_ref {
  ap_int_base<_AP_W, _AP_S>* d_bv;
  int l_index;
  int h_index;

  ap_range_ref(ap_int_base<_AP_W, _AP_S>* bv, int h, int l) : d_bv(bv), l_index(l), h_index(h) {}
  ap_range_ref(const ap_range_ref& ref) = default;

  ap_int_base<_AP_W, false> get() const {
    ap_int_base<_AP_W, false> result;
    ap_types_detail::set_bits(result,
                              ap_types_detail::get_range(ap_types_detail::bits_of(*d_bv), h_index, l_index));
    return result;
  }
  operator ap_int_base<_AP_W, false>() const { return get(); }
  operator ap_ulong() const { return get().to_uint64(); }

  int length() const { return h_index >= l_index ? h_index - l_index + 1 : l_index - h_index + 1; }
  int to_int() const { return get().to_int(); }
  unsigned to_uint() const { return get().to_uint(); }
  long to_long() const { return get().to_long(); }
  unsigned long to_ulong() const { return get().to_ulong(); }
  ap_slong to_int64() const { return get().to_int64(); }
  ap_ulong to_uint64() const { return get().to_uint64(); }
  bool and_reduce() const {
    const ap_types_detail::uint128 mask = ap_types_detail::low_mask(length());
    return (ap_types_detail::bits_of(get()) & mask) == mask;
  }
  bool or_reduce() const { return get().or_reduce(); }
  bool xor_reduce() const { return get().xor_reduce(); }

  /// Writes the low bits of `value` into the referenced bits.
  ap_range_ref& operator=(ap_ulong value) {
    write(ap_types_detail::uint128(value));
    return *this;
  }
  template <int _AP_W2, bool _AP_S2>
  ap_range_ref& operator=(const ap_int_base<_AP_W2, _AP_S2>& value) {
    write(ap_types_detail::bits_of(value));
    return *this;
  }
  ap_range_ref& operator=(const ap_range_ref& value) {
    write(ap_types_detail::bits_of(value.get()));
    return *this;
  }
  template <int _AP_W2, bool _AP_S2>
  ap_range_ref& operator=(const ap_range_ref<_AP_W2, _AP_S2>& value) {
    write(ap_types_detail::bits_of(value.get()));
    return *this;
  }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_range_ref& operator=(const af_range_ref<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& value) {
    write(ap_types_detail::bits_of(value.get()));
    return *this;
  }

 private:
  void write(ap_types_detail::uint128 value) {
    const ap_types_detail::uint128 bits =
        ap_types_detail::set_range(ap_types_detail::bits_of(*d_bv), h_index, l_index, value);
    ap_types_detail::set_bits(*d_bv, ap_types_detail::canonical(bits, _AP_W, _AP_S));
  }
};

/// A reference to one bit of an ap_int_base; reads as bool.
template <int _AP_W, bool _AP_S>
struct ap_bit_ref {
  ap_int_base<_AP_W, _AP_S>* d_bv;
  int d_index;

  ap_bit_ref(ap_int_base<_AP_W, _AP_S>* bv, int index) : d_bv(bv), d_index(index) {}
  ap_bit_ref(const ap_bit_ref& ref) = default;

  operator bool() const { return d_bv->get_bit(d_index); }
  bool to_bool() const { return d_bv->get_bit(d_index); }
  bool get() const { return d_bv->get_bit(d_index); }
  int length() const { return 1; }
  bool operator~() const { return !d_bv->get_bit(d_index); }

  ap_bit_ref& operator=(ap_ulong value) {
    d_bv->set_bit(d_index, (value & 1) != 0);
    return *this;
  }
  ap_bit_ref& operator=(const ap_bit_ref& value) { return operator=(ap_ulong(value.get())); }
  template <int _AP_W2, bool _AP_S2>
  ap_bit_ref& operator=(const ap_bit_ref<_AP_W2, _AP_S2>& value) {
    return operator=(ap_ulong(value.get()));
  }
  template <int _AP_W2, bool _AP_S2>
  ap_bit_ref& operator=(const ap_int_base<_AP_W2, _AP_S2>& value) {
    return operator=(ap_ulong(value.get_bit(0)));
  }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_bit_ref& operator=(const af_bit_ref<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& value) {
    return operator=(ap_ulong(value.get()));
  }
};

// Binary operators between integers, with the vendor's result types.
#define SPARSEPIXELS_AP_INT_BINARY(OP, KIND, EXPRESSION)                                                    \
  template <int _AP_W, bool _AP_S, int _AP_W2, bool _AP_S2>                                                 \
  typename ap_int_base<_AP_W, _AP_S>::template RType<_AP_W2, _AP_S2>::KIND operator OP(                     \
      const ap_int_base<_AP_W, _AP_S>& op, const ap_int_base<_AP_W2, _AP_S2>& op2) {                        \
    typedef typename ap_int_base<_AP_W, _AP_S>::template RType<_AP_W2, _AP_S2> R;                           \
    const ap_types_detail::uint128 a = ap_types_detail::bits_of(op);                                        \
    const ap_types_detail::uint128 b = ap_types_detail::bits_of(op2);                                       \
    typename R::KIND result;                                                                                \
    ap_types_detail::set_bits(result, ap_types_detail::canonical(EXPRESSION, R::KIND##_w, R::KIND##_s));    \
    return result;                                                                                          \
  }                                                                                                         \
  template <int _AP_W, bool _AP_S, class T>                                                                 \
  ap_types_detail::IfInteger<                                                                               \
      T, typename ap_int_base<_AP_W, _AP_S>::template RType<ap_types_detail::CInteger<T>::width,            \
                                                            ap_types_detail::CInteger<T>::is_signed>::KIND> \
  operator OP(const ap_int_base<_AP_W, _AP_S>& op, T i_op) {                                                \
    return op OP ap_int_base<ap_types_detail::CInteger<T>::width, ap_types_detail::CInteger<T>::is_signed>( \
        i_op);                                                                                              \
  }                                                                                                         \
  template <int _AP_W, bool _AP_S, class T>                                                                 \
  ap_types_detail::IfInteger<                                                                               \
      T, typename ap_int_base<ap_types_detail::CInteger<T>::width,                                          \
                              ap_types_detail::CInteger<T>::is_signed>::template RType<_AP_W, _AP_S>::KIND> \
  operator OP(T i_op, const ap_int_base<_AP_W, _AP_S>& op) {                                                \
    return ap_int_base<ap_types_detail::CInteger<T>::width, ap_types_detail::CInteger<T>::is_signed>(i_op)  \
        OP op;                                                                                              \
  }

SPARSEPIXELS_AP_INT_BINARY(+, plus, a + b)
SPARSEPIXELS_AP_INT_BINARY(-, minus, a - b)
SPARSEPIXELS_AP_INT_BINARY(*, mult, a* b)
SPARSEPIXELS_AP_INT_BINARY(/, div, ap_types_detail::divide(a, _AP_W, _AP_S, b, _AP_W2, _AP_S2))
SPARSEPIXELS_AP_INT_BINARY(%, mod, ap_types_detail::remainder(a, _AP_W, _AP_S, b, _AP_W2, _AP_S2))
SPARSEPIXELS_AP_INT_BINARY(&, logic, a& b)
SPARSEPIXELS_AP_INT_BINARY(|, logic, a | b)
SPARSEPIXELS_AP_INT_BINARY(^, logic, a ^ b)
#undef SPARSEPIXELS_AP_INT_BINARY

// With float and double the integer is read as a 64-bit C integer (vendor OP_BIN_WITH_FLOAT).
#define SPARSEPIXELS_AP_INT_FLOAT(OP, C_TYPE)                            \
  template <int _AP_W, bool _AP_S>                                       \
  C_TYPE operator OP(C_TYPE i_op, const ap_int_base<_AP_W, _AP_S>& op) { \
    const typename ap_int_base<_AP_W, _AP_S>::RetType op2 = op;          \
    return i_op OP op2;                                                  \
  }                                                                      \
  template <int _AP_W, bool _AP_S>                                       \
  C_TYPE operator OP(const ap_int_base<_AP_W, _AP_S>& op, C_TYPE i_op) { \
    const typename ap_int_base<_AP_W, _AP_S>::RetType op2 = op;          \
    return op2 OP i_op;                                                  \
  }
SPARSEPIXELS_AP_INT_FLOAT(+, double)
SPARSEPIXELS_AP_INT_FLOAT(-, double)
SPARSEPIXELS_AP_INT_FLOAT(*, double)
SPARSEPIXELS_AP_INT_FLOAT(/, double)
SPARSEPIXELS_AP_INT_FLOAT(+, float)
SPARSEPIXELS_AP_INT_FLOAT(-, float)
SPARSEPIXELS_AP_INT_FLOAT(*, float)
SPARSEPIXELS_AP_INT_FLOAT(/, float)
#undef SPARSEPIXELS_AP_INT_FLOAT

// Shifts by C integers: a negative signed count shifts the other way (vendor ALL_OP_SHIFT_WITH_INT).
template <int _AP_W, bool _AP_S, class T>
ap_types_detail::IfInteger<T, typename ap_int_base<_AP_W, _AP_S>::template RType<_AP_W, _AP_S>::arg1>
operator<<(const ap_int_base<_AP_W, _AP_S>& op, T op2) {
  typename ap_int_base<_AP_W, _AP_S>::template RType<_AP_W, _AP_S>::arg1 result;
  const ap_types_detail::uint128 bits = ap_types_detail::bits_of(op);
  if (op2 < 0)  // only reachable for signed T
    ap_types_detail::set_bits(
        result, ap_types_detail::shift_right(bits, static_cast<unsigned>(-static_cast<long long>(op2)), _AP_W,
                                             _AP_S));
  else
    ap_types_detail::set_bits(result,
                              ap_types_detail::shift_left(bits, static_cast<unsigned>(op2), _AP_W, _AP_S));
  return result;
}
template <int _AP_W, bool _AP_S, class T>
ap_types_detail::IfInteger<T, typename ap_int_base<_AP_W, _AP_S>::template RType<_AP_W, _AP_S>::arg1>
operator>>(const ap_int_base<_AP_W, _AP_S>& op, T op2) {
  typename ap_int_base<_AP_W, _AP_S>::template RType<_AP_W, _AP_S>::arg1 result;
  const ap_types_detail::uint128 bits = ap_types_detail::bits_of(op);
  if (op2 < 0)
    ap_types_detail::set_bits(
        result,
        ap_types_detail::shift_left(bits, static_cast<unsigned>(-static_cast<long long>(op2)), _AP_W, _AP_S));
  else
    ap_types_detail::set_bits(result,
                              ap_types_detail::shift_right(bits, static_cast<unsigned>(op2), _AP_W, _AP_S));
  return result;
}

// Compound assignment with C integers: the integer as its ap type (vendor OP_ASSIGN_WITH_INT).
#define SPARSEPIXELS_AP_INT_ASSIGN_C(OP)                                                                    \
  template <int _AP_W, bool _AP_S, class T>                                                                 \
  ap_types_detail::IfInteger<T, ap_int_base<_AP_W, _AP_S>&> operator OP(ap_int_base<_AP_W, _AP_S>& op,      \
                                                                        T op2) {                            \
    return op OP ap_int_base<ap_types_detail::CInteger<T>::width, ap_types_detail::CInteger<T>::is_signed>( \
        op2);                                                                                               \
  }
SPARSEPIXELS_AP_INT_ASSIGN_C(+=)
SPARSEPIXELS_AP_INT_ASSIGN_C(-=)
SPARSEPIXELS_AP_INT_ASSIGN_C(*=)
SPARSEPIXELS_AP_INT_ASSIGN_C(/=)
SPARSEPIXELS_AP_INT_ASSIGN_C(%=)
SPARSEPIXELS_AP_INT_ASSIGN_C(&=)
SPARSEPIXELS_AP_INT_ASSIGN_C(|=)
SPARSEPIXELS_AP_INT_ASSIGN_C(^=)
SPARSEPIXELS_AP_INT_ASSIGN_C(<<=)
SPARSEPIXELS_AP_INT_ASSIGN_C(>>=)
#undef SPARSEPIXELS_AP_INT_ASSIGN_C

// Comparisons with C integers (exact) and with floating point (through to_double).
#define SPARSEPIXELS_AP_INT_COMPARE_C(OP)                                                                   \
  template <int _AP_W, bool _AP_S, class T>                                                                 \
  ap_types_detail::IfInteger<T, bool> operator OP(const ap_int_base<_AP_W, _AP_S>& op, T op2) {             \
    return op OP ap_int_base<ap_types_detail::CInteger<T>::width, ap_types_detail::CInteger<T>::is_signed>( \
        op2);                                                                                               \
  }                                                                                                         \
  template <int _AP_W, bool _AP_S, class T>                                                                 \
  ap_types_detail::IfInteger<T, bool> operator OP(T op2, const ap_int_base<_AP_W, _AP_S>& op) {             \
    return ap_int_base<ap_types_detail::CInteger<T>::width, ap_types_detail::CInteger<T>::is_signed>(op2)   \
        OP op;                                                                                              \
  }                                                                                                         \
  template <int _AP_W, bool _AP_S>                                                                          \
  bool operator OP(const ap_int_base<_AP_W, _AP_S>& op1, double op2) {                                      \
    return op1.to_double() OP op2;                                                                          \
  }                                                                                                         \
  template <int _AP_W, bool _AP_S>                                                                          \
  bool operator OP(double op1, const ap_int_base<_AP_W, _AP_S>& op2) {                                      \
    return op1 OP op2.to_double();                                                                          \
  }                                                                                                         \
  template <int _AP_W, bool _AP_S>                                                                          \
  bool operator OP(const ap_int_base<_AP_W, _AP_S>& op1, float op2) {                                       \
    return op1.to_double() OP op2;                                                                          \
  }                                                                                                         \
  template <int _AP_W, bool _AP_S>                                                                          \
  bool operator OP(float op1, const ap_int_base<_AP_W, _AP_S>& op2) {                                       \
    return op1 OP op2.to_double();                                                                          \
  }
SPARSEPIXELS_AP_INT_COMPARE_C(==)
SPARSEPIXELS_AP_INT_COMPARE_C(!=)
SPARSEPIXELS_AP_INT_COMPARE_C(<)
SPARSEPIXELS_AP_INT_COMPARE_C(<=)
SPARSEPIXELS_AP_INT_COMPARE_C(>)
SPARSEPIXELS_AP_INT_COMPARE_C(>=)
#undef SPARSEPIXELS_AP_INT_COMPARE_C

// Range references take part in expressions as ap_int_base<_AP_W, false>.
#define SPARSEPIXELS_AP_RANGE_BINARY(OP)                                                          \
  template <int _AP_W, bool _AP_S, class T>                                                       \
  auto operator OP(const ap_range_ref<_AP_W, _AP_S>& op, const T& op2)                            \
      ->decltype(ap_int_base<_AP_W, false>(op) OP op2) {                                          \
    return ap_int_base<_AP_W, false>(op) OP op2;                                                  \
  }                                                                                               \
  template <int _AP_W, bool _AP_S, class T>                                                       \
  auto operator OP(const T& op, const ap_range_ref<_AP_W, _AP_S>& op2)                            \
      ->decltype(op OP ap_int_base<_AP_W, false>(op2)) {                                          \
    return op OP ap_int_base<_AP_W, false>(op2);                                                  \
  }                                                                                               \
  template <int _AP_W, bool _AP_S, int _AP_W2, bool _AP_S2>                                       \
  auto operator OP(const ap_range_ref<_AP_W, _AP_S>& op, const ap_range_ref<_AP_W2, _AP_S2>& op2) \
      ->decltype(ap_int_base<_AP_W, false>(op) OP ap_int_base<_AP_W2, false>(op2)) {              \
    return ap_int_base<_AP_W, false>(op) OP ap_int_base<_AP_W2, false>(op2);                      \
  }
SPARSEPIXELS_AP_RANGE_BINARY(+)
SPARSEPIXELS_AP_RANGE_BINARY(-)
SPARSEPIXELS_AP_RANGE_BINARY(*)
SPARSEPIXELS_AP_RANGE_BINARY(/)
SPARSEPIXELS_AP_RANGE_BINARY(%)
SPARSEPIXELS_AP_RANGE_BINARY(&)
SPARSEPIXELS_AP_RANGE_BINARY(|)
SPARSEPIXELS_AP_RANGE_BINARY(^)
SPARSEPIXELS_AP_RANGE_BINARY(==)
SPARSEPIXELS_AP_RANGE_BINARY(!=)
SPARSEPIXELS_AP_RANGE_BINARY(<)
SPARSEPIXELS_AP_RANGE_BINARY(<=)
SPARSEPIXELS_AP_RANGE_BINARY(>)
SPARSEPIXELS_AP_RANGE_BINARY(>=)
#undef SPARSEPIXELS_AP_RANGE_BINARY

/// Decimal output (the vendor prints to_string(10); hex and oct stream flags are not honoured).
template <int _AP_W, bool _AP_S>
std::ostream& operator<<(std::ostream& os, const ap_int_base<_AP_W, _AP_S>& x) {
  ap_types_detail::print_integer(os, ap_types_detail::bits_of(x), _AP_S);
  return os;
}
template <int _AP_W, bool _AP_S>
std::ostream& operator<<(std::ostream& os, const ap_range_ref<_AP_W, _AP_S>& x) {
  return os << x.get();
}

#endif  // SPARSEPIXELS_HLS_AP_INT_BASE_H

// ap_fixed_base (the vendor's common base of ap_fixed and ap_ufixed), its bit and range
// references, and the operators of fixed-point values with each other, with ap_int_base and with
// C types. Internal header: user code includes <ap_fixed.h>.
#ifndef SPARSEPIXELS_HLS_AP_FIXED_BASE_H
#define SPARSEPIXELS_HLS_AP_FIXED_BASE_H

#include "ap_int_base.h"

namespace ap_types_detail {

/// The vendor's result-type factory: ap_fixed<W, I> when signed, ap_ufixed<W, I> otherwise.
template <int W, int I, bool S>
struct FixedFactory {
  typedef ap_fixed<W, I> type;
};
template <int W, int I>
struct FixedFactory<W, I, false> {
  typedef ap_ufixed<W, I> type;
};

/// The exact value of a fixed-point object.
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
inline Exact exact_of(const ap_fixed_base<W, I, S, Q, O, N>& x) {
  return exact_from_bits(bits_of(x), S, W - I);
}

/// Stores an exact value into a fixed-point object with its quantization and overflow modes.
template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N>
inline void assign_exact(ap_fixed_base<W, I, S, Q, O, N>& target, const Exact& value) {
  const Format format = {W, I, S, Q, O, N};
  set_bits(target, convert(value, format));
}

/// The vendor's to_ap_int_base(): integer bits, then +1 for a negative value with a nonzero
/// fraction when `c_native` (truncation toward zero). For I <= 0 the integer bits are taken as 0,
/// so a negative signed value with I <= 0 gives -1 in the 1-bit result (as the vendor's code does).
inline uint128 integer_part(uint128 bits, int width, int integer, bool is_signed, bool c_native) {
  const int result_width = max_of(integer, 1);
  uint128 result = 0;
  if (integer > 0 && integer <= width) {
    result = shift_right(bits, static_cast<unsigned>(width - integer), width, is_signed);
  } else if (integer > width) {
    result = bits << (integer - width);
  }
  result = canonical(result, result_width, is_signed);
  if (c_native && integer < width && negative_bits(bits, is_signed) &&
      (bits & low_mask(integer < 0 ? width : width - integer)) != 0)
    result = canonical(result + 1, result_width, is_signed);
  return result;
}

}  // namespace ap_types_detail

/// Fixed-point value of _AP_W bits, _AP_I of them above the binary point: the base of ap_fixed
/// and ap_ufixed. Value = V * 2^-(_AP_W - _AP_I).
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
struct ap_fixed_base {
  static_assert(_AP_O != AP_WRAP_SM, "AP_WRAP_SM is not supported by this implementation of ap_fixed");
  static_assert(_AP_N >= 0 && _AP_N <= _AP_W, "the saturation bit count N must be within 0..W");

  /// The raw mantissa, sign- or zero-extended into its storage integer.
  typename ap_types_detail::Storage<_AP_W, _AP_S>::type V;

  static const int width = _AP_W;
  static const int iwidth = _AP_I;
  static const ap_q_mode qmode = _AP_Q;
  static const ap_o_mode omode = _AP_O;

  /// The vendor's full-precision result types of an operation with ap_fixed_base<_AP_W2, _AP_I2, _AP_S2>.
  template <int _AP_W2, int _AP_I2, bool _AP_S2>
  struct RType {
    enum {
      _AP_F = _AP_W - _AP_I,
      F2 = _AP_W2 - _AP_I2,
      mult_w = _AP_W + _AP_W2,
      mult_i = _AP_I + _AP_I2,
      mult_s = _AP_S || _AP_S2,
      plus_i = ap_types_detail::max_of(_AP_I + (_AP_S2 && !_AP_S), _AP_I2 + (_AP_S && !_AP_S2)) + 1,
      plus_w = plus_i + ap_types_detail::max_of(_AP_F, F2),
      plus_s = _AP_S || _AP_S2,
      minus_i = plus_i,
      minus_w = plus_w,
      minus_s = true,
      div_w = _AP_S2 + _AP_W + ap_types_detail::max_of(F2, 0),
      div_i = _AP_S2 + _AP_I + F2,
      div_s = _AP_S || _AP_S2,
      logic_i = ap_types_detail::max_of(_AP_I + (_AP_S2 && !_AP_S), _AP_I2 + (_AP_S && !_AP_S2)),
      logic_w = logic_i + ap_types_detail::max_of(_AP_F, F2),
      logic_s = _AP_S || _AP_S2
    };
    typedef ap_fixed_base<_AP_W, _AP_I, _AP_S> lhs;
    typedef ap_fixed_base<_AP_W2, _AP_I2, _AP_S2> rhs;
    typedef ap_fixed_base<mult_w, mult_i, mult_s> mult_base;
    typedef ap_fixed_base<plus_w, plus_i, plus_s> plus_base;
    typedef ap_fixed_base<minus_w, minus_i, minus_s> minus_base;
    typedef ap_fixed_base<logic_w, logic_i, logic_s> logic_base;
    typedef ap_fixed_base<div_w, div_i, div_s> div_base;
    typedef ap_fixed_base<_AP_W, _AP_I, _AP_S> arg1_base;
    typedef typename ap_types_detail::FixedFactory<mult_w, mult_i, mult_s>::type mult;
    typedef typename ap_types_detail::FixedFactory<plus_w, plus_i, plus_s>::type plus;
    typedef typename ap_types_detail::FixedFactory<minus_w, minus_i, minus_s>::type minus;
    typedef typename ap_types_detail::FixedFactory<logic_w, logic_i, logic_s>::type logic;
    typedef typename ap_types_detail::FixedFactory<div_w, div_i, div_s>::type div;
    typedef typename ap_types_detail::FixedFactory<_AP_W, _AP_I, _AP_S>::type arg1;
  };

  /// Zero (the vendor leaves it unspecified).
  ap_fixed_base() : V(0) {}

  /// From any fixed-point type: quantization, then overflow, with this type's modes.
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_fixed_base(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& op) {
    ap_types_detail::assign_exact(*this, ap_types_detail::exact_of(op));
  }

  /// From an integer type, as ap_fixed_base<_AP_W2, _AP_W2, _AP_S2>.
  template <int _AP_W2, bool _AP_S2>
  ap_fixed_base(const ap_int_base<_AP_W2, _AP_S2>& op) {
    ap_types_detail::assign_exact(*this,
                                  ap_types_detail::exact_from_bits(ap_types_detail::bits_of(op), _AP_S2, 0));
  }

  /// From a C integer (int as ap_fixed<32,32>, unsigned as ap_ufixed<32,32>, bool as ap_ufixed<1,1>...).
  template <class T, class = ap_types_detail::IfInteger<T, void> >
  ap_fixed_base(T x) {
    ap_types_detail::assign_exact(*this, ap_types_detail::exact_from_integer(x));
  }

  /// From a double, exactly, then quantization and overflow (NaN and inf as the vendor decodes them).
  ap_fixed_base(double d) { ap_types_detail::assign_exact(*this, ap_types_detail::exact_from_double(d)); }
  ap_fixed_base(float d) { ap_types_detail::assign_exact(*this, ap_types_detail::exact_from_double(d)); }

  template <int _AP_W2, bool _AP_S2>
  ap_fixed_base(const ap_bit_ref<_AP_W2, _AP_S2>& op) {
    *this = ap_fixed_base(static_cast<bool>(op));
  }
  template <int _AP_W2, bool _AP_S2>
  ap_fixed_base(const ap_range_ref<_AP_W2, _AP_S2>& op) {
    *this = ap_fixed_base(ap_int_base<_AP_W2, false>(op));
  }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_fixed_base(const af_bit_ref<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& op) {
    *this = ap_fixed_base(static_cast<bool>(op));
  }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_fixed_base(const af_range_ref<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& op) {
    *this = ap_fixed_base(ap_int_base<_AP_W2, false>(op));
  }

  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_fixed_base& operator=(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& op) {
    ap_types_detail::assign_exact(*this, ap_types_detail::exact_of(op));
    return *this;
  }

  /// Sets the raw bits (the low _AP_W bits of bv).
  ap_fixed_base& setBits(ap_ulong bv) {
    ap_types_detail::set_bits(*this, ap_types_detail::canonical(bv, _AP_W, _AP_S));
    return *this;
  }
  /// A value whose raw bits are bv.
  static ap_fixed_base bitsToFixed(ap_ulong bv) {
    ap_fixed_base t;
    t.setBits(bv);
    return t;
  }

  /// The integer part as ap_int_base<max(_AP_I, 1), _AP_S>: truncation toward zero when Cnative.
  ap_int_base<ap_types_detail::max_of(_AP_I, 1), _AP_S> to_ap_int_base(bool Cnative = true) const {
    ap_int_base<ap_types_detail::max_of(_AP_I, 1), _AP_S> result;
    ap_types_detail::set_bits(
        result, ap_types_detail::integer_part(ap_types_detail::bits_of(*this), _AP_W, _AP_I, _AP_S, Cnative));
    return result;
  }
  template <int _AP_W2, bool _AP_S2>
  operator ap_int_base<_AP_W2, _AP_S2>() const {
    return ap_int_base<_AP_W2, _AP_S2>(to_ap_int_base());
  }

  char to_char() const { return to_ap_int_base().to_char(); }
  int to_int() const { return to_ap_int_base().to_int(); }
  unsigned to_uint() const { return to_ap_int_base().to_uint(); }
  ap_slong to_int64() const { return to_ap_int_base().to_int64(); }
  ap_ulong to_uint64() const { return to_ap_int_base().to_uint64(); }
  /// Round to nearest even from the exact value.
  double to_double() const {
    return ap_types_detail::to_double(ap_types_detail::bits_of(*this), _AP_S, _AP_W - _AP_I);
  }
  /// Round to nearest even from the exact value (one rounding, not through double).
  float to_float() const {
    return ap_types_detail::to_float(ap_types_detail::bits_of(*this), _AP_S, _AP_W - _AP_I);
  }

  operator long double() const { return static_cast<long double>(to_double()); }
  operator double() const { return to_double(); }
  operator float() const { return to_float(); }
  operator bool() const { return V != 0; }
  operator char() const { return static_cast<char>(to_int()); }
  operator signed char() const { return static_cast<signed char>(to_int()); }
  operator unsigned char() const { return static_cast<unsigned char>(to_uint()); }
  operator short() const { return static_cast<short>(to_int()); }
  operator unsigned short() const { return static_cast<unsigned short>(to_uint()); }
  operator int() const { return to_int(); }
  operator unsigned int() const { return to_uint(); }
  operator long() const { return static_cast<long>(to_int64()); }
  operator unsigned long() const { return static_cast<unsigned long>(to_uint64()); }
  operator ap_ulong() const { return to_uint64(); }
  operator ap_slong() const { return to_int64(); }

  int length() const { return _AP_W; }
  /// Leading zeros of the _AP_W-bit pattern.
  int countLeadingZeros() const {
    for (int i = _AP_W - 1; i >= 0; --i)
      if ((ap_types_detail::bits_of(*this) >> i) & 1) return _AP_W - 1 - i;
    return _AP_W;
  }
  bool is_zero() const { return V == 0; }
  bool is_neg() const { return ap_types_detail::negative_bits(ap_types_detail::bits_of(*this), _AP_S); }
  int wl() const { return _AP_W; }
  int iwl() const { return _AP_I; }
  ap_q_mode q_mode() const { return _AP_Q; }
  ap_o_mode o_mode() const { return _AP_O; }
  int n_bits() const { return _AP_N; }

  // Arithmetic: exact, in the vendor's full-precision result type.
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  typename RType<_AP_W2, _AP_I2, _AP_S2>::mult operator*(
      const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& op2) const {
    typedef RType<_AP_W2, _AP_I2, _AP_S2> R;
    typename R::mult result;
    ap_types_detail::set_bits(
        result, ap_types_detail::canonical(ap_types_detail::bits_of(*this) * ap_types_detail::bits_of(op2),
                                           R::mult_w, R::mult_s));
    return result;
  }

  /// Division as the vendor: (this * 2^max(F2,0)) / op2 truncated toward zero; 0 when op2 is 0.
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  typename RType<_AP_W2, _AP_I2, _AP_S2>::div operator/(
      const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& op2) const {
    typedef RType<_AP_W2, _AP_I2, _AP_S2> R;
    static_assert(_AP_W + ap_types_detail::max_of(R::F2, 0) <= 127,
                  "the scaled dividend needs more than 128 bits");
    const ap_types_detail::Exact a =
        ap_types_detail::exact_from_bits(ap_types_detail::bits_of(*this), _AP_S, 0);
    const ap_types_detail::Exact b =
        ap_types_detail::exact_from_bits(ap_types_detail::bits_of(op2), _AP_S2, 0);
    typename R::div result;
    if (b.magnitude == 0) return result;
    const ap_types_detail::uint128 quotient =
        (a.magnitude << ap_types_detail::max_of(R::F2, 0)) / b.magnitude;
    ap_types_detail::set_bits(
        result, ap_types_detail::canonical(
                    a.negative != b.negative ? ap_types_detail::uint128(0) - quotient : quotient, R::div_w,
                    R::div_s));
    return result;
  }

#define SPARSEPIXELS_AP_FIXED_ALIGNED(OP, KIND)                                                          \
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>         \
  typename RType<_AP_W2, _AP_I2, _AP_S2>::KIND operator OP(                                              \
      const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& op2) const {                  \
    typedef RType<_AP_W2, _AP_I2, _AP_S2> R;                                                             \
    const int fraction = ap_types_detail::max_of(R::_AP_F, R::F2); /* both operands on the finer grid */ \
    const ap_types_detail::uint128 a = ap_types_detail::bits_of(*this) << (fraction - R::_AP_F);         \
    const ap_types_detail::uint128 b = ap_types_detail::bits_of(op2) << (fraction - R::F2);              \
    typename R::KIND result;                                                                             \
    ap_types_detail::set_bits(result, ap_types_detail::canonical(a OP b, R::KIND##_w, R::KIND##_s));     \
    return result;                                                                                       \
  }
  SPARSEPIXELS_AP_FIXED_ALIGNED(+, plus)
  SPARSEPIXELS_AP_FIXED_ALIGNED(-, minus)
  SPARSEPIXELS_AP_FIXED_ALIGNED(&, logic)
  SPARSEPIXELS_AP_FIXED_ALIGNED(|, logic)
  SPARSEPIXELS_AP_FIXED_ALIGNED(^, logic)
#undef SPARSEPIXELS_AP_FIXED_ALIGNED

  // Compound assignment: the exact result converted with this type's modes.
#define SPARSEPIXELS_AP_FIXED_ASSIGN(OP)                                                                    \
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>            \
  ap_fixed_base& operator OP##=(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& op2) { \
    *this = operator OP(op2);                                                                               \
    return *this;                                                                                           \
  }
  SPARSEPIXELS_AP_FIXED_ASSIGN(*)
  SPARSEPIXELS_AP_FIXED_ASSIGN(/)
  SPARSEPIXELS_AP_FIXED_ASSIGN(+)
  SPARSEPIXELS_AP_FIXED_ASSIGN(-)
  SPARSEPIXELS_AP_FIXED_ASSIGN(&)
  SPARSEPIXELS_AP_FIXED_ASSIGN(|)
  SPARSEPIXELS_AP_FIXED_ASSIGN(^)
#undef SPARSEPIXELS_AP_FIXED_ASSIGN

  /// Adds one with this type's overflow mode (vendor: += ap_fixed_base<F+1, 1, false>(1)).
  ap_fixed_base& operator++() {
    operator+=(ap_fixed_base<_AP_W - _AP_I + 1, 1, false>(1));
    return *this;
  }
  ap_fixed_base& operator--() {
    operator-=(ap_fixed_base<_AP_W - _AP_I + 1, 1, false>(1));
    return *this;
  }
  const ap_fixed_base operator++(int) {
    ap_fixed_base previous(*this);
    operator++();
    return previous;
  }
  const ap_fixed_base operator--(int) {
    ap_fixed_base previous(*this);
    operator--();
    return previous;
  }

  ap_fixed_base operator+() const {
    return *this;
  }
  /// Exact negation, one bit wider and signed.
  ap_fixed_base<_AP_W + 1, _AP_I + 1, true> operator-() const {
    ap_fixed_base<_AP_W + 1, _AP_I + 1, true> result;
    ap_types_detail::set_bits(
        result, ap_types_detail::canonical(ap_types_detail::uint128(0) - ap_types_detail::bits_of(*this),
                                           _AP_W + 1, true));
    return result;
  }
  bool operator!() const {
    return V == 0;
  }
  ap_fixed_base<_AP_W, _AP_I, _AP_S> operator~() const {
    ap_fixed_base<_AP_W, _AP_I, _AP_S> result;
    ap_types_detail::set_bits(result,
                              ap_types_detail::canonical(~ap_types_detail::bits_of(*this), _AP_W, _AP_S));
    return result;
  }

  // Shifts keep this type and move the raw bits: no quantization or overflow handling (vendor
  // without __SC_COMPATIBLE__); a negative signed count shifts the other way.
  ap_fixed_base operator<<(unsigned int sh) const {
    ap_fixed_base result;
    ap_types_detail::set_bits(result,
                              ap_types_detail::shift_left(ap_types_detail::bits_of(*this), sh, _AP_W, _AP_S));
    return result;
  }
  ap_fixed_base operator>>(unsigned int sh) const {
    ap_fixed_base result;
    ap_types_detail::set_bits(
        result, ap_types_detail::shift_right(ap_types_detail::bits_of(*this), sh, _AP_W, _AP_S));
    return result;
  }
  ap_fixed_base operator<<(int sh) const {
    return sh < 0 ? operator>>(static_cast<unsigned int>(-sh)) : operator<<(static_cast<unsigned int>(sh));
  }
  ap_fixed_base operator>>(int sh) const {
    return sh < 0 ? operator<<(static_cast<unsigned int>(-sh)) : operator>>(static_cast<unsigned int>(sh));
  }
  template <int _AP_W2>
  ap_fixed_base operator<<(const ap_int_base<_AP_W2, true>& op2) const {
    return operator<<(op2.to_int());
  }
  template <int _AP_W2>
  ap_fixed_base operator>>(const ap_int_base<_AP_W2, true>& op2) const {
    return operator>>(op2.to_int());
  }
  template <int _AP_W2>
  ap_fixed_base operator<<(const ap_int_base<_AP_W2, false>& op2) const {
    return operator<<(op2.to_uint());
  }
  template <int _AP_W2>
  ap_fixed_base operator>>(const ap_int_base<_AP_W2, false>& op2) const {
    return operator>>(op2.to_uint());
  }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_fixed_base operator<<(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& op2) const {
    return operator<<(op2.to_ap_int_base());
  }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_fixed_base operator>>(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& op2) const {
    return operator>>(op2.to_ap_int_base());
  }
  ap_fixed_base& operator<<=(const int sh) {
    return *this = operator<<(sh);
  }
  ap_fixed_base& operator<<=(const unsigned int sh) {
    return *this = operator<<(sh);
  }
  ap_fixed_base& operator>>=(const int sh) {
    return *this = operator>>(sh);
  }
  ap_fixed_base& operator>>=(const unsigned int sh) {
    return *this = operator>>(sh);
  }
  template <int _AP_W2, bool _AP_S2>
  ap_fixed_base& operator<<=(const ap_int_base<_AP_W2, _AP_S2>& sh) {
    return *this = operator<<(sh.to_int());
  }
  template <int _AP_W2, bool _AP_S2>
  ap_fixed_base& operator>>=(const ap_int_base<_AP_W2, _AP_S2>& sh) {
    return *this = operator>>(sh.to_int());
  }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_fixed_base& operator<<=(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& sh) {
    return *this = operator<<(sh.to_int());
  }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_fixed_base& operator>>=(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& sh) {
    return *this = operator>>(sh.to_int());
  }

  // Comparisons between fixed-point values: both aligned to the finer grid (the vendor widens the
  // coarser one: by F - F2 bits on the right, or F2 - F + 1 on the left), then the vendor's integer
  // comparison rules. With a double: through to_double().
#define SPARSEPIXELS_AP_FIXED_COMPARE(OP, RELATION)                                                   \
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>      \
  bool operator OP(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& op2) const {  \
    const int fraction = _AP_W - _AP_I;                                                               \
    const int fraction2 = _AP_W2 - _AP_I2;                                                            \
    const int width =                                                                                 \
        fraction >= fraction2 ? _AP_W : ap_types_detail::max_of(_AP_W + fraction2 - fraction + 1, 1); \
    const int width2 =                                                                                \
        fraction <= fraction2 ? _AP_W2 : ap_types_detail::max_of(_AP_W2 + fraction - fraction2, 1);   \
    return ap_types_detail::vendor_compare(ap_types_detail::Relation::RELATION,                       \
                                           ap_types_detail::exact_of(*this), width, _AP_S,            \
                                           ap_types_detail::exact_of(op2), width2, _AP_S2);           \
  }                                                                                                   \
  bool operator OP(double d) const {                                                                  \
    return to_double() OP d;                                                                          \
  }
  SPARSEPIXELS_AP_FIXED_COMPARE(==, kEqual)
  SPARSEPIXELS_AP_FIXED_COMPARE(!=, kNotEqual)
  SPARSEPIXELS_AP_FIXED_COMPARE(<, kLess)
  SPARSEPIXELS_AP_FIXED_COMPARE(<=, kLessEqual)
  SPARSEPIXELS_AP_FIXED_COMPARE(>, kGreater)
  SPARSEPIXELS_AP_FIXED_COMPARE(>=, kGreaterEqual)
#undef SPARSEPIXELS_AP_FIXED_COMPARE

  af_bit_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> operator[](unsigned index) {
    return af_bit_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>(this, static_cast<int>(index));
  }
  template <int _AP_W2, bool _AP_S2>
  af_bit_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> operator[](const ap_int_base<_AP_W2, _AP_S2>& index) {
    return af_bit_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>(this, index.to_int());
  }
  bool operator[](unsigned index) const {
    return ((ap_types_detail::bits_of(*this) >> index) & 1) != 0;
  }
  af_bit_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> bit(unsigned index) {
    return operator[](index);
  }
  bool bit(unsigned index) const {
    return operator[](index);
  }
  /// Bit at weight 2^index (index relative to the binary point).
  bool get_bit(int index) const {
    return operator[](static_cast<unsigned>(index + _AP_W - _AP_I));
  }

  af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> range(int Hi, int Lo) {
    return af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>(this, Hi, Lo);
  }
  af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> range(int Hi, int Lo) const {
    return af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>(const_cast<ap_fixed_base*>(this), Hi, Lo);
  }
  template <int _AP_W2, bool _AP_S2, int _AP_W3, bool _AP_S3>
  af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> range(
      const ap_int_base<_AP_W2, _AP_S2>& HiIdx, const ap_int_base<_AP_W3, _AP_S3>& LoIdx) const {
    return range(HiIdx.to_int(), LoIdx.to_int());
  }
  af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> range() {
    return range(_AP_W - 1, 0);
  }
  af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> range() const {
    return range(_AP_W - 1, 0);
  }
  af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> operator()(int Hi, int Lo) {
    return range(Hi, Lo);
  }
  af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N> operator()(int Hi, int Lo) const {
    return range(Hi, Lo);
  }
};

template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
const int ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>::width;
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
const int ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>::iwidth;
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
const ap_q_mode ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>::qmode;
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
const ap_o_mode ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>::omode;

/// A reference to bits Hi..Lo of a fixed-point value's raw bits; reads as ap_int_base<_AP_W, false>.
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
struct af_range_ref {
  ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>* d_bv;
  int l_index;
  int h_index;

  af_range_ref(ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>* bv, int h, int l)
      : d_bv(bv), l_index(l), h_index(h) {}
  af_range_ref(const af_range_ref& ref) = default;

  ap_int_base<_AP_W, false> get() const {
    ap_int_base<_AP_W, false> result;
    ap_types_detail::set_bits(result,
                              ap_types_detail::get_range(ap_types_detail::bits_of(*d_bv), h_index, l_index));
    return result;
  }
  operator ap_int_base<_AP_W, false>() const { return get(); }
  operator ap_ulong() const { return get().to_uint64(); }
  ap_int_base<_AP_W, false> to_ap_int_base() const { return get(); }

  int length() const { return h_index >= l_index ? h_index - l_index + 1 : l_index - h_index + 1; }
  char to_char() const { return get().to_char(); }
  int to_int() const { return get().to_int(); }
  unsigned to_uint() const { return get().to_uint(); }
  long to_long() const { return get().to_long(); }
  unsigned long to_ulong() const { return get().to_ulong(); }
  ap_slong to_int64() const { return get().to_int64(); }
  ap_ulong to_uint64() const { return get().to_uint64(); }

  /// Writes the low bits of `value` into the referenced raw bits.
  af_range_ref& operator=(ap_ulong value) {
    write(ap_types_detail::uint128(value));
    return *this;
  }
  template <int _AP_W2, bool _AP_S2>
  af_range_ref& operator=(const ap_int_base<_AP_W2, _AP_S2>& value) {
    write(ap_types_detail::bits_of(value));
    return *this;
  }
  af_range_ref& operator=(const af_range_ref& value) {
    write(ap_types_detail::bits_of(value.get()));
    return *this;
  }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  af_range_ref& operator=(const af_range_ref<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& value) {
    write(ap_types_detail::bits_of(value.get()));
    return *this;
  }
  template <int _AP_W2, bool _AP_S2>
  af_range_ref& operator=(const ap_range_ref<_AP_W2, _AP_S2>& value) {
    write(ap_types_detail::bits_of(value.get()));
    return *this;
  }
  /// Copies the raw bits of another fixed-point value.
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  af_range_ref& operator=(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& value) {
    write(ap_types_detail::bits_of(value));
    return *this;
  }

 private:
  void write(ap_types_detail::uint128 value) {
    const ap_types_detail::uint128 bits =
        ap_types_detail::set_range(ap_types_detail::bits_of(*d_bv), h_index, l_index, value);
    ap_types_detail::set_bits(*d_bv, ap_types_detail::canonical(bits, _AP_W, _AP_S));
  }
};

/// A reference to one raw bit of a fixed-point value; reads as bool.
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
struct af_bit_ref {
  ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>* d_bv;
  int d_index;

  af_bit_ref(ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>* bv, int index)
      : d_bv(bv), d_index(index) {}
  af_bit_ref(const af_bit_ref& ref) = default;

  operator bool() const { return ((ap_types_detail::bits_of(*d_bv) >> d_index) & 1) != 0; }
  bool to_bool() const { return operator bool(); }
  bool get() const { return operator bool(); }
  int length() const { return 1; }
  bool operator~() const { return !operator bool(); }

  af_bit_ref& operator=(ap_ulong value) {
    const ap_types_detail::uint128 bit = ap_types_detail::uint128(1) << d_index;
    const ap_types_detail::uint128 bits = ap_types_detail::bits_of(*d_bv);
    ap_types_detail::set_bits(
        *d_bv, ap_types_detail::canonical((value & 1) ? (bits | bit) : (bits & ~bit), _AP_W, _AP_S));
    return *this;
  }
  af_bit_ref& operator=(const af_bit_ref& value) { return operator=(ap_ulong(value.get())); }
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  af_bit_ref& operator=(const af_bit_ref<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& value) {
    return operator=(ap_ulong(value.get()));
  }
  template <int _AP_W2, bool _AP_S2>
  af_bit_ref& operator=(const ap_bit_ref<_AP_W2, _AP_S2>& value) {
    return operator=(ap_ulong(value.get()));
  }
  template <int _AP_W2, bool _AP_S2>
  af_bit_ref& operator=(const ap_int_base<_AP_W2, _AP_S2>& value) {
    return operator=(ap_ulong(value.get_bit(0)));
  }
};

/// Prints like the vendor: the exact decimal value reduced to the stream's precision.
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
std::ostream& operator<<(std::ostream& out,
                         const ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& x) {
  ap_types_detail::print_fixed(out, ap_types_detail::bits_of(x), _AP_S, _AP_W - _AP_I);
  return out;
}
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
std::ostream& operator<<(std::ostream& out, const af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& x) {
  return out << x.get();
}

// With C integers: the integer as ap_fixed_base<bits, bits, signedness> (vendor ALL_AF_OP_WITH_INT).
#define SPARSEPIXELS_AF_C_TYPE(T)                                                         \
  ap_fixed_base<ap_types_detail::CInteger<T>::width, ap_types_detail::CInteger<T>::width, \
                ap_types_detail::CInteger<T>::is_signed>
#define SPARSEPIXELS_AF_C_BINARY(OP, KIND)                                                                  \
  template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, class T>         \
  ap_types_detail::IfInteger<T,                                                                             \
                             typename ap_fixed_base<_AP_W, _AP_I, _AP_S>::template RType<                   \
                                 ap_types_detail::CInteger<T>::width, ap_types_detail::CInteger<T>::width,  \
                                 ap_types_detail::CInteger<T>::is_signed>::KIND>                            \
  operator OP(const ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op, T i_op) {                  \
    return op.operator OP(SPARSEPIXELS_AF_C_TYPE(T)(i_op));                                                 \
  }                                                                                                         \
  template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, class T>         \
  ap_types_detail::IfInteger<T,                                                                             \
                             typename SPARSEPIXELS_AF_C_TYPE(T)::template RType<_AP_W, _AP_I, _AP_S>::KIND> \
  operator OP(T i_op, const ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op) {                  \
    return SPARSEPIXELS_AF_C_TYPE(T)(i_op).operator OP(op);                                                 \
  }                                                                                                         \
  template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, int _AP_W2,      \
            bool _AP_S2>                                                                                    \
  typename ap_fixed_base<_AP_W, _AP_I, _AP_S>::template RType<_AP_W2, _AP_W2, _AP_S2>::KIND operator OP(    \
      const ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op,                                    \
      const ap_int_base<_AP_W2, _AP_S2>& i_op) {                                                            \
    return op.operator OP(ap_fixed_base<_AP_W2, _AP_W2, _AP_S2>(i_op));                                     \
  }                                                                                                         \
  template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, int _AP_W2,      \
            bool _AP_S2>                                                                                    \
  typename ap_fixed_base<_AP_W2, _AP_W2, _AP_S2>::template RType<_AP_W, _AP_I, _AP_S>::KIND operator OP(    \
      const ap_int_base<_AP_W2, _AP_S2>& i_op,                                                              \
      const ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op) {                                  \
    return ap_fixed_base<_AP_W2, _AP_W2, _AP_S2>(i_op).operator OP(op);                                     \
  }
SPARSEPIXELS_AF_C_BINARY(+, plus)
SPARSEPIXELS_AF_C_BINARY(-, minus)
SPARSEPIXELS_AF_C_BINARY(*, mult)
SPARSEPIXELS_AF_C_BINARY(/, div)
SPARSEPIXELS_AF_C_BINARY(&, logic)
SPARSEPIXELS_AF_C_BINARY(|, logic)
SPARSEPIXELS_AF_C_BINARY(^, logic)
#undef SPARSEPIXELS_AF_C_BINARY

// Shifts by other C integer types go through ap_int_base (vendor AF_BIN_OP_WITH_INT_SF).
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, class T>
ap_types_detail::IfInteger<T, ap_fixed_base<_AP_W, _AP_I, _AP_S> > operator<<(
    const ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op, T i_op) {
  ap_fixed_base<_AP_W, _AP_I, _AP_S> result;
  result.V =
      op.operator<<(
            ap_int_base<ap_types_detail::CInteger<T>::width, ap_types_detail::CInteger<T>::is_signed>(i_op))
          .V;
  return result;
}
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, class T>
ap_types_detail::IfInteger<T, ap_fixed_base<_AP_W, _AP_I, _AP_S> > operator>>(
    const ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op, T i_op) {
  ap_fixed_base<_AP_W, _AP_I, _AP_S> result;
  result.V =
      op.operator>>(
            ap_int_base<ap_types_detail::CInteger<T>::width, ap_types_detail::CInteger<T>::is_signed>(i_op))
          .V;
  return result;
}

#define SPARSEPIXELS_AF_C_ASSIGN(OP)                                                                   \
  template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, class T>    \
  ap_types_detail::IfInteger<T, ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>&> operator OP( \
      ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op, T i_op) {                           \
    return op.operator OP(SPARSEPIXELS_AF_C_TYPE(T)(i_op));                                            \
  }                                                                                                    \
  template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, int _AP_W2, \
            bool _AP_S2>                                                                               \
  ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& operator OP(                                \
      ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op,                                     \
      const ap_int_base<_AP_W2, _AP_S2>& i_op) {                                                       \
    return op.operator OP(ap_fixed_base<_AP_W2, _AP_W2, _AP_S2>(i_op));                                \
  }                                                                                                    \
  template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, int _AP_W2, \
            bool _AP_S2>                                                                               \
  ap_int_base<_AP_W2, _AP_S2>& operator OP(                                                            \
      ap_int_base<_AP_W2, _AP_S2>& i_op,                                                               \
      const ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op) {                             \
    return i_op.operator OP(op.to_ap_int_base());                                                      \
  }
SPARSEPIXELS_AF_C_ASSIGN(+=)
SPARSEPIXELS_AF_C_ASSIGN(-=)
SPARSEPIXELS_AF_C_ASSIGN(*=)
SPARSEPIXELS_AF_C_ASSIGN(/=)
SPARSEPIXELS_AF_C_ASSIGN(&=)
SPARSEPIXELS_AF_C_ASSIGN(|=)
SPARSEPIXELS_AF_C_ASSIGN(^=)
#undef SPARSEPIXELS_AF_C_ASSIGN

template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, class T>
ap_types_detail::IfInteger<T, ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>&> operator<<=(
    ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op, T i_op) {
  return op.operator<<=(
      ap_int_base<ap_types_detail::CInteger<T>::width, ap_types_detail::CInteger<T>::is_signed>(i_op));
}
template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, class T>
ap_types_detail::IfInteger<T, ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>&> operator>>=(
    ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op, T i_op) {
  return op.operator>>=(
      ap_int_base<ap_types_detail::CInteger<T>::width, ap_types_detail::CInteger<T>::is_signed>(i_op));
}

// Comparisons with C integers and ap_int_base are exact; a double on the left uses to_double().
#define SPARSEPIXELS_AF_C_COMPARE(OP, REVERSED)                                                        \
  template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, class T>    \
  ap_types_detail::IfInteger<T, bool> operator OP(                                                     \
      const ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op, T i_op) {                     \
    return op.operator OP(SPARSEPIXELS_AF_C_TYPE(T)(i_op));                                            \
  }                                                                                                    \
  template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, class T>    \
  ap_types_detail::IfInteger<T, bool> operator OP(                                                     \
      T i_op, const ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op) {                     \
    return SPARSEPIXELS_AF_C_TYPE(T)(i_op).operator OP(op);                                            \
  }                                                                                                    \
  template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, int _AP_W2, \
            bool _AP_S2>                                                                               \
  bool operator OP(const ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op,                  \
                   const ap_int_base<_AP_W2, _AP_S2>& i_op) {                                          \
    return op.operator OP(ap_fixed_base<_AP_W2, _AP_W2, _AP_S2>(i_op));                                \
  }                                                                                                    \
  template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, int _AP_W2, \
            bool _AP_S2>                                                                               \
  bool operator OP(const ap_int_base<_AP_W2, _AP_S2>& i_op,                                            \
                   const ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op) {                \
    return ap_fixed_base<_AP_W2, _AP_W2, _AP_S2>(i_op).operator OP(op);                                \
  }                                                                                                    \
  template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>             \
  bool operator OP(double op1, const ap_fixed_base<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op2) {   \
    return op2.operator REVERSED(op1);                                                                 \
  }
SPARSEPIXELS_AF_C_COMPARE(==, ==)
SPARSEPIXELS_AF_C_COMPARE(!=, !=)
SPARSEPIXELS_AF_C_COMPARE(<, >)
SPARSEPIXELS_AF_C_COMPARE(<=, >=)
SPARSEPIXELS_AF_C_COMPARE(>, <)
SPARSEPIXELS_AF_C_COMPARE(>=, <=)
#undef SPARSEPIXELS_AF_C_COMPARE
#undef SPARSEPIXELS_AF_C_TYPE

// Fixed-point range references take part in expressions as ap_int_base<_AP_W, false>.
#define SPARSEPIXELS_AF_RANGE_BINARY(OP)                                                               \
  template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, class T>    \
  auto operator OP(const af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op, const T& op2)     \
      ->decltype(ap_int_base<_AP_W, false>(op) OP op2) {                                               \
    return ap_int_base<_AP_W, false>(op) OP op2;                                                       \
  }                                                                                                    \
  template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, class T>    \
  auto operator OP(const T& op, const af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op2)     \
      ->decltype(op OP ap_int_base<_AP_W, false>(op2)) {                                               \
    return op OP ap_int_base<_AP_W, false>(op2);                                                       \
  }                                                                                                    \
  template <int _AP_W, int _AP_I, bool _AP_S, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N, int _AP_W2, \
            int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>                   \
  auto operator OP(const af_range_ref<_AP_W, _AP_I, _AP_S, _AP_Q, _AP_O, _AP_N>& op,                   \
                   const af_range_ref<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& op2)            \
      ->decltype(ap_int_base<_AP_W, false>(op) OP ap_int_base<_AP_W2, false>(op2)) {                   \
    return ap_int_base<_AP_W, false>(op) OP ap_int_base<_AP_W2, false>(op2);                           \
  }
SPARSEPIXELS_AF_RANGE_BINARY(+)
SPARSEPIXELS_AF_RANGE_BINARY(-)
SPARSEPIXELS_AF_RANGE_BINARY(*)
SPARSEPIXELS_AF_RANGE_BINARY(&)
SPARSEPIXELS_AF_RANGE_BINARY(|)
SPARSEPIXELS_AF_RANGE_BINARY(^)
SPARSEPIXELS_AF_RANGE_BINARY(==)
SPARSEPIXELS_AF_RANGE_BINARY(!=)
SPARSEPIXELS_AF_RANGE_BINARY(<)
SPARSEPIXELS_AF_RANGE_BINARY(<=)
SPARSEPIXELS_AF_RANGE_BINARY(>)
SPARSEPIXELS_AF_RANGE_BINARY(>=)
#undef SPARSEPIXELS_AF_RANGE_BINARY

#endif  // SPARSEPIXELS_HLS_AP_FIXED_BASE_H

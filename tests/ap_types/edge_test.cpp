// Edge cases of the fixed-point types with hand-computed expectations: ties in each rounding mode,
// -0.0, values just past the range, the most negative value, AP_SAT_SYM, unsigned targets given
// negative values, I <= 0 and I >= W, NaN/inf/huge doubles, to_int() of fractions, shifts,
// comparisons, unary minus, ++/--, bit and range access, to_double()/to_float() rounding, and
// stream output.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>

#include "reference.h"

namespace {

using ap_reference::Int;
using ap_reference::raw_of;

// ap_fixed<4,2,Q>: LSB 0.25. Values at +-0.5 and +-1.5 LSB are ties; expectations in LSBs.
template <ap_q_mode Q>
void expect_ties(Int half, Int one_and_half, Int minus_half, Int minus_one_and_half) {
  EXPECT_EQ((raw_of(ap_fixed<4, 2, Q>(0.125))), half) << Q;
  EXPECT_EQ((raw_of(ap_fixed<4, 2, Q>(0.375))), one_and_half) << Q;
  EXPECT_EQ((raw_of(ap_fixed<4, 2, Q>(-0.125))), minus_half) << Q;
  EXPECT_EQ((raw_of(ap_fixed<4, 2, Q>(-0.375))), minus_one_and_half) << Q;
}

TEST(ApTypesEdge, TiesInEveryQuantizationMode) {
  expect_ties<AP_TRN>(0, 1, -1, -2);          // toward minus infinity
  expect_ties<AP_TRN_ZERO>(0, 1, 0, -1);      // toward zero
  expect_ties<AP_RND>(1, 2, 0, -1);           // ties toward plus infinity
  expect_ties<AP_RND_ZERO>(0, 1, 0, -1);      // ties toward zero
  expect_ties<AP_RND_MIN_INF>(0, 1, -1, -2);  // ties toward minus infinity
  expect_ties<AP_RND_INF>(1, 2, -1, -2);      // ties away from zero
  expect_ties<AP_RND_CONV>(0, 2, 0, -2);      // ties to even
  // Just off the tie every rounding mode agrees.
  EXPECT_EQ((raw_of(ap_fixed<8, 2, AP_RND_ZERO>(0.125 + 1.0 / 1024))), 8);
  EXPECT_EQ((raw_of(ap_fixed<4, 2, AP_RND_MIN_INF>(0.1251))), 1);
}

TEST(ApTypesEdge, NegativeZero) {
  const ap_fixed<8, 3, AP_TRN> trn = -0.0;
  const ap_fixed<8, 3, AP_RND_INF, AP_SAT_SYM> rnd = -0.0;
  const ap_ufixed<8, 3, AP_TRN, AP_SAT> unsigned_zero = -0.0;
  EXPECT_EQ(raw_of(trn), 0);
  EXPECT_EQ(raw_of(rnd), 0);
  EXPECT_EQ(raw_of(unsigned_zero), 0);
  EXPECT_FALSE(trn.is_neg());
  EXPECT_FALSE(std::signbit(trn.to_double()));
  EXPECT_EQ((raw_of(ap_fixed<8, 3>(-0.0f))), 0);
}

TEST(ApTypesEdge, ValuesJustPastTheRange) {
  // ap_fixed<8,3>: LSB 1/32, range [-4, 3.96875].
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN, AP_SAT>(4.0).to_double()), 3.96875);
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN, AP_SAT>(-4.03125).to_double()), -4.0);
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN, AP_WRAP>(4.0).to_double()), -4.0);
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN, AP_WRAP>(-4.03125).to_double()), 3.96875);
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN, AP_SAT_ZERO>(4.0).to_double()), 0.0);
  // Quantization comes first: max + half an LSB rounds up to 4.0, which then saturates.
  EXPECT_EQ((ap_fixed<8, 3, AP_RND, AP_SAT>(3.984375).to_double()), 3.96875);
  EXPECT_EQ((ap_fixed<8, 3, AP_RND, AP_WRAP>(3.984375).to_double()), -4.0);
  EXPECT_EQ((ap_fixed<8, 3, AP_RND_ZERO, AP_SAT>(3.984375).to_double()), 3.96875);
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN, AP_SAT>(3.984375).to_double()), 3.96875);
  // Just inside stays exact.
  EXPECT_EQ((ap_fixed<8, 3, AP_RND, AP_SAT>(3.96875).to_double()), 3.96875);
  EXPECT_EQ((ap_fixed<8, 3, AP_RND, AP_SAT>(-4.0).to_double()), -4.0);
  // -4 - half an LSB: AP_RND rounds the tie up to -4 (in range), AP_RND_INF away to -4.03125 (saturates).
  EXPECT_EQ((ap_fixed<8, 3, AP_RND, AP_SAT>(-4.015625).to_double()), -4.0);
  EXPECT_EQ((ap_fixed<8, 3, AP_RND_INF, AP_SAT_ZERO>(-4.015625).to_double()), 0.0);
}

TEST(ApTypesEdge, MostNegativeValueAndSatSym) {
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN, AP_SAT>(-4.0).to_double()), -4.0);
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN, AP_SAT_SYM>(-4.0).to_double()), -3.96875);
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN, AP_SAT_SYM>(-100.0).to_double()), -3.96875);
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN, AP_SAT_SYM>(100.0).to_double()), 3.96875);
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN, AP_SAT_SYM>(-3.96875).to_double()), -3.96875);
  // Unary minus is exact: the most negative value negates into the wider type.
  const ap_fixed<8, 3> most_negative = -4.0;
  EXPECT_EQ((-most_negative).to_double(), 4.0);
  EXPECT_EQ(raw_of(-most_negative), 128);
  static_assert(std::is_same<decltype(-most_negative), ap_fixed_base<9, 4, true> >::value,
                "unary minus type");
  // AP_SAT_SYM on an unsigned type: negative values become 0, large ones the maximum.
  EXPECT_EQ((ap_ufixed<8, 3, AP_TRN, AP_SAT_SYM>(-1.0).to_double()), 0.0);
  EXPECT_EQ((ap_ufixed<8, 3, AP_TRN, AP_SAT_SYM>(9.0).to_double()), 7.96875);
  // One-bit signed types (values -1 and 0): the vendor's symmetric underflow sets the only bit.
  EXPECT_EQ(raw_of(ap_fixed<1, 1, AP_TRN, AP_SAT_SYM>(-1.0)), -1);
  EXPECT_EQ(raw_of(ap_fixed<1, 0, AP_RND, AP_SAT_SYM>(-3.0)), -1);
  EXPECT_EQ(raw_of(ap_fixed<1, 0, AP_RND, AP_SAT_SYM>(-0.2)), 0);
  EXPECT_EQ(raw_of(ap_fixed<1, 0, AP_RND, AP_SAT_SYM>(3.0)), 0);
  // Signed 64-bit extreme.
  const ap_fixed<64, 64, AP_TRN, AP_SAT_SYM> sym = ap_int<64>(std::numeric_limits<long long>::min());
  EXPECT_EQ(sym.to_int64(), -std::numeric_limits<long long>::max());
}

TEST(ApTypesEdge, UnsignedTargetsGivenNegativeValues) {
  EXPECT_EQ((ap_ufixed<8, 3>(-1.0).to_double()), 7.0);  // AP_WRAP: 8 - 1
  EXPECT_EQ((ap_ufixed<8, 3, AP_TRN, AP_SAT>(-1.0).to_double()), 0.0);
  EXPECT_EQ((ap_ufixed<8, 3, AP_TRN, AP_SAT_ZERO>(-1.0).to_double()), 0.0);
  EXPECT_EQ((ap_ufixed<8, 3, AP_RND, AP_SAT>(-0.015625).to_double()), 0.0);  // rounds to 0: no overflow
  EXPECT_EQ((ap_ufixed<8, 3, AP_TRN, AP_SAT>(-0.015625).to_double()), 0.0);  // floor -1/32 saturates to 0
  EXPECT_EQ((ap_ufixed<8, 3, AP_TRN, AP_WRAP>(-0.015625).to_double()), 7.96875);
  const ap_fixed<8, 3> negative = -2.5;
  EXPECT_EQ((ap_ufixed<8, 3>(negative).to_double()), 5.5);
  EXPECT_EQ((ap_ufixed<8, 3, AP_TRN, AP_SAT>(negative)).to_double(), 0.0);
  EXPECT_EQ(ap_uint<4>(-3).to_int(), 13);
}

TEST(ApTypesEdge, NoOrNegativeIntegerBits) {
  // ap_fixed<6,-2>: LSB 2^-8, range [-2^-3, 2^-3 - 2^-8].
  EXPECT_EQ((raw_of(ap_fixed<6, -2>(0.1))), 25);  // floor(25.6)
  EXPECT_EQ((raw_of(ap_fixed<6, -2, AP_RND>(0.1))), 26);
  EXPECT_EQ((raw_of(ap_fixed<6, -2, AP_RND, AP_SAT>(0.2))), 31);
  EXPECT_EQ((raw_of(ap_fixed<6, -2, AP_RND, AP_SAT>(-0.2))), -32);
  EXPECT_EQ((raw_of(ap_fixed<6, -2, AP_TRN, AP_WRAP>(0.2))), -13);            // 51 - 64
  EXPECT_EQ((ap_ufixed<4, 0, AP_RND, AP_SAT>(0.96875).to_double()), 0.9375);  // 15.5 LSB -> 16 -> max 15
  EXPECT_EQ((ap_ufixed<4, 0, AP_RND, AP_WRAP>(0.96875).to_double()), 0.0);
  EXPECT_EQ((ap_fixed<4, 0>(0.4375).to_double()), 0.4375);
  EXPECT_EQ((ap_fixed<4, -3, AP_RND_CONV>(0.01).to_double()), 0.0078125);  // 0.01 * 2^7 = 1.28 -> 1
}

TEST(ApTypesEdge, IntegerBitsAtOrBeyondWidth) {
  // ap_fixed<4,8>: LSB 16, range [-128, 112].
  EXPECT_EQ((ap_fixed<4, 8>(100.0).to_double()), 96.0);
  EXPECT_EQ((ap_fixed<4, 8, AP_RND>(100.0).to_double()), 96.0);   // 6.25 LSB
  EXPECT_EQ((ap_fixed<4, 8, AP_RND>(104.0).to_double()), 112.0);  // 6.5 LSB ties up
  EXPECT_EQ((ap_fixed<4, 8, AP_TRN, AP_SAT>(200.0).to_double()), 112.0);
  EXPECT_EQ((ap_fixed<4, 8, AP_TRN, AP_WRAP>(200.0).to_double()), -64.0);  // 12 LSB wraps to -4
  EXPECT_EQ((ap_fixed<4, 8>(-1.0).to_double()), -16.0);                    // floor
  EXPECT_EQ((ap_ufixed<6, 6>(63.9).to_double()), 63.0);
  EXPECT_EQ((ap_fixed<4, 8>(-32.0).to_int()), -32);
  EXPECT_EQ((ap_fixed<3, 40>(ap_int<64>(1LL << 38)).to_int64()), 1LL << 38);
}

TEST(ApTypesEdge, NaNInfinityAndHugeDoubles) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN, AP_SAT>(inf).to_double()), 3.96875);
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN, AP_SAT>(-inf).to_double()), -4.0);
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN, AP_SAT>(nan).to_double()), 3.96875);  // NaN reads as +1.x * 2^1024
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN, AP_SAT>(-nan).to_double()), -4.0);
  EXPECT_EQ((ap_fixed<8, 3>(inf).to_double()), 0.0);  // AP_WRAP keeps low bits: all zero
  EXPECT_EQ((ap_fixed<8, 3>(nan).to_double()), 0.0);
  EXPECT_EQ((ap_fixed<8, 3>(1e30).to_double()), 0.0);  // a multiple of 2^47
  EXPECT_EQ((ap_fixed<8, 3>(std::ldexp(1.0, 40) + 2.5).to_double()), 2.5);
  EXPECT_EQ((ap_fixed<8, 3>(-(std::ldexp(1.0, 40) + 2.5)).to_double()), -2.5);
  EXPECT_EQ((ap_ufixed<16, 16, AP_RND, AP_SAT>(1e300).to_double()), 65535.0);
  EXPECT_EQ((ap_fixed<8, 3, AP_RND>(1e-300).to_double()), 0.0);
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN>(-1e-300).to_double()), -0.03125);
  EXPECT_EQ((ap_fixed<8, 3, AP_TRN>(-std::numeric_limits<double>::denorm_min()).to_double()), -0.03125);
  EXPECT_EQ(ap_int<8>(nan).to_int(), 0);
  EXPECT_EQ(ap_int<8>(inf).to_int(), 0);
}

TEST(ApTypesEdge, ToIntTruncatesTowardZero) {
  EXPECT_EQ((ap_fixed<8, 4>(-7.5).to_int()), -7);
  EXPECT_EQ((ap_fixed<8, 4>(7.5).to_int()), 7);
  EXPECT_EQ((ap_fixed<8, 4>(-0.5).to_int()), 0);
  EXPECT_EQ((ap_fixed<8, 4>(-8.0).to_int()), -8);
  EXPECT_EQ((ap_fixed<8, 4>(-7.9375).to_int64()), -7);
  EXPECT_EQ((ap_ufixed<8, 4>(15.9375).to_uint()), 15u);
  EXPECT_EQ((ap_ufixed<8, 0>(0.5).to_int()), 0);
  EXPECT_EQ((static_cast<int>(ap_fixed<8, 4>(-3.25))), -3);
  EXPECT_EQ((ap_int<8>(ap_fixed<8, 4>(-3.25)).to_int()), -3);
  // Vendor behaviour for I <= 0: the 1-bit integer part is incremented for a negative fraction.
  EXPECT_EQ((ap_fixed<8, 0>(-0.5).to_int()), -1);
  EXPECT_EQ((ap_fixed<8, -2>(-0.0625).to_int()), -1);
  EXPECT_EQ((ap_fixed<8, 0>(0.25).to_int()), 0);
  // Wide values wrap to the C type like the vendor's (int) of the integer part.
  EXPECT_EQ((ap_fixed<48, 40>(ap_int<48>(1LL << 33) + 5).to_int()), 5);
  EXPECT_EQ((ap_fixed<48, 40>(-274877906944.0 + 0.5).to_int64()), -274877906943LL);
}

TEST(ApTypesEdge, IntegerFromDoubleTruncates) {
  EXPECT_EQ(ap_int<8>(-2.7).to_int(), -2);
  EXPECT_EQ(ap_int<8>(2.7).to_int(), 2);
  EXPECT_EQ(ap_int<8>(300.0).to_int(), 44);
  EXPECT_EQ(ap_uint<8>(-1.0).to_int(), 255);
  EXPECT_EQ(ap_int<8>(-0.7).to_int(), 0);
  EXPECT_EQ(ap_int<8>(-0.3).to_int(), 1);  // vendor ap_int_base(double) for -0.5 < x < 0
  EXPECT_EQ(ap_int<8>(-0.0).to_int(), 0);
  EXPECT_EQ(ap_int<64>(-9007199254740993.0).to_int64(), -9007199254740992LL);
  EXPECT_EQ(ap_int<8>(2.7f).to_int(), 2);
}

TEST(ApTypesEdge, ShiftsKeepTheTypeAndMoveBits) {
  const ap_fixed<8, 3> x = 1.5;  // raw 48
  EXPECT_EQ((x << 1).to_double(), 3.0);
  EXPECT_EQ((x << 2).to_double(), -2.0);  // raw 192 wraps to -64: bits shift out, no saturation
  EXPECT_EQ((x >> 1).to_double(), 0.75);
  EXPECT_EQ((x >> 5).to_double(), 0.03125);
  EXPECT_EQ((x >> 6).to_double(), 0.0);
  EXPECT_EQ((x << -1).to_double(), 0.75);  // negative int counts shift the other way
  EXPECT_EQ((x >> -1).to_double(), 3.0);
  EXPECT_EQ((x << ap_int<4>(-1)).to_double(), 0.75);
  EXPECT_EQ((x >> ap_uint<4>(1)).to_double(), 0.75);
  EXPECT_EQ((x << ap_fixed<6, 4>(1.75)).to_double(), 3.0);  // the count's integer part
  EXPECT_EQ((x << 2u).to_double(), -2.0);
  const ap_fixed<8, 3, AP_RND, AP_SAT> saturating = 1.5;
  EXPECT_EQ((saturating << 2).to_double(), -2.0);  // shifts never saturate
  const ap_fixed<8, 3> negative = -1.5;
  EXPECT_EQ((negative >> 1).to_double(), -0.75);
  EXPECT_EQ((negative >> 20).to_double(), -0.03125);  // arithmetic shift keeps the sign
  EXPECT_EQ((negative << 20).to_double(), 0.0);
  const ap_ufixed<8, 3> positive = 7.5;
  EXPECT_EQ((positive >> 1).to_double(), 3.75);
  ap_fixed<8, 3> y = 0.5;
  y <<= 1;
  EXPECT_EQ(y.to_double(), 1.0);
  y >>= ap_int<3>(2);
  EXPECT_EQ(y.to_double(), 0.25);
  y <<= static_cast<short>(3);
  EXPECT_EQ(y.to_double(), 2.0);
  static_assert(std::is_same<decltype(x << 1), ap_fixed_base<8, 3, true> >::value, "shift result type");
}

TEST(ApTypesEdge, Comparisons) {
  const ap_fixed<8, 3> a = 1.5;
  EXPECT_TRUE((a == ap_ufixed<4, 2>(1.5)));
  EXPECT_TRUE(a < ap_int<4>(2));
  EXPECT_TRUE(a > 1);
  EXPECT_TRUE(2 > a);
  EXPECT_TRUE(a == 1.5);
  EXPECT_TRUE(1.5 == a);
  EXPECT_TRUE(a != 1.25);
  EXPECT_TRUE((ap_ufixed<8, 8>(200) > ap_fixed<8, 3>(-1.0)));
  // 0u is ap_ufixed<32,32>: the vendor compares a negative value with a 32-bit (or wider)
  // unsigned operand as a large unsigned pattern, like C; with narrower types exactly.
  EXPECT_FALSE((ap_fixed<8, 3>(-1.0) < 0u));
  EXPECT_TRUE((ap_fixed<8, 3>(-1.0) < 0));
  EXPECT_FALSE((ap_fixed<16, 8>(-1.0) < ap_ufixed<32, 16>(1.0)));
  EXPECT_TRUE((ap_fixed<16, 8>(-1.0) < ap_ufixed<24, 16>(1.0)));
  // The left operand is widened by F2 - F + 1 bits: 24 + 8 + 1 = 33 > 32, the signed one is wider.
  EXPECT_TRUE((ap_fixed<24, 16>(-1.0) < ap_ufixed<32, 16>(1.0)));
  EXPECT_FALSE((ap_fixed<23, 15>(-1.0) < ap_ufixed<32, 16>(1.0)));  // 23 + 8 + 1 = 32: as unsigned
  EXPECT_TRUE((ap_fixed<8, 3>(-1.0) < ap_uint<8>(0)));
  // Fixed-point comparisons are exact; comparisons with a double go through to_double().
  ap_fixed<64, 2> close;
  ap_reference::set_raw(close, (Int(1) << 62) + 1);  // 1 + 2^-62
  EXPECT_TRUE((close > ap_fixed<8, 2>(1.0)));
  EXPECT_TRUE(close == 1.0);
  EXPECT_FALSE(close > 1.0);
  EXPECT_TRUE((ap_fixed<8, 3>(-0.03125) < ap_fixed<4, 8>(0.0)));
  EXPECT_TRUE((ap_fixed<4, 8>(16.0) > ap_fixed<8, -2>(0.1)));
}

TEST(ApTypesEdge, IncrementAndDecrementUseTheTypesModes) {
  ap_fixed<8, 3, AP_TRN, AP_SAT> saturating = 3.5;
  ++saturating;
  EXPECT_EQ(saturating.to_double(), 3.96875);
  ap_fixed<8, 3> wrapping = 3.5;
  const ap_fixed<8, 3> previous = wrapping++;
  EXPECT_EQ(previous.to_double(), 3.5);
  EXPECT_EQ(wrapping.to_double(), -3.5);
  --wrapping;
  EXPECT_EQ(wrapping.to_double(), -4.5 + 8.0);
  ap_ufixed<6, 2, AP_TRN, AP_SAT> low = 0.25;
  low--;
  EXPECT_EQ(low.to_double(), 0.0);
  ap_int<4> i = 7;
  ++i;
  EXPECT_EQ(i.to_int(), -8);
  ap_uint<4> u = 0;
  EXPECT_EQ((u--).to_int(), 0);
  EXPECT_EQ(u.to_int(), 15);
}

TEST(ApTypesEdge, BitAndRangeAccess) {
  ap_fixed<8, 3> x = -1.5;  // raw -48 = 0b11010000
  EXPECT_TRUE(x[7]);
  EXPECT_TRUE(x[6]);
  EXPECT_FALSE(x[5]);
  EXPECT_TRUE(x[4]);
  EXPECT_EQ(x.range(7, 4).to_uint(), 13u);
  EXPECT_EQ(x.range().to_uint(), 208u);
  EXPECT_EQ(x(3, 0).to_uint(), 0u);
  EXPECT_EQ(x.range(0, 7).to_uint(), 11u);  // reversed bit order
  EXPECT_EQ(x.get_bit(-1), true);           // weight 2^-1 (bit 4)
  const ap_uint<4> top = x.range(7, 4);
  EXPECT_EQ(top.to_uint(), 13u);
  x[0] = 1;
  EXPECT_EQ(raw_of(x), -47);
  x.range(3, 0) = 15;
  EXPECT_EQ(raw_of(x), -33);
  x.range(7, 6) = ap_uint<2>(1);
  EXPECT_EQ(raw_of(x), 95);
  ap_fixed<8, 3> y = 0;
  y.range() = x.range();
  EXPECT_EQ(raw_of(y), 95);
  y[7] = x[0];
  EXPECT_EQ(raw_of(y), -33);
  ap_int<8> i = -1;
  i[7] = 0;
  EXPECT_EQ(i.to_int(), 127);
  i.range(3, 0) = 0;
  EXPECT_EQ(i.to_int(), 112);
  EXPECT_EQ((unsigned)i(6, 4), 7u);
  EXPECT_TRUE(i.range(6, 4) == 7);
  EXPECT_EQ((i.range(6, 4) + 1).to_int(), 8);
  const ap_int<8> c = -128;
  EXPECT_TRUE(c[7]);
  EXPECT_EQ(c.range(7, 7).to_uint(), 1u);
}

// The rounding of to_double()/to_float() is checked in integers: the result times 2^F must be the
// nearest representable value to the raw mantissa, ties to an even significand.
TEST(ApTypesEdge, ToDoubleAndToFloatRoundToNearestEven) {
  ap_fixed<64, 1> x;
  ap_reference::set_raw(x, (Int(1) << 53) + 1);  // (2^53 + 1) * 2^-63: a tie, even is 2^53
  EXPECT_EQ(x.to_double(), std::ldexp(1.0, -10));
  ap_reference::set_raw(x, (Int(1) << 53) + 3);  // tie, even is 2^53 + 4
  EXPECT_EQ(x.to_double(), std::ldexp(static_cast<double>((1LL << 53) + 4), -63));
  ap_fixed<64, 34> y;  // F = 30: 2^24 + 1 + 2^-30 needs 55 bits
  ap_reference::set_raw(y, ((Int(1) << 24) + 1) * (Int(1) << 30) + 1);
  EXPECT_EQ(y.to_float(), 16777218.0f);                       // one rounding from the exact value
  EXPECT_EQ(static_cast<float>(y.to_double()), 16777216.0f);  // rounding twice would differ

  std::mt19937_64 random(21);
  for (int i = 0; i < 20000; ++i) {
    ap_fixed<64, 20> z;  // F = 44
    const Int raw = ap_reference::random_raw(random, 64, true);
    ap_reference::set_raw(z, raw);
    const double d = z.to_double();
    const Int scaled = static_cast<Int>(std::ldexp(d, 44));  // exact: |d| * 2^44 < 2^64
    const Int up = static_cast<Int>(std::ldexp(std::nextafter(d, 1e300), 44));
    const Int down = static_cast<Int>(std::ldexp(std::nextafter(d, -1e300), 44));
    const Int error = raw > scaled ? raw - scaled : scaled - raw;
    const Int error_up = raw > up ? raw - up : up - raw;
    const Int error_down = raw > down ? raw - down : down - raw;
    ASSERT_LE(error, error_up) << ap_reference::to_string(raw);
    ASSERT_LE(error, error_down) << ap_reference::to_string(raw);
    if (error == error_up || error == error_down) {  // a tie: the significand must be even
      int exponent;
      const double significand = std::frexp(d, &exponent);
      ASSERT_EQ((static_cast<long long>(std::ldexp(significand, 53)) % 2), 0);
    }
  }
}

std::string printed(const ap_fixed_base<16, 8, true>& x, int precision = 6) {
  std::ostringstream out;
  out.precision(precision);
  out << x;
  return out.str();
}

TEST(ApTypesEdge, StreamOutputLikeTheVendor) {
  // The exact decimal value reduced to the stream's precision (significant digits); the next
  // digit rounds half up (0.0009765625 -> 0.000976563, where printf would give ...562).
  EXPECT_EQ((printed(ap_fixed<16, 8>(1.25))), "1.25");
  EXPECT_EQ((printed(ap_fixed<16, 8>(-3.0078125))), "-3.00781");
  EXPECT_EQ((printed(ap_fixed<16, 8>(-3.0078125), 8)), "-3.0078125");
  EXPECT_EQ((printed(ap_fixed<16, 8>(0.99609375))), "0.996094");
  EXPECT_EQ((printed(ap_fixed<16, 8>(127.99609375))), "127.996");
  EXPECT_EQ((printed(ap_fixed<16, 8>(0))), "0");
  EXPECT_EQ((printed(ap_fixed<16, 8>(-128))), "-128");
  std::ostringstream out;
  out << ap_fixed<20, 20>(123456) << " " << ap_fixed<24, 24>(1234567) << " "
      << ap_ufixed<16, -8>(std::ldexp(1.0, -16)) << " " << ap_fixed<8, 0>(-0.0078125) << " " << ap_int<8>(-5)
      << " " << ap_uint<70>(7) << " " << ap_fixed<12, 2>(0.0009765625);
  EXPECT_EQ(out.str(), "123456 1.23457e+06 1.52588e-05 -0.0078125 -5 7 0.000976563");
  // A mixed number whose integer part is longer than the precision: the vendor checks the digit
  // one place too far ('.' or the next digit), so these print truncated (printf: 1.23457e+06 and
  // 1.23457e+07).
  std::ostringstream long_integer_part;
  long_integer_part << ap_fixed<24, 22>(1234567.5) << " " << ap_fixed<27, 25>(12345694.5);
  EXPECT_EQ(long_integer_part.str(), "1.23456e+06 1.23456e+07");
  std::ostringstream padded;
  padded.width(8);
  padded.fill('*');
  padded << ap_fixed<8, 4>(2.5);
  EXPECT_EQ(padded.str(), "*****2.5");
}

}  // namespace

// ap_int / ap_uint: the vendor's result types of + - * / % & | ^ and unary minus (compile time),
// exhaustive values for small widths and random values up to 64 bits against 128-bit integer
// arithmetic, C integers as their ap types, shifts, ++/--, compound assignment, comparisons,
// conversions from double and from fixed-point values.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <type_traits>

#include "reference.h"

namespace {

using ap_reference::Int;
using ap_reference::raw_of;
using ap_reference::Spec;
using ap_reference::SpecOf;
using ap_reference::UInt;

template <class A, class B>
constexpr bool same() {
  return std::is_same<A, B>::value;
}

// Result types, derived by hand from the vendor's ap_int_base::RType (docs/ap-types.md).
static_assert(same<decltype(ap_int<8>() + ap_int<8>()), ap_int<9> >(), "plus");
static_assert(same<decltype(ap_int<8>() + ap_uint<8>()), ap_int<10> >(), "plus mixed");
static_assert(same<decltype(ap_uint<8>() + ap_uint<8>()), ap_uint<9> >(), "plus unsigned");
static_assert(same<decltype(ap_uint<8>() - ap_uint<8>()), ap_int<9> >(), "minus is signed");
static_assert(same<decltype(ap_int<8>() * ap_uint<8>()), ap_int<16> >(), "mult");
static_assert(same<decltype(ap_int<8>() / ap_uint<4>()), ap_int<8> >(), "div");
static_assert(same<decltype(ap_uint<8>() / ap_int<4>()), ap_int<9> >(), "div by signed");
static_assert(same<decltype(ap_int<8>() % ap_uint<4>()), ap_int<5> >(), "mod");
static_assert(same<decltype(ap_uint<8>() % ap_int<4>()), ap_uint<4> >(), "mod unsigned");
static_assert(same<decltype(ap_int<8>() & ap_uint<4>()), ap_int<8> >(), "and");
static_assert(same<decltype(ap_uint<8>() | ap_int<4>()), ap_int<9> >(), "or");
static_assert(same<decltype(ap_int<8>() + 1), ap_int<33> >(), "int is ap_int<32>");
static_assert(same<decltype(ap_uint<8>() + 1u), ap_uint<33> >(), "unsigned is ap_uint<32>");
static_assert(same<decltype(ap_uint<8>() + 1), ap_int<33> >(), "unsigned + int");
static_assert(same<decltype(ap_int<8>() * true), ap_int<9> >(), "bool is ap_uint<1>");
static_assert(same<decltype(ap_int<8>() * static_cast<signed char>(1)), ap_int<16> >(), "signed char");
static_assert(same<decltype(ap_int<8>() + 1L), ap_int<65> >(), "long is ap_int<64>");
static_assert(same<decltype(1 - ap_uint<8>()), ap_int<33> >(), "int on the left");
static_assert(same<decltype(-ap_int<8>()), ap_int<9> >(), "unary minus");
static_assert(same<decltype(-ap_uint<8>()), ap_int<9> >(), "unary minus of unsigned");
static_assert(same<decltype(-ap_int<1>()), ap_int<3> >(), "unary minus of ap_int<1>");
static_assert(same<decltype(~ap_uint<8>()), ap_uint<8> >(), "complement");
static_assert(same<decltype(ap_int<8>() << 1), ap_int<8> >(), "shift");
static_assert(same<decltype(ap_int<8>()++), const ap_int<8> >(), "postfix");
static_assert(same<decltype(ap_int<8>() * 1.5), double>(), "double");
static_assert(same<decltype(ap_int<8>() + 1.5f), float>(), "float");

/// Exact results of every binary operator on (a, b), compared with the implementation.
template <class A, class B>
int check_operators(Int ra, Int rb) {
  A a;
  B b;
  ap_reference::set_raw(a, ra);
  ap_reference::set_raw(b, rb);
  int failures = 0;
  failures += raw_of(a + b) != ra + rb;
  failures += raw_of(a - b) != ra - rb;
  failures += raw_of(a * b) != static_cast<Int>(static_cast<UInt>(ra) * static_cast<UInt>(rb));
  failures += raw_of(a & b) != (ra & rb);  // two's complement of the exact values
  failures += raw_of(a | b) != (ra | rb);
  failures += raw_of(a ^ b) != (ra ^ rb);
  const Spec sa = SpecOf<A>::get();
  const Spec sb = SpecOf<B>::get();
  Int quotient = 0;
  Int remainder = 0;
  if (rb != 0) {
    ap_reference::vendor_divide(ra, sa.width, sa.is_signed, rb, sb.width, sb.is_signed, quotient, remainder);
    failures += raw_of(a / b) != ap_reference::wrap(quotient, SpecOf<decltype(a / b)>::get());
    failures += raw_of(a % b) != ap_reference::wrap(remainder, SpecOf<decltype(a % b)>::get());
  }
  failures += (a < b) != ap_reference::vendor_less(ra, sa.width, sa.is_signed, rb, sb.width, sb.is_signed);
  failures += (a > b) != ap_reference::vendor_less(rb, sb.width, sb.is_signed, ra, sa.width, sa.is_signed);
  failures += (a == b) != ap_reference::vendor_equal(ra, sa.width, rb, sb.width);
  failures += (a >= b) != !ap_reference::vendor_less(ra, sa.width, sa.is_signed, rb, sb.width, sb.is_signed);
  // Compound assignment wraps the result into the left type.
  A c = a;
  c += b;
  failures += raw_of(c) != ap_reference::wrap(ra + rb, sa);
  c = a;
  c -= b;
  failures += raw_of(c) != ap_reference::wrap(ra - rb, sa);
  c = a;
  c *= b;
  failures +=
      raw_of(c) != ap_reference::wrap(static_cast<Int>(static_cast<UInt>(ra) * static_cast<UInt>(rb)), sa);
  c = a;
  c ^= b;
  failures += raw_of(c) != ap_reference::wrap(ra ^ rb, sa);
  if (rb != 0) {
    c = a;
    c /= b;
    failures += raw_of(c) != ap_reference::wrap(quotient, sa);
    c = a;
    c %= b;
    failures += raw_of(c) != ap_reference::wrap(remainder, sa);
  }
  if (failures != 0)
    ADD_FAILURE() << "a raw " << ap_reference::to_string(ra) << ", b raw " << ap_reference::to_string(rb);
  return failures;
}

template <class A, class B>
void check_exhaustive() {
  const Spec sa = SpecOf<A>::get();
  const Spec sb = SpecOf<B>::get();
  int failures = 0;
  for (Int ra = ap_reference::lowest_raw(sa); ra <= ap_reference::highest_raw(sa); ++ra)
    for (Int rb = ap_reference::lowest_raw(sb); rb <= ap_reference::highest_raw(sb); ++rb) {
      failures += check_operators<A, B>(ra, rb);
      if (failures > 5) return;
    }
}

template <class A, class B>
void check_random(unsigned seed, int count) {
  std::mt19937_64 random(seed);
  const Spec sa = SpecOf<A>::get();
  const Spec sb = SpecOf<B>::get();
  int failures = 0;
  for (int i = 0; i < count && failures <= 5; ++i)
    failures += check_operators<A, B>(ap_reference::random_raw(random, sa.width, sa.is_signed),
                                      ap_reference::random_raw(random, sb.width, sb.is_signed));
}

TEST(ApTypesInt, ExhaustiveSmallWidths) {
  check_exhaustive<ap_int<5>, ap_uint<4> >();
  check_exhaustive<ap_uint<4>, ap_int<5> >();
  check_exhaustive<ap_int<4>, ap_int<6> >();
  check_exhaustive<ap_uint<3>, ap_uint<5> >();
  check_exhaustive<ap_int<1>, ap_uint<1> >();
}

TEST(ApTypesInt, RandomWideWidths) {
  check_random<ap_int<64>, ap_int<64> >(1, 50000);
  check_random<ap_uint<64>, ap_uint<64> >(2, 50000);
  check_random<ap_uint<64>, ap_int<33> >(3, 50000);
  check_random<ap_int<37>, ap_uint<64> >(4, 50000);
  check_random<ap_int<16>, ap_int<64> >(5, 50000);
  check_random<ap_int<40>, ap_uint<40> >(7, 50000);  // equal widths, mixed signedness
  check_random<ap_uint<32>, ap_int<32> >(8, 50000);
}

TEST(ApTypesInt, CIntegers) {
  std::mt19937_64 random(6);
  for (int i = 0; i < 20000; ++i) {
    const Int ra = ap_reference::random_raw(random, 12, true);
    ap_int<12> a;
    ap_reference::set_raw(a, ra);
    const int k = static_cast<int>(random() % 20001) - 10000;
    const unsigned u = static_cast<unsigned>(random());
    const long long big = static_cast<long long>(random());
    ASSERT_EQ(raw_of(a + k), ra + k);
    ASSERT_EQ(raw_of(k - a), k - ra);
    ASSERT_EQ(raw_of(a * u), ra * u);
    ASSERT_EQ(raw_of(a * big), ra * big);
    if (k != 0) {
      ASSERT_EQ(raw_of(a / k), ra / k);
      ASSERT_EQ(raw_of(a % k), ra % k);
    }
    ASSERT_EQ(a < u,
              ap_reference::vendor_less(ra, 12, true, u, 32, false));  // C's rule: never true for a < 0
    ASSERT_EQ(a < k, ra < k);
    ASSERT_EQ(a == k, ra == k);
    ap_int<12> c = a;
    c += k;
    ASSERT_EQ(raw_of(c), ap_reference::wrap(ra + k, SpecOf<ap_int<12> >::get()));
  }
  // Mixed signedness follows C: exact below 32 bits, otherwise a negative value compares as a
  // large unsigned one; equality compares 32-bit (or wider) patterns.
  EXPECT_FALSE(ap_int<8>(-1) < 0u);
  EXPECT_TRUE(ap_int<8>(-1) < ap_uint<8>(0));
  EXPECT_TRUE(ap_int<40>(-1) < ap_uint<8>(0));    // the signed operand is wider: exact
  EXPECT_FALSE(ap_int<32>(-1) < ap_uint<32>(0));  // equal widths: as unsigned
  EXPECT_FALSE(ap_uint<64>(std::numeric_limits<unsigned long long>::max()) > ap_int<64>(-1));
  EXPECT_TRUE(ap_int<8>(-1) == 4294967295u);
  EXPECT_FALSE(ap_int<8>(-1) == ap_uint<8>(255));
  EXPECT_EQ((ap_uint<8>(200) / ap_int<4>(-3)).to_int(), 0);  // -3 reads as the 9-bit unsigned 509
  EXPECT_EQ((ap_int<8>(-100) / ap_uint<4>(7)).to_int(), -14);
  EXPECT_EQ((ap_uint<8>(200) % ap_int<4>(-3)).to_int(), 8);  // 200 kept, wrapped into ap_uint<4>
  EXPECT_EQ(ap_int<8>(3) * 1.5, 4.5);
  EXPECT_TRUE(ap_int<8>(3) == 3.0);
  EXPECT_TRUE(ap_int<64>((1LL << 53) + 1) == 9007199254740992.0);  // through to_double()
  const long long as_long = ap_int<8>(-3);
  EXPECT_EQ(as_long, -3);
  EXPECT_FALSE(ap_int<4>(0));
}

TEST(ApTypesInt, Shifts) {
  EXPECT_EQ((ap_int<8>(-16) >> 2).to_int(), -4);
  EXPECT_EQ((ap_int<8>(-16) << 3).to_int(), -128);
  EXPECT_EQ((ap_int<8>(-16) << 4).to_int(), 0);
  EXPECT_EQ((ap_uint<8>(200) >> 3).to_int(), 25);
  EXPECT_EQ((ap_uint<8>(200) << 1).to_int(), 144);
  EXPECT_EQ((ap_int<8>(-16) << -2).to_int(), -4);  // negative signed count: the other way
  EXPECT_EQ((ap_int<8>(5) >> ap_int<4>(-1)).to_int(), 10);
  EXPECT_EQ((ap_int<8>(5) << ap_uint<4>(2)).to_int(), 20);
  EXPECT_EQ((ap_int<8>(-16) >> 9).to_int(), -1);
  EXPECT_EQ((ap_int<8>(-16) << 8).to_int(), 0);
  EXPECT_EQ((ap_uint<64>(1) << 63).to_uint64(), 1ULL << 63);
  ap_int<8> x = 3;
  x <<= 2;
  EXPECT_EQ(x.to_int(), 12);
  x >>= ap_uint<2>(1);
  EXPECT_EQ(x.to_int(), 6);
  x <<= -1;
  EXPECT_EQ(x.to_int(), 3);
}

TEST(ApTypesInt, IncrementDecrementAndUnary) {
  ap_int<4> a = 7;
  ++a;
  EXPECT_EQ(a.to_int(), -8);
  --a;
  EXPECT_EQ(a.to_int(), 7);
  ap_uint<4> u = 15;
  EXPECT_EQ((u++).to_int(), 15);
  EXPECT_EQ(u.to_int(), 0);
  EXPECT_EQ((-ap_int<8>(-128)).to_int(), 128);
  EXPECT_EQ((-ap_uint<8>(255)).to_int(), -255);
  EXPECT_EQ((~ap_uint<8>(5)).to_int(), 250);
  EXPECT_EQ((~ap_int<8>(5)).to_int(), -6);
  EXPECT_TRUE(!ap_int<8>(0));
}

TEST(ApTypesInt, BitsReductionsAndConversions) {
  ap_uint<8> x = 0xA5;
  EXPECT_TRUE(x[0]);
  EXPECT_FALSE(x[1]);
  EXPECT_EQ(x.range(7, 4).to_uint(), 0xAu);
  EXPECT_EQ(x.countLeadingZeros(), 0);
  EXPECT_EQ(ap_uint<8>(1).countLeadingZeros(), 7);
  EXPECT_FALSE(x.and_reduce());
  EXPECT_TRUE(ap_uint<8>(255).and_reduce());
  EXPECT_TRUE(ap_int<8>(-1).and_reduce());
  EXPECT_TRUE(x.or_reduce());
  EXPECT_FALSE(x.xor_reduce());  // four ones
  EXPECT_TRUE(ap_uint<8>(7).xor_reduce());
  EXPECT_EQ(ap_int<8>(-3).to_uint(), 4294967293u);
  EXPECT_EQ(ap_uint<8>(200).to_int(), 200);
  EXPECT_EQ(ap_int<8>(200).to_int(), -56);
  EXPECT_EQ(ap_int<16>(ap_int<8>(-3)).to_int(), -3);  // sign extension
  EXPECT_EQ(ap_uint<16>(ap_int<8>(-3)).to_int(), 65533);
  EXPECT_EQ(ap_int<4>(ap_int<8>(100)).to_int(), 4);  // truncation
  EXPECT_EQ(ap_int<64>(-1).to_uint64(), std::numeric_limits<unsigned long long>::max());
  EXPECT_DOUBLE_EQ(ap_uint<64>(std::numeric_limits<unsigned long long>::max()).to_double(),
                   18446744073709551616.0);
  EXPECT_TRUE(ap_int<8>(-5).sign());
  x.set(1);
  x.clear(0);
  x.invert(7);
  EXPECT_EQ(x.to_int(), 0x26);
}

// ap_int from a fixed-point value takes the integer part truncated toward zero, then wraps.
TEST(ApTypesInt, FromFixedAndDoubleExhaustive) {
  for (int raw = -512; raw < 512; ++raw) {
    ap_fixed<10, 5> f;
    ap_reference::set_raw(f, raw);
    const Int truncated = Int(raw) / 32;  // C division truncates toward zero
    ASSERT_EQ(raw_of(ap_int<4>(f)), ap_reference::wrap(truncated, SpecOf<ap_int<4> >::get())) << raw;
    ASSERT_EQ(raw_of(ap_uint<3>(f)), ap_reference::wrap(truncated, SpecOf<ap_uint<3> >::get())) << raw;
    ASSERT_EQ(f.to_int(), static_cast<int>(truncated)) << raw;
  }
  for (int raw = -4096; raw < 4096; ++raw) {
    const double value = raw / 16.0;
    // Vendor ap_int_base(double): |value| truncated, wrapped, negated; -0.5 < value < 0 gives 1.
    const Int truncated = (value < 0 && value > -0.5) ? Int(1) : Int(raw) / 16;
    ASSERT_EQ(raw_of(ap_int<6>(value)), ap_reference::wrap(truncated, SpecOf<ap_int<6> >::get())) << value;
    ASSERT_EQ(raw_of(ap_uint<5>(value)), ap_reference::wrap(truncated, SpecOf<ap_uint<5> >::get())) << value;
  }
}

}  // namespace

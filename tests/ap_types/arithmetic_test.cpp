// Full-precision arithmetic of the ap types: the vendor's result types (checked at compile time
// against hand-derived types), exact values of + - * on random operands up to 64 bits (results up
// to 128 bits) against 128-bit integer arithmetic, assignment and compound assignment into
// narrower types with every kind of mode, C integers in expressions, and a dense-layer loop.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <type_traits>
#include <utility>

#include "reference.h"

namespace {

using ap_reference::Int;
using ap_reference::Spec;
using ap_reference::SpecOf;

// Result types, derived by hand from the vendor's RType rules (docs/ap-types.md).
static_assert(std::is_same<decltype(ap_fixed<8, 3>() * ap_ufixed<6, 2>()), ap_fixed<14, 5> >::value, "mult");
static_assert(std::is_same<decltype(ap_fixed<8, 3>() + ap_ufixed<6, 2>()), ap_fixed<9, 4> >::value, "plus");
static_assert(std::is_same<decltype(ap_ufixed<6, 2>() + ap_ufixed<4, 4>()), ap_ufixed<9, 5> >::value,
              "plus u");
static_assert(std::is_same<decltype(ap_ufixed<6, 2>() - ap_ufixed<4, 4>()), ap_fixed<9, 5> >::value,
              "minus u");
static_assert(std::is_same<decltype(ap_fixed<8, 3>() + 1), ap_fixed<38, 33> >::value,
              "int is ap_fixed<32,32>");
static_assert(std::is_same<decltype(ap_ufixed<8, 3>() * 2u), ap_ufixed<40, 35> >::value, "unsigned");
static_assert(std::is_same<decltype(ap_fixed<8, 3>() * true), ap_fixed<9, 4> >::value,
              "bool is ap_ufixed<1,1>");
static_assert(
    std::is_same<decltype(ap_fixed<8, 3>() * static_cast<signed char>(1)), ap_fixed<16, 11> >::value,
    "signed char is ap_fixed<8,8>");
static_assert(std::is_same<decltype(ap_fixed<8, 3>() * 1L), ap_fixed<72, 67> >::value,
              "long is ap_fixed<64,64>");
static_assert(std::is_same<decltype(ap_fixed<8, 3>() * ap_int<4>()), ap_fixed<12, 7> >::value, "ap_int");
static_assert(std::is_same<decltype(ap_ufixed<8, 3>() * ap_uint<4>()), ap_ufixed<12, 7> >::value, "ap_uint");
static_assert(std::is_same<decltype(ap_int<4>() + ap_ufixed<8, 3>()), ap_fixed<10, 5> >::value,
              "ap_int first");
static_assert(std::is_same<decltype(ap_fixed<64, 32>() * ap_fixed<64, 10>()), ap_fixed<128, 42> >::value,
              "128");
static_assert(std::is_same<decltype(ap_fixed<8, -2>() + ap_fixed<8, 10>()), ap_fixed<21, 11> >::value,
              "grids");
static_assert(std::is_same<decltype(ap_fixed<8, 3>() / ap_fixed<6, 2>()), ap_fixed<13, 8> >::value, "div");
static_assert(std::is_same<decltype(ap_fixed<8, 3>() & ap_ufixed<6, 2>()), ap_fixed<8, 3> >::value, "logic");
static_assert(std::is_same<decltype(-ap_ufixed<8, 3>()), ap_fixed_base<9, 4, true> >::value, "unary minus");
static_assert(std::is_same<decltype(ap_fixed<8, 3, AP_RND, AP_SAT>() << 1),
                           ap_fixed_base<8, 3, true, AP_RND, AP_SAT, 0> >::value,
              "shift keeps the type");

/// Operands on a common grid: m * 2^-f.
struct Scaled {
  Int mantissa;
  int fraction;
};

Scaled align(Int m, int f, int target_fraction) {
  return Scaled{m * ap_reference::power_of_two(target_fraction - f), target_fraction};
}

/// Whether `Narrow += product` stays within the 128 bits this implementation holds.
template <class Narrow, class Product>
constexpr bool compound_fits() {
  return SpecOf<typename std::decay<decltype(std::declval<Narrow>() + std::declval<Product>())>::type>::get()
             .width <= 126;
}

/// Compound assignment acc += product: acc + product in full precision, then converted with
/// Narrow's modes. Returns the number of mismatches.
template <bool Enabled>
struct CompoundProduct {
  template <class Narrow, class Product>
  static int check(std::mt19937_64& random, Int product, int product_fraction, const Product& p) {
    const Spec sn = SpecOf<Narrow>::get();
    Narrow acc;
    const Int racc = ap_reference::random_raw(random, sn.width, sn.is_signed);
    ap_reference::set_raw(acc, racc);
    acc += p;
    const int f3 = sn.fraction() > product_fraction ? sn.fraction() : product_fraction;
    const Int exact = align(racc, sn.fraction(), f3).mantissa + align(product, product_fraction, f3).mantissa;
    return ap_reference::raw_of(acc) != ap_reference::quantize(exact, f3, sn);
  }
};
template <>
struct CompoundProduct<false> {  // the sum would pass 128 bits: a compile-time error by design
  template <class Narrow, class Product>
  static int check(std::mt19937_64&, Int, int, const Product&) {
    return 0;
  }
};

/// Random operands a (type A), b (type B): checks a+b, a-b, a*b exactly, their conversion to
/// Narrow, and compound assignments into a Narrow accumulator.
template <class A, class B, class Narrow>
void check_pair(unsigned seed, int count) {
  std::mt19937_64 random(seed);
  const Spec sa = SpecOf<A>::get();
  const Spec sb = SpecOf<B>::get();
  const Spec sn = SpecOf<Narrow>::get();
  const int fa = sa.fraction();
  const int fb = sb.fraction();
  const int common = fa > fb ? fa : fb;
  typedef decltype(A() * B()) Product;
  const bool product_fits_reference = SpecOf<Product>::get().width <= 126;
  int failures = 0;
  for (int i = 0; i < count; ++i) {
    const Int ra = ap_reference::random_raw(random, sa.width, sa.is_signed);
    const Int rb = ap_reference::random_raw(random, sb.width, sb.is_signed);
    A a;
    B b;
    ap_reference::set_raw(a, ra);
    ap_reference::set_raw(b, rb);
    const Int sum = align(ra, fa, common).mantissa + align(rb, fb, common).mantissa;
    const Int difference = align(ra, fa, common).mantissa - align(rb, fb, common).mantissa;
    // Unsigned 64x64 products may pass 2^127: multiplied as unsigned bits, compared as bits.
    const Int product =
        static_cast<Int>(static_cast<ap_reference::UInt>(ra) * static_cast<ap_reference::UInt>(rb));
    const auto s = a + b;
    const auto d = a - b;
    const auto p = a * b;
    failures += ap_reference::raw_of(s) != sum;
    failures += ap_reference::raw_of(d) != difference;
    failures += ap_reference::raw_of(p) != product;
    EXPECT_EQ(SpecOf<typename std::decay<decltype(s)>::type>::get().fraction(), common);
    EXPECT_EQ(SpecOf<typename std::decay<decltype(p)>::type>::get().fraction(), fa + fb);

    // Assignment of a full-precision result to a narrower type: one quantization, one overflow.
    const Narrow narrow_sum = a + b;
    failures += ap_reference::raw_of(narrow_sum) != ap_reference::quantize(sum, common, sn);
    if (product_fits_reference) {
      const Narrow narrow_product = a * b;
      failures += ap_reference::raw_of(narrow_product) != ap_reference::quantize(product, fa + fb, sn);
    }
    failures += CompoundProduct<compound_fits<Narrow, Product>()>::template check<Narrow>(random, product,
                                                                                          fa + fb, a * b);
    {
      Narrow acc;
      const Int racc = ap_reference::random_raw(random, sn.width, sn.is_signed);
      ap_reference::set_raw(acc, racc);
      acc -= a;
      const int f3 = sn.fraction() > fa ? sn.fraction() : fa;
      const Int exact = align(racc, sn.fraction(), f3).mantissa - align(ra, fa, f3).mantissa;
      failures += ap_reference::raw_of(acc) != ap_reference::quantize(exact, f3, sn);
    }
    if (failures != 0) {
      ADD_FAILURE() << "operands raw " << ap_reference::to_string(ra) << " and "
                    << ap_reference::to_string(rb) << " into " << ap_reference::describe(sn);
      return;
    }
  }
}

TEST(ApTypesArithmetic, NarrowMixedSignedness) {
  check_pair<ap_fixed<8, 3>, ap_ufixed<6, 2>, ap_fixed<6, 2, AP_RND_CONV, AP_SAT> >(1, 5000);
  check_pair<ap_ufixed<6, 2>, ap_fixed<8, 3>, ap_ufixed<5, 3, AP_RND, AP_SAT_SYM> >(2, 5000);
  check_pair<ap_fixed<1, 1>, ap_ufixed<1, 0>, ap_fixed<2, 1, AP_RND_INF, AP_SAT_ZERO> >(3, 200);
}

TEST(ApTypesArithmetic, LayerSizedTypes) {
  check_pair<ap_fixed<16, 6>, ap_fixed<16, 6>, ap_fixed<16, 6, AP_RND, AP_SAT> >(4, 20000);
  check_pair<ap_fixed<18, 2>, ap_ufixed<10, 4>, ap_fixed<12, 4, AP_RND_ZERO, AP_WRAP> >(5, 20000);
}

TEST(ApTypesArithmetic, WideTypesWith128BitResults) {
  check_pair<ap_fixed<64, 32>, ap_fixed<64, 10>, ap_fixed<40, 20, AP_RND_CONV, AP_SAT_SYM> >(6, 20000);
  check_pair<ap_ufixed<64, 64>, ap_ufixed<64, 63>, ap_ufixed<64, 32, AP_RND_INF, AP_SAT> >(7, 20000);
  check_pair<ap_fixed<48, -4>, ap_ufixed<33, 40>, ap_fixed<24, 8, AP_TRN_ZERO, AP_WRAP> >(8, 20000);
  check_pair<ap_fixed<62, 70>, ap_fixed<40, -5>, ap_fixed<64, 40, AP_RND_MIN_INF, AP_SAT> >(9, 20000);
}

TEST(ApTypesArithmetic, FixedWithIntegerTypes) {
  check_pair<ap_fixed<20, 5>, ap_int<64>, ap_fixed<32, 16, AP_RND, AP_SAT> >(10, 20000);
  check_pair<ap_uint<40>, ap_fixed<30, -3>, ap_fixed<32, 30, AP_RND_CONV, AP_WRAP> >(11, 20000);
}

TEST(ApTypesArithmetic, CIntegersAreTheirApTypes) {
  std::mt19937_64 random(12);
  for (int i = 0; i < 2000; ++i) {
    ap_fixed<8, 3> a;
    const Int ra = ap_reference::random_raw(random, 8, true);
    ap_reference::set_raw(a, ra);
    const int k = static_cast<int>(random() % 2001) - 1000;
    const unsigned u = static_cast<unsigned>(random());
    ASSERT_EQ(ap_reference::raw_of(a * k), ra * k);
    ASSERT_EQ(ap_reference::raw_of(a + k), ra + Int(k) * 32);
    ASSERT_EQ(ap_reference::raw_of(k - a), Int(k) * 32 - ra);
    ASSERT_EQ(ap_reference::raw_of(a * u), ra * Int(u));
    ASSERT_EQ(ap_reference::raw_of(a + true), ra + 32);
    ASSERT_EQ(ap_reference::raw_of(a * (static_cast<long long>(k) * 3000000000LL)),
              ra * k * Int(3000000000LL));
    // Assigning an int uses the target's modes like any other source.
    const ap_fixed<8, 3, AP_RND, AP_SAT> saturated = k;
    ASSERT_EQ(ap_reference::raw_of(saturated),
              ap_reference::quantize(k, 0, SpecOf<ap_fixed<8, 3, AP_RND, AP_SAT> >::get()));
    ap_fixed<12, 6, AP_TRN, AP_WRAP> acc = a;
    acc += k;
    ASSERT_EQ(
        ap_reference::raw_of(acc),
        ap_reference::quantize(ra * 4 + Int(k) * 128, 7, SpecOf<ap_fixed<12, 6, AP_TRN, AP_WRAP> >::get()));
  }
}

/// Random wide sources (64-bit fixed, unsigned, integer, double) converted into a wide Target.
template <class Target>
void check_wide_conversions(unsigned seed, int count) {
  std::mt19937_64 random(seed);
  const Spec target = SpecOf<Target>::get();
  for (int i = 0; i < count; ++i) {
    ap_fixed<64, 40> a;
    ap_ufixed<64, 3> b;
    ap_int<64> c;
    const Int ra = ap_reference::random_raw(random, 64, true);
    const Int rb = ap_reference::random_raw(random, 64, false);
    const Int rc = ap_reference::random_raw(random, 64, true) >> (random() % 64);  // every magnitude
    ap_reference::set_raw(a, ra);
    ap_reference::set_raw(b, rb);
    ap_reference::set_raw(c, rc);
    ASSERT_EQ(ap_reference::raw_of(Target(a)), ap_reference::quantize(ra, 24, target))
        << ap_reference::describe(target);
    ASSERT_EQ(ap_reference::raw_of(Target(b)), ap_reference::quantize(rb, 61, target))
        << ap_reference::describe(target);
    ASSERT_EQ(ap_reference::raw_of(Target(c)), ap_reference::quantize(rc, 0, target))
        << ap_reference::describe(target);
    // A double with a random exponent around the target's range.
    const double d = std::ldexp(static_cast<double>(static_cast<long long>(random())) / 9.2233720368547758e18,
                                static_cast<int>(random() % 90) - 45);
    Int m;
    int f;
    ap_reference::decompose(d, m, f);
    ASSERT_EQ(ap_reference::raw_of(Target(d)), ap_reference::quantize(m, f, target))
        << ap_reference::describe(target) << " from " << d;
  }
}

TEST(ApTypesArithmetic, WideConversionsInEveryMode) {
  check_wide_conversions<ap_fixed<64, 30, AP_RND_CONV, AP_SAT> >(31, 20000);
  check_wide_conversions<ap_fixed<64, 30, AP_TRN, AP_WRAP> >(32, 20000);
  check_wide_conversions<ap_fixed<63, 10, AP_RND, AP_SAT_SYM> >(33, 20000);
  check_wide_conversions<ap_ufixed<64, 20, AP_RND_INF, AP_SAT_ZERO> >(34, 20000);
  check_wide_conversions<ap_ufixed<48, 48, AP_TRN_ZERO, AP_WRAP> >(35, 20000);
  check_wide_conversions<ap_fixed<40, -4, AP_RND_MIN_INF, AP_SAT> >(36, 20000);
  check_wide_conversions<ap_fixed<33, 60, AP_RND_ZERO, AP_WRAP, 2> >(37, 20000);
  check_wide_conversions<ap_ufixed<64, 64, AP_RND, AP_WRAP, 3> >(38, 20000);
}

// A dense layer's inner loop: acc += w * x over the fan-in in an exact accumulator (reference
// section 11.3), then one cast to the result type. Checked against exact integer sums.
TEST(ApTypesArithmetic, DenseLayerAccumulation) {
  typedef ap_fixed<8, 2, AP_RND, AP_SAT> weight_t;        // F = 6
  typedef ap_ufixed<10, 4, AP_RND_CONV, AP_SAT> input_t;  // F = 6
  typedef ap_fixed<12, 4> bias_t;                         // F = 8
  typedef ap_fixed<32, 16> accum_t;                       // F = 16: every product and sum is exact
  typedef ap_fixed<16, 6, AP_RND_CONV, AP_SAT> result_t;  // F = 10
  const Spec result_spec = SpecOf<result_t>::get();
  std::mt19937_64 random(13);
  const int fan_in = 144;
  for (int neuron = 0; neuron < 500; ++neuron) {
    weight_t w[fan_in];
    input_t x[fan_in];
    Int exact = 0;  // in units of 2^-12 (weight and input fractions added)
    for (int i = 0; i < fan_in; ++i) {
      const Int rw = ap_reference::random_raw(random, 8, true);
      const Int rx = ap_reference::random_raw(random, 10, false);
      ap_reference::set_raw(w[i], rw);
      ap_reference::set_raw(x[i], rx);
      exact += rw * rx;
    }
    bias_t bias;
    const Int rbias = ap_reference::random_raw(random, 12, true);
    ap_reference::set_raw(bias, rbias);
    exact += rbias * 16;  // 2^-8 -> 2^-12

    accum_t acc = bias;
    for (int i = 0; i < fan_in; ++i) acc += w[i] * x[i];
    ASSERT_EQ(ap_reference::raw_of(acc), exact * 16) << "neuron " << neuron;
    const result_t result = acc;
    ASSERT_EQ(ap_reference::raw_of(result), ap_reference::quantize(exact, 12, result_spec))
        << "neuron " << neuron;
  }
}

// The same loop into an accumulator too narrow on purpose: AP_WRAP keeps the sum modulo 2^W, so
// the result equals the exact sum wrapped once at the end, whatever the order.
TEST(ApTypesArithmetic, WrappingAccumulatorIsModular) {
  std::mt19937_64 random(14);
  typedef ap_fixed<12, 3> accum_t;  // F = 9; far too few integer bits
  const Spec spec = SpecOf<accum_t>::get();
  for (int trial = 0; trial < 500; ++trial) {
    accum_t acc = 0;
    Int exact = 0;
    for (int i = 0; i < 64; ++i) {
      ap_fixed<6, 2> w;
      ap_ufixed<5, 2> x;
      const Int rw = ap_reference::random_raw(random, 6, true);
      const Int rx = ap_reference::random_raw(random, 5, false);
      ap_reference::set_raw(w, rw);
      ap_reference::set_raw(x, rx);
      acc += w * x;  // product F = 4 + 3 = 7 <= 9: no quantization
      exact += rw * rx;
    }
    ASSERT_EQ(ap_reference::raw_of(acc), ap_reference::wrap(exact * 4, spec));
  }
}

}  // namespace

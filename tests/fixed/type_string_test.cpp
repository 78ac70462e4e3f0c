// Parsing and printing of fixed-point type strings: every accepted spelling, round trips, and a
// clear error for every kind of malformed text.
#include <gtest/gtest.h>

#include <string>

#include "sparsepixels/error.h"
#include "sparsepixels/fixed/fixed_type.h"

namespace {

using sparsepixels::fixed::FixedType;
using sparsepixels::fixed::Overflow;
using sparsepixels::fixed::Quantization;

struct Expected {
  int width;
  int integer;
  bool is_signed;
  Quantization quantization;
  Overflow overflow;
  int saturation_bits;
  bool integer_type;
};

void expect_fields(const std::string& text, const Expected& e) {
  const FixedType type = FixedType::parse(text);
  EXPECT_EQ(type.width, e.width) << text;
  EXPECT_EQ(type.integer, e.integer) << text;
  EXPECT_EQ(type.is_signed, e.is_signed) << text;
  EXPECT_EQ(type.quantization, e.quantization) << text;
  EXPECT_EQ(type.overflow, e.overflow) << text;
  EXPECT_EQ(type.saturation_bits, e.saturation_bits) << text;
  EXPECT_EQ(type.integer_type, e.integer_type) << text;
}

TEST(FixedTypeString, ParsesVitisSpellings) {
  using Q = Quantization;
  using O = Overflow;
  expect_fields("ap_fixed<8,3>", {8, 3, true, Q::TRN, O::WRAP, 0, false});
  expect_fields("ap_fixed<8,3,AP_RND_CONV,AP_SAT>", {8, 3, true, Q::RND_CONV, O::SAT, 0, false});
  expect_fields("ap_fixed<8,3,AP_RND_CONV,AP_SAT,0>", {8, 3, true, Q::RND_CONV, O::SAT, 0, false});
  expect_fields("ap_fixed<8,3,AP_RND>", {8, 3, true, Q::RND, O::WRAP, 0, false});
  expect_fields("ap_ufixed<12,-2,AP_TRN_ZERO,AP_SAT_SYM>",
                {12, -2, false, Q::TRN_ZERO, O::SAT_SYM, 0, false});
  expect_fields("ap_fixed<6,9,AP_RND_MIN_INF,AP_WRAP,2>", {6, 9, true, Q::RND_MIN_INF, O::WRAP, 2, false});
  expect_fields("ap_fixed<64,1,AP_RND_INF,AP_SAT_ZERO>", {64, 1, true, Q::RND_INF, O::SAT_ZERO, 0, false});
  expect_fields("ap_fixed<5,5,AP_RND_ZERO>", {5, 5, true, Q::RND_ZERO, O::WRAP, 0, false});
  expect_fields("ap_int<8>", {8, 8, true, Q::TRN, O::WRAP, 0, true});
  expect_fields("ap_uint<4>", {4, 4, false, Q::TRN, O::WRAP, 0, true});
}

TEST(FixedTypeString, ParsesHls4mlSpellingsAndWhitespace) {
  using Q = Quantization;
  using O = Overflow;
  expect_fields("fixed<16,6>", {16, 6, true, Q::TRN, O::WRAP, 0, false});
  expect_fields("ufixed<8,0,RND_CONV,SAT>", {8, 0, false, Q::RND_CONV, O::SAT, 0, false});
  expect_fields("fixed<16,6,rnd,sat_sym>", {16, 6, true, Q::RND, O::SAT_SYM, 0, false});
  expect_fields("int<8>", {8, 8, true, Q::TRN, O::WRAP, 0, true});
  expect_fields("uint<4>", {4, 4, false, Q::TRN, O::WRAP, 0, true});
  expect_fields("  ap_fixed < 8 , 3 , AP_RND_CONV , AP_SAT , 1 >  ",
                {8, 3, true, Q::RND_CONV, O::SAT, 1, false});
  expect_fields("\tfixed<16,\n6>", {16, 6, true, Q::TRN, O::WRAP, 0, false});
  expect_fields("ap_fixed<8,+3>", {8, 3, true, Q::TRN, O::WRAP, 0, false});
}

TEST(FixedTypeString, PrintsCanonicalSpellingWithModesOnlyWhenNotDefault) {
  EXPECT_EQ(FixedType::parse("fixed<16,6>").to_string(), "ap_fixed<16,6>");
  EXPECT_EQ(FixedType::parse("ap_fixed<16,6,AP_TRN,AP_WRAP,0>").to_string(), "ap_fixed<16,6>");
  EXPECT_EQ(FixedType::parse("ufixed<8,0,RND_CONV,SAT>").to_string(), "ap_ufixed<8,0,AP_RND_CONV,AP_SAT>");
  EXPECT_EQ(FixedType::parse("fixed<8,3,RND>").to_string(), "ap_fixed<8,3,AP_RND>");
  EXPECT_EQ(FixedType::parse("fixed<8,3,TRN,SAT>").to_string(), "ap_fixed<8,3,AP_TRN,AP_SAT>");
  EXPECT_EQ(FixedType::parse("fixed<8,3,TRN,WRAP,2>").to_string(), "ap_fixed<8,3,AP_TRN,AP_WRAP,2>");
  EXPECT_EQ(FixedType::parse("int<8>").to_string(), "ap_int<8>");
  EXPECT_EQ(FixedType::parse("uint<4>").to_string(), "ap_uint<4>");
  EXPECT_EQ(FixedType{}.to_string(), "ap_fixed<16,6>");
}

TEST(FixedTypeString, EveryTypeRoundTrips) {
  const Quantization quantizations[] = {
      Quantization::TRN,         Quantization::TRN_ZERO, Quantization::RND,     Quantization::RND_ZERO,
      Quantization::RND_MIN_INF, Quantization::RND_INF,  Quantization::RND_CONV};
  const Overflow overflows[] = {Overflow::WRAP, Overflow::SAT, Overflow::SAT_ZERO, Overflow::SAT_SYM};
  int checked = 0;
  for (const int width : {1, 2, 7, 16, 33, 64}) {
    for (const int integer : {-5, 0, 1, width, width + 3}) {
      for (const bool is_signed : {true, false}) {
        for (const Quantization q : quantizations) {
          for (const Overflow o : overflows) {
            for (const int n : {0, 1, width}) {
              FixedType type;
              type.width = width;
              type.integer = integer;
              type.is_signed = is_signed;
              type.quantization = q;
              type.overflow = o;
              type.saturation_bits = n;
              const std::string text = type.to_string();
              EXPECT_EQ(FixedType::parse(text), type) << text;
              ++checked;
            }
          }
        }
      }
    }
    for (const bool is_signed : {true, false}) {
      FixedType type;
      type.width = width;
      type.integer = width;
      type.is_signed = is_signed;
      type.integer_type = true;
      EXPECT_EQ(FixedType::parse(type.to_string()), type) << type.to_string();
    }
  }
  EXPECT_EQ(checked, 6 * 5 * 2 * 7 * 4 * 3);
}

// Each malformed text throws sparsepixels::Error quoting the text and naming the problem.
TEST(FixedTypeString, MalformedTextsThrowClearErrors) {
  struct Case {
    const char* text;
    const char* problem;
  };
  const Case cases[] = {
      {"", "expected a type"},
      {"ap_fixed", "expected a type"},
      {"ap_fixed<8,3", "expected a type"},
      {"ap_fixed<8,3>junk", "expected a type"},
      {"ap_fixd<8,3>", "unknown type name \"ap_fixd\""},
      {"float", "expected a type"},
      {"<8,3>", "unknown type name \"\""},
      {"ap_fixed<8,3,AP_RND_UP>", "unknown quantization mode \"AP_RND_UP\""},
      {"ap_fixed<8,3,AP_RND,AP_CLAMP>", "unknown overflow mode \"AP_CLAMP\""},
      {"ap_fixed<8,3,AP_SAT>", "unknown quantization mode \"AP_SAT\""},
      {"ap_fixed<8,3,AP_RND,AP_WRAP_SM>", "AP_WRAP_SM is not supported"},
      {"ap_fixed<0,0>", "width 0 is outside the supported 1..64"},
      {"ap_fixed<-4,2>", "width -4 is outside the supported 1..64"},
      {"ap_fixed<65,3>", "width 65 is outside the supported 1..64"},
      {"ap_int<0>", "width 0 is outside the supported 1..64"},
      {"ap_uint<128>", "width 128 is outside the supported 1..64"},
      {"ap_fixed<8>", "takes 2 to 5 arguments"},
      {"ap_fixed<8,3,AP_RND,AP_SAT,0,1>", "takes 2 to 5 arguments"},
      {"ap_int<8,3>", "takes exactly one argument"},
      {"ap_fixed<8,,3>", "empty template argument"},
      {"ap_fixed<,3>", "empty template argument"},
      {"ap_fixed<8,3,>", "empty template argument"},
      {"ap_fixed<eight,3>", "width \"eight\" is not an integer"},
      {"ap_fixed<8,3.5>", "integer bits \"3.5\" is not an integer"},
      {"ap_fixed<8,3,AP_RND,AP_SAT,x>", "saturation bits N \"x\" is not an integer"},
      {"ap_fixed<8,3,AP_RND,AP_SAT,9>", "saturation bits N = 9 must lie in 0..width (8)"},
      {"ap_fixed<8,3,AP_RND,AP_SAT,-1>", "saturation bits N = -1 must lie in 0..width (8)"},
      {"ap_fixed<8,99999>", "integer bits 99999 are outside the supported -2048..2048"},
      {"ap_fixed<8,99999999999999999999>", "integer bits \"99999999999999999999\" is not an integer"},
      {"ap_fixed<ap_int<8>,3>", "unbalanced or nested angle brackets"},
      {"ap_fixed<8,3>>", "unbalanced or nested angle brackets"},
  };
  for (const Case& c : cases) {
    try {
      (void)FixedType::parse(c.text);
      ADD_FAILURE() << "no error for \"" << c.text << "\"";
    } catch (const sparsepixels::Error& error) {
      const std::string message = error.what();
      EXPECT_NE(message.find("\"" + std::string(c.text) + "\""), std::string::npos) << message;
      EXPECT_NE(message.find(c.problem), std::string::npos) << "for \"" << c.text << "\": " << message;
    }
  }
}

}  // namespace

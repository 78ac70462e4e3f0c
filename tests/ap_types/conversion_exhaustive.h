// Exhaustive conversion checks for small widths: every raw value of a wider source type (which
// includes every value of the target, every half-way point and quarter point between them, and
// values far past the range) goes through every quantization x overflow mode, from ap_fixed,
// ap_ufixed, double, float, ap_int and int, and is compared with the exact reference.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <type_traits>

#include "reference.h"

namespace ap_exhaustive {

using ap_reference::Int;
using ap_reference::Spec;

template <int W, int I, bool S, ap_q_mode Q, ap_o_mode O, int N = 0>
using Fixed = typename std::conditional<S, ap_fixed<W, I, Q, O, N>, ap_ufixed<W, I, Q, O, N> >::type;

/// Records a mismatch (at most a few messages per target type, then only the count).
inline void report(int& failures, const Spec& target, const char* path, Int source_raw, int source_fraction,
                   Int expected, Int actual) {
  if (++failures <= 3)
    ADD_FAILURE() << ap_reference::describe(target) << " from " << path << " raw "
                  << ap_reference::to_string(source_raw) << " * 2^-" << source_fraction << ": expected raw "
                  << ap_reference::to_string(expected) << ", got " << ap_reference::to_string(actual);
}

/// Every conversion path into Target, over every source value.
template <class Target>
void check_target() {
  const Spec target = ap_reference::SpecOf<Target>::get();
  int failures = 0;
  // The source has 8 fraction bits: 2 to 14 more than any target here, so half and quarter LSBs exist.
  for (int raw = -32768; raw < 32768; ++raw) {
    const double value = std::ldexp(static_cast<double>(raw), -8);
    const ap_fixed<16, 8> source = value;
    const Int expected = ap_reference::quantize(raw, 8, target);
    if (ap_reference::raw_of(source) != raw)
      report(failures, target, "source setup", raw, 8, raw, ap_reference::raw_of(source));
    const Target from_fixed = source;
    const Target from_double = value;
    const Target from_float = static_cast<float>(value);
    if (ap_reference::raw_of(from_fixed) != expected)
      report(failures, target, "ap_fixed<16,8>", raw, 8, expected, ap_reference::raw_of(from_fixed));
    if (ap_reference::raw_of(from_double) != expected)
      report(failures, target, "double", raw, 8, expected, ap_reference::raw_of(from_double));
    if (ap_reference::raw_of(from_float) != expected)
      report(failures, target, "float", raw, 8, expected, ap_reference::raw_of(from_float));
  }
  for (int raw = 0; raw < 65536; ++raw) {
    const ap_ufixed<16, 8> source = std::ldexp(static_cast<double>(raw), -8);
    const Int expected = ap_reference::quantize(raw, 8, target);
    const Target from_unsigned = source;
    if (ap_reference::raw_of(from_unsigned) != expected)
      report(failures, target, "ap_ufixed<16,8>", raw, 8, expected, ap_reference::raw_of(from_unsigned));
  }
  for (int value = -2048; value < 2048; ++value) {
    const Int expected = ap_reference::quantize(value, 0, target);
    const Target from_ap_int = ap_int<12>(value);
    const Target from_int = value;
    if (ap_reference::raw_of(from_ap_int) != expected)
      report(failures, target, "ap_int<12>", value, 0, expected, ap_reference::raw_of(from_ap_int));
    if (ap_reference::raw_of(from_int) != expected)
      report(failures, target, "int", value, 0, expected, ap_reference::raw_of(from_int));
  }
  EXPECT_EQ(failures, 0) << ap_reference::describe(target);
}

template <int W, int I, bool S, ap_q_mode Q>
void check_overflow_modes() {
  check_target<Fixed<W, I, S, Q, AP_WRAP> >();
  check_target<Fixed<W, I, S, Q, AP_SAT> >();
  check_target<Fixed<W, I, S, Q, AP_SAT_ZERO> >();
  check_target<Fixed<W, I, S, Q, AP_SAT_SYM> >();
}

/// The 7 quantization x 4 overflow modes of one shape.
template <int W, int I, bool S>
void check_all_modes() {
  check_overflow_modes<W, I, S, AP_TRN>();
  check_overflow_modes<W, I, S, AP_TRN_ZERO>();
  check_overflow_modes<W, I, S, AP_RND>();
  check_overflow_modes<W, I, S, AP_RND_ZERO>();
  check_overflow_modes<W, I, S, AP_RND_MIN_INF>();
  check_overflow_modes<W, I, S, AP_RND_INF>();
  check_overflow_modes<W, I, S, AP_RND_CONV>();
}

}  // namespace ap_exhaustive

// ap_fixed<W,I,Q,O,N> and ap_ufixed<W,I,Q,O,N>: fixed-point values with the API and semantics of
// the Vitis HLS types (UG1399; where it is silent, Xilinx's open-source
// HLS_arbitrary_Precision_Types). Header-only C++14. See docs/ap-types.md for the rules and limits.
#ifndef SPARSEPIXELS_HLS_AP_FIXED_H
#define SPARSEPIXELS_HLS_AP_FIXED_H

#include "ap_int.h"

/// Signed fixed-point value: _AP_W bits, _AP_I of them integer bits (sign included).
template <int _AP_W, int _AP_I, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
struct ap_fixed : ap_fixed_base<_AP_W, _AP_I, true, _AP_Q, _AP_O, _AP_N> {
  typedef ap_fixed_base<_AP_W, _AP_I, true, _AP_Q, _AP_O, _AP_N> Base;
  using Base::Base;
  ap_fixed() : Base() {}
  // Declared here because a constructor inherited from the base is not used for base arguments.
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_fixed(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& op) : Base(op) {}
  ap_fixed(const ap_fixed& op) = default;
  ap_fixed& operator=(const ap_fixed& op) = default;
};

/// Unsigned fixed-point value: _AP_W bits, _AP_I of them integer bits.
template <int _AP_W, int _AP_I, ap_q_mode _AP_Q, ap_o_mode _AP_O, int _AP_N>
struct ap_ufixed : ap_fixed_base<_AP_W, _AP_I, false, _AP_Q, _AP_O, _AP_N> {
  typedef ap_fixed_base<_AP_W, _AP_I, false, _AP_Q, _AP_O, _AP_N> Base;
  using Base::Base;
  ap_ufixed() : Base() {}
  // Declared here because a constructor inherited from the base is not used for base arguments.
  template <int _AP_W2, int _AP_I2, bool _AP_S2, ap_q_mode _AP_Q2, ap_o_mode _AP_O2, int _AP_N2>
  ap_ufixed(const ap_fixed_base<_AP_W2, _AP_I2, _AP_S2, _AP_Q2, _AP_O2, _AP_N2>& op) : Base(op) {}
  ap_ufixed(const ap_ufixed& op) = default;
  ap_ufixed& operator=(const ap_ufixed& op) = default;
};

#endif  // SPARSEPIXELS_HLS_AP_FIXED_H

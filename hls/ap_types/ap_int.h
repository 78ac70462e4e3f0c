// ap_int<W> and ap_uint<W>: arbitrary-precision integers with the API and semantics of the Vitis
// HLS types (UG1399; where it is silent, Xilinx's open-source HLS_arbitrary_Precision_Types).
// Header-only C++14: no dynamic memory, no exceptions. Widths up to 64 bits for user types;
// full-precision intermediate results up to 128 bits; wider ones are a compile-time error.
// Like the vendor's header, this one also provides ap_fixed and ap_ufixed.
#ifndef SPARSEPIXELS_HLS_AP_INT_H
#define SPARSEPIXELS_HLS_AP_INT_H

#include "ap_common.h"
#include "ap_fixed_base.h"
#include "ap_int_base.h"

/// Signed integer of _AP_W bits.
template <int _AP_W>
struct ap_int : ap_int_base<_AP_W, true> {
  typedef ap_int_base<_AP_W, true> Base;
  using Base::Base;
  ap_int() : Base() {}
  // Declared here because a constructor inherited from the base is not used for base arguments.
  template <int _AP_W2, bool _AP_S2>
  ap_int(const ap_int_base<_AP_W2, _AP_S2>& op) : Base(op) {}
  ap_int(const ap_int& op) = default;
  ap_int& operator=(const ap_int& op2) = default;
};

/// Unsigned integer of _AP_W bits.
template <int _AP_W>
struct ap_uint : ap_int_base<_AP_W, false> {
  typedef ap_int_base<_AP_W, false> Base;
  using Base::Base;
  ap_uint() : Base() {}
  // Declared here because a constructor inherited from the base is not used for base arguments.
  template <int _AP_W2, bool _AP_S2>
  ap_uint(const ap_int_base<_AP_W2, _AP_S2>& op) : Base(op) {}
  ap_uint(const ap_uint& op) = default;
  ap_uint& operator=(const ap_uint& op2) = default;
};

#include "ap_fixed.h"

#endif  // SPARSEPIXELS_HLS_AP_INT_H

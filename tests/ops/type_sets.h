// type_sets.h: the three type sets of the operation harness (8-bit, 16-bit, 32-bit data). Each names the
// types of every operation's input, output, parameters and accumulator. The result types spread the
// rounding and overflow modes over the sets (AP_RND, AP_RND_CONV, AP_RND_INF, AP_RND_MIN_INF, AP_RND_ZERO,
// AP_TRN, AP_TRN_ZERO; AP_SAT, AP_SAT_SYM, AP_SAT_ZERO, AP_WRAP) and some are narrow enough to overflow.
// The kernel accumulators are wide enough for every fan-in of the grid (up to 15*15*3 products); the host
// takes either its own exact accumulator ('auto') or the same wide type, case by case.
#pragma once

#include "ap_fixed.h"

namespace ops {

struct Types8 {
  static const char* name() { return "8-bit"; }
  typedef ap_ufixed<8, 1> reduce_t;  // the paper's input type: wraps beyond 2
  typedef ap_ufixed<8, 2, AP_RND_CONV, AP_SAT> conv_in_t;
  typedef ap_fixed<8, 1> weight_t;
  typedef ap_fixed<8, 2> bias_t;
  typedef ap_fixed<8, 3, AP_RND, AP_SAT_SYM> conv_out_t;
  typedef ap_fixed<32, 16> accum_t;
  typedef ap_ufixed<6, 1, AP_RND_CONV, AP_SAT> activation_t;  // saturates ReLU inputs from 2
  typedef ap_fixed<8, 3> pool_in_t;                           // signed: max pooling right after a convolution
  typedef ap_fixed<8, 3, AP_RND_ZERO, AP_SAT> pool_out_t;
  typedef ap_fixed<16, 10> pool_accum_t;
  typedef ap_fixed<8, 4> head_in_t;
  typedef ap_ufixed<8, 0, AP_RND_CONV, AP_SAT> head_out_t;
  typedef ap_fixed<8, 1> table_t;  // saturates sigmoid values near 1
};

struct Types16 {
  static const char* name() { return "16-bit"; }
  typedef ap_fixed<16, 6, AP_RND_CONV, AP_SAT> reduce_t;
  typedef ap_fixed<16, 6> conv_in_t;
  typedef ap_fixed<16, 7> weight_t;
  typedef ap_fixed<16, 7> bias_t;
  typedef ap_fixed<10, 1> conv_out_t;  // AP_TRN, AP_WRAP and narrow: wraps
  typedef ap_fixed<48, 26> accum_t;
  typedef ap_ufixed<6, 0, AP_TRN_ZERO, AP_SAT_ZERO> activation_t;  // zero from 63/64
  typedef ap_ufixed<16, 6, AP_RND_CONV, AP_SAT> pool_in_t;
  typedef ap_ufixed<16, 6, AP_RND_MIN_INF, AP_SAT> pool_out_t;
  typedef ap_ufixed<24, 14> pool_accum_t;
  typedef ap_fixed<18, 8> head_in_t;
  typedef ap_fixed<16, 6> head_out_t;
  typedef ap_fixed<18, 2> table_t;
};

struct Types32 {
  static const char* name() { return "32-bit"; }
  typedef ap_fixed<32, 10, AP_RND_INF, AP_SAT_SYM> reduce_t;
  typedef ap_fixed<32, 12> conv_in_t;
  typedef ap_fixed<12, 3> weight_t;
  typedef ap_fixed<32, 8> bias_t;
  typedef ap_fixed<32, 10, AP_RND_INF, AP_SAT_ZERO> conv_out_t;
  typedef ap_fixed<60, 30> accum_t;
  typedef ap_ufixed<32, 12, AP_RND_MIN_INF, AP_SAT> activation_t;
  typedef ap_fixed<32, 12> pool_in_t;
  typedef ap_fixed<32, 12, AP_RND, AP_SAT_SYM> pool_out_t;
  typedef ap_fixed<40, 19> pool_accum_t;
  typedef ap_fixed<32, 12> head_in_t;
  typedef ap_fixed<32, 4, AP_RND, AP_SAT> head_out_t;
  typedef ap_fixed<32, 2> table_t;
};

}  // namespace ops

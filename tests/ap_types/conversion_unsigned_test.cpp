// Exhaustive conversions into unsigned fixed-point types of every shape class: I inside (0, W),
// I = 0, I < 0, I = W, I > W, one-bit types, and AP_WRAP with saturation bits.
#include "conversion_exhaustive.h"

namespace ap_exhaustive {
namespace {

TEST(ApTypesExhaustive, UnsignedIntegerBitsInsideWidth) {
  check_all_modes<4, 2, false>();
  check_all_modes<7, 1, false>();
  check_all_modes<6, 3, false>();
}

TEST(ApTypesExhaustive, UnsignedNoOrNegativeIntegerBits) {
  check_all_modes<4, 0, false>();
  check_all_modes<4, -2, false>();
}

TEST(ApTypesExhaustive, UnsignedIntegerBitsAtOrBeyondWidth) {
  check_all_modes<5, 5, false>();
  check_all_modes<4, 6, false>();
  check_all_modes<2, 7, false>();
  check_all_modes<1, 1, false>();
}

TEST(ApTypesExhaustive, UnsignedWrapWithSaturationBits) {
  check_target<Fixed<4, 2, false, AP_TRN, AP_WRAP, 1> >();
  check_target<Fixed<4, 2, false, AP_RND, AP_WRAP, 2> >();
  check_target<Fixed<6, 3, false, AP_RND_CONV, AP_WRAP, 3> >();
  check_target<Fixed<5, 1, false, AP_TRN_ZERO, AP_WRAP, 1> >();
}

}  // namespace
}  // namespace ap_exhaustive

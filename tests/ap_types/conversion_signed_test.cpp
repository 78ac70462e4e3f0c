// Exhaustive conversions into signed fixed-point types of every shape class: I inside (0, W),
// I = 0, I < 0, I = W, I > W, one-bit types, and AP_WRAP with saturation bits.
#include "conversion_exhaustive.h"

namespace ap_exhaustive {
namespace {

TEST(ApTypesExhaustive, SignedIntegerBitsInsideWidth) {
  check_all_modes<4, 2, true>();
  check_all_modes<7, 1, true>();
  check_all_modes<6, 3, true>();
}

TEST(ApTypesExhaustive, SignedNoOrNegativeIntegerBits) {
  check_all_modes<4, 0, true>();
  check_all_modes<4, -2, true>();
}

TEST(ApTypesExhaustive, SignedIntegerBitsAtOrBeyondWidth) {
  check_all_modes<5, 5, true>();
  check_all_modes<4, 6, true>();
  check_all_modes<2, 7, true>();
  check_all_modes<1, 1, true>();
}

TEST(ApTypesExhaustive, SignedWrapWithSaturationBits) {
  check_target<Fixed<4, 2, true, AP_TRN, AP_WRAP, 1> >();
  check_target<Fixed<4, 2, true, AP_RND, AP_WRAP, 2> >();
  check_target<Fixed<6, 3, true, AP_RND_CONV, AP_WRAP, 3> >();
  check_target<Fixed<5, 1, true, AP_TRN_ZERO, AP_WRAP, 1> >();
}

}  // namespace
}  // namespace ap_exhaustive

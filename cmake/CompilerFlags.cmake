# Project-wide compiler flags.
#
# Exactness (reference section 11.4): the fixed-point path must not fuse multiply-adds or use
# instructions of one machine, so -ffp-contract=off is global and -march=native is never used.
add_compile_options(-ffp-contract=off)

# Warnings for the project's own targets.
function(sparsepixels_warnings target)
  # -Werror=switch always: a switch on an enum without `default:` must list every value, so adding a
  # layer kind makes the compiler name every behavioural switch that has to handle it.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror=switch)
  if(SPARSEPIXELS_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# A test executable from sources, linked with GoogleTest and registered with CTest.
# Usage: sparsepixels_test(NAME name SOURCES a.cpp b.cpp [LIBS lib...] [CXX14])
function(sparsepixels_test)
  cmake_parse_arguments(T "CXX14" "NAME" "SOURCES;LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE GTest::gtest_main ${T_LIBS})
  if(T_CXX14)
    set_target_properties(${T_NAME} PROPERTIES CXX_STANDARD 14)
  endif()
  sparsepixels_warnings(${T_NAME})
  gtest_discover_tests(${T_NAME} TEST_PREFIX "${T_NAME}." DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600)
endfunction()

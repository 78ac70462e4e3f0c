#!/usr/bin/env bash
# Quick-start command 2: installs what is needed, builds, runs the whole test suite with CTest (a
# skipped test fails it: scripts/check-ctest-junit.py), then
# each fuzz target for a minute (scripts/fuzz.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${SPARSEPIXELS_BUILD_DIR:-$root/build}"

bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
# CTest exits 0 when tests are skipped (GTEST_SKIP, or a suite whose SetUpTestSuite threw), so its
# JUnit report is checked too: a test that was skipped or did not run fails the run, by name.
junit="$build_dir/ctest-junit.xml"
rm -f "$junit"
status=0
(cd "$build_dir" && ctest --output-on-failure -j "${SPARSEPIXELS_JOBS:-$(nproc)}" --output-junit "$junit") ||
  status=$?
python3 "$root/scripts/check-ctest-junit.py" "$junit" || status=1
if [[ "$status" != "0" ]]; then
  echo "run-tests: the test suite failed, or tests were skipped or did not run (listed above)" >&2
  exit "$status"
fi
# The fuzz targets (clang, ASan + UBSan; docs/fuzzing.md), briefly: SPARSEPIXELS_FUZZ_SECONDS each.
bash "$root/scripts/fuzz.sh" "${SPARSEPIXELS_FUZZ_SECONDS:-60}"

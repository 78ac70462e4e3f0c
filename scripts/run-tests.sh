#!/usr/bin/env bash
# Quick-start command 2: installs what is needed, builds, runs the whole test suite with CTest, then
# each fuzz target for a minute (scripts/fuzz.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${SPARSEPIXELS_BUILD_DIR:-$root/build}"

bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
(cd "$build_dir" && ctest --output-on-failure -j "${SPARSEPIXELS_JOBS:-$(nproc)}")
# The fuzz targets (clang, ASan + UBSan; docs/fuzzing.md), briefly: SPARSEPIXELS_FUZZ_SECONDS each.
bash "$root/scripts/fuzz.sh" "${SPARSEPIXELS_FUZZ_SECONDS:-60}"

#!/usr/bin/env bash
# Quick-start command 2: installs what is needed, builds, and runs the whole test suite with CTest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${SPARSEPIXELS_BUILD_DIR:-$root/build}"

bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
cd "$build_dir"
ctest --output-on-failure -j "${SPARSEPIXELS_JOBS:-$(nproc)}"

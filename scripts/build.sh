#!/usr/bin/env bash
# Configures and builds the project into ./build (Release, warnings as errors).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${SPARSEPIXELS_BUILD_DIR:-$root/build}"
jobs="${SPARSEPIXELS_JOBS:-$(nproc)}"

cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DSPARSEPIXELS_WERROR=ON >/dev/null
cmake --build "$build_dir" -j "$jobs"

#!/usr/bin/env bash
# Configures and builds the project into ./build (Release, warnings as errors): every target, or only
# the targets named as arguments (e.g. `bash scripts/build.sh sparsepixels_cli`).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${SPARSEPIXELS_BUILD_DIR:-$root/build}"
jobs="${SPARSEPIXELS_JOBS:-$(nproc)}"

cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DSPARSEPIXELS_WERROR=ON >/dev/null
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build "$build_dir" -j "$jobs" "${targets[@]}"

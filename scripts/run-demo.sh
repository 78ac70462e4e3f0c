#!/usr/bin/env bash
# Quick-start command 1: installs what is needed, builds, and runs the main job.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${SPARSEPIXELS_BUILD_DIR:-$root/build}"

bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh" sparsepixels_cli  # only what the main job needs
# The main job: train, evaluate, convert, C-simulate and estimate the paper's models (docs/demo.md).
"$build_dir/sparsepixels" demo --out "$root/demo-out"

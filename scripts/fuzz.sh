#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan) into ./build-fuzz and runs each for SECONDS
# (default 60), from the seed corpus in fuzz/corpus/<target> (plus the example configs for `config`).
# Usage: bash scripts/fuzz.sh [SECONDS] [TARGET...]   targets: config model_file idx report keras sparse_events hdf5
# Exit 1 when a target finds a crash, a hang (> 10 s on one input), a sanitizer report, an escaping
# exception other than sparsepixels::Error or an allocation above 2 GB; the input that did it is
# written to build-fuzz/artifacts/<target>/ (replay: build-fuzz/fuzz/fuzz_<target> FILE).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${SPARSEPIXELS_FUZZ_BUILD_DIR:-$root/build-fuzz}"
jobs="${SPARSEPIXELS_JOBS:-$(nproc)}"
seconds="${1:-60}"
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then targets=(config model_file idx report keras sparse_events hdf5); fi

CXX=clang++-14 cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPARSEPIXELS_FUZZ=ON \
  -DSPARSEPIXELS_BUILD_TESTS=OFF -DSPARSEPIXELS_WERROR=ON >/dev/null
build_targets=()
for target in "${targets[@]}"; do build_targets+=(--target "fuzz_$target"); done
cmake --build "$build_dir" -j "$jobs" "${build_targets[@]}"

status=0
for target in "${targets[@]}"; do
  corpus="$build_dir/corpus/$target"  # grows from run to run; the seeds stay in fuzz/corpus
  artifacts="$build_dir/artifacts/$target/"
  mkdir -p "$corpus" "$artifacts"
  seeds=("$root/fuzz/corpus/$target")
  if [[ "$target" == config ]]; then seeds+=("$root/examples/mnist" "$root/examples/jets" "$root/examples/neutrino"); fi
  echo "fuzz: $target for ${seconds} s"
  if ! "$build_dir/fuzz/fuzz_$target" "$corpus" "${seeds[@]}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=2048 -max_len=65536 -artifact_prefix="$artifacts" -print_final_stats=1 \
    >"$build_dir/fuzz_$target.log" 2>&1; then
    echo "fuzz: $target FAILED; the last lines of $build_dir/fuzz_$target.log:"
    tail -n 40 "$build_dir/fuzz_$target.log"
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build_dir/fuzz_$target.log" | sed "s/^/fuzz: $target /"
  fi
done
exit "$status"

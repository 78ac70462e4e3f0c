#!/usr/bin/env bash
# Installs everything the build, the tests and the main job need on Debian 12 (run as root, or with sudo).
# Set SPARSEPIXELS_SKIP_INSTALL=1 to skip (for a machine that is already set up).
set -euo pipefail

if [[ "${SPARSEPIXELS_SKIP_INSTALL:-0}" == "1" ]]; then
  exit 0
fi

packages=(
  build-essential cmake pkg-config git
  libgtest-dev libgmock-dev libbenchmark-dev
  libhdf5-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libfmt-dev libeigen3-dev
  gnuplot-nox dataset-fashion-mnist
  nodejs npm
)

sudo_cmd=()
if [[ "$(id -u)" != "0" ]]; then
  sudo_cmd=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "install-deps: Debian packages installed"

#!/bin/sh
# Builds lib{{name}}.so, the bit-accurate C simulation library (entry points {{name}}_float, {{name}}_double).
# AP_TYPES may point to the vendor's ap types headers; the default is this project's copy.
set -e
cd "$(dirname "$0")"
CXX="${CXX:-g++}"
AP_TYPES="${AP_TYPES:-firmware/ap_types}"
FLAGS="-O3 -fPIC -std=c++14 -Wno-unknown-pragmas -Ifirmware -I$AP_TYPES"
$CXX $FLAGS -c firmware/{{name}}.cpp -o {{name}}.o
$CXX $FLAGS -c {{name}}_bridge.cpp -o {{name}}_bridge.o
$CXX -shared {{name}}.o {{name}}_bridge.o -o lib{{name}}.so
rm -f {{name}}.o {{name}}_bridge.o

#!/usr/bin/env bash
# Configures and builds crosstalk and its tests into build/ (Release, Ninja).
# Safe to run again: only what changed is rebuilt.
set -euo pipefail
cd "$(dirname "$0")/.."

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"

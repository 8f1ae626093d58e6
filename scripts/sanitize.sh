#!/usr/bin/env bash
# Builds crosstalk and its tests with AddressSanitizer + UndefinedBehaviorSanitizer into
# build-sanitize/ (CMake -DCROSSTALK_SANITIZE=ON, Ninja, -O1 -g1) and runs the whole test
# suite there. Extra arguments go to ctest, e.g.  bash scripts/sanitize.sh -R vocab
# Only GCC is needed (its libasan and libubsan come with build-essential).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

# No environment is needed: the sanitizer options (UBSan halts on the first finding; the
# LeakSanitizer suppressions) are compiled into the executables, see
# src/sanitize/default_options.cpp. ASAN_OPTIONS, LSAN_OPTIONS and UBSAN_OPTIONS, if set,
# still add to and override them.

# -O1, as the sanitizers' documentation advises; -g1 (line tables, no variables) is all
# their stack traces need, and keeps the objects and the torch precompiled header small.
cmake -S . -B build-sanitize -G Ninja -DCROSSTALK_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
cmake --build build-sanitize -j "$(nproc)"
exec ctest --test-dir build-sanitize --output-on-failure "$@"

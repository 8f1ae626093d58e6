#!/usr/bin/env bash
# Builds crosstalk and its tests with AddressSanitizer + UndefinedBehaviorSanitizer into
# build-sanitize/ (CMake -DCROSSTALK_SANITIZE=ON, Ninja, -O1 -g) and runs the whole test
# suite there. Extra arguments go to ctest, e.g.  bash scripts/sanitize.sh -R vocab
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

# No environment is needed: the sanitizer options (UBSan halts on the first finding; the
# LeakSanitizer suppressions) are compiled into the executables, see
# src/sanitize/default_options.cpp. ASAN_OPTIONS, LSAN_OPTIONS and UBSAN_OPTIONS, if set,
# still add to and override them.

cmake -S . -B build-sanitize -G Ninja -DCROSSTALK_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g -DNDEBUG"
cmake --build build-sanitize -j "$(nproc)"
exec ctest --test-dir build-sanitize --output-on-failure "$@"

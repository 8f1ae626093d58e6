#!/usr/bin/env bash
# Sets up the dependencies, builds, and runs the whole test suite.
# Extra arguments go to ctest, e.g.  bash scripts/test.sh -R cli  or  -j2
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --tests
bash scripts/build.sh
exec ctest --test-dir build --output-on-failure "$@"

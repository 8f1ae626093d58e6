#!/usr/bin/env bash
# Installs what crosstalk needs to build, test and run (Debian/Ubuntu), and only what is
# missing: nothing is touched when every package is already installed.
# It also makes sure libblas.so.3 is OpenBLAS: Debian's libtorch multiplies matrices
# through the generic libblas.so.3, which is the ~30x slower reference BLAS unless an
# optimized implementation (libopenblas0-openmp) is installed and selected.
#
#   bash scripts/setup.sh            # what building and running crosstalk needs
#   bash scripts/setup.sh --tests    # plus what only the tests need (scripts/test.sh)
set -euo pipefail

PACKAGES=(build-essential cmake ninja-build pkg-config libtorch-dev libopenblas0-openmp
          libsentencepiece-dev libcli11-dev libspdlog-dev catch2 python3
          libcairo2-dev fonts-dejavu-core libxml2-dev nlohmann-json3-dev libcpp-httplib-dev
          libtomlplusplus-dev libgloo-dev)  # libgloo-dev: Gloo's headers, for data-parallel training on c10d
# Test-only: the sanitizer build and the fuzzers (scripts/sanitize.sh, scripts/fuzz.sh);
# the headless browser that tests the page of `crosstalk serve`.
TEST_PACKAGES=(clang libclang-rt-14-dev chromium)
if [ "${1:-}" = "--tests" ]; then
  PACKAGES+=("${TEST_PACKAGES[@]}")
elif [ $# -gt 0 ]; then
  echo "setup.sh: unknown argument '$1' (expected --tests or nothing)" >&2
  exit 2
fi

say() { echo "setup.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

command -v dpkg >/dev/null 2>&1 || die "dpkg not found: this script supports Debian/Ubuntu only; install by hand: ${PACKAGES[*]}"

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || die "not root and sudo is not available; as root run: apt-get install ${PACKAGES[*]}"
  SUDO=(sudo)
fi

installed() { dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'; }

missing=()
for p in "${PACKAGES[@]}"; do
  installed "$p" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  say "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  ${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update
  ${SUDO[@]+"${SUDO[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
  for p in "${missing[@]}"; do
    installed "$p" || die "package $p is still not installed"
  done
else
  say "all packages already installed"
fi

# ---- BLAS: libblas.so.3 (and liblapack.so.3) must be OpenBLAS ------------------------
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || true)
[ -n "$MULTIARCH" ] || MULTIARCH=x86_64-linux-gnu
LIBDIR=/usr/lib/$MULTIARCH

ensure_openblas() {  # $1 = libblas | liblapack
  local lib=$1 link="$LIBDIR/$1.so.3" name="$1.so.3-$MULTIARCH"
  local want="$LIBDIR/openblas-openmp/$1.so.3" now
  now=$(readlink -f "$link" 2>/dev/null || true)
  if [[ "$now" == *openblas* ]]; then
    say "$lib.so.3 -> $now"
    return 0
  fi
  say "$lib.so.3 resolves to '${now:-nothing}', not OpenBLAS: selecting $want"
  [ -e "$want" ] || die "$want does not exist (is libopenblas0-openmp installed?)"
  ${SUDO[@]+"${SUDO[@]}"} update-alternatives --set "$name" "$want" \
    || die "update-alternatives --set $name $want failed"
  now=$(readlink -f "$link" 2>/dev/null || true)
  [[ "$now" == *openblas* ]] || die "$link still resolves to '${now:-nothing}', not OpenBLAS"
  say "$lib.so.3 -> $now"
}

ensure_openblas libblas
ensure_openblas liblapack

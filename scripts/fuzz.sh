#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ (into build-fuzz/, with clang, ASan and
# UBSan, no LibTorch) and runs each one in turn, one process at a time.
#
#   bash scripts/fuzz.sh                       # 1,000,000 inputs per target
#   bash scripts/fuzz.sh --runs 10000          # smoke run (CI)
#   bash scripts/fuzz.sh --time 600            # 10 minutes per target instead
#   bash scripts/fuzz.sh --target fuzz_utf8 --target fuzz_pharaoh --runs 100000
#
# Options: --runs N (inputs per target; default 1000000), --time S (seconds per target,
# replaces --runs unless both are given: then whichever comes first), --target NAME
# (repeatable; default all), --seed N (libFuzzer's -seed), --fresh (forget the corpus
# grown by earlier runs in build-fuzz/corpus/), --no-build.
#
# Each target starts from its seeds in tests/fuzz/corpus/<target>/ (read only) plus what
# earlier runs added in build-fuzz/corpus/<target>/, with tests/fuzz/dict/<target>.dict.
# A crash, sanitizer report, failed property, leak or timeout is saved under
# build-fuzz/artifacts/<target>/, the log under build-fuzz/logs/<target>.log. Prints one
# line per target (inputs executed, seconds, coverage) and exits 1 if any target failed.
# Needs clang and its libFuzzer runtime (Debian: clang libclang-rt-14-dev, or the
# libclang-rt-N-dev matching clang's version), cmake, and torch/arg.h (libtorch-dev).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=""
time_s=""
seed=""
fresh=0
build=1
targets=()
all_targets=(fuzz_pharaoh fuzz_utf8 fuzz_tokenizer_13a fuzz_bleu_chrf fuzz_model_config)

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --time) time_s="$2"; shift 2 ;;
    --target) targets+=("$2"); shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --fresh) fresh=1; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$runs" "$time_s" "$seed"; do
  if [[ -n "$n" && ! "$n" =~ ^[0-9]+$ ]]; then echo "fuzz.sh: '$n' is not a whole number" >&2; exit 2; fi
done
if [[ -z "$runs" && -z "$time_s" ]]; then runs=1000000; fi
[[ ${#targets[@]} -eq 0 ]] && targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  if [[ ! -f "tests/fuzz/$t.cpp" ]]; then echo "fuzz.sh: no target '$t' (tests/fuzz/$t.cpp)" >&2; exit 2; fi
done

out=build-fuzz
if [[ $build -eq 1 ]]; then
  cxx="${CXX_FUZZ:-clang++}"
  probe="$(mktemp -d)"
  trap 'rm -rf "$probe"' EXIT
  printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' >"$probe/p.cpp"
  if ! command -v "$cxx" >/dev/null || ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" 2>"$probe/err"; then
    cat "$probe/err" >&2 2>/dev/null || true
    echo "fuzz.sh: '$cxx' cannot build a libFuzzer target; on Debian/Ubuntu install clang and" >&2
    echo "  libclang-rt-<clang's major version>-dev (clang 14: libclang-rt-14-dev), or set CXX_FUZZ" >&2
    exit 2
  fi
  generator=()
  command -v ninja >/dev/null && generator=(-G Ninja)
  if [[ ! -f "$out/CMakeCache.txt" ]]; then
    cmake -S tests/fuzz -B "$out" "${generator[@]}" -DCMAKE_CXX_COMPILER="$cxx" >/dev/null
  fi
  build_start=$SECONDS
  cmake --build "$out" --parallel "${FUZZ_BUILD_JOBS:-2}" -- >/dev/null
  echo "fuzz.sh: built ${#all_targets[@]} targets in $((SECONDS - build_start)) s ($out/)"
fi

# Allocation stacks off: a third faster; rerun an artifact with plain ASan for them.
export ASAN_OPTIONS="${ASAN_OPTIONS:-malloc_context_size=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

failed=0
total_start=$SECONDS
printf '%-20s %10s %8s %7s %7s %7s  %s\n' target inputs seconds exec/s cov ft result
for t in "${targets[@]}"; do
  corpus="$out/corpus/$t"
  artifacts="$out/artifacts/$t"
  log="$out/logs/$t.log"
  [[ $fresh -eq 1 ]] && rm -rf "$corpus"
  mkdir -p "$corpus" "$artifacts" "$out/logs"
  args=(-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/")
  [[ -n "$runs" ]] && args+=(-runs="$runs")
  [[ -n "$time_s" ]] && args+=(-max_total_time="$time_s")
  [[ -n "$seed" ]] && args+=(-seed="$seed")
  [[ -f "tests/fuzz/dict/$t.dict" ]] && args+=(-dict="tests/fuzz/dict/$t.dict")
  seeds=()
  [[ -d "tests/fuzz/corpus/$t" ]] && seeds=("tests/fuzz/corpus/$t")
  before="$(find "$artifacts" -type f | wc -l)"
  start=$SECONDS
  rc=0
  "$out/$t" "${args[@]}" "$corpus" "${seeds[@]}" >"$log" 2>&1 || rc=$?
  seconds=$((SECONDS - start))
  inputs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  last="$(grep -E '^#[0-9]+' "$log" | tail -1 || true)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")"
  after="$(find "$artifacts" -type f | wc -l)"
  if [[ $rc -eq 0 && "$after" -eq "$before" ]]; then
    result="ok"
  else
    failed=1
    artifact="$(ls -t "$artifacts" 2>/dev/null | head -1)"
    result="FAILED (exit $rc) ${artifact:+$artifacts/$artifact}; log $log"
  fi
  printf '%-20s %10s %8s %7s %7s %7s  %s\n' "$t" "${inputs:-?}" "$seconds" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$result"
  if [[ "$result" != ok ]]; then
    grep -E 'FUZZ_CHECK|unexpected exception|ERROR: |runtime error|SUMMARY' "$log" | head -5 | sed 's/^/    /'
    echo "    reproduce: $out/$t $artifacts/${artifact:-<artifact>}"
  fi
done
echo "fuzz.sh: ${#targets[@]} targets in $((SECONDS - total_start)) s; $([[ $failed -eq 0 ]] && echo 'no crash' || echo 'FAILURES above')"
exit $failed

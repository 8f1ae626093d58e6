#!/usr/bin/env bash
# The data-parallel done criterion: configs/multi30k_de_en.toml trained for STEPS updates by
# 1 process (x 2 threads) and by 2 processes (--nproc 2, x 1 thread), one after the other,
# with the same seed; then each model translates test_2016_flickr (beam 4) and `crosstalk
# eval` scores it (sacreBLEU-exact). Prints both BLEU scores and their difference.
#
#   bash scripts/bench_distributed_bleu.sh [SEED=1] [STEPS=950] [WORK_DIR=bench_work/distributed_bleu]
#
# About 25 minutes on the 2-core machine; keep it otherwise idle.
set -euo pipefail
cd "$(dirname "$0")/.."
SEED=${1:-1}
STEPS=${2:-950}
WORK=${3:-bench_work/distributed_bleu}
TEST=test_2016_flickr
[ -x build/crosstalk ] || bash scripts/build.sh
mkdir -p "$WORK"
declare -A FLAGS=([one]="--threads 2" [two]="--threads 1 --nproc 2")
for run in one two; do
  dir="$WORK/seed$SEED.$run"
  rm -rf "$dir"
  echo "== $run: train --config configs/multi30k_de_en.toml --max-steps $STEPS --minutes 0 --seed $SEED ${FLAGS[$run]}" >&2
  # shellcheck disable=SC2086
  ./build/crosstalk train --config configs/multi30k_de_en.toml --max-steps "$STEPS" --minutes 0 --seed "$SEED" \
    --model-dir "$dir" ${FLAGS[$run]} 2> "$dir.train.log"
  ./build/crosstalk translate --model "$dir" --beam 4 --input "data/multi30k/$TEST.de" --output "$dir.$TEST.en" \
    2> "$dir.translate.log"
  ./build/crosstalk eval --hyp "$dir.$TEST.en" --ref "data/multi30k/$TEST.en" > "$dir.eval.txt" 2>&1
done
echo "bench_distributed_bleu: seed $SEED, $STEPS steps, beam 4 on $TEST"
for run in one two; do
  echo "  $run (${FLAGS[$run]}): $(head -1 "$WORK/seed$SEED.$run.eval.txt")"
done

#!/usr/bin/env bash
# Alignment benchmark: AER of the decoder's cross-attention on the shipped hand-made gold
# (data/align/: the first 30 Multi30k validation pairs), for every decoder layer (heads
# averaged), all layers averaged, and every head of the default layer, with argmax links
# and with soft thresholds 0.2 / 0.3 / 0.5; then the time forced alignment takes over the
# 1,000 test_2016_flickr pairs. (The peer has no alignment output, so there is no ratio.)
#
#   bash scripts/bench_align.sh MODEL_DIR [OUT_DIR]
#
# e.g. bash scripts/bench_align.sh models/multi30k_de_en
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=$1
OUT=${2:-bench_align_work}
GOLD=data/align/multi30k_val30
mkdir -p "$OUT"
[ -x ./build/crosstalk ] || { echo "bench_align.sh: build first (bash scripts/build.sh)" >&2; exit 1; }

sweep() {  # label, extra align flags...
  local label=$1; shift
  echo "== $label"
  ./build/crosstalk align --model "$MODEL" --src $GOLD.de --tgt $GOLD.en --gold $GOLD.gold --sweep "$@" \
    --output "$OUT/val30.align" 2> "$OUT/sweep.err" || { cat "$OUT/sweep.err" >&2; exit 1; }
  grep -v '^\[' "$OUT/sweep.err"
}
sweep "argmax (the default)"
for t in 0.2 0.3 0.5; do sweep "threshold $t" --align-threshold $t; done

echo "== speed: forced alignment of test_2016_flickr (1,000 pairs)"
start=$(date +%s.%N)
./build/crosstalk align --model "$MODEL" --src data/multi30k/test_2016_flickr.de \
  --tgt data/multi30k/test_2016_flickr.en --output "$OUT/test.align" 2> "$OUT/speed.err"
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f s for 1000 pairs (%.1f ms a pair, model loading included)\n", e - s, (e - s) * 1000 / 1000 }'

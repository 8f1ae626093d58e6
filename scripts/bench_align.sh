#!/usr/bin/env bash
# Alignment benchmark: one table on the TEST part of the hand-made gold (data/align/, pairs
# 81-160 of the Multi30k validation set), with bootstrap 95% intervals:
#   - the forward model alone, at the default layer and at the dev-chosen reading;
#   - the reverse model alone (its links turned around);
#   - every symmetrization of the two;
#   - each guided model, alone (its saved layer/head) and symmetrized with the reverse model;
# the BLEU of each model on test_2016_flickr (beam 4), and the time of each stage (training
# from train_summary.json; forced alignment of the training corpus in both directions).
# The reading (layer, head) used for the symmetrizations is chosen on the DEV part
# (`align --sweep`, lowest AER) and never on the test part.
#
#   bash scripts/bench_align.sh FWD_MODEL REV_MODEL [GUIDED_MODEL ...]
#   e.g. bash scripts/bench_align.sh models/multi30k_de_en models/multi30k_en_de models/multi30k_de_en_guided
#
# Environment: OUT (work directory, default bench_align_work), SPEED=0 skips aligning the
# 29,000 training pairs (then the 1,000 test_2016_flickr pairs are timed), THREADS (default 2),
# CROSSTALK (the binary, default ./build/crosstalk). Another language pair or gold:
# S and T (the languages, default de en), DEV and TEST (gold prefixes, PREFIX.S, PREFIX.T,
# PREFIX.gold), BLEU_DATA (the directory of test_2016_flickr.S/.T and train.S/.T, default
# data/multi30k; "none" skips BLEU and times the dev pairs), e.g.
#   S=en T=fr DEV=data/align/multi30k_en_fr_long_dev TEST=data/align/multi30k_en_fr_long_test \
#     BLEU_DATA=none bash scripts/bench_align.sh models/long_en_fr models/long_fr_en models/long_en_fr_guided
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n 2,24p "$0" >&2; exit 2; }
FWD=$1 REV=$2; shift 2
GUIDED=("$@")
OUT=${OUT:-bench_align_work} THREADS=${THREADS:-2} SPEED=${SPEED:-1}
S=${S:-de} T=${T:-en} DEV=${DEV:-data/align/multi30k_dev} TEST=${TEST:-data/align/multi30k_test}
BLEU_DATA=${BLEU_DATA:-data/multi30k}
mkdir -p "$OUT"
X=${CROSSTALK:-./build/crosstalk}
[ -x "$X" ] || { echo "bench_align.sh: no $X: build first (bash scripts/build.sh)" >&2; exit 2; }
rows=()

# align on the test gold; prints the score lines (stderr) into $OUT/last.err
align_test() {  # model, extra align flags...
  local model=$1; shift
  $X align --model "$model" --src $TEST.$S --tgt $TEST.$T --gold $TEST.gold --threads "$THREADS" "$@" \
    --output "$OUT/test.align" 2> "$OUT/last.err" || { cat "$OUT/last.err" >&2; exit 1; }
}
# "AER = a precision = p recall = r ... 95% CI [l, h]" of the line starting with $1 -> a table row
row() {  # label, selection text, line prefix (as logged), file
  local line
  line=$(grep -F "] $3" "$4" | head -1) || true
  [ -n "$line" ] || { echo "bench_align.sh: no '$3' line in $4" >&2; cat "$4" >&2; exit 1; }
  rows+=("$(echo "$line" | awk -v label="$1" -v sel="$2" '{
    for (i = 1; i <= NF; i++) { if ($i == "AER") a = $(i + 2); if ($i == "precision") p = $(i + 2);
      if ($i == "recall") r = $(i + 2); if ($i == "CI") ci = $(i + 1) " " $(i + 2) }
    printf "| %s | %s | %s %s | %s | %s |", label, sel, a, ci, p, r }')")
}

echo "bench_align.sh: choosing the reading on $DEV ($(wc -l < $DEV.gold) pairs)" >&2
$X align --model "$FWD" --reverse-model "$REV" --src $DEV.$S --tgt $DEV.$T --gold $DEV.gold --sweep \
  --layer default --head avg --threads "$THREADS" --output "$OUT/dev.align" 2> "$OUT/dev_sweep.err" \
  || { cat "$OUT/dev_sweep.err" >&2; exit 1; }
best=$(grep '^lowest AER: ' "$OUT/dev_sweep.err")
read -r -a chosen <<< "$(echo "$best" | sed 's/.*): //' | sed 's/ --symmetrize [a-z-]*//')"
best_method=$(echo "$best" | sed -n 's/.*--symmetrize \([a-z-]*\).*/\1/p')
echo "bench_align.sh: dev $best" >&2

align_test "$FWD" --layer default --head avg
row "forward" "default layer" "layer" "$OUT/last.err"
for method in intersect union grow-diag grow-diag-final grow-diag-final-and soft-mean soft-product \
    soft-mean-gdfa soft-product-gdfa; do
  align_test "$FWD" --reverse-model "$REV" --symmetrize $method "${chosen[@]}"
  if [ $method = intersect ]; then
    row "forward" "${chosen[*]}" "forward, " "$OUT/last.err"
    row "reverse" "${chosen[*]}" "reverse, " "$OUT/last.err"
  fi
  mark=""; [ "$method" = "$best_method" ] && mark=" (dev best)"
  row "symmetrized: $method$mark" "${chosen[*]}" "symmetrized (" "$OUT/last.err"
done
for g in "${GUIDED[@]}"; do
  align_test "$g"
  saved="default layer"  # the guided layer/head its training saved, if any
  if [ -f "$g/alignment.toml" ]; then
    saved="saved: --layer $(sed -n 's/^layer = "*\([a-z0-9]*\).*/\1/p' "$g/alignment.toml")"
    saved="$saved --head $(sed -n 's/^head = "*\([a-z0-9]*\).*/\1/p' "$g/alignment.toml")"
  fi
  row "guided $(basename "$g")" "$saved" "layer" "$OUT/last.err"
  align_test "$g" --reverse-model "$REV" --symmetrize "$best_method"
  row "guided $(basename "$g") + reverse, $best_method" "$saved" "symmetrized (" "$OUT/last.err"
done

echo
echo "### Word alignment, $TEST.gold ($(wc -l < $TEST.gold) pairs; reading chosen on dev: ${chosen[*]})"
echo
echo "| system | selection | AER [95% CI] | precision | recall |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"

echo
echo "### Models: BLEU on test_2016_flickr (beam 4) and training time"
echo
echo "| model | BLEU | chrF | steps | training time (train_summary.json) |"
echo "|---|---|---|---|---|"
for m in "$FWD" "$REV" "${GUIDED[@]}"; do
  [ "$BLEU_DATA" != none ] || break
  src=$BLEU_DATA/test_2016_flickr.$S ref=$BLEU_DATA/test_2016_flickr.$T
  if [ "$m" = "$REV" ]; then
    src=$BLEU_DATA/test_2016_flickr.$T ref=$BLEU_DATA/test_2016_flickr.$S
  fi
  $X translate --model "$m" --input $src --output "$OUT/bleu.hyp" --threads "$THREADS" 2> /dev/null
  scores=$($X eval --hyp "$OUT/bleu.hyp" --ref $ref --json)
  bleu=$(echo "$scores" | sed -n 's/.*"bleu": *\([0-9.]*\).*/\1/p')
  chrf=$(echo "$scores" | sed -n 's/.*"chrf": *\([0-9.]*\).*/\1/p')
  steps=$(sed -n 's/.*"steps":\([0-9]*\).*/\1/p' "$m/train_summary.json")
  secs=$(sed -n 's/.*"train_seconds":\([0-9.]*\).*/\1/p' "$m/train_summary.json")
  printf '| %s | %.2f | %.2f | %s | %.0f s |\n' "$(basename "$m")" "$bleu" "$chrf" "$steps" "$secs"
done

echo
echo "### Forced alignment speed (both directions, symmetrized, $THREADS threads)"
echo
if [ "$BLEU_DATA" = none ]; then
  set_src=$DEV.$S set_tgt=$DEV.$T
elif [ "$SPEED" = 1 ]; then
  set_src=$BLEU_DATA/train.$S set_tgt=$BLEU_DATA/train.$T
else
  set_src=$BLEU_DATA/test_2016_flickr.$S set_tgt=$BLEU_DATA/test_2016_flickr.$T
fi
$X align --model "$FWD" --reverse-model "$REV" "${chosen[@]}" --src $set_src --tgt $set_tgt --threads "$THREADS" \
  --output "$OUT/speed.align" 2> "$OUT/speed.err" || { cat "$OUT/speed.err" >&2; exit 1; }
grep -o 'aligned [0-9]* sentence pairs in .*' "$OUT/speed.err" | sed 's/^/    /'

#!/usr/bin/env bash
# A corpus that is not Multi30k German-English, trained twice for the same minutes:
# once with nothing but the two files (the built-in defaults: validation pairs held out,
# vocabulary size and warmup derived), once with the hand-tuned config
# (configs/multi30k_de_en.toml's settings, the official validation files). Then both
# translate test_2016_flickr and test_2017_flickr (beam 4) and are scored by `eval`.
#
#   bash scripts/bench_own_corpus.sh [SRC TGT [MINUTES [WORK]]]   (default: en fr 12 bench_work/own_corpus)
# Needs ../shared/data/multi30k (the French side is not in data/). A model whose
# best.pt exists is reused, so the scoring can be rerun alone.
set -euo pipefail
cd "$(dirname "$0")/.."
S=${1:-en} T=${2:-fr} MINUTES=${3:-12} WORK=${4:-bench_work/own_corpus}
DATA=../shared/data/multi30k
[ -f "$DATA/train.$S" ] && [ -f "$DATA/train.$T" ] || { echo "bench_own_corpus.sh: $DATA/train.$S or .$T missing" >&2; exit 2; }
DATA=$(realpath "$DATA")
[ -x ./build/crosstalk ] || { echo "bench_own_corpus.sh: build first (bash scripts/build.sh)" >&2; exit 2; }
BIN=$(realpath ./build/crosstalk) CONFIG=$(realpath configs/multi30k_de_en.toml)
mkdir -p "$WORK"
cp "$DATA/train.$S" "$WORK/flickr.$S"; cp "$DATA/train.$T" "$WORK/flickr.$T"
cd "$WORK"
if [ ! -f "models/flickr_${S}_${T}/best.pt" ]; then
  echo "== defaults: crosstalk train --train-src flickr.$S --train-tgt flickr.$T --minutes $MINUTES" >&2
  "$BIN" train --train-src "flickr.$S" --train-tgt "flickr.$T" --minutes "$MINUTES" 2> defaults.log
fi
if [ ! -f "models/flickr_${S}_${T}_tuned/best.pt" ]; then
  echo "== hand-tuned: --config configs/multi30k_de_en.toml with the $S-$T files" >&2
  "$BIN" train --config "$CONFIG" --train-src "flickr.$S" --train-tgt "flickr.$T" --valid-src "$DATA/val.$S" \
    --valid-tgt "$DATA/val.$T" --model-dir "models/flickr_${S}_${T}_tuned" --minutes "$MINUTES" 2> tuned.log
fi
echo "$S->$T, $MINUTES minutes each, $(date +%F), commit $(git -C "$OLDPWD" rev-parse --short HEAD); BLEU/chrF2 beam 4:"
printf '%-12s %8s %6s %7s %8s %8s %8s\n' run steps vocab warmup valid test2016 test2017
for run in "flickr_${S}_${T}" "flickr_${S}_${T}_tuned"; do
  m=models/$run
  row=()
  for test in test_2016_flickr test_2017_flickr; do
    "$BIN" translate --model "$m" --beam 4 < "$DATA/$test.$S" > "$m/$test.$T" 2>/dev/null
    row+=("$("$BIN" eval --hyp "$m/$test.$T" --ref "$DATA/$test.$T" --json | python3 -c \
      'import json,sys; j=json.load(sys.stdin); print("%.2f/%.2f" % (j["bleu"], j["chrf"]))')")
  done
  python3 - "$m/train_summary.json" "$run" "${row[@]}" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print("%-12s %8d %6d %7d %8.2f %8s %8s" % (sys.argv[2][-12:], s["steps"], s["vocab_size"], s["warmup"], s["best_bleu"], sys.argv[3], sys.argv[4]))
PY
done
echo "(valid: best greedy validation BLEU during training, each on its own validation set: the held-out pairs / the official val)"

#!/usr/bin/env bash
# The whole story in one command: set up, build, train a German->English model on
# Multi30k (12 minutes on a CPU), then translate interactively with it.
# Extra arguments go to `crosstalk train` (e.g. --minutes 30 or --device cuda).
# Once models/multi30k_de_en/best.pt exists, training is skipped and the translator opens.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh

MODEL_DIR=models/multi30k_de_en
if [ -f "$MODEL_DIR/best.pt" ]; then
  echo "demo.sh: $MODEL_DIR/best.pt already exists: skipping training" \
       "(delete $MODEL_DIR to train again, or continue it with:" \
       "./build/crosstalk train --config configs/multi30k_de_en.toml --resume --minutes 12)" >&2
else
  ./build/crosstalk train --config configs/multi30k_de_en.toml "$@"
fi

echo "demo.sh: in the translator, ':align on' shows each translation's cross-attention and" \
     "':save NAME' writes it as NAME.svg and NAME.png; word alignments of a file:" \
     "./build/crosstalk align --model $MODEL_DIR --src data/align/multi30k_dev.de" \
     "--tgt data/align/multi30k_dev.en --gold data/align/multi30k_dev.gold --heatmap maps/" >&2
exec ./build/crosstalk translate --model "$MODEL_DIR"

#!/usr/bin/env bash
# Guided alignment training with labels from crosstalk itself (the first variant of
# Garg et al. 2019): train a forward and a reverse model, align the whole training
# corpus with both (symmetrized), then train the guided model on those links.
#
#   bash scripts/train_aligned.sh SRC TGT [extra `crosstalk train` flags...]
#   e.g. bash scripts/train_aligned.sh de en --max-steps 950
#
# Uses configs/multi30k_SRC_TGT.toml and configs/multi30k_TGT_SRC.toml. Writes
#   $MODELS/multi30k_SRC_TGT           the forward model (skipped when its best.pt exists)
#   $MODELS/multi30k_TGT_SRC           the reverse model (likewise)
#   $MODELS/multi30k_SRC_TGT.train.align  the symmetrized links of the training corpus
#   $MODELS/multi30k_SRC_TGT_guided    the guided model
# Environment: MODELS (default models), SYMMETRIZE (default: the method align uses by
# default), ALIGN_FLAGS (extra `crosstalk align` flags, default "--layer all"),
# GUIDED_FLAGS (extra flags for the guided model only, e.g. "--guided-alignment-weight 0.1").
# Times on the 2-core development machine, --max-steps 950 each: README, "Guided alignment".
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n 2,17p "$0" >&2; exit 2; }
SRC=$1 TGT=$2; shift 2
MODELS=${MODELS:-models}
FWD_CONFIG=configs/multi30k_${SRC}_${TGT}.toml REV_CONFIG=configs/multi30k_${TGT}_${SRC}.toml
for c in "$FWD_CONFIG" "$REV_CONFIG"; do [ -f "$c" ] || { echo "train_aligned.sh: no config $c" >&2; exit 2; }; done
[ -x ./build/crosstalk ] || { echo "train_aligned.sh: build first (bash scripts/build.sh)" >&2; exit 2; }
FWD=$MODELS/multi30k_${SRC}_${TGT} REV=$MODELS/multi30k_${TGT}_${SRC} GUIDED=$MODELS/multi30k_${SRC}_${TGT}_guided
LINKS=$MODELS/multi30k_${SRC}_${TGT}.train.align
TRAIN_SRC=data/multi30k/train.$SRC TRAIN_TGT=data/multi30k/train.$TGT
read -r -a align_flags <<< "${ALIGN_FLAGS:---layer all}"
read -r -a guided_flags <<< "${GUIDED_FLAGS:-}"
sym=()
[ -n "${SYMMETRIZE:-}" ] && sym=(--symmetrize "$SYMMETRIZE")
times=()

stage() {  # name, command...: runs it, records its wall time
  local name=$1; shift
  echo "train_aligned.sh: == $name: $*" >&2
  local start; start=$(date +%s)
  "$@"
  times+=("$(printf '%-34s %6ds' "$name" $(( $(date +%s) - start )))")
}
train_unless_done() {  # name, config, dir, extra train flags...
  local name=$1 config=$2 dir=$3; shift 3
  if [ -f "$dir/best.pt" ]; then
    echo "train_aligned.sh: $dir/best.pt exists: $name model reused" >&2
    times+=("$(printf '%-34s %7s' "$name model" reused)")
  else
    stage "$name model" ./build/crosstalk train --config "$config" --model-dir "$dir" "$@"
  fi
}
train_unless_done forward "$FWD_CONFIG" "$FWD" "$@"
train_unless_done reverse "$REV_CONFIG" "$REV" "$@"
stage "symmetrized alignment of train" ./build/crosstalk align --model "$FWD" --reverse-model "$REV" \
  "${sym[@]}" "${align_flags[@]}" --src "$TRAIN_SRC" --tgt "$TRAIN_TGT" --output "$LINKS"
stage "guided model" ./build/crosstalk train --config "$FWD_CONFIG" --model-dir "$GUIDED" \
  --guided-alignment "$LINKS" "$@" "${guided_flags[@]}"
echo "train_aligned.sh: done; stage times:"
printf '  %s\n' "${times[@]}"
echo "  guided model: $GUIDED (align it with: ./build/crosstalk align --model $GUIDED ...)"

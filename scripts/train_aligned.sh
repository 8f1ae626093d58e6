#!/usr/bin/env bash
# Guided alignment training with labels from crosstalk itself (the first variant of
# Garg et al. 2019) on any parallel corpus: train a forward and a reverse model, align
# the whole training corpus with both (symmetrized), then train the guided model on
# those links. Each stage prints its wall time at the end.
#
#   bash scripts/train_aligned.sh SRC_FILE TGT_FILE [extra `crosstalk train` flags...]
#   e.g. bash scripts/train_aligned.sh data/multi30k/train.de data/multi30k/train.en --max-steps 950
#        bash scripts/train_aligned.sh my.en my.es --minutes 12
#
# The three models train with the built-in defaults (validation pairs held out of the
# training files, the same pairs in both directions) plus the extra flags; a config
# that names files does not fit here: give validation files as VALID_SRC and VALID_TGT.
# Writes
#   $MODELS/NAME_S_T            the forward model (skipped when its best.pt exists)
#   $MODELS/NAME_T_S            the reverse model (likewise)
#   $MODELS/NAME_S_T.train.align  the symmetrized links of the training files
#   $MODELS/NAME_S_T_guided     the guided model
# where S and T are the file suffixes (or SRC_LANG/TGT_LANG) and NAME the corpus name
# crosstalk gives the files (or NAME). Environment: MODELS (default models),
# SYMMETRIZE (default: the method align uses by default), ALIGN_FLAGS (extra
# `crosstalk align` flags, default "--layer all"), GUIDED_FLAGS (extra flags for the
# guided model only, e.g. "--guided-alignment-weight 0.1"), VALID_SRC/VALID_TGT.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n 2,27p "$0" >&2; exit 2; }
TRAIN_SRC=$1 TRAIN_TGT=$2; shift 2
for f in "$TRAIN_SRC" "$TRAIN_TGT"; do [ -f "$f" ] || { echo "train_aligned.sh: no file $f" >&2; exit 2; }; done
[ -x ./build/crosstalk ] || { echo "train_aligned.sh: build first (bash scripts/build.sh)" >&2; exit 2; }
MODELS=${MODELS:-models}
S=${SRC_LANG:-${TRAIN_SRC##*.}} T=${TGT_LANG:-${TRAIN_TGT##*.}}
[ "$S" != "$T" ] || { echo "train_aligned.sh: set SRC_LANG and TGT_LANG (the file suffixes do not tell the languages)" >&2; exit 2; }
if [ -z "${NAME:-}" ]; then
  NAME=$(basename "$TRAIN_SRC"); NAME=${NAME%.*}
  case "$NAME" in train|training|corpus|data|all|bitext|parallel|text) NAME=$(basename "$(dirname "$(realpath "$TRAIN_SRC")")") ;; esac
fi
FWD=$MODELS/${NAME}_${S}_${T} REV=$MODELS/${NAME}_${T}_${S} GUIDED=$MODELS/${NAME}_${S}_${T}_guided
LINKS=$MODELS/${NAME}_${S}_${T}.train.align
fwd_valid=() rev_valid=()
if [ -n "${VALID_SRC:-}" ]; then
  fwd_valid=(--valid-src "$VALID_SRC" --valid-tgt "$VALID_TGT")
  rev_valid=(--valid-src "$VALID_TGT" --valid-tgt "$VALID_SRC")
fi
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
train_unless_done() {  # name, dir, train flags...
  local name=$1 dir=$2; shift 2
  if [ -f "$dir/best.pt" ]; then
    echo "train_aligned.sh: $dir/best.pt exists: $name model reused" >&2
    times+=("$(printf '%-34s %7s' "$name model" reused)")
  else
    stage "$name model" ./build/crosstalk train --model-dir "$dir" "$@"
  fi
}
train_unless_done forward "$FWD" --train-src "$TRAIN_SRC" --train-tgt "$TRAIN_TGT" --src-lang "$S" --tgt-lang "$T" \
  ${fwd_valid[@]+"${fwd_valid[@]}"} "$@"
train_unless_done reverse "$REV" --train-src "$TRAIN_TGT" --train-tgt "$TRAIN_SRC" --src-lang "$T" --tgt-lang "$S" \
  ${rev_valid[@]+"${rev_valid[@]}"} "$@"
stage "symmetrized alignment of train" ./build/crosstalk align --model "$FWD" --reverse-model "$REV" \
  ${sym[@]+"${sym[@]}"} "${align_flags[@]}" --src "$TRAIN_SRC" --tgt "$TRAIN_TGT" --output "$LINKS"
stage "guided model" ./build/crosstalk train --model-dir "$GUIDED" --train-src "$TRAIN_SRC" --train-tgt "$TRAIN_TGT" \
  --src-lang "$S" --tgt-lang "$T" ${fwd_valid[@]+"${fwd_valid[@]}"} --guided-alignment "$LINKS" "$@" \
  ${guided_flags[@]+"${guided_flags[@]}"}
echo "train_aligned.sh: done; stage times:"
printf '  %s\n' "${times[@]}"
echo "  guided model: $GUIDED (align it with: ./build/crosstalk align --model $GUIDED ...)"

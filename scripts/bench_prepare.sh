#!/usr/bin/env bash
# Preparation at scale: reading, the validation split, the vocabulary (a sample), the data
# report and encoding of a synthetic corpus of 100,000 and 1,000,000 pairs (Multi30k
# de-en repeated with a marker, scripts/make_big_corpus.py), one training step each.
# Prints the wall time of preparation and the whole run's peak RSS; then the peak RSS of a
# second run that reuses the vocabulary (SentencePiece's training, on a sample of at most
# 500,000 pairs, is the peak of the first): what crosstalk's own data structures take.
#
#   bash scripts/bench_prepare.sh [SIZES...]     (default: 100000 1000000)
# Needs GNU time (/usr/bin/time, Debian package `time`). Work files in bench_work/prepare/.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x ./build/crosstalk ] || { echo "bench_prepare.sh: build first (bash scripts/build.sh)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench_prepare.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100000 1000000)
WORK=bench_work/prepare
mkdir -p "$WORK"
rows=()
for n in "${SIZES[@]}"; do
  dir=$WORK/c$n
  [ -f "$dir/m30k.en" ] || python3 scripts/make_big_corpus.py data/multi30k/train.de data/multi30k/train.en "$n" "$dir/m30k"
  rm -rf "$dir/model"
  log=$dir/train.log
  /usr/bin/time -f "peak_rss_kb %M" ./build/crosstalk train --train-src "$dir/m30k.de" --train-tgt "$dir/m30k.en" \
    --model-dir "$dir/model" --max-steps 1 --valid-bleu-lines 10 --log-every 1 > "$log" 2>&1
  rss=$(awk '/peak_rss_kb/ {print $2}' "$log")
  # Preparation: from the first log line to the model line (data, vocabulary, report, encoding).
  first=$(grep -m1 -o '^\[[0-9:]*\]' "$log" | tr -d '[]')
  model=$(grep -m1 '\] model: ' "$log" | grep -o '^\[[0-9:]*\]' | tr -d '[]')
  secs=$(( $(date -d "$model" +%s) - $(date -d "$first" +%s) ))
  vocab=$(grep -o 'trained SentencePiece [a-z]* with [0-9]* pieces in [0-9.]*s' "$log" | grep -o '[0-9.]*s$')
  rm -rf "$dir/reuse" && mkdir -p "$dir/reuse" && cp "$dir/model/spm.model" "$dir/reuse/"
  /usr/bin/time -f "peak_rss_kb %M" ./build/crosstalk train --train-src "$dir/m30k.de" --train-tgt "$dir/m30k.en" \
    --model-dir "$dir/reuse" --max-steps 1 --valid-bleu-lines 10 --log-every 1 > "$dir/reuse.log" 2>&1
  reuse=$(awk '/peak_rss_kb/ {print $2}' "$dir/reuse.log")
  rows+=("$(printf '%9d pairs  preparation %4ds (vocabulary %s)  peak RSS %6.0f MiB; %6.0f MiB reusing the vocabulary' \
    "$n" "$secs" "$vocab" "$(echo "$rss / 1024" | bc -l)" "$(echo "$reuse / 1024" | bc -l)")")
  echo "bench_prepare.sh: $n pairs done ($log)" >&2
done
echo "preparation, $(date +%F), $(nproc) cores, ./build/crosstalk train --max-steps 1 (commit $(git rev-parse --short HEAD)):"
printf '  %s\n' "${rows[@]}"

#!/usr/bin/env bash
# Speed guard: are two commits of crosstalk different in speed, or is it noise? Builds each
# in its own directory (a git worktree and a build dir under OUT), then runs the same work
# with each, interleaved (A B A B ...), REPEATS times on this machine, and prints one table:
# per figure the median of each side, its spread (min-max over the repeats), the ratio B/A
# of the medians, and "no difference" where the two spreads overlap. Peak RSS beside it.
#
#   bash scripts/bench_compare.sh REV_A REV_B
#   e.g. bash scripts/bench_compare.sh 5d37483 HEAD
#
# The work, the same flags for both sides (set explicitly, so that the defaults of either
# commit do not matter):
#   train     Multi30k de-en from scratch for STEPS updates at the peer's shapes (d_model 256,
#             4 heads, 3+3 layers, ffn 1024, 8,000 pieces, max-tokens 2048): target tok/s
#             from train_summary.json (training time only, validation excluded);
#   greedy64  test_2016_flickr (LINES lines) greedy in batches of 64: generated tok/s;
#   greedy1   its first SEQ_LINES lines one sentence at a time: ms a sentence;
#   beam4     test_2016_flickr (LINES lines) beam 4 in batches of 64: generated tok/s;
#   beam4x1   its first SEQ_LINES lines with beam 4, one sentence at a time: ms a sentence.
# The decoding runs use one model: MODEL, or else one that A's binary trains first for
# MODEL_STEPS updates. Whether the two sides' translations are identical is printed too.
#
# Environment: OUT (bench_compare_work), REPEATS (5), STEPS (60), MODEL, MODEL_STEPS (400),
# LINES (1000), SEQ_LINES (200), THREADS (2), BUILD_A / BUILD_B (an existing build directory
# to use instead of building that side). Run it on an idle machine, nothing else at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 2 ] || { sed -n 2,25p "$0" >&2; exit 2; }
OUT=${OUT:-bench_compare_work} REPEATS=${REPEATS:-5} STEPS=${STEPS:-60} MODEL_STEPS=${MODEL_STEPS:-400}
LINES=${LINES:-1000} SEQ_LINES=${SEQ_LINES:-200} THREADS=${THREADS:-2}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
DATA=data/multi30k
for f in train.de train.en val.de val.en test_2016_flickr.de; do
  [ -f "$DATA/$f" ] || { echo "bench_compare.sh: no $DATA/$f" >&2; exit 2; }
done

# build REV: a worktree of REV and a Release build of the crosstalk binary; prints the build dir.
build() {
  local sha src bld
  sha=$(git rev-parse --short=12 "$1^{commit}") || { echo "bench_compare.sh: no commit '$1'" >&2; exit 2; }
  src="$OUT/src_$sha" bld="$OUT/build_$sha"
  [ -d "$src" ] || git worktree add --detach "$src" "$sha" >&2
  echo "bench_compare.sh: building $1 ($sha) in $bld" >&2
  cmake -S "$src" -B "$bld" -G Ninja -DCMAKE_BUILD_TYPE=Release > "$OUT/cmake_$sha.log" 2>&1 \
    || { cat "$OUT/cmake_$sha.log" >&2; exit 1; }
  cmake --build "$bld" --target crosstalk > "$OUT/build_$sha.log" 2>&1 || { tail -30 "$OUT/build_$sha.log" >&2; exit 1; }
  echo "$bld"
}
BA=${BUILD_A:-$(build "$1")}
BB=${BUILD_B:-$(build "$2")}
for b in "$BA" "$BB"; do [ -x "$b/crosstalk" ] || { echo "bench_compare.sh: no $b/crosstalk" >&2; exit 2; }; done

# measure FIGURE SIDE REPEAT CMD...: runs CMD (stderr to a log), appends its peak RSS (MiB)
# and the log's path to results.tsv; the figure itself is read from the log afterwards.
RESULTS=$OUT/results.tsv
: > "$RESULTS"
measure() {
  local figure=$1 side=$2 repeat=$3; shift 3
  local log="$OUT/$figure.$side.$repeat.log"
  /usr/bin/python3 - "$log" "$@" <<'PY'
import resource, subprocess, sys
log, cmd = sys.argv[1], sys.argv[2:]
with open(log, "w") as err:
    rc = subprocess.run(cmd, stderr=err).returncode
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
with open(log, "a") as err:
    err.write("\nbench_compare peak_rss_mib %.1f\n" % rss)
sys.exit(rc)
PY
  printf '%s\t%s\t%s\t%s\n' "$figure" "$side" "$repeat" "$log" >> "$RESULTS"
}

head -n "$LINES" $DATA/test_2016_flickr.de > "$OUT/test.de"
head -n "$SEQ_LINES" $DATA/test_2016_flickr.de > "$OUT/test_seq.de"
SHAPE=(--d-model 256 --heads 4 --encoder-layers 3 --decoder-layers 3 --ffn-dim 1024 --vocab-size 8000
       --max-tokens 2048 --lr 0.001 --warmup 400 --dropout 0.1 --label-smoothing 0.1 --seed 1
       --threads "$THREADS" --minutes 0 --valid-bleu-lines 50 --log-every 1000)
TRAIN=(--train-src $DATA/train.de --train-tgt $DATA/train.en --valid-src $DATA/val.de --valid-tgt $DATA/val.en)
if [ -z "${MODEL:-}" ]; then
  MODEL=$OUT/model
  if [ ! -f "$MODEL/config.toml" ]; then
    echo "bench_compare.sh: training the decoding model with A ($MODEL_STEPS updates)" >&2
    rm -rf "$MODEL"
    "$BA/crosstalk" train --model-dir "$MODEL" "${TRAIN[@]}" "${SHAPE[@]}" --max-steps "$MODEL_STEPS" \
      2> "$OUT/model_train.log" || { tail -20 "$OUT/model_train.log" >&2; exit 1; }
  fi
fi

for r in $(seq 1 "$REPEATS"); do
  for side in A B; do
    X=$BA/crosstalk; [ $side = B ] && X=$BB/crosstalk
    echo "bench_compare.sh: repeat $r of $REPEATS, $side" >&2
    rm -rf "$OUT/train_$side"
    measure train $side $r "$X" train --model-dir "$OUT/train_$side" "${TRAIN[@]}" "${SHAPE[@]}" --max-steps "$STEPS"
    cp "$OUT/train_$side/train_summary.json" "$OUT/train.$side.$r.json"
    T=("$X" translate --model "$MODEL" --threads "$THREADS")
    measure greedy64 $side $r "${T[@]}" --input "$OUT/test.de" --output "$OUT/greedy64.$side.out" --batch-size 64 --beam 1
    measure greedy1 $side $r "${T[@]}" --input "$OUT/test_seq.de" --output "$OUT/greedy1.$side.out" \
      --batch-size 1 --chunk 1 --beam 1
    measure beam4 $side $r "${T[@]}" --input "$OUT/test.de" --output "$OUT/beam4.$side.out" --batch-size 64 --beam 4
    measure beam4x1 $side $r "${T[@]}" --input "$OUT/test_seq.de" --output "$OUT/beam4x1.$side.out" \
      --batch-size 1 --chunk 1 --beam 4
  done
done

/usr/bin/python3 - "$RESULTS" "$OUT" "$1" "$2" <<'PY'
import json, re, statistics, sys, filecmp, os
results, out, rev_a, rev_b = sys.argv[1:]
rows = [l.rstrip("\n").split("\t") for l in open(results, encoding="utf-8") if l.strip()]
decode = re.compile(r"translated (\d+) lines in ([0-9.]+) s, .* ([0-9.]+) generated tok/s")
values, rss = {}, {}
for figure, side, repeat, log in rows:
    text = open(log, encoding="utf-8", errors="replace").read()
    rss.setdefault((figure, side), []).append(float(re.search(r"peak_rss_mib ([0-9.]+)", text).group(1)))
    if figure == "train":
        v = json.load(open(os.path.join(out, "train.%s.%s.json" % (side, repeat))))["tgt_tok_per_s"]
    else:
        m = decode.search(text)
        if not m:
            sys.exit("bench_compare.sh: no 'translated ...' line in " + log)
        lines, seconds, tok_s = int(m.group(1)), float(m.group(2)), float(m.group(3))
        v = 1000.0 * seconds / lines if figure in ("greedy1", "beam4x1") else tok_s
    values.setdefault((figure, side), []).append(v)
units = {"train": ("target tok/s", True), "greedy64": ("generated tok/s", True),
         "greedy1": ("ms a sentence", False), "beam4": ("generated tok/s", True),
         "beam4x1": ("ms a sentence", False)}
print("| figure | A = %s: median [min-max] | B = %s: median [min-max] | B/A | verdict | peak RSS MiB A / B |" % (rev_a, rev_b))
print("|---|---|---|---|---|---|")
for figure in ["train", "greedy64", "greedy1", "beam4", "beam4x1"]:
    if (figure, "A") not in values:
        continue
    a, b = values[(figure, "A")], values[(figure, "B")]
    ma, mb = statistics.median(a), statistics.median(b)
    unit, higher_better = units[figure]
    if min(b) <= max(a) and min(a) <= max(b):
        verdict = "no difference"
    else:
        verdict = "B faster" if (mb > ma) == higher_better else "B slower"
    print("| %s (%s) | %.1f [%.1f-%.1f] | %.1f [%.1f-%.1f] | %.3f | %s | %.0f / %.0f |" % (
        figure, unit, ma, min(a), max(a), mb, min(b), max(b), mb / ma, verdict,
        statistics.median(rss[(figure, "A")]), statistics.median(rss[(figure, "B")])))
print()
print("%d repeats each, interleaved A B; translations identical (A vs B): %s" % (
    len(values[("train", "A")]),
    ", ".join("%s %s" % (f, "yes" if filecmp.cmp(os.path.join(out, f + ".A.out"), os.path.join(out, f + ".B.out"),
                                                 shallow=False) else "NO")
              for f in ["greedy64", "greedy1", "beam4", "beam4x1"])))
PY

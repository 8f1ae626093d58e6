#!/usr/bin/env bash
# Training settings side by side, at a fixed number of updates so that the figures do
# not depend on how busy the machine was: each setting of SETTINGS_FILE is trained from
# CONFIG plus its flags for STEPS updates (--max-steps STEPS --minutes 0), once per seed
# in SEEDS; each model translates test_2016_flickr and test_2017_flickr with beam 4 and
# `crosstalk eval` scores them (sacreBLEU-exact BLEU and chrF). Prints one markdown table:
# updates, training minutes and target tok/s (these do depend on the machine), the best
# validation BLEU (greedy), test BLEU, its brevity penalty and chrF; then, per setting,
# the mean over the seeds.
#
#   bash scripts/sweep.sh SETTINGS_FILE
#   e.g. printf 'default\nema --ema-decay 0.9999\nlr2 --lr 0.002\n' > /tmp/s.txt
#        STEPS=950 SEEDS="1 2" bash scripts/sweep.sh /tmp/s.txt
#
# SETTINGS_FILE: one setting a line, its name then its `crosstalk train` flags; '#'
# starts a comment. Environment: OUT (sweep_work), STEPS (950), SEEDS ("1"), CONFIG
# (configs/multi30k_de_en.toml), THREADS (2), CROSSTALK (./build/crosstalk). A model in OUT
# that finished its STEPS updates is reused. Run one sweep at a time on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -eq 1 ] || { sed -n 2,19p "$0" >&2; exit 2; }
SETTINGS=$1
OUT=${OUT:-sweep_work} STEPS=${STEPS:-950} SEEDS=${SEEDS:-1} THREADS=${THREADS:-2}
CONFIG=${CONFIG:-configs/multi30k_de_en.toml} X=${CROSSTALK:-./build/crosstalk}
[ -f "$SETTINGS" ] || { echo "sweep.sh: no settings file '$SETTINGS'" >&2; exit 2; }
[ -x "$X" ] || { echo "sweep.sh: no $X: build first (bash scripts/build.sh)" >&2; exit 2; }
mkdir -p "$OUT"
RESULTS=$OUT/results.tsv
: > "$RESULTS"
while read -r name flags; do
  case "$name" in ''|'#'*) continue ;; esac
  for seed in $SEEDS; do
    dir=$OUT/$name.seed$seed
    # Reuse a model only if it finished its STEPS updates (an interrupted run has a summary too).
    if ! python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); sys.exit(s["stopped_by"] != "steps" or s["steps"] != int(sys.argv[2]))' \
         "$dir/train_summary.json" "$STEPS" 2>/dev/null; then
      echo "sweep.sh: $name, seed $seed: training $STEPS updates ($flags)" >&2
      rm -rf "$dir"
      # shellcheck disable=SC2086  # the flags are words
      "$X" train --config "$CONFIG" --model-dir "$dir" --max-steps "$STEPS" --minutes 0 --seed "$seed" \
        --threads "$THREADS" $flags 2> "$dir.train.log" || { tail -5 "$dir.train.log" >&2; exit 1; }
    fi
    for test in test_2016_flickr test_2017_flickr; do
      "$X" translate --model "$dir" --beam 4 --threads "$THREADS" --input "data/multi30k/$test.de" \
        --output "$dir/$test.beam4.en" 2> "$dir/$test.translate.log"
      "$X" eval --hyp "$dir/$test.beam4.en" --ref "data/multi30k/$test.en" --json > "$dir/$test.eval.json"
    done
    printf '%s\t%s\t%s\t%s\n' "$name" "$seed" "$dir" "$flags" >> "$RESULTS"
  done
done < "$SETTINGS"

python3 - "$RESULTS" "$STEPS" <<'PY'
import json, statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
print(f"{sys.argv[2]} updates each; test BLEU and chrF with beam 4, sacreBLEU-exact (`crosstalk eval`)\n")
print("| setting | seed | updates | train min | tgt tok/s | best valid BLEU | test2016 BLEU (BP) | chrF | test2017 BLEU | chrF | flags |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
by = {}
for name, seed, d, flags in rows:
    s = json.load(open(f"{d}/train_summary.json"))
    e16, e17 = (json.load(open(f"{d}/{t}.eval.json")) for t in ("test_2016_flickr", "test_2017_flickr"))
    by.setdefault(name, []).append((e16["bleu"], e16["chrf"], e17["bleu"], e17["chrf"]))
    print(f"| {name} | {seed} | {s['steps']} | {s['train_seconds'] / 60:.1f} | {s['tgt_tok_per_s']:.0f} | "
          f"{s['best_bleu']:.2f} | {e16['bleu']:.2f} ({e16['bp']:.3f}) | {e16['chrf']:.2f} | {e17['bleu']:.2f} | "
          f"{e17['chrf']:.2f} | {flags or '(config)'} |")
print("\n| setting | seeds | mean test2016 BLEU | chrF | mean test2017 BLEU | chrF |")
print("|---|---|---|---|---|---|")
for name, v in by.items():
    m = [statistics.mean(x) for x in zip(*v)]
    print(f"| {name} | {len(v)} | {m[0]:.2f} | {m[1]:.2f} | {m[2]:.2f} | {m[3]:.2f} |")
PY

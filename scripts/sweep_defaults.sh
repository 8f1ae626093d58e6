#!/usr/bin/env bash
# Chooses the default alignment reading on several dev golds at once: runs
# `align --sweep --reverse-model` on each gold (every layer and all layers averaged, heads
# averaged; each head of the best layer; the forward model alone and every symmetrization)
# and prints one table, the readings ranked by their mean AER over the golds, with each
# gold's AER beside it. The reading that wins on average is the candidate for the built-in
# default (align/selection.h); docs/alignment.md says how the current one was chosen.
#
#   bash scripts/sweep_defaults.sh S:T:FWD_MODEL:REV_MODEL:GOLD_PREFIX [...]
#   e.g. bash scripts/sweep_defaults.sh \
#     de:en:models/multi30k_de_en:models/multi30k_en_de:data/align/multi30k_dev \
#     en:fr:models/flickr_en_fr:models/flickr_fr_en:data/align/multi30k_en_fr_dev
#
# GOLD_PREFIX.S, GOLD_PREFIX.T and GOLD_PREFIX.gold are the gold's files. Environment:
# OUT (work directory, default sweep_defaults_work), THREADS (default 2), CROSSTALK (the
# binary, default ./build/crosstalk), TOP (rows printed, default 15).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { sed -n 2,17p "$0" >&2; exit 2; }
OUT=${OUT:-sweep_defaults_work} THREADS=${THREADS:-2} TOP=${TOP:-15}
X=${CROSSTALK:-./build/crosstalk}
[ -x "$X" ] || { echo "sweep_defaults.sh: no $X: build first (bash scripts/build.sh)" >&2; exit 2; }
mkdir -p "$OUT"
logs=()
for spec in "$@"; do
  IFS=: read -r S T FWD REV GOLD <<< "$spec"
  for f in "$GOLD.$S" "$GOLD.$T" "$GOLD.gold" "$FWD/config.toml" "$REV/config.toml"; do
    [ -f "$f" ] || { echo "sweep_defaults.sh: no $f (in '$spec')" >&2; exit 2; }
  done
  log="$OUT/$(basename "$GOLD").sweep"
  echo "sweep_defaults.sh: $FWD + $REV on $GOLD ($(wc -l < "$GOLD.gold") pairs)" >&2
  # --layer all makes the heads part of the sweep run over the layers' average; the layers
  # themselves are all swept whatever --layer says. No alignment.toml is read or written.
  $X align --model "$FWD" --reverse-model "$REV" --src "$GOLD.$S" --tgt "$GOLD.$T" --gold "$GOLD.gold" \
    --sweep --layer all --head avg --threads "$THREADS" --output "$OUT/$(basename "$GOLD").align" 2> "$log" \
    || { cat "$log" >&2; exit 1; }
  logs+=("$log")
done
python3 - "$TOP" "${logs[@]}" <<'PY'
import re, sys
top, logs = int(sys.argv[1]), sys.argv[2:]
row = re.compile(r"^(.*?)\s+AER = ([0-9.]+)")
tables = []
for log in logs:
    t = {}
    for line in open(log, encoding="utf-8"):
        m = row.match(line)
        if m and not line.startswith("[") and not line.startswith("lowest"):
            # "layer 2 of 3, heads averaged + soft-mean": the reading without the decoder's size
            key = re.sub(r" of \d+", "", m.group(1)).replace("all 3 layers", "all layers")
            key = re.sub(r"all \d+ layers", "all layers", key)
            t[key] = float(m.group(2))
    tables.append(t)
common = set(tables[0]).intersection(*tables[1:])
ranked = sorted(common, key=lambda k: sum(t[k] for t in tables) / len(tables))
names = [l.rsplit("/", 1)[-1].replace(".sweep", "") for l in logs]
print("| reading | mean AER | " + " | ".join(names) + " |")
print("|---|---|" + "---|" * len(names))
for k in ranked[:top]:
    print(f"| {k} | {sum(t[k] for t in tables) / len(tables):.4f} | " + " | ".join(f"{t[k]:.4f}" for t in tables) + " |")
alone = [k for k in ranked if "+" not in k]
print("\nforward model alone (no --reverse-model), best first:")
for k in alone[:6]:
    print(f"  {k}: mean {sum(t[k] for t in tables) / len(tables):.4f} (" + ", ".join(f"{t[k]:.4f}" for t in tables) + ")")
PY

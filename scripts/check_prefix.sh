#!/usr/bin/env bash
# Prefix-constrained decoding on a real test set: for the first LINES sentences of
# test_2016_flickr, the reference is cut at every word boundary (k whole words and a
# space) and inside every word of 3+ characters (its first two); `translate --prefix-file`
# completes each cut, greedy and beam 4, and the script counts the outputs that start with
# their prefix (all of them must) and whether the empty prefix gives the ordinary
# translation. Prints one line per search and exits 1 if any output does not.
#
#   bash scripts/check_prefix.sh MODEL_DIR [LINES=200]
#
# Environment: OUT (check_prefix_work), THREADS (2), CROSSTALK (./build/crosstalk).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { sed -n 2,12p "$0" >&2; exit 2; }
MODEL=$1 LINES=${2:-200}
OUT=${OUT:-check_prefix_work} THREADS=${THREADS:-2} X=${CROSSTALK:-./build/crosstalk}
mkdir -p "$OUT"
python3 - "$LINES" "$OUT" <<'PY'
import sys
lines, out = int(sys.argv[1]), sys.argv[2]
src = open("data/multi30k/test_2016_flickr.de", encoding="utf-8").read().splitlines()[:lines]
ref = open("data/multi30k/test_2016_flickr.en", encoding="utf-8").read().splitlines()[:lines]
with open(f"{out}/src", "w", encoding="utf-8") as s, open(f"{out}/prefixes", "w", encoding="utf-8") as p:
    for de, en in zip(src, ref):
        words, start = en.split(), ""
        for w in words:
            s.write(de + "\n"); p.write(start + "\n")
            if len(w) > 2:
                s.write(de + "\n"); p.write(start + w[:2] + "\n")
            start += w + " "
PY
head -n "$LINES" data/multi30k/test_2016_flickr.de > "$OUT/plain.de"
status=0
for beam in 1 4; do
  "$X" translate --model "$MODEL" --beam $beam --threads "$THREADS" --input "$OUT/src" --prefix-file "$OUT/prefixes" \
    --output "$OUT/completed.beam$beam" 2> "$OUT/completed.beam$beam.log"
  "$X" translate --model "$MODEL" --beam $beam --threads "$THREADS" --input "$OUT/plain.de" \
    --output "$OUT/plain.beam$beam" 2> "$OUT/plain.beam$beam.log"
  python3 - "$OUT" "$beam" <<'PY' || status=1
import re, sys
out, beam = sys.argv[1], sys.argv[2]
src = open(f"{out}/src", encoding="utf-8").read().splitlines()
prefixes = open(f"{out}/prefixes", encoding="utf-8").read().splitlines()
done = open(f"{out}/completed.beam{beam}", encoding="utf-8").read().splitlines()
plain_src = open(f"{out}/plain.de", encoding="utf-8").read().splitlines()
plain = dict(zip(plain_src, open(f"{out}/plain.beam{beam}", encoding="utf-8").read().splitlines()))
bad = [(p, d) for p, d in zip(prefixes, done) if not d.startswith(p)]
empty = [(s, d) for s, p, d in zip(src, prefixes, done) if p == ""]
same = sum(1 for s, d in empty if plain[s] == d)
m = re.search(r"translated (\d+) lines in ([0-9.]+) s", open(f"{out}/completed.beam{beam}.log").read())
print(f"beam {beam}: {len(done) - len(bad)} of {len(done)} completions start with their prefix; "
      f"{same} of {len(empty)} empty prefixes give the ordinary translation; "
      f"{1000 * float(m[2]) / int(m[1]):.1f} ms a completion in batches of 64")
for p, d in bad[:5]:
    print(f"  prefix '{p}' -> '{d}'")
sys.exit(1 if bad or same != len(empty) else 0)
PY
done
exit $status

#!/usr/bin/env bash
# Data-parallel training benchmark on this machine: the same model (configs/multi30k_de_en.toml)
# and the same global batches (--max-tokens 2048) for STEPS updates, trained by
#   A. 1 process x 2 threads, and
#   B. 2 processes x 1 thread (--nproc 2: Gloo over loopback),
# one after the other. Prints target tokens/s of each (training time only, from
# train_summary.json), B/A, the share of B's step time that rank 0 spends in the gradient
# all-reduce (waiting for the other rank included), and both runs' last logged loss.
#
#   bash scripts/bench_distributed.sh [STEPS=150] [WORK_DIR=bench_work/distributed]
#
# Keep the machine otherwise idle: both runs use its 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-150}
WORK=${2:-bench_work/distributed}
[ -x build/crosstalk ] || bash scripts/build.sh
mkdir -p "$WORK"
COMMON=(--config configs/multi30k_de_en.toml --max-steps "$STEPS" --minutes 0 --valid-every 1000000
        --valid-bleu-lines 1 --save-every-minutes 0 --log-every 10)

rm -rf "$WORK/one" "$WORK/two"
echo "== A: 1 process x 2 threads, $STEPS steps" >&2
./build/crosstalk train "${COMMON[@]}" --model-dir "$WORK/one" --threads 2 2> "$WORK/one.log"
echo "== B: 2 processes x 1 thread (--nproc 2), $STEPS steps" >&2
./build/crosstalk train "${COMMON[@]}" --model-dir "$WORK/two" --threads 1 --nproc 2 2> "$WORK/two.log"

python3 - "$WORK" "$STEPS" <<'PY'
import json, sys
work, steps = sys.argv[1], sys.argv[2]
def summary(name):
    return json.load(open(f"{work}/{name}/train_summary.json"))
def last_loss(name):
    loss = None
    for line in open(f"{work}/{name}/train_log.jsonl"):
        rec = json.loads(line)
        if rec.get("event") == "train":
            loss = (rec["step"], rec["loss"])
    return loss
a, b = summary("one"), summary("two")
print(f"bench_distributed: configs/multi30k_de_en.toml, --max-tokens 2048 (global), {steps} steps, train time only")
print(f"  A  1 process  x 2 threads : {a['tgt_tok_per_s']:8.0f} tgt tok/s  ({a['train_seconds']:.1f} s)")
print(f"  B  2 processes x 1 thread : {b['tgt_tok_per_s']:8.0f} tgt tok/s  ({b['train_seconds']:.1f} s)")
print(f"  B / A                     : {b['tgt_tok_per_s'] / a['tgt_tok_per_s']:.2f}x")
share = b["allreduce_seconds"] / b["train_seconds"]
print(f"  B: all-reduce share of step time (rank 0, waiting included): {100 * share:.1f}% ({b['allreduce_seconds']:.1f} s)")
(sa, la), (sb, lb) = last_loss("one"), last_loss("two")
print(f"  loss at step {sa}: A {la:.4f}, B {lb:.4f} (the same updates up to float rounding)")
PY

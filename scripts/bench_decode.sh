#!/usr/bin/env bash
# Side-by-side decoding benchmark on test_2016_flickr (1,000 sentences): the peer
# (no decoder cache, re-runs the whole prefix each step) and crosstalk (incremental
# cache), each with its own trained model of the same size (d_model 256, 4 heads,
# 3+3 layers, ffn 1024, 8000 pieces), on this machine, one after the other:
# greedy batched (64 sentences), greedy one sentence at a time, beam 4.
# Prints generated tokens/s, BLEU (sacreBLEU) and the ratios.
#
#   bash scripts/bench_decode.sh PEER_CHECKPOINT PEER_WORK_DIR CROSSTALK_MODEL_DIR [OUT_DIR]
#
# e.g. after scripts/bench_train.sh 12 bench_work:
#   bash scripts/bench_decode.sh bench_work/peer/model_de-en.pt bench_work/peer bench_work/crosstalk
set -euo pipefail
cd "$(dirname "$0")/.."
PEER_CKPT=$1
PEER_WORK=$2
MODEL=$3
OUT=${4:-bench_decode_work}
SHARED=${SHARED:-../shared}
PEER=$SHARED/peer/torch_peer.py
TEST=test_2016_flickr
mkdir -p "$OUT"
run_peer() {  # name, peer flags...
  local name=$1; shift
  /usr/bin/python3 "$PEER" --load "$PEER_CKPT" --work-dir "$PEER_WORK" --eval-split $TEST "$@" \
    > "$OUT/peer.$name.out" 2> "$OUT/peer.$name.err"
}
run_ours() {  # name, translate flags...
  local name=$1; shift
  ./build/crosstalk translate --model "$MODEL" --input data/multi30k/$TEST.de \
    --output "$OUT/crosstalk.$name.en" "$@" 2> "$OUT/crosstalk.$name.err"
}
echo "== peer" >&2
run_peer greedy_batched --decode greedy_batched --decode-batch-size 64
run_peer greedy_seq --decode greedy_seq
run_peer beam4 --beam 4 --decode-batch-size 64
echo "== crosstalk" >&2
run_ours greedy_batched --batch-size 64 --beam 1
run_ours greedy_seq --batch-size 1 --chunk 1 --beam 1
run_ours beam4 --batch-size 64 --beam 4

PYTHONPATH=$SHARED/tools/sacrebleu /usr/bin/python3 - "$OUT" "$TEST" <<'PY'
import json, re, sys
import sacrebleu
out, test = sys.argv[1], sys.argv[2]
refs = [l.rstrip("\n") for l in open(f"data/multi30k/{test}.en", encoding="utf-8")]
print(f"{'mode':16} {'peer tok/s':>11} {'ours tok/s':>11} {'ratio':>7} {'peer BLEU':>10} {'ours BLEU':>10}  ours ms/sentence")
for mode in ["greedy_batched", "greedy_seq", "beam4"]:
    peer = {}
    for line in open(f"{out}/peer.{mode}.out"):
        if line.startswith("PEER "):
            rec = json.loads(line[5:]); peer[rec["event"]] = rec
    log = open(f"{out}/crosstalk.{mode}.err").read()
    m = re.search(r"translated (\d+) lines in ([0-9.]+) s, beam \d+: (\d+) pieces generated.*?([0-9.]+) generated tok/s", log)
    lines, secs, gen, tps = int(m[1]), float(m[2]), int(m[3]), float(m[4])
    hyps = [l.rstrip("\n") for l in open(f"{out}/crosstalk.{mode}.en", encoding="utf-8")]
    bleu = sacrebleu.BLEU().corpus_score(hyps, [refs]).score
    p = peer["decode"]["gen_tok_per_s"]
    print(f"{mode:16} {p:11.1f} {tps:11.1f} {tps / p:7.2f} {peer['final']['bleu']:10.2f} {bleu:10.2f}  {1000 * secs / lines:.1f}")
PY

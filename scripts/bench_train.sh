#!/usr/bin/env bash
# Side-by-side training benchmark: the peer (../shared/peer/torch_peer.py, PyTorch)
# and crosstalk train the same architecture (d_model 256, 4 heads, 3+3 layers,
# ffn 1024, 8000-piece joint vocabulary) on Multi30k de->en with the same
# budget, batch size, learning rate and warmup, one after the other on this
# machine; then both translate test_2016_flickr greedily and sacreBLEU scores
# them. Prints target tokens/s, BLEU and chrF of each and the ratios.
#
#   bash scripts/bench_train.sh [MINUTES=12] [WORK_DIR=bench_work] [extra crosstalk train flags...]
#
# Needs the peer and sacreBLEU beside the project (../shared) and Debian's
# python3-torch python3-sentencepiece (+ sacreBLEU's deps). Keep the machine
# otherwise idle: both runs use its 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-12}
WORK=${2:-bench_work}
shift $(( $# > 2 ? 2 : $# ))
SHARED=${SHARED:-../shared}
PEER=$SHARED/peer/torch_peer.py
SACREBLEU=$SHARED/tools/sacrebleu
[ -f "$PEER" ] || { echo "bench: the peer is not at $PEER (set SHARED=...)" >&2; exit 2; }
[ -x build/crosstalk ] || bash scripts/build.sh
mkdir -p "$WORK"
TEST=test_2016_flickr

echo "== peer: $MINUTES min, --warmup 400 --max-tokens 2048 --lr 0.001" >&2
/usr/bin/python3 "$PEER" --minutes "$MINUTES" --warmup 400 --max-tokens 2048 --lr 0.001 \
  --work-dir "$WORK/peer" --eval-split "$TEST" > "$WORK/peer.out" 2> "$WORK/peer.err"

echo "== crosstalk: $MINUTES min, configs/multi30k_de_en.toml $*" >&2
rm -rf "$WORK/crosstalk"
./build/crosstalk train --config configs/multi30k_de_en.toml --minutes "$MINUTES" \
  --model-dir "$WORK/crosstalk" --log-every 100 "$@" 2> "$WORK/crosstalk.train.log"
start=$(date +%s.%N)
./build/crosstalk translate --model "$WORK/crosstalk" --input data/multi30k/$TEST.de \
  --output "$WORK/crosstalk.$TEST.en" 2> "$WORK/crosstalk.translate.log"
end=$(date +%s.%N)

PYTHONPATH=$SACREBLEU /usr/bin/python3 - "$WORK" "$TEST" "$start" "$end" <<'PY'
import json, sys
import sacrebleu
work, test, start, end = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
peer = {}
for line in open(f"{work}/peer.out"):
    if line.startswith("PEER "):
        rec = json.loads(line[5:])
        peer[rec["event"]] = rec
ours = json.load(open(f"{work}/crosstalk/train_summary.json"))
refs = [l.rstrip("\n") for l in open(f"data/multi30k/{test}.en", encoding="utf-8")]
hyps = [l.rstrip("\n") for l in open(f"{work}/crosstalk.{test}.en", encoding="utf-8")]
bleu_metric, chrf_metric = sacrebleu.BLEU(), sacrebleu.CHRF()
bleu = bleu_metric.corpus_score(hyps, [refs])
chrf = chrf_metric.corpus_score(hyps, [refs])
p_tok, o_tok = peer["train"]["tgt_tok_per_s"], ours["tgt_tok_per_s"]
print(f"training budget: {peer['train']['train_seconds']:.0f} s (peer), {ours['train_seconds']:.0f} s (crosstalk)")
print(f"peer      : {p_tok:8.1f} tgt tok/s, {peer['train']['steps']} steps | {test} greedy BLEU {peer['final']['bleu']:.2f} chrF {peer['final']['chrf']:.2f}")
print(f"crosstalk : {o_tok:8.1f} tgt tok/s, {ours['steps']} steps | {test} greedy BLEU {bleu.score:.2f} chrF {chrf.score:.2f} (best valid BLEU {ours['best_bleu']:.2f} at step {ours['best_step']}; translate took {end - start:.1f} s)")
print(f"ratio     : training tok/s x{o_tok / p_tok:.2f} | BLEU {bleu.score - peer['final']['bleu']:+.2f}")
print(f"sacreBLEU : {bleu} | {bleu_metric.get_signature()}")
print(f"            {chrf} | {chrf_metric.get_signature()}")
PY

#!/usr/bin/env bash
# Side-by-side training benchmark: the peer (../shared/peer/torch_peer.py, PyTorch)
# and crosstalk train the same architecture (d_model 256, 4 heads, 3+3 layers,
# ffn 1024, 8000-piece joint vocabulary) on Multi30k de->en with the same
# budget, batch size, learning rate and warmup, one after the other on this
# machine; then both translate test_2016_flickr with greedy search (the peer
# has only greedy) and sacreBLEU scores them: like against like. crosstalk's
# default beam 4 is printed beside it, labelled. Prints target tokens/s, BLEU
# and chrF of each and the ratios.
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
./build/crosstalk translate --model "$WORK/crosstalk" --beam 1 --input data/multi30k/$TEST.de \
  --output "$WORK/crosstalk.$TEST.greedy.en" 2> "$WORK/crosstalk.translate.greedy.log"
end=$(date +%s.%N)
./build/crosstalk translate --model "$WORK/crosstalk" --beam 4 --input data/multi30k/$TEST.de \
  --output "$WORK/crosstalk.$TEST.beam4.en" 2> "$WORK/crosstalk.translate.beam4.log"

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
def lines(path):
    return [l.rstrip("\n") for l in open(path, encoding="utf-8")]
hyps = lines(f"{work}/crosstalk.{test}.greedy.en")
beam_hyps = lines(f"{work}/crosstalk.{test}.beam4.en")
bleu_metric, chrf_metric = sacrebleu.BLEU(), sacrebleu.CHRF()
bleu = bleu_metric.corpus_score(hyps, [refs])
chrf = chrf_metric.corpus_score(hyps, [refs])
beam_bleu = sacrebleu.BLEU().corpus_score(beam_hyps, [refs])
beam_chrf = sacrebleu.CHRF().corpus_score(beam_hyps, [refs])
p_tok, o_tok = peer["train"]["tgt_tok_per_s"], ours["tgt_tok_per_s"]
print(f"training budget: {peer['train']['train_seconds']:.0f} s (peer), {ours['train_seconds']:.0f} s (crosstalk)")
print(f"peer      : {p_tok:8.1f} tgt tok/s, {peer['train']['steps']} steps | {test} greedy BLEU {peer['final']['bleu']:.2f} chrF {peer['final']['chrf']:.2f}")
print(f"crosstalk : {o_tok:8.1f} tgt tok/s, {ours['steps']} steps | {test} greedy BLEU {bleu.score:.2f} chrF {chrf.score:.2f} (best valid BLEU {ours['best_bleu']:.2f} at step {ours['best_step']}; greedy translate took {end - start:.1f} s)")
print(f"crosstalk : {test} beam-4 BLEU {beam_bleu.score:.2f} chrF {beam_chrf.score:.2f} (translate's default search; the peer has no beam search)")
print(f"ratio     : training tok/s x{o_tok / p_tok:.2f} | greedy BLEU {bleu.score - peer['final']['bleu']:+.2f} (greedy vs greedy)")
print(f"sacreBLEU : {bleu} | {bleu_metric.get_signature()}")
print(f"            {chrf} | {chrf_metric.get_signature()}")
PY

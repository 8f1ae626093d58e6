#!/usr/bin/env bash
# Side-by-side training benchmark: the peer (../shared/peer/torch_peer.py, PyTorch)
# and crosstalk train the same architecture (d_model 256, 4 heads, 3+3 layers,
# ffn 1024, 8000-piece joint vocabulary) on Multi30k de->en with the same
# budget, batch size, learning rate and warmup, one after the other on this
# machine; then both translate test_2016_flickr with greedy search (the peer
# has only greedy) and sacreBLEU scores them: like against like. crosstalk's
# default beam 4 is printed beside it, labelled. Prints target tokens/s, BLEU
# and chrF of each and the ratios; the spread of tokens/s over each run's progress
# lines (one long run per side: the spread is its noise); the peak RSS of each; and
# crosstalk's fraction of the GEMM limit at these shapes (scripts/gemm_limit.py: the
# tokens/s its dense matrix products alone would allow, timed with LibTorch's matmul).
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

# peak_rss OUT ERR CMD...: runs CMD (stdout to OUT, stderr to ERR), then appends its peak RSS (MiB) to ERR.
peak_rss() {
  /usr/bin/python3 - "$@" <<'PY'
import resource, subprocess, sys
out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(out, "w") as o, open(err, "w") as e:
    rc = subprocess.run(cmd, stdout=o, stderr=e).returncode
with open(err, "a") as e:
    e.write("\nbench peak_rss_mib %.1f\n" % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0))
sys.exit(rc)
PY
}

echo "== peer: $MINUTES min, --warmup 400 --max-tokens 2048 --lr 0.001" >&2
peak_rss "$WORK/peer.out" "$WORK/peer.err" /usr/bin/python3 "$PEER" --minutes "$MINUTES" --warmup 400 \
  --max-tokens 2048 --lr 0.001 --log-every 50 --work-dir "$WORK/peer" --eval-split "$TEST"

echo "== crosstalk: $MINUTES min, configs/multi30k_de_en.toml $*" >&2
rm -rf "$WORK/crosstalk"
peak_rss /dev/null "$WORK/crosstalk.train.log" ./build/crosstalk train --config configs/multi30k_de_en.toml \
  --minutes "$MINUTES" --model-dir "$WORK/crosstalk" --log-every 50 "$@"
echo "== GEMM limit at crosstalk's shapes" >&2
/usr/bin/python3 scripts/gemm_limit.py "$WORK/crosstalk" data/multi30k/train.de data/multi30k/train.en \
  > "$WORK/gemm_limit.json"
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
import re, statistics
def spread(rates):
    rates = rates[1:] if len(rates) > 2 else rates  # the first window pays for the warm-up
    return "median %.0f [%.0f-%.0f] over %d progress windows" % (statistics.median(rates), min(rates), max(rates), len(rates))
ours_rates = [json.loads(l)["tok_per_s"] for l in open(f"{work}/crosstalk/train_log.jsonl")
              if '"event":"train"' in l.replace(" ", "")]
peer_points = [(float(m[1]), float(m[2])) for m in re.finditer(r"tgt_tok/s (\d+) train_time (\d+)s", open(f"{work}/peer.err").read())]
peer_rates = [(b[0] * b[1] - a[0] * a[1]) / (b[1] - a[1]) for a, b in zip(peer_points, peer_points[1:]) if b[1] > a[1]]
rss = lambda path: float(re.search(r"bench peak_rss_mib ([0-9.]+)", open(path).read()).group(1))
limit = json.load(open(f"{work}/gemm_limit.json"))
print(f"tok/s     : peer {spread(peer_rates) if peer_rates else 'n/a'}; crosstalk {spread(ours_rates)}")
print(f"peak RSS  : peer {rss(f'{work}/peer.err'):.0f} MiB, crosstalk {rss(f'{work}/crosstalk.train.log'):.0f} MiB")
print(f"GEMM limit: {limit['gemm_limit_tok_s']:.0f} tgt tok/s at crosstalk's shapes ({limit['target_tokens_per_update']} target, "
      f"{limit['source_tokens_per_update']} source tokens an update; {limit['gemm_gflop_s']} GFLOP/s); crosstalk reaches "
      f"{100 * limit['fraction_of_limit']:.1f}% of it, the peer {100 * p_tok / limit['gemm_limit_tok_s']:.1f}%")
print(f"sacreBLEU : {bleu} | {bleu_metric.get_signature()}")
print(f"            {chrf} | {chrf_metric.get_signature()}")
PY

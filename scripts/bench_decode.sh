#!/usr/bin/env bash
# Side-by-side decoding benchmark on test_2016_flickr (1,000 sentences): the peer
# (no decoder cache, re-runs the whole prefix each step) and crosstalk (incremental
# cache), each with its own trained model of the same size (d_model 256, 4 heads,
# 3+3 layers, ffn 1024, 8000 pieces), on this machine, interleaved (peer, crosstalk,
# peer, ...) REPEATS times: greedy batched (64 sentences), greedy one sentence at a
# time, beam 4. Prints per mode the median generated tokens/s of each side with its
# spread (min-max), the ratio of the medians, BLEU (sacreBLEU) and peak RSS; then
# crosstalk's one-sentence latency in the interactive translator (median and p90 over
# the sentences, scripts/bench_latency.py), greedy and beam 4.
#
#   bash scripts/bench_decode.sh PEER_CHECKPOINT PEER_WORK_DIR CROSSTALK_MODEL_DIR [OUT_DIR]
#
# e.g. after scripts/bench_train.sh 12 bench_work:
#   bash scripts/bench_decode.sh bench_work/peer/model_de-en.pt bench_work/peer bench_work/crosstalk
#
# Environment: REPEATS (5), LINES (1000: the first LINES test sentences), LATENCY_LINES
# (300), THREADS (2), SHARED (../shared). Needs Debian's python3-torch and
# python3-sentencepiece for the peer. Keep the machine otherwise idle.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 3 ] || { sed -n 2,19p "$0" >&2; exit 2; }
PEER_CKPT=$1
PEER_WORK=$2
MODEL=$3
OUT=${4:-bench_decode_work}
REPEATS=${REPEATS:-5} LINES=${LINES:-1000} LATENCY_LINES=${LATENCY_LINES:-300} THREADS=${THREADS:-2}
SHARED=${SHARED:-../shared}
PEER=$SHARED/peer/torch_peer.py
TEST=test_2016_flickr
[ -f "$PEER" ] || { echo "bench_decode.sh: the peer is not at $PEER (set SHARED=...)" >&2; exit 2; }
[ -x build/crosstalk ] || bash scripts/build.sh
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
head -n "$LINES" data/multi30k/$TEST.de > "$OUT/test.de"
head -n "$LINES" data/multi30k/$TEST.en > "$OUT/test.en"
head -n "$LATENCY_LINES" data/multi30k/$TEST.de > "$OUT/latency.de"

# measured LOG CMD...: runs CMD with stdout to LOG.out and stderr to LOG, then appends the
# process's peak RSS (MiB) to LOG.
measured() {
  local log=$1; shift
  /usr/bin/python3 - "$log" "$@" <<'PY'
import resource, subprocess, sys
log, cmd = sys.argv[1], sys.argv[2:]
with open(log, "w") as err, open(log + ".out", "w") as out:
    rc = subprocess.run(cmd, stdout=out, stderr=err).returncode
with open(log, "a") as err:
    err.write("\nbench peak_rss_mib %.1f\n" % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0))
sys.exit(rc)
PY
}
run_peer() {  # mode repeat peer-flags...
  local mode=$1 r=$2; shift 2
  measured "$OUT/peer.$mode.$r.log" /usr/bin/python3 "$PEER" --load "$PEER_CKPT" --work-dir "$PEER_WORK" \
    --eval-split $TEST --eval-limit "$LINES" --threads "$THREADS" "$@"
}
run_ours() {  # mode repeat translate-flags...
  local mode=$1 r=$2; shift 2
  measured "$OUT/crosstalk.$mode.$r.log" ./build/crosstalk translate --model "$MODEL" --input "$OUT/test.de" \
    --output "$OUT/crosstalk.$mode.en" --threads "$THREADS" "$@"
}
for r in $(seq 1 "$REPEATS"); do
  echo "bench_decode.sh: repeat $r of $REPEATS" >&2
  run_peer greedy_batched "$r" --decode greedy_batched --decode-batch-size 64
  run_ours greedy_batched "$r" --batch-size 64 --beam 1
  run_peer greedy_seq "$r" --decode greedy_seq
  run_ours greedy_seq "$r" --batch-size 1 --chunk 1 --beam 1
  run_peer beam4 "$r" --beam 4 --decode-batch-size 64
  run_ours beam4 "$r" --batch-size 64 --beam 4
done
echo "bench_decode.sh: one-sentence latency, interactive translator ($LATENCY_LINES sentences)" >&2
for beam in 1 4; do
  /usr/bin/python3 scripts/bench_latency.py build/crosstalk "$MODEL" "$OUT/latency.de" --beam $beam \
    --threads "$THREADS" > "$OUT/latency.beam$beam.json"
done

PYTHONPATH=$SHARED/tools/sacrebleu /usr/bin/python3 - "$OUT" "$REPEATS" <<'PY'
import glob, json, re, statistics, sys
import sacrebleu
out, repeats = sys.argv[1], int(sys.argv[2])
refs = [l.rstrip("\n") for l in open(f"{out}/test.en", encoding="utf-8")]
def rss(log):
    return float(re.search(r"bench peak_rss_mib ([0-9.]+)", open(log).read()).group(1))
def spread(v):
    return "%.1f [%.1f-%.1f]" % (statistics.median(v), min(v), max(v))
print(f"{repeats} repeats, interleaved peer / crosstalk; tok/s: median [min-max]; peak RSS: median MiB")
print("| mode | peer tok/s | crosstalk tok/s | ratio of medians | verdict | peer BLEU | crosstalk BLEU | crosstalk ms a sentence | peak RSS peer / crosstalk |")
print("|---|---|---|---|---|---|---|---|---|")
for mode in ["greedy_batched", "greedy_seq", "beam4"]:
    peer, ours, ms, peer_bleu, rp, ro = [], [], [], None, [], []
    for r in range(1, repeats + 1):
        plog, olog = f"{out}/peer.{mode}.{r}.log", f"{out}/crosstalk.{mode}.{r}.log"
        for line in open(plog + ".out"):
            if line.startswith("PEER "):
                rec = json.loads(line[5:])
                if rec["event"] == "decode": peer.append(rec["gen_tok_per_s"])
                if rec["event"] == "final": peer_bleu = rec["bleu"]
        m = re.search(r"translated (\d+) lines in ([0-9.]+) s, beam \d+: (\d+) pieces generated.*?([0-9.]+) generated tok/s",
                      open(olog).read())
        ours.append(float(m[4]))
        ms.append(1000 * float(m[2]) / int(m[1]))
        rp.append(rss(plog)); ro.append(rss(olog))
    hyps = [l.rstrip("\n") for l in open(f"{out}/crosstalk.{mode}.en", encoding="utf-8")]
    bleu = sacrebleu.BLEU().corpus_score(hyps, [refs]).score
    ratio = statistics.median(ours) / statistics.median(peer)
    verdict = "crosstalk faster" if min(ours) > max(peer) else ("peer faster" if min(peer) > max(ours) else "no difference")
    print(f"| {mode} | {spread(peer)} | {spread(ours)} | x{ratio:.2f} | {verdict} | {peer_bleu:.2f} | {bleu:.2f} | "
          f"{spread(ms)} | {statistics.median(rp):.0f} / {statistics.median(ro):.0f} |")
print()
for beam in (1, 4):
    j = json.load(open(f"{out}/latency.beam{beam}.json"))
    print(f"interactive translator, {'greedy' if beam == 1 else 'beam 4'}: {j['sentences']} sentences one at a time, "
          f"median {j['median_ms']:.1f} ms, p90 {j['p90_ms']:.1f} ms, mean {j['mean_ms']:.1f} ms, max {j['max_ms']:.1f} ms, "
          f"peak RSS {j['peak_rss_mib']:.0f} MiB")
PY

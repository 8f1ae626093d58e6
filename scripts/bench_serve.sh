#!/usr/bin/env bash
# Batched serving benchmark: starts `crosstalk serve --port 0` on 127.0.0.1, runs N
# concurrent loopback clients x M sentences each (beam 4, attention off), then the same
# sentences one by one, and prints throughput, p50/p99 latency, errors (must be 0) and
# the ratio batched/one-by-one (scripts/bench_serve_client.py). Stops the server itself.
#
#   bash scripts/bench_serve.sh [--model DIR] [--clients N] [--sentences M] [--beam B]
#                               [--threads T] [--max-batch K] [--batch-wait-ms MS]
#
# Without --model it trains configs/tiny.toml (seconds) into a temporary directory.
# Sentences: the first lines of ../shared/data/multi30k/test_2016_flickr.de if present,
# else data/toy/valid.de.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="" CLIENTS=16 SENTENCES=8 BEAM=4 THREADS=2 MAX_BATCH=32 WAIT_MS=5
while [ $# -gt 0 ]; do
  case $1 in
    --model) MODEL=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --sentences) SENTENCES=$2; shift 2 ;;
    --beam) BEAM=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --max-batch) MAX_BATCH=$2; shift 2 ;;
    --batch-wait-ms) WAIT_MS=$2; shift 2 ;;
    *) echo "bench_serve.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x build/crosstalk ] || { cmake -S . -B build -G Ninja && cmake --build build -j2 --target crosstalk; }
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
if [ -z "$MODEL" ]; then
  echo "training configs/tiny.toml into $WORK/model ..." >&2
  ./build/crosstalk train --config configs/tiny.toml --model-dir "$WORK/model" 2> "$WORK/train.err" \
    || { cat "$WORK/train.err" >&2; exit 1; }
  MODEL=$WORK/model LABEL="model tiny (configs/tiny.toml)"
else
  LABEL="model $MODEL"
fi
INPUT=../shared/data/multi30k/test_2016_flickr.de
[ -f "$INPUT" ] || INPUT=data/toy/valid.de
./build/crosstalk serve --model "$MODEL" --host 127.0.0.1 --port 0 --threads "$THREADS" \
  --max-batch "$MAX_BATCH" --batch-wait-ms "$WAIT_MS" --max-queue $((CLIENTS * 2)) 2> "$WORK/serve.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 1 600); do
  PORT=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$WORK/serve.err" | head -1)
  [ -n "$PORT" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$PORT" ] || { echo "bench_serve.sh: the server did not start" >&2; exit 1; }
STATUS=0
python3 scripts/bench_serve_client.py --port "$PORT" --input "$INPUT" --clients "$CLIENTS" \
  --sentences "$SENTENCES" --beam "$BEAM" \
  --label "$LABEL, input $(basename "$INPUT"), --threads $THREADS, --max-batch $MAX_BATCH, --batch-wait-ms $WAIT_MS" \
  || STATUS=$?
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || { echo "bench_serve.sh: the server exited with $?" >&2; STATUS=1; }
SERVER_PID=""
exit $STATUS

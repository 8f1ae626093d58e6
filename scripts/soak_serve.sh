#!/usr/bin/env bash
# Bounded soak of `crosstalk serve` on 127.0.0.1 only: starts the server (--port 0), then 64
# concurrent clients for 10 minutes mix translate, complete and align requests, some of them
# hanging up mid-request (scripts/soak_serve.py); prints requests served, statuses, errors
# (goal: none but the 503s of a full queue), p50/p99 latency per kind and the server's RSS
# every 10 s (goal: flat after warm-up). Exits 1 on errors. Stops the server itself.
#
#   bash scripts/soak_serve.sh MODEL_DIR [CLIENTS=64] [SECONDS=600]
#
# Sentences: data/multi30k/test_2016_flickr (the pairs for align and the prefixes).
# Environment: THREADS (2), CROSSTALK (./build/crosstalk). Run it on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { sed -n 2,11p "$0" >&2; exit 2; }
MODEL=$1 CLIENTS=${2:-64} SECONDS_=${3:-600} THREADS=${THREADS:-2} X=${CROSSTALK:-./build/crosstalk}
LOG=$(mktemp)
"$X" serve --model "$MODEL" --port 0 --threads "$THREADS" 2> "$LOG" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -f "$LOG"' EXIT
PORT=""
for _ in $(seq 1 600); do
  PORT=$(sed -n 's|.*listening on http://[^:]*:\([0-9]*\).*|\1|p' "$LOG" | head -1)
  [ -n "$PORT" ] && break
  kill -0 $SERVER 2>/dev/null || { cat "$LOG" >&2; exit 1; }
  sleep 0.1
done
[ -n "$PORT" ] || { echo "soak_serve.sh: the server did not start" >&2; exit 1; }
python3 scripts/soak_serve.py --port "$PORT" --pid $SERVER --clients "$CLIENTS" --seconds "$SECONDS_" \
  --sources data/multi30k/test_2016_flickr.de --targets data/multi30k/test_2016_flickr.en

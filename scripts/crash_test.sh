#!/usr/bin/env bash
# Crash test of training checkpoints: trains the tiny config, then N times
# (default 30) resumes it and kills it with SIGKILL at a random moment. Saves
# are slowed down (CROSSTALK_TEST_SAVE_DELAY_MS) and frequent (--save-every 2),
# so most kills land inside a save. After each kill, `translate` must work from
# the model directory and the next `train --resume` must start from it.
# Prints "K/N recoveries" and exits non-zero unless K == N.
#
#   bash scripts/crash_test.sh [N=30] [WORK_DIR=crash_work]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-30}
WORK=${2:-crash_work}
BIN=./build/crosstalk
[ -x "$BIN" ] || bash scripts/build.sh
rm -rf "$WORK"
mkdir -p "$WORK"
DIR=$WORK/model
TRAIN=(train --config configs/tiny.toml --model-dir "$DIR" --log-every 1 --save-every 2
       --max-steps 1000000 --max-epochs 1000000)
export CROSSTALK_TEST_SAVE_DELAY_MS=${CROSSTALK_TEST_SAVE_DELAY_MS:-150}

"$BIN" train --config configs/tiny.toml --model-dir "$DIR" --max-steps 3 2> "$WORK/first.log"

ok=0 in_save=0
for round in $(seq 1 "$N"); do
  "$BIN" "${TRAIN[@]}" --resume 2> "$WORK/round$round.log" &
  pid=$!
  # Let it resume and train a little, then kill at a random moment of the next 0-1.5 s.
  for _ in $(seq 1 300); do
    grep -q "resumed at step" "$WORK/round$round.log" 2>/dev/null && break
    sleep 0.05
  done
  sleep "0.$(( RANDOM % 10 ))$(( RANDOM % 10 ))"
  sleep "$(( RANDOM % 2 )).$(( RANDOM % 10 ))"
  # A save in progress shows as a .tmp file in the model directory.
  if ls "$DIR"/*.tmp >/dev/null 2>&1; then in_save=$((in_save + 1)); fi
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true

  good=1
  if ! "$BIN" translate --model "$DIR" < data/toy/valid.de > "$WORK/round$round.out" 2> "$WORK/round$round.translate.log"; then
    echo "round $round: translate failed: $(tail -1 "$WORK/round$round.translate.log")" >&2
    good=0
  elif [ "$(wc -l < "$WORK/round$round.out")" -ne "$(wc -l < data/toy/valid.de)" ]; then
    echo "round $round: translate wrote the wrong number of lines" >&2
    good=0
  fi
  # The next round's resume is checked there; the last one is checked here.
  if [ "$round" -eq "$N" ]; then
    step=$(sed -n 's/.*"step":\([0-9]*\).*/\1/p' "$DIR/train_log.jsonl" | tail -1)
    if ! "$BIN" train --config configs/tiny.toml --model-dir "$DIR" --resume --max-steps $((step + 2)) \
         2> "$WORK/final.log"; then
      echo "final resume failed: $(tail -1 "$WORK/final.log")" >&2
      good=0
    fi
  fi
  if [ "$round" -gt 1 ] && ! grep -q "resumed at step" "$WORK/round$round.log"; then
    echo "round $round: --resume did not start: $(grep error "$WORK/round$round.log" | head -1)" >&2
    good=0
  fi
  ok=$((ok + good))
  echo "round $round: $([ $good -eq 1 ] && echo recovered || echo FAILED) ($(grep -o 'resumed at step [0-9]*' "$WORK/round$round.log" | head -1))" >&2
done
echo "$ok/$N recoveries ($in_save kills landed while a save was in progress)"
[ "$ok" -eq "$N" ]

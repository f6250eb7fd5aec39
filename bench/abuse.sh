#!/usr/bin/env bash
# Attacks a real w2vd the way issue 11 describes and reports, per attack, the status the
# attacker saw, the daemon's peak resident memory while it ran, and /healthz's worst latency.
#
#   W2VD_BIN=build/server/w2vd bench/abuse.sh [ATTACK ...]
#
# The daemon runs with its default configuration on 127.0.0.1 (an ephemeral port) and a
# temporary data directory. Everything stays on the loopback network; every attack loop is
# bounded in count and time (see LIMITS in the Python below). Attacks, in order:
#   random-methods   1,000 requests with made-up methods: /metrics size before and after
#   trailer-flood    6 connections: chunked POST /v1/corpora, "0\r\n", a trailer that never ends
#   extension-flood  6 connections: chunked POST /v1/corpora, a chunk-size line "1;ext=..." that
#                    never ends
#   trickle          20 uploads declaring 1 MB and sending a byte every 5 s
#   sockets          1,024 idle sockets from 127.0.0.1, then a normal client from 127.0.0.2
#   huge-list        POST /similar with 16,000,000 copies of one word in "positive"
#   names            job and model names of 1 MiB, and with a newline
#   evaluate         two large POST /evaluate at once, then a third
# The resident memory is sampled from /proc/PID/status (VmRSS) every 20 ms; /healthz is asked
# every 50 ms from 127.0.0.3 with a 5 s timeout ("timeout" when it did not answer).
# The socket work is bench/abuse.py (python3, standard library only). Prints one line per attack.
set -euo pipefail
readonly ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly BIN=${W2VD_BIN:-$ROOT/build/server/w2vd}
[[ -x $BIN ]] || { echo "abuse.sh: no w2vd at $BIN (set W2VD_BIN)" >&2; exit 1; }
DATA=$(mktemp -d /tmp/w2vd-abuse.XXXXXX)
readonly DATA
LOG=$DATA/w2vd.log
cleanup() {
  if [[ -n ${PID:-} ]] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT

"$BIN" --bind 127.0.0.1 --port 0 --data-dir "$DATA/data" >"$LOG" 2>&1 &
PID=$!
PORT=
for _ in $(seq 100); do
  PORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$LOG" | head -1)
  [[ -n $PORT ]] && break
  kill -0 "$PID" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
  sleep 0.1
done
[[ -n $PORT ]] || { echo "abuse.sh: w2vd did not start listening" >&2; exit 1; }
echo "w2vd $BIN (pid $PID) on 127.0.0.1:$PORT"
python3 "$ROOT/bench/abuse.py" --port "$PORT" --pid "$PID" "$@"

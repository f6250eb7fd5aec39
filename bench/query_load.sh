#!/usr/bin/env bash
# HTTP query load on a real w2vd: wrk drives GET /v1/models/<id>/similar?word=W&k=10 (a random
# word of the 10,000 most frequent per request) at 1, 16 and 64 connections for DURATION seconds
# each, first with the trainer idle, then while a training job runs on the same server. Prints
# requests/s and latency percentiles (p50, p99) as a Markdown table.
#
#   bench/query_load.sh [VECTORS]
#
# VECTORS: a word2vec binary file to import (default: trained from the bench corpus with
# `w2vd train`, 3 epochs, which gives a ~54,000-word model). Environment: W2VD_BIN (default
# build/server/w2vd), DURATION (10), CONNECTIONS ("1 16 64"), IO_THREADS (server I/O threads,
# default the server's), TRAINING (1: also measure while a job trains; 0: idle only),
# QUERY (extra query parameters, e.g. "&exact=false"), W2V_BENCH_DIR (/tmp/w2v-bench), CORPUS
# (BENCH_DIR/corpus.txt).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bench_dir=${W2V_BENCH_DIR:-/tmp/w2v-bench}
corpus=${CORPUS:-$bench_dir/corpus.txt}
w2vd=${W2VD_BIN:-$root/build/server/w2vd}
duration=${DURATION:-10}
connections=${CONNECTIONS:-1 16 64}
work=$bench_dir/query_load
mkdir -p "$work"

command -v wrk >/dev/null || "$root/scripts/bootstrap" --bench
[[ -x $w2vd ]] || "$root/scripts/build"
[[ -f $corpus ]] || "$root/bench/corpus.sh" "$bench_dir"

vectors=${1:-$work/model.bin}
if [[ ! -f $vectors ]]; then
  echo "training the bench model ($vectors)" >&2
  "$w2vd" train --corpus "$corpus" --output "$vectors" --epochs 3 -q
fi

data=$(mktemp -d)
log=$work/w2vd.log
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$data"
}
trap cleanup EXIT

# The "listening" line is logged at info level: keep info for startup, the access log is
# info too, so send the log to a file and read the port from it.
"$w2vd" --port 0 --data-dir "$data" ${IO_THREADS:+--io-threads "$IO_THREADS"} >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$log" && break
  sleep 0.1
done
port=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$log" | grep -o '[0-9]*$')
url=http://127.0.0.1:$port
echo "w2vd on $url" >&2

json() { /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
model=$(curl -sf -X POST "$url/v1/models?name=bench&format=binary" \
  -H 'Content-Type: application/octet-stream' --data-binary @"$vectors" | json "['id']")
vocab=$(curl -sf "$url/v1/models/$model" | json "['vocab_size']")
words=$work/words.txt
/usr/bin/python3 - "$vectors" "$words" <<'PY'
import sys
with open(sys.argv[1], 'rb') as f:
    n, d = map(int, f.readline().split())
    out = []
    for _ in range(min(n, 10000)):
        w = b''
        while True:
            c = f.read(1)
            if c == b' ':
                break
            if c != b'\n':
                w += c
        f.read(4 * d)
        if w.isalpha() and w.isascii():
            out.append(w.decode())
open(sys.argv[2], 'w').write('\n'.join(out) + '\n')
PY
curl -sf "$url/v1/models/$model/similar?word=$(head -1 "$words")&k=10" >/dev/null  # load it

run_wrk() {  # connections -> "req/s p50 p99"
  local c=$1 threads=$(( $1 < 2 ? 1 : 2 ))
  MODEL=$model WORDS_FILE=$words QUERY=${QUERY:-} wrk -t"$threads" -c"$c" -d"${duration}s" --latency \
    -s "$root/bench/similar.lua" "$url" >"$work/wrk-$c.txt" 2>&1
  if grep -q 'Non-2xx' "$work/wrk-$c.txt"; then
    echo "wrk saw error responses at $c connections:" >&2
    cat "$work/wrk-$c.txt" >&2
    exit 1
  fi
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
       END {printf "%s %s %s", rps, p50, p99}' "$work/wrk-$c.txt"
}

results=()
for c in $connections; do results+=("idle $c $(run_wrk "$c")"); done

# The same while a job trains (2 threads by default on this server: all cores).
if [[ ${TRAINING:-1} == 1 ]]; then
corpus_id=$(curl -sf -X POST "$url/v1/corpora?name=bench" -H 'Content-Type: text/plain' \
  --data-binary @"$corpus" | json "['id']")
job=$(curl -sf -X POST "$url/v1/jobs" -d "{\"corpus_id\":\"$corpus_id\",\"params\":{\"epochs\":50}}" |
  json "['id']")
until [[ $(curl -sf "$url/v1/jobs/$job" | json "['status']") == running ]]; do sleep 0.2; done
sleep 2  # past vocabulary building and encoding: training proper
for c in $connections; do results+=("training $c $(run_wrk "$c")"); done
wps=$(curl -sf "$url/v1/jobs/$job" | json "['progress']['words_per_sec']")
curl -sf -X POST "$url/v1/jobs/$job/cancel" >/dev/null
fi

echo "Command: \`$0 ${1:-}\` (DURATION=$duration)"
echo
echo "Model: $vocab words, $(cpu=$(nproc); echo "$cpu") cores; GET /similar?word=W&k=10, W random among the 10,000 most frequent."
[[ -n ${wps:-} ]] && echo "While training: a 50-epoch job on the bench corpus ran on the same server (${wps%.*} words/s at the end)."
echo
echo "| trainer | connections | requests/s | p50 | p99 |"
echo "|---|---:|---:|---:|---:|"
for r in "${results[@]}"; do
  read -r state c rps p50 p99 <<<"$r"
  echo "| $state | $c | $rps | $p50 | $p99 |"
done

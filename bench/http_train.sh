#!/usr/bin/env bash
# Trains through a real w2vd over HTTP, as a user of the service would: starts w2vd (its own
# data directory, a free loopback port), uploads the corpus, submits a job, waits for it to end,
# downloads the vectors in word2vec's binary format, stops w2vd. Prints the time from submit to
# done (what training as a service costs) and the whole run's time. bench/train_vs.sh's
# w2vd-http rows run it; W2VD_ISA, when set, chooses the daemon's kernels.
#
#   bench/http_train.sh W2VD_BIN CORPUS OUTPUT PARAMS_JSON
#
# PARAMS_JSON is the job's "params" object, e.g. '{"dim":100,"epochs":3}'.
set -euo pipefail

(($# == 4)) || { echo "usage: $0 W2VD_BIN CORPUS OUTPUT PARAMS_JSON" >&2; exit 2; }
readonly BIN=$1 CORPUS=$2 OUTPUT=$3 PARAMS=$4

work=$(mktemp -d)
pid=""
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

start=$(date +%s.%N)
"$BIN" --bind 127.0.0.1 --port 0 --data-dir "$work/data" >"$work/w2vd.log" 2>&1 &
pid=$!
port=""
for _ in $(seq 300); do
  port=$(grep -o 'listening on http://[^ ]*' "$work/w2vd.log" | head -n 1 | sed 's/.*://') || true
  [[ -n $port ]] && break
  kill -0 "$pid" 2>/dev/null || { cat "$work/w2vd.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n $port ]] || { cat "$work/w2vd.log" >&2; echo "w2vd did not listen" >&2; exit 1; }
url=http://127.0.0.1:$port
grep -o 'kernels: [a-z0-9]*' "$work/w2vd.log" >&2 || true

field() { grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | cut -d'"' -f4; }

corpus=$(curl -sf -X POST "$url/v1/corpora?name=bench" -H 'Content-Type: text/plain' \
  --data-binary @"$CORPUS" | field id)
submitted=$(date +%s.%N)
job=$(curl -sf -X POST "$url/v1/jobs" -H 'Content-Type: application/json' \
  -d "{\"corpus_id\":\"$corpus\",\"params\":$PARAMS}" | field id)
while :; do
  record=$(curl -sf "$url/v1/jobs/$job")
  status=$(field status <<<"$record")
  case $status in
    succeeded) break ;;
    failed | cancelled) echo "job $status: $record" >&2; exit 1 ;;
  esac
  sleep 0.1
done
done_at=$(date +%s.%N)
model=$(field model_id <<<"$record")
curl -sf -o "$OUTPUT" "$url/v1/models/$model/vectors?format=binary"
end=$(date +%s.%N)
awk -v s="$start" -v u="$submitted" -v d="$done_at" -v e="$end" 'BEGIN {
  printf "http_train: submit to done %.2f s; start to vectors %.2f s\n", d - u, e - s }' >&2

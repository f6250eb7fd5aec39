#!/usr/bin/env bash
# A large model's import and loads through a real w2vd: the import (vectors.bin parsed, written,
# and rows.w2vm written beside it), the first load (rows.w2vm mapped), then one after an eviction
# (mapped again). A second, small model is queried in
# between to evict the large one (the cache's budget holds one of them). Prints w2vd's
# "model ... loaded" and "evicted" lines, each query's time as curl saw it, and w2vd's resident
# memory (VmRSS, RssAnon, RssFile) after each load.
#
#   bench/model_reload.sh [VECTORS.bin]
#
# VECTORS.bin: word2vec binary vectors (default: the random 1,000,000 × 300 model that
# build/bench/model_load_bench generates, $TMPDIR/w2vd-load-bench-1000000x300.bin, generated
# first when missing). Environment: W2VD_BIN (default build/server/w2vd), W2V_BENCH_DIR
# (/tmp/w2v-bench), CACHE_BYTES (the model cache's budget, default 1 GiB: the large model
# alone).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bench_dir=${W2V_BENCH_DIR:-/tmp/w2v-bench}
w2vd=${W2VD_BIN:-$root/build/server/w2vd}
tmp=${TMPDIR:-/tmp}
vectors=${1:-$tmp/w2vd-load-bench-1000000x300.bin}
if [[ ! -f $vectors ]]; then
  [[ -x $root/build/bench/model_load_bench ]] || "$root/scripts/build"
  "$root/build/bench/model_load_bench" >/dev/null  # generates it, and measures in-process
fi
mkdir -p "$bench_dir"
data=$(mktemp -d "$bench_dir/reload.XXXXXX")
log=$bench_dir/model_reload.log
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$data"
}
trap cleanup EXIT

"$w2vd" --port 0 --data-dir "$data" --model-cache-bytes "${CACHE_BYTES:-1073741824}" \
  >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$log" && break
  sleep 0.1
done
port=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$log" | grep -o '[0-9]*$')
url=http://127.0.0.1:$port

json() { /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
import() {
  curl -sf -X POST "$url/v1/models?name=$2&format=binary" \
    -H 'Content-Type: application/octet-stream' -T "$1" | json "['id']"
}
query() {
  local t
  t=$(curl -sf -o /dev/null -w '%{time_total}' "$url/v1/models/$1/similar?word=w7&k=10")
  echo "$2: query answered in $t s; w2vd $(grep -E '^(VmRSS|RssAnon|RssFile)' \
    /proc/$server_pid/status | tr -s ' \t' ' ' | tr '\n' ' ')"
}

small_file=$bench_dir/reload-small.bin
/usr/bin/python3 - "$small_file" <<'PY'
import struct, sys, random
random.seed(1)
with open(sys.argv[1], "wb") as f:
    f.write(b"1000 16\n")
    for i in range(1000):
        f.write(b"w%d " % i + struct.pack("<16f", *[random.gauss(0, 1) for _ in range(16)]) + b"\n")
PY
start=$(date +%s%N)
large=$(import "$vectors" large)
end=$(date +%s%N)
small=$(import "$small_file" small)
echo "imported $large ($(du -m "$vectors" | cut -f1) MB) in $(((end - start) / 1000000)) ms, and $small" >&2

query "$large" "first load (map rows.w2vm)"
query "$large" "loaded"
query "$small" "small model (evicts the large one)"
query "$large" "load after eviction (map rows.w2vm)"
query "$large" "loaded"
grep -E "loaded:|evicted|rows written" "$log" | sed 's/^[^ ]* //'

#!/usr/bin/env bash
# What counting an upload's words costs when nearly every word is distinct (ids, numbers,
# hashes): generates a corpus of TOKENS distinct tokens ("tok1" .. "tokN", one per line, about
# 13 bytes each; never downloaded), starts each w2vd given (its own data directory, a free
# loopback port, its defaults but --max-count-memory when COUNT_MEMORY is set), uploads the
# corpus with curl, and prints per binary: the upload's wall time, the daemon's peak resident
# memory (VmHWM) before and after, the corpus record's distinct words, and the spills
# /metrics reports.
#
#   bench/count_memory.sh W2VD_BIN [W2VD_BIN...]
#
# Environment: TOKENS (160000000: about 2.1 GB), COUNT_MEMORY (the daemon's default),
# W2V_BENCH_DIR (/tmp/w2v-bench: where the corpus is kept between runs).
set -euo pipefail

(($# >= 1)) || { echo "usage: $0 W2VD_BIN [W2VD_BIN...]" >&2; exit 2; }
readonly TOKENS=${TOKENS:-160000000}
readonly BENCH_DIR=${W2V_BENCH_DIR:-/tmp/w2v-bench}
readonly CORPUS=$BENCH_DIR/distinct-$TOKENS.txt

mkdir -p "$BENCH_DIR"
if [[ ! -f $CORPUS ]]; then
  echo "count_memory: writing $TOKENS distinct tokens to $CORPUS" >&2
  seq -f 'tok%.0f' 1 "$TOKENS" >"$CORPUS.tmp"
  mv "$CORPUS.tmp" "$CORPUS"
fi

work=$(mktemp -d)
pid=""
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

hwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
field() { grep -o "\"$1\":[0-9]*" | head -n 1 | cut -d: -f2; }

printf 'corpus: %s (%s bytes, %s tokens, all distinct)\n\n' "$CORPUS" "$(stat -c %s "$CORPUS")" \
  "$TOKENS"
echo "| w2vd | --max-count-memory | upload s | peak RSS before | peak RSS after | distinct words | spills |"
echo "|---|---|---:|---:|---:|---:|---:|"
for bin in "$@"; do
  rm -rf "$work/data"
  args=(--bind 127.0.0.1 --port 0 --data-dir "$work/data")
  [[ -n ${COUNT_MEMORY:-} ]] && args+=(--max-count-memory "$COUNT_MEMORY")
  "$bin" "${args[@]}" >"$work/w2vd.log" 2>&1 &
  pid=$!
  port=""
  for _ in $(seq 300); do
    port=$(grep -o 'listening on http://[^ ]*' "$work/w2vd.log" | head -n 1 | sed 's/.*://') ||
      true
    [[ -n $port ]] && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/w2vd.log" >&2; exit 1; }
    sleep 0.1
  done
  [[ -n $port ]] || { cat "$work/w2vd.log" >&2; exit 1; }
  url=http://127.0.0.1:$port
  before=$(hwm "$pid")
  start=$(date +%s.%N)
  record=$(curl -sf -X POST "$url/v1/corpora?name=distinct" -H 'Content-Type: text/plain' \
    -T "$CORPUS") || { tail -5 "$work/w2vd.log" >&2; exit 1; }
  end=$(date +%s.%N)
  after=$(hwm "$pid")
  spills=$(curl -sf "$url/metrics" | sed -n 's/^w2vd_upload_count_spills_total \(.*\)/\1/p')
  limit=${COUNT_MEMORY:-default}
  awk -v b="$bin" -v l="$limit" -v s="$start" -v e="$end" -v h0="$before" -v h1="$after" \
    -v d="$(field distinct_words <<<"$record")" -v sp="${spills:-n/a}" 'BEGIN {
      printf "| %s | %s | %.1f | %.0f MiB | %.0f MiB | %s | %s |\n", b, l, e - s, h0 / 1024,
        h1 / 1024, d, sp }'
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
done
echo
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"

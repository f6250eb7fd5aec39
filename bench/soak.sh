#!/usr/bin/env bash
# Soak: a real w2vd under a mixed load on loopback for DURATION seconds (default 60), while a
# training job runs on it the whole time:
#   - wrk at 64 connections on GET /similar and GET /similarity of an imported model;
#   - a loop uploading a corpus, submitting a job on it, cancelling the job, deleting the corpus;
#   - a loop opening the training job's event stream and dropping it after a moment.
# Prints requests/s and latency p50/p99 (wrk), the count of non-2xx answers that nothing
# provoked on purpose, and w2vd's resident memory at the start, middle and end. Exits 1 when
# w2vd died, answered an unexpected status, failed a request or did not shut down cleanly on
# SIGTERM at the end; never on timings.
#
#   bench/soak.sh                 DURATION=60, CONNECTIONS=64
#
# Expected statuses besides 2xx: 409 for a cancel that found its job already finished, and for
# deleting a corpus whose cancelled job has not yet let go of it. Environment: W2VD_BIN (default
# build/server/w2vd), DURATION, CONNECTIONS, SOAK_DIR (scratch directory, default a new one under
# /tmp, removed at the end). w2vd runs with --max-connections-per-ip 1024, since all the load
# comes from one address.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
w2vd=${W2VD_BIN:-$root/build/server/w2vd}
duration=${DURATION:-60}
connections=${CONNECTIONS:-64}
for tool in wrk curl python3; do
  command -v $tool >/dev/null || { echo "bench/soak.sh: $tool is missing (scripts/bootstrap installs it)" >&2; exit 1; }
done
[[ -x $w2vd ]] || "$root/scripts/build"

work=${SOAK_DIR:-$(mktemp -d /tmp/w2v-soak.XXXXXX)}
mkdir -p "$work/data"
server_pid=""
loop_pids=()
cleanup() {
  for p in "${loop_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${loop_pids[@]}" 2>/dev/null || true
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; fi
  [[ -z ${SOAK_DIR:-} ]] && rm -rf "$work"
  return 0
}
trap cleanup EXIT

# The inputs, made here: a model of 5,000 random 50-dimensional vectors (word2vec text format)
# and a synthetic corpus with a Zipf-like vocabulary.
python3 - "$work" <<'PY'
import random, sys
work = sys.argv[1]
rng = random.Random(7)
words = [f"w{i}" for i in range(5000)]
with open(f"{work}/model.txt", "w") as f:
    f.write(f"{len(words)} 50\n")
    for w in words:
        f.write(w + " " + " ".join(f"{rng.gauss(0, 1):.4f}" for _ in range(50)) + "\n")
with open(f"{work}/words.txt", "w") as f:
    f.write("\n".join(words[:2000]) + "\n")
weights = [1 / (i + 1) for i in range(3000)]
def text(sentences):
    return "".join(" ".join(rng.choices(words[:3000], weights, k=12)) + "\n" for _ in range(sentences))
with open(f"{work}/corpus.txt", "w") as f:
    f.write(text(40000))
with open(f"{work}/small.txt", "w") as f:
    f.write(text(300))
PY

log=$work/w2vd.log
# Every load generator here shares one address, standing for many clients: the per-address
# connection cap (default 64) would refuse the load's own connections with 503.
"$w2vd" --port 0 --data-dir "$work/data" --max-connections-per-ip 1024 >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do
  grep -q "listening on" "$log" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
port=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$log" | grep -o '[0-9]*$')
url=http://127.0.0.1:$port

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$server_pid/status"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
# Every loop request appends "STATUS what" to statuses.txt; 000 is a failed connection.
statuses=$work/statuses.txt
: >"$statuses"
request() {  # what method path [curl args...] -> body on stdout
  local what=$1 method=$2 path=$3
  shift 3
  local out code
  out=$(curl -s -X "$method" -w '\n%{http_code}' "$@" "$url$path" || true)
  code=${out##*$'\n'}
  echo "$code $what" >>"$statuses"
  printf '%s' "${out%$'\n'*}"
}

model=$(request import POST "/v1/models?name=soak&format=text" --data-binary @"$work/model.txt" | field id)
corpus=$(request upload POST "/v1/corpora?name=soak" -H 'Content-Type: text/plain' \
  --data-binary @"$work/corpus.txt" | field id)
job=$(request submit POST /v1/jobs -H 'Content-Type: application/json' \
  -d "{\"corpus_id\":\"$corpus\",\"params\":{\"epochs\":1000,\"min_count\":1,\"dim\":50}}" | field id)
request similar GET "/v1/models/$model/similar?word=w1&k=10" >/dev/null  # load the model
rss_start=$(rss_kb)

uploads_and_cancels() {
  while :; do
    local c j
    c=$(request upload POST "/v1/corpora?name=churn" -H 'Content-Type: text/plain' \
      --data-binary @"$work/small.txt" | field id) || continue
    j=$(request submit POST /v1/jobs -H 'Content-Type: application/json' -d "{\"corpus_id\":\"$c\",\"params\":{\"min_count\":1}}" |
      field id) || continue
    request cancel POST "/v1/jobs/$j/cancel" >/dev/null
    request delete-corpus DELETE "/v1/corpora/$c" >/dev/null
  done
}
event_streams() {
  while :; do
    # curl gives up after 0.3 s: the stream is dropped by the client mid-way.
    curl -s -N -o /dev/null --max-time 0.3 "$url/v1/jobs/$job/events" || true
    echo "stream events" >>"$work/streams.txt"
  done
}
# Killed mid-request at the end: their stderr (a broken pipe) says nothing about w2vd.
uploads_and_cancels 2>/dev/null &
loop_pids+=($!)
event_streams 2>/dev/null &
loop_pids+=($!)

half=$(((duration + 1) / 2))
MODEL=$model WORDS_FILE=$work/words.txt wrk -t2 -c"$connections" -d"${half}s" --latency \
  -s "$root/bench/soak.lua" "$url" >"$work/wrk1.txt" 2>&1 || true
rss_middle=$(rss_kb || echo 0)
MODEL=$model WORDS_FILE=$work/words.txt wrk -t2 -c"$connections" -d"$((duration - half))s" \
  --latency -s "$root/bench/soak.lua" "$url" >"$work/wrk2.txt" 2>&1 || true
for p in "${loop_pids[@]}"; do kill "$p" 2>/dev/null || true; done
wait "${loop_pids[@]}" 2>/dev/null || true
loop_pids=()
alive=yes
kill -0 "$server_pid" 2>/dev/null || alive=no
rss_end=$(rss_kb 2>/dev/null || echo 0)
job_status=$(request job GET "/v1/jobs/$job" | field status || echo unknown)
# A clean shutdown (SIGTERM while the job trains) exits 0; a sanitized w2vd also reports leaks
# here, as a non-zero status.
exit_status=0
if [[ $alive == yes ]]; then
  kill -TERM "$server_pid"
  wait "$server_pid" || exit_status=$?
  server_pid=""
fi

# wrk: requests, requests/s, latency percentiles, non-2xx and socket errors, over both halves.
summary=$(awk '
  /requests in/ {req += $1}
  /Requests\/sec/ {rps += $2; n++}
  /^ +50%/ {p50 = p50 " " $2}
  /^ +99%/ {p99 = p99 " " $2}
  /Non-2xx/ {bad += $5}
  /Socket errors/ {gsub(",", ""); errs += $4 + $6 + $8 + $10}
  END {printf "%d %.0f %s %s %d %d", req, rps / n, p50, p99, bad, errs}' "$work/wrk1.txt" "$work/wrk2.txt")
read -r wrk_requests rps p50a p50b p99a p99b wrk_bad wrk_errors <<<"$summary"

# The loops: expected statuses by request kind; anything else is unexpected.
unexpected=$(awk '
  $1 ~ /^2/ {next}
  $1 == 409 && ($2 == "cancel" || $2 == "delete-corpus") {next}
  {print}' "$statuses" | sort | uniq -c)
loop_requests=$(wc -l <"$statuses")
provoked=$(awk '$1 == 409' "$statuses" | wc -l)
streams=$(wc -l <"$work/streams.txt" 2>/dev/null || echo 0)

echo "Command: DURATION=$duration CONNECTIONS=$connections $0"
echo "wrk (GET /similar + /similarity, $connections connections): $wrk_requests requests," \
  "$rps requests/s; latency p50 $p50a / $p50b, p99 $p99a / $p99b (first / second half)"
echo "loops: $loop_requests requests (uploads, job submits, cancels, corpus deletes);" \
  "$streams event streams opened and dropped; $provoked provoked 409s"
echo "training job $job: $job_status at the end"
echo "w2vd RSS: start $((rss_start / 1024)) MiB, middle $((rss_middle / 1024)) MiB," \
  "end $((rss_end / 1024)) MiB"
bad_total=$((wrk_bad + wrk_errors))
echo "unexpected non-2xx: $((bad_total + $(printf '%s' "$unexpected" | awk '{s += $1} END {print s + 0}')))" \
  "(wrk non-2xx $wrk_bad, wrk socket errors $wrk_errors)"
if [[ $wrk_errors -gt 0 ]]; then
  echo "wrk socket errors (first half, then second):"
  grep -h 'Socket errors' "$work/wrk1.txt" "$work/wrk2.txt" || true
fi
[[ -n $unexpected ]] && echo "unexpected loop answers (count status request):" && echo "$unexpected"
if [[ $job_status != running ]]; then
  echo "the training job should still be running; what w2vd logged of it:"
  grep -F "job $job" "$log" | tail -n 20 || true
fi
if [[ $alive != yes ]]; then
  echo "w2vd DIED; its log:" >&2
  tail -n 50 "$log" >&2
  exit 1
fi
echo "w2vd exit status after SIGTERM: $exit_status"
if [[ $exit_status != 0 ]]; then
  tail -n 50 "$log" >&2
  exit 1
fi
if [[ $bad_total -gt 0 || -n $unexpected || $job_status != running ]]; then exit 1; fi

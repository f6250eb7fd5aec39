#!/usr/bin/env bash
# Distributed training on this machine: the bench corpus trained by one process and by 2 and 4
# MPI ranks (mpirun, TCP over loopback), the total number of training threads kept constant,
# and a Markdown table of quality (WS-353 Spearman rho, Google analogies), wall time, words/s
# per rank, and bytes sent per second per rank.
#
#   bench/distributed.sh
#
# Parameters as bench/train_vs.sh: skip-gram, negative sampling, dim 100, window 5, negative 5,
# sample 1e-4, min_count 5, 3 epochs, alpha 0.025, seed 1. Environment overrides:
#   RANKS          rank counts to run ("1 2 4"); 1 is one process without mpirun
#   TOTAL_THREADS  training threads over all ranks (4); each rank gets TOTAL_THREADS / ranks
#   EPOCHS, DIM    (3, 100)
#   CORPUS         corpus file (BENCH_DIR/corpus.txt, built by bench/corpus.sh)
#   W2V_BENCH_DIR  where everything is written (/tmp/w2v-bench), never the repo
#   W2VD_BIN       w2vd binary (build/server/w2vd)
#   MPIRUN_FLAGS   extra mpirun flags
#
# Bytes per rank, two ways: "averaged" is the payload each rank hands to MPI_Allreduce per
# second of training (w2vd's own count; a ring allreduce sends 2(n-1)/n of it), "loopback" is
# what the lo interface carried during the run (/proc/net/dev, transmit side) divided by the
# ranks: it includes MPI's own headers and protocol, and anything else using loopback at the
# time (run on a quiet machine). Logs, vectors and evaluation JSON are in BENCH_DIR/distributed/,
# the table also in BENCH_DIR/distributed.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly BENCH_DIR=${W2V_BENCH_DIR:-/tmp/w2v-bench}
readonly OUT=$BENCH_DIR/distributed
readonly CORPUS=${CORPUS:-$BENCH_DIR/corpus.txt}
readonly EVAL_DIR=$ROOT/../shared/eval
readonly PYTHON=/usr/bin/python3
readonly W2VD_BIN=${W2VD_BIN:-$ROOT/build/server/w2vd}
readonly RANKS=${RANKS:-1 2 4} TOTAL_THREADS=${TOTAL_THREADS:-4}
readonly EPOCHS=${EPOCHS:-3} DIM=${DIM:-100}

log() { printf 'distributed: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

lo_tx_bytes() { awk -F'[: ]+' '$2 == "lo" { print $11 }' /proc/net/dev; }

prepare() {
  command -v mpirun >/dev/null || "$ROOT/scripts/bootstrap"
  if ! "$PYTHON" -c 'import gensim' 2>/dev/null; then "$ROOT/scripts/bootstrap" --bench; fi
  if [[ ! -s $CORPUS ]]; then
    [[ $CORPUS == "$BENCH_DIR/corpus.txt" ]] || die "no corpus at $CORPUS"
    "$ROOT/bench/corpus.sh" "$BENCH_DIR" >&2
  fi
  [[ -f $EVAL_DIR/questions-words.txt && -f $EVAL_DIR/wordsim353.tsv ]] ||
    die "evaluation files missing in $EVAL_DIR"
  [[ -x $W2VD_BIN ]] || "$ROOT/scripts/build" >&2
  mkdir -p "$OUT"
  rm -f "$OUT/runs.tsv"
  cat "$CORPUS" >/dev/null # into the page cache before the first timed run
}

# run RANKS: trains, evaluates, appends a line to runs.tsv.
run() {
  local n=$1 threads=$((TOTAL_THREADS / $1)) stem=$OUT/ranks$1
  ((threads >= 1)) || threads=1
  local cmd=("$W2VD_BIN" train --corpus "$CORPUS" --output "$stem.bin" --format binary
    --model skipgram --loss ns --dim "$DIM" --window 5 --negative 5 --min-count 5 --sample 1e-4
    --epochs "$EPOCHS" --alpha 0.025 --threads "$threads" --seed 1)
  if ((n > 1)); then
    local extra=()
    read -r -a extra <<<"${MPIRUN_FLAGS:-}"
    cmd=(mpirun --oversubscribe --allow-run-as-root --mca btl self,tcp
      --mca btl_tcp_if_include lo --mca oob_tcp_if_include lo -np "$n" "${extra[@]}" "${cmd[@]}")
  fi
  printf '%q ' "${cmd[@]}" >"$stem.cmd"
  log "$n rank(s) × $threads thread(s): $(cat "$stem.cmd")"
  rm -f "$stem.bin"
  local start end tx0 tx1
  tx0=$(lo_tx_bytes)
  start=$(date +%s%N)
  "${cmd[@]}" >"$stem.log" 2>&1 || { tail -n 20 "$stem.log" >&2; die "run failed: $stem.log"; }
  end=$(date +%s%N)
  tx1=$(lo_tx_bytes)
  "$PYTHON" "$ROOT/bench/eval_vectors.py" "$stem.bin" --binary \
    --questions "$EVAL_DIR/questions-words.txt" --pairs "$EVAL_DIR/wordsim353.tsv" >"$stem.json"
  printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$threads" "$(((end - start) / 1000000))" \
    "$((tx1 - tx0))" "$stem" >>"$OUT/runs.tsv"
}

report() {
  "$PYTHON" - "$OUT/runs.tsv" <<'PY'
import json, re, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
print("| ranks × threads | wall s | train s | words/s (all) | words/s per rank | WS-353 | analogies "
      "| averaged MB/s per rank | loopback MB/s per rank | Δ WS-353 | Δ analogies |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
base = None
for n, threads, wall_ms, lo_bytes, stem in rows:
    n = int(n)
    e = json.load(open(stem + ".json"))
    ws, acc = e["ws353"]["spearman"], 100 * e["analogy"]["accuracy"]
    log = open(stem + ".log").read()
    m = re.search(r"in ([0-9.]+) s \(([0-9]+) words/s\)", log)
    train_s, wps = float(m.group(1)), float(m.group(2))
    ranks = [(float(a), float(b)) for a, b in
             re.findall(r"rank \d+: ([0-9.]+) words/s, averaged ([0-9.]+) bytes/s", log)]
    per_rank = sum(r[0] for r in ranks) / len(ranks) if ranks else wps
    averaged = sum(r[1] for r in ranks) / len(ranks) / 1e6 if ranks else 0.0
    loopback = int(lo_bytes) / n / train_s / 1e6 if n > 1 else 0.0
    if base is None:
        base = (ws, acc)
    print(f"| {n} × {threads} | {int(wall_ms) / 1000:.1f} | {train_s:.1f} | {wps:,.0f} | "
          f"{per_rank:,.0f} | {ws:.3f} | {acc:.1f}% | {averaged:.1f} | {loopback:.1f} | "
          f"{ws - base[0]:+.3f} | {acc - base[1]:+.1f} |")
PY
}

prepare
for n in $RANKS; do run "$n"; done
report | tee "$BENCH_DIR/distributed.md"
log "commands: $OUT/ranks*.cmd; table: $BENCH_DIR/distributed.md"

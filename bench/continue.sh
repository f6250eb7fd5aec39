#!/usr/bin/env bash
# Continued training on a real w2vd: what training a model further on new text gives and costs,
# against training from scratch. The bench corpus is split into two halves (by lines, in file
# order: the second half is text the first model never saw), then, on one server:
#   A             EPOCHS epochs from scratch on the first half
#   A+B continued A trained EPOCHS more epochs on the second half (init_model, vocabulary extend)
#   A+B imported  A's vectors exported, imported (vectors only: output weights start at zero)
#                 and trained EPOCHS epochs on the second half the same way
#   A+B keep      A continued on the second half with vocabulary keep
#   A+B scratch   EPOCHS epochs from scratch on the whole corpus
# Every model's vectors are exported and scored by bench/eval_vectors.py (WS-353 Spearman rho,
# Google analogies over the 30,000 most frequent words). Prints a Markdown table with each job's
# wall time (submission to model, as `w2vctl train --wait` sees it).
#
#   bench/continue.sh
#
# Environment: EPOCHS (3), THREADS (2), DIM (100), W2VD_BIN / W2VCTL_BIN (default build/),
# W2V_BENCH_DIR (/tmp/w2v-bench), CORPUS (BENCH_DIR/corpus.txt, built by bench/corpus.sh).
# Work files go to BENCH_DIR/continue/; the table is also saved there as table.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly BENCH_DIR=${W2V_BENCH_DIR:-/tmp/w2v-bench}
readonly CORPUS=${CORPUS:-$BENCH_DIR/corpus.txt}
readonly OUT=$BENCH_DIR/continue
readonly EVAL_DIR=$ROOT/../shared/eval
readonly PYTHON=/usr/bin/python3 # Debian's, which has python3-gensim
readonly EPOCHS=${EPOCHS:-3} THREADS=${THREADS:-2} DIM=${DIM:-100}
W2VD=${W2VD_BIN:-$ROOT/build/server/w2vd}
W2VCTL=${W2VCTL_BIN:-$ROOT/build/client/w2vctl}

log() { printf 'continue: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

"$PYTHON" -c 'import gensim' 2>/dev/null || "$ROOT/scripts/bootstrap" --bench
[[ -s $CORPUS ]] || "$ROOT/bench/corpus.sh" "$BENCH_DIR" >&2
[[ -x $W2VD && -x $W2VCTL ]] || "$ROOT/scripts/build" >&2
[[ -f $EVAL_DIR/questions-words.txt && -f $EVAL_DIR/wordsim353.tsv ]] ||
  die "evaluation files missing in $EVAL_DIR"
mkdir -p "$OUT"

lines=$(wc -l <"$CORPUS")
head -n $((lines / 2)) "$CORPUS" >"$OUT/first.txt"
tail -n +$((lines / 2 + 1)) "$CORPUS" >"$OUT/second.txt"

data=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

"$W2VD" --port 0 --data-dir "$data" --train-threads "$THREADS" >"$OUT/w2vd.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$OUT/w2vd.log" && break
  sleep 0.1
done
port=$(grep -o 'listening on http://[0-9.]*:[0-9]*' "$OUT/w2vd.log" | grep -o '[0-9]*$') ||
  die "w2vd did not start; see $OUT/w2vd.log"
ctl() { "$W2VCTL" --server "http://127.0.0.1:$port" "$@"; }

first=$(ctl -q corpus upload "$OUT/first.txt" --name first)
second=$(ctl -q corpus upload "$OUT/second.txt" --name second)
whole=$(ctl -q corpus upload "$CORPUS" --name whole)

now_ns() { date +%s%N; }
rm -f "$OUT/rows.tsv"
# train ROW CORPUS [w2vctl train flags...]: trains, exports and scores; sets MODEL and appends
# "row<TAB>milliseconds<TAB>evaluation JSON" to OUT/rows.tsv.
train() {
  local row=$1 corpus=$2
  shift 2
  log "$row"
  local start end
  start=$(now_ns)
  MODEL=$(ctl -q train --corpus "$corpus" --epochs "$EPOCHS" --threads "$THREADS" --wait "$@")
  end=$(now_ns)
  local vectors=$OUT/$MODEL.bin
  ctl models export "$MODEL" -o "$vectors" >/dev/null
  "$PYTHON" "$ROOT/bench/eval_vectors.py" "$vectors" --binary \
    --questions "$EVAL_DIR/questions-words.txt" --pairs "$EVAL_DIR/wordsim353.tsv" \
    >"$OUT/$MODEL.json"
  printf '%s\t%s\t%s\n' "$row" $(((end - start) / 1000000)) "$OUT/$MODEL.json" >>"$OUT/rows.tsv"
}

train "A: first half" "$first" --dim "$DIM"
parent=$MODEL
train "A+B continued (extend)" "$second" --from-model "$parent"
ctl models export "$parent" -o "$OUT/parent.bin" >/dev/null
imported=$(ctl -q models import "$OUT/parent.bin" --name imported)
train "A+B from imported A vectors" "$second" --from-model "$imported"
train "A+B continued (keep)" "$second" --from-model "$parent" --vocabulary keep
train "A+B from scratch" "$whole" --dim "$DIM"

{
  echo "Command: \`EPOCHS=$EPOCHS THREADS=$THREADS DIM=$DIM CORPUS=$CORPUS bench/continue.sh\`"
  echo
  read -r l1 t1 < <(wc -l -w <"$OUT/first.txt")
  read -r l2 t2 < <(wc -l -w <"$OUT/second.txt")
  echo "Corpus $CORPUS: first half $l1 lines, $t1 tokens; second half $l2 lines, $t2 tokens." \
    "skip-gram/ns, $EPOCHS epochs per job, $THREADS threads, dim $DIM, other parameters" \
    "w2vd's defaults. Machine: $(nproc) cores."
  echo
  "$PYTHON" - "$OUT/rows.tsv" <<'PY'
import json, sys

print("| model | job wall s | vocab | WS-353 rho | analogy acc | analogy coverage |")
print("|---|---:|---:|---:|---:|---:|")
for line in open(sys.argv[1]):
    row, ms, path = line.rstrip("\n").split("\t")
    e = json.load(open(path))
    ws, an = e["ws353"]["spearman"], e["analogy"]
    print(f"| {row} | {int(ms) / 1000:.1f} | {e['vocab']} | {ws:.3f} "
          f"| {100 * an['accuracy']:.1f}% | {100 * an['coverage']:.1f}% |")
PY
} | tee "$OUT/table.md"

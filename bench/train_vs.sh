#!/usr/bin/env bash
# Trains w2vd, fastText and gensim on the benchmark corpus with the same parameters and prints
# a Markdown table: wall time, tokens/s, peak RSS, WS-353 Spearman rho, Google analogy
# accuracy (30,000 most frequent words, case-insensitive) and analogy coverage.
#
#   bench/train_vs.sh
#
# Parameters: skip-gram with negative sampling, dim 100, window 5, negative 5, sample 1e-4,
# min_count 5, 3 epochs, 2 threads, alpha 0.025. Environment overrides:
#   MODEL, LOSS              skipgram|cbow (skipgram), ns|hs (ns); alpha defaults to 0.05 for cbow
#   EPOCHS, THREADS, DIM     training parameters (3, 2, 100)
#   REPEATS                  rounds (1); with more, the table shows medians
#   SYSTEMS                  rows to run, in order ("w2vd fasttext gensim"); see SYSTEM_ROWS
#   CORPUS                   corpus file (BENCH_DIR/corpus.txt, built by bench/corpus.sh)
#   W2V_BENCH_DIR            where everything is written (/tmp/w2v-bench), never the repo
#   W2VD_BIN                 w2vd binary; when unset, scripts/build builds build/server/w2vd
#   W2VD_BASE_BIN            another w2vd binary for the w2vd-base row: two builds (before and
#                            after a change) compared in one run, e.g. SYSTEMS="w2vd-base w2vd"
#   W2VD_EXTRA_FLAGS         extra flags for every w2vd row
#   (rows w2vd-generic, w2vd-avx2, w2vd-avx512: w2vd with its kernels forced by W2VD_ISA; the
#   report names the instruction set the plain w2vd row ran; w2vd-http and w2vd-http-avx2:
#   the same job through a daemon's HTTP API, bench/http_train.sh)
# Runs alternate between systems within each round (w2vd, fastText, gensim, w2vd, ...) so
# that machine noise hits all of them alike. Every system's vectors are scored by the same
# evaluator, bench/eval_vectors.py. The table is also saved to BENCH_DIR/train_vs.md; logs,
# vectors, /usr/bin/time reports and evaluation JSON are in BENCH_DIR/train_vs/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly BENCH_DIR=${W2V_BENCH_DIR:-/tmp/w2v-bench}
readonly OUT=$BENCH_DIR/train_vs
readonly CORPUS=${CORPUS:-$BENCH_DIR/corpus.txt}
readonly EVAL_DIR=$ROOT/../shared/eval
readonly PYTHON=/usr/bin/python3 # Debian's, which has python3-gensim

readonly EPOCHS=${EPOCHS:-3} THREADS=${THREADS:-2} DIM=${DIM:-100} REPEATS=${REPEATS:-1}
readonly MODEL=${MODEL:-skipgram} LOSS=${LOSS:-ns}
readonly WINDOW=5 NEGATIVE=5 MIN_COUNT=5 SAMPLE=1e-4 SEED=1
if [[ $MODEL == cbow ]]; then readonly ALPHA=${ALPHA:-0.05}; else readonly ALPHA=${ALPHA:-0.025}; fi
readonly SYSTEMS=${SYSTEMS:-w2vd fasttext gensim}

# One row per system: its name, the function that builds its training command, and extra
# arguments for that function. Adding a system or a w2vd variant is adding a line here.
declare -A SYSTEM_ROWS=(
  [w2vd]="w2vd_command"
  [w2vd-pair]="w2vd_command --kernel pair"
  [w2vd-batch]="w2vd_command --kernel batch"
  [w2vd-base]="w2vd_base_command"
  [w2vd-generic]="w2vd_isa_command generic"
  [w2vd-avx2]="w2vd_isa_command avx2"
  [w2vd-avx512]="w2vd_isa_command avx512"
  [w2vd-http]="w2vd_http_command"
  [w2vd-http-avx2]="w2vd_http_command avx2"
  [fasttext]="fasttext_command"
  [gensim]="gensim_command"
  [w2vd-subword]="w2vd_command --minn 3 --maxn 6 --bucket 2000000"
  [fasttext-subword]="fasttext_command 3 6"
  [gensim-fasttext]="gensim_command --subwords"
)

# Set by the *_command functions: the command to time, and the vectors it writes.
CMD=()
VECTORS=""
VECTORS_BINARY=0
declare -A COMMAND_LINES=()

log() { printf 'train_vs: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# --- the systems ------------------------------------------------------------------------------

# w2vd_command STEM [FLAGS...]: w2vd's offline trainer, plus FLAGS and $W2VD_EXTRA_FLAGS.
w2vd_command() {
  local stem=$1
  shift
  local extra=()
  read -r -a extra <<<"${W2VD_EXTRA_FLAGS:-}"
  VECTORS=$stem.bin
  VECTORS_BINARY=1
  CMD=("$W2VD_BIN" train --corpus "$CORPUS" --output "$VECTORS" --format binary
    --model "$MODEL" --loss "$LOSS" --dim "$DIM" --window "$WINDOW" --negative "$NEGATIVE"
    --min-count "$MIN_COUNT" --sample "$SAMPLE" --epochs "$EPOCHS" --alpha "$ALPHA"
    --threads "$THREADS" --seed "$SEED" "$@" "${extra[@]}")
}

# w2vd_base_command STEM: w2vd_command with $W2VD_BASE_BIN instead of $W2VD_BIN.
w2vd_base_command() {
  [[ -x ${W2VD_BASE_BIN:-} ]] || die "the w2vd-base row needs W2VD_BASE_BIN (a w2vd binary)"
  local bin=$W2VD_BIN
  W2VD_BIN=$W2VD_BASE_BIN
  w2vd_command "$@"
  W2VD_BIN=$bin
}

# w2vd_isa_command STEM ISA: w2vd_command with its kernels forced to ISA (W2VD_ISA).
w2vd_isa_command() {
  w2vd_command "$1"
  CMD=(env "W2VD_ISA=$2" "${CMD[@]}")
}

# w2vd_http_command STEM [ISA]: w2vd as a service (bench/http_train.sh: a daemon, upload,
# job, download), its kernels forced to ISA when given. Its wall time includes the daemon's
# start, the upload and the download; the log has submit-to-done alone.
w2vd_http_command() {
  local stem=$1 isa=${2:-}
  VECTORS=$stem.bin
  VECTORS_BINARY=1
  local params
  params=$(printf '{"model":"%s","loss":"%s","dim":%s,"window":%s,"negative":%s,"min_count":%s,"sample":%s,"epochs":%s,"alpha":%s,"threads":%s,"seed":%s}' \
    "$MODEL" "$LOSS" "$DIM" "$WINDOW" "$NEGATIVE" "$MIN_COUNT" "$SAMPLE" "$EPOCHS" "$ALPHA" \
    "$THREADS" "$SEED")
  CMD=(env ${isa:+"W2VD_ISA=$isa"} "$ROOT/bench/http_train.sh" "$W2VD_BIN" "$CORPUS" "$VECTORS"
    "$params")
}

# fasttext_command STEM [MINN MAXN]: Debian's fastText, whole words only (no character n-grams)
# unless MINN and MAXN are given (then with its default 2,000,000 buckets).
fasttext_command() {
  local stem=$1 minn=${2:-0} maxn=${3:-0}
  VECTORS=$stem.vec
  VECTORS_BINARY=0
  CMD=(fasttext "$MODEL" -input "$CORPUS" -output "$stem" -dim "$DIM" -ws "$WINDOW"
    -loss "$LOSS" -neg "$NEGATIVE" -minCount "$MIN_COUNT" -t "$SAMPLE" -epoch "$EPOCHS" -lr "$ALPHA"
    -thread "$THREADS" -minn "$minn" -maxn "$maxn" -seed "$SEED" -verbose 1)
}

# gensim_command STEM [--subwords]: gensim's Word2Vec in corpus_file mode (FastText with
# --subwords: minn 3, maxn 6, 2,000,000 buckets), through OUT/gensim_train.py.
gensim_command() {
  local stem=$1
  shift
  VECTORS=$stem.bin
  VECTORS_BINARY=1
  CMD=("$PYTHON" "$OUT/gensim_train.py" "$CORPUS" "$VECTORS" --dim "$DIM" --window "$WINDOW"
    --negative "$NEGATIVE" --min-count "$MIN_COUNT" --sample "$SAMPLE" --epochs "$EPOCHS"
    --alpha "$ALPHA" --threads "$THREADS" --seed "$SEED" --model "$MODEL" --loss "$LOSS" "$@")
}

write_gensim_trainer() {
  cat >"$OUT/gensim_train.py" <<'EOF'
"""Trains gensim's Word2Vec (skip-gram or CBOW, ns or hs), or its FastText with --subwords;
writes word2vec binary vectors (of the vocabulary's words)."""
import argparse
import logging

from gensim.models import FastText, Word2Vec

p = argparse.ArgumentParser()
p.add_argument("corpus")
p.add_argument("output")
for name in ("dim", "window", "negative", "min-count", "epochs", "threads", "seed"):
    p.add_argument("--" + name, type=int, required=True)
for name in ("sample", "alpha"):
    p.add_argument("--" + name, type=float, required=True)
p.add_argument("--model", choices=("skipgram", "cbow"), default="skipgram")
p.add_argument("--loss", choices=("ns", "hs"), default="ns")
p.add_argument("--subwords", action="store_true")
a = p.parse_args()
logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s", level=logging.INFO)
common = dict(corpus_file=a.corpus, vector_size=a.dim, window=a.window,
              negative=0 if a.loss == "hs" else a.negative,
              min_count=a.min_count, sample=a.sample, epochs=a.epochs, alpha=a.alpha,
              workers=a.threads, sg=int(a.model == "skipgram"), hs=int(a.loss == "hs"),
              seed=a.seed)
if a.subwords:
    model = FastText(min_n=3, max_n=6, bucket=2000000, **common)
else:
    model = Word2Vec(**common)
model.wv.save_word2vec_format(a.output, binary=True)
EOF
}

# --- running ----------------------------------------------------------------------------------

# build_command NAME STEM: sets CMD and VECTORS from NAME's row in SYSTEM_ROWS.
build_command() {
  local row=()
  read -r -a row <<<"${SYSTEM_ROWS[$1]}"
  "${row[0]}" "$2" "${row[@]:1}"
}

uses_w2vd() {
  local name
  for name in $SYSTEMS; do
    [[ ${SYSTEM_ROWS[$name]} == w2vd_* ]] && return 0
  done
  return 1
}

check_systems() {
  local name
  for name in $SYSTEMS; do
    [[ -n ${SYSTEM_ROWS[$name]:-} ]] || die "unknown system '$name' (known: ${!SYSTEM_ROWS[*]})"
  done
}

prepare() {
  check_systems
  if ! command -v fasttext >/dev/null || [[ ! -x /usr/bin/time ]] ||
    ! "$PYTHON" -c 'import gensim' 2>/dev/null; then
    "$ROOT/scripts/bootstrap" --bench
  fi
  if [[ ! -s $CORPUS ]]; then
    [[ $CORPUS == "$BENCH_DIR/corpus.txt" ]] || die "no corpus at $CORPUS"
    "$ROOT/bench/corpus.sh" "$BENCH_DIR" >&2
  fi
  [[ -f $EVAL_DIR/questions-words.txt && -f $EVAL_DIR/wordsim353.tsv ]] ||
    die "evaluation files missing in $EVAL_DIR"
  if uses_w2vd; then
    if [[ -z ${W2VD_BIN:-} ]]; then
      W2VD_BIN=$ROOT/build/server/w2vd
      log "building w2vd with scripts/build"
      "$ROOT/scripts/build" >&2
    fi
    [[ -x $W2VD_BIN ]] || die "no w2vd binary at $W2VD_BIN"
  fi
  mkdir -p "$OUT"
  rm -f "$OUT/runs.tsv"
  write_gensim_trainer
  cat "$CORPUS" >/dev/null # into the page cache before the first timed run
}

now_ns() { date +%s%N; }

# run_system NAME ROUND: trains under /usr/bin/time, evaluates, appends a line to runs.tsv.
run_system() {
  local name=$1 round=$2 stem=$OUT/$1
  build_command "$name" "$stem"
  COMMAND_LINES[$name]=$(printf '%q ' "${CMD[@]}")
  rm -f "$VECTORS"
  log "round $round/$REPEATS: $name"
  local start end
  start=$(now_ns)
  if ! /usr/bin/time -v -o "$stem.time" "${CMD[@]}" >"$stem.log" 2>&1; then
    tail -n 20 "$stem.log" >&2
    die "$name failed; its log is $stem.log"
  fi
  end=$(now_ns)
  [[ -s $VECTORS ]] || die "$name wrote no vectors at $VECTORS"
  local wall rss_kb json=$OUT/$name.round$round.json
  wall=$(awk -v ns=$((end - start)) 'BEGIN { printf "%.3f", ns / 1e9 }')
  rss_kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$stem.time")
  local binary=()
  ((VECTORS_BINARY)) && binary=(--binary)
  "$PYTHON" "$ROOT/bench/eval_vectors.py" "$VECTORS" "${binary[@]}" \
    --questions "$EVAL_DIR/questions-words.txt" --pairs "$EVAL_DIR/wordsim353.tsv" >"$json"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$round" "$wall" "$rss_kb" "$json" >>"$OUT/runs.tsv"
  log "$name: ${wall} s, peak RSS ${rss_kb} kB"
}

run_all() {
  local round name
  for ((round = 1; round <= REPEATS; round++)); do
    for name in $SYSTEMS; do
      run_system "$name" "$round"
    done
  done
}

# --- reporting --------------------------------------------------------------------------------

invocation() {
  local env="W2V_BENCH_DIR=$BENCH_DIR CORPUS=$CORPUS EPOCHS=$EPOCHS THREADS=$THREADS DIM=$DIM"
  env+=" REPEATS=$REPEATS SYSTEMS='$SYSTEMS'"
  [[ -n ${W2VD_EXTRA_FLAGS:-} ]] && env+=" W2VD_EXTRA_FLAGS='$W2VD_EXTRA_FLAGS'"
  uses_w2vd && env+=" W2VD_BIN=$W2VD_BIN"
  [[ " $SYSTEMS " == *" w2vd-base "* ]] && env+=" W2VD_BASE_BIN=$W2VD_BASE_BIN"
  printf '%s bench/train_vs.sh' "$env"
}

report() {
  local tokens bytes lines name
  read -r lines tokens bytes < <(wc -l -w -c <"$CORPUS")
  echo "Command: \`$(invocation)\`"
  echo
  echo "Corpus: $CORPUS ($bytes bytes, $tokens tokens, $lines lines)." \
    "Model $MODEL, loss $LOSS: dim $DIM, window $WINDOW, negative $NEGATIVE," \
    "sample $SAMPLE, min_count $MIN_COUNT, epochs $EPOCHS, alpha $ALPHA, threads $THREADS." \
    "Machine: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)," \
    "$(grep -q avx512f /proc/cpuinfo && echo 'with' || echo 'without') AVX-512."
  if uses_w2vd; then
    echo
    echo "w2vd's kernels (the w2vd-ISA rows force theirs):" \
      "$("$W2VD_BIN" --version | sed -n 's/^kernels: //p')."
  fi
  echo
  "$PYTHON" - "$OUT/runs.tsv" "$tokens" "$EPOCHS" "$REPEATS" <<'EOF'
import json, statistics, sys

runs_path, tokens, epochs, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
runs = {}
for line in open(runs_path):
    name, _round, wall, rss_kb, json_path = line.rstrip("\n").split("\t")
    e = json.load(open(json_path))
    runs.setdefault(name, []).append({
        "wall": float(wall), "rss": int(rss_kb) / 1024, "vocab": e["vocab"],
        "ws353": e["ws353"]["spearman"], "acc": e["analogy"]["accuracy"],
        "coverage": e["analogy"]["coverage"],
        "sem": e["analogy"].get("semantic", {}).get("accuracy", float("nan")),
        "syn": e["analogy"].get("syntactic", {}).get("accuracy", float("nan")),
    })
med = lambda rs, key: statistics.median(r[key] for r in rs)
what = f"median of {repeats} runs" if repeats > 1 else "1 run"
print(f"| system ({what}) | wall s | tokens/s | peak RSS MiB | vocab | WS-353 rho | analogy acc | semantic | syntactic | analogy coverage |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for name, rs in runs.items():
    wall = med(rs, "wall")
    print(f"| {name} | {wall:.1f} | {epochs * tokens / wall:,.0f} | {med(rs, 'rss'):.0f} "
          f"| {med(rs, 'vocab'):.0f} | {med(rs, 'ws353'):.3f} | {100 * med(rs, 'acc'):.1f}% "
          f"| {100 * med(rs, 'sem'):.1f}% | {100 * med(rs, 'syn'):.1f}% "
          f"| {100 * med(rs, 'coverage'):.1f}% |")
EOF
  echo
  echo "tokens/s = epochs x corpus tokens / wall seconds, end to end (start to vectors written)."
  echo "Training commands:"
  echo
  for name in $SYSTEMS; do
    echo "- $name: \`${COMMAND_LINES[$name]% }\`"
  done
}

main() {
  prepare
  run_all
  report | tee "$BENCH_DIR/train_vs.md"
}

main

#!/usr/bin/env bash
# Training speed of every kernel under every instruction set this CPU runs: `w2vd train` on the
# benchmark corpus with the README's settings (skip-gram, negative sampling, dim 100, window 5,
# negative 5, sample 1e-4, min_count 5) and one epoch, for each instruction set (forced with
# W2VD_ISA), kernel (auto, batch, pair) and thread count, rounds interleaved so that machine
# noise hits every cell alike. Prints a Markdown table of the median words/s (and min–max) per
# cell, and the CPU it ran on.
#
#   bench/kernels.sh
#
# Environment:
#   CORPUS       corpus file (W2V_BENCH_DIR/corpus.txt, built by bench/corpus.sh)
#   W2VD_BIN     w2vd binary; when unset, scripts/build builds build/server/w2vd
#   ISAS         instruction sets to run (every one this CPU runs: `w2vd --version` lists them)
#   KERNELS      kernels (auto batch pair)        THREADS  thread counts (1 2)
#   MODEL, LOSS  skipgram|cbow, ns|hs (skipgram, ns); alpha 0.05 for cbow, as the README
#   EPOCHS       epochs per run (1)               REPEATS  rounds (3)
#   OTHERS       the same training by other tools, in the same rounds: "fasttext gensim" (the
#                default when both are installed: scripts/bootstrap --bench), or "" for none.
#                fastText's figure is its own words/sec/thread times the threads; gensim's, the
#                raw words of its epochs over its training time (both from their logs).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly BENCH_DIR=${W2V_BENCH_DIR:-/tmp/w2v-bench}
readonly CORPUS=${CORPUS:-$BENCH_DIR/corpus.txt}
readonly MODEL=${MODEL:-skipgram} LOSS=${LOSS:-ns} EPOCHS=${EPOCHS:-1} REPEATS=${REPEATS:-3}
readonly KERNELS=${KERNELS:-auto batch pair} THREADS=${THREADS:-1 2}
if [[ $MODEL == cbow ]]; then readonly ALPHA=0.05; else readonly ALPHA=0.025; fi

log() { printf 'kernels: %s\n' "$*" >&2; }

[[ -f $CORPUS ]] || "$ROOT/bench/corpus.sh" "$BENCH_DIR" >/dev/null
if [[ -z ${W2VD_BIN:-} ]]; then
  "$ROOT/scripts/build" >/dev/null
  W2VD_BIN=$ROOT/build/server/w2vd
fi

# The instruction sets this CPU runs: those w2vd was compiled with that start when forced.
if [[ -z ${ISAS:-} ]]; then
  ISAS=""
  for isa in $("$W2VD_BIN" --version | sed -n 's/^kernels: .*compiled: //p' |
    sed 's/ ([^)]*)//g'); do
    if W2VD_ISA=$isa "$W2VD_BIN" --version >/dev/null 2>&1; then ISAS+="$isa "; fi
  done
fi

if [[ -z ${OTHERS+set} ]]; then
  OTHERS=""
  command -v fasttext >/dev/null 2>&1 && OTHERS+="fasttext "
  /usr/bin/python3 -c 'import gensim' 2>/dev/null && OTHERS+="gensim "
fi
if [[ $LOSS == hs ]]; then readonly NEGATIVE=0; else readonly NEGATIVE=5; fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# run ISA KERNEL THREADS: prints the words/s `w2vd train` reports for the training itself.
run() {
  W2VD_ISA=$1 "$W2VD_BIN" train --corpus "$CORPUS" --output "$OUT/vectors.bin" --format binary \
    --model "$MODEL" --loss "$LOSS" --dim 100 --window 5 --negative 5 --min-count 5 \
    --sample 1e-4 --epochs "$EPOCHS" --alpha "$ALPHA" --threads "$3" --seed 1 --kernel "$2" \
    2>&1 | sed -n 's/^trained .*(\([0-9]*\) words\/s).*/\1/p'
}

# The same training by gensim, from its log: raw words over the seconds its epochs took.
cat >"$OUT/gensim_words_per_second.py" <<'EOF'
import logging, re, sys
from gensim.models import Word2Vec
corpus, threads, epochs, alpha, model, loss, negative = sys.argv[1:]
seen = []
class Took(logging.Handler):
    def emit(self, record):
        m = re.search(r"training on (\d+) raw words .* took ([0-9.]+)s", record.getMessage())
        if m: seen.append(int(m.group(1)) / float(m.group(2)))
logging.getLogger("gensim").addHandler(Took())
logging.getLogger("gensim").setLevel(logging.INFO)
Word2Vec(corpus_file=corpus, vector_size=100, window=5, negative=int(negative), min_count=5,
         sample=1e-4, epochs=int(epochs), alpha=float(alpha), workers=int(threads),
         sg=int(model == "skipgram"), hs=int(loss == "hs"), seed=1)
print(int(seen[-1]))
EOF

# run_other TOOL THREADS: the words/s TOOL reports for the same training, whole words only.
run_other() {
  case $1 in
    fasttext)
      fasttext "$MODEL" -input "$CORPUS" -output "$OUT/ft" -dim 100 -ws 5 -loss "$LOSS" \
        -neg "$NEGATIVE" -minCount 5 -t 1e-4 -epoch "$EPOCHS" -lr "$ALPHA" -thread "$2" \
        -minn 0 -maxn 0 -verbose 2 2>&1 | tr '\r' '\n' |
        sed -n 's/.*words\/sec\/thread: *\([0-9]*\).*/\1/p' | tail -1 |
        awk -v t="$2" '{ print $1 * t }'
      ;;
    gensim)
      /usr/bin/python3 "$OUT/gensim_words_per_second.py" "$CORPUS" "$2" "$EPOCHS" "$ALPHA" \
        "$MODEL" "$LOSS" "$NEGATIVE" 2>/dev/null
      ;;
  esac
}

declare -A RESULTS=()
for ((round = 1; round <= REPEATS; round++)); do
  for threads in $THREADS; do
    for isa in $ISAS; do
      for kernel in $KERNELS; do
        wps=$(run "$isa" "$kernel" "$threads")
        [[ -n $wps ]] || { log "no words/s from $isa $kernel $threads"; exit 1; }
        RESULTS[$isa,$kernel,$threads]+="$wps "
        log "round $round: $isa $kernel ${threads}t: $wps words/s"
      done
    done
    for tool in $OTHERS; do
      wps=$(run_other "$tool" "$threads")
      [[ -n $wps ]] || { log "no words/s from $tool ${threads}t"; exit 1; }
      RESULTS[$tool,,$threads]+="$wps "
      log "round $round: $tool ${threads}t: $wps words/s"
    done
  done
done

# median MIN-MAX of the numbers given, in thousands.
summary() {
  tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '
    { v[NR] = $1 }
    END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%dk (%dk–%dk)", m / 1000, v[1] / 1000, v[NR] / 1000 }'
}

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
avx512=$(grep -q avx512f /proc/cpuinfo && echo "has AVX-512" || echo "no AVX-512")
echo "CPU: $cpu, $(nproc) cores, $avx512; $MODEL $LOSS, $EPOCHS epoch(s), median of $REPEATS"
echo
header="| ISA | kernel |"
rule="|---|---|"
for threads in $THREADS; do
  header+=" $threads thread(s), words/s |"
  rule+="---|"
done
echo "$header"
echo "$rule"
for isa in $ISAS; do
  for kernel in $KERNELS; do
    row="| $isa | $kernel |"
    for threads in $THREADS; do row+=" $(summary "${RESULTS[$isa,$kernel,$threads]}") |"; done
    echo "$row"
  done
done
for tool in $OTHERS; do
  row="| $tool | |"
  for threads in $THREADS; do row+=" $(summary "${RESULTS[$tool,,$threads]}") |"; done
  echo "$row"
done

#!/usr/bin/env bash
# Training speed with and without subwords: `w2vd train` on the benchmark corpus with the
# README's settings (dim 100, window 5, negative 5, sample 1e-4, min_count 5, one epoch), maxn 0
# (word2vec's model) against maxn 6 (minn 3, bucket 2,000,000: fastText's defaults), for each
# model, rounds interleaved so that machine noise hits both alike; fastText's skipgram and cbow
# with the same settings in the same rounds when it is installed. Prints a Markdown table of
# the median words/s (and min–max) and the ratio of subwords to none, and the CPU.
#
#   bench/subwords.sh
#
# Environment:
#   CORPUS    corpus file (W2V_BENCH_DIR/corpus.txt, built by bench/corpus.sh)
#   W2VD_BIN  w2vd binary; when unset, scripts/build builds build/server/w2vd
#   MODELS    (skipgram cbow)   THREADS (2)   EPOCHS (1)   REPEATS (3)
#   FASTTEXT  0: leave fastText out (1, the default, runs it when installed)
#   BASE_BIN  a second w2vd (e.g. one built before subwords existed) run with maxn 0 only, in
#             the same rounds, to compare today's path before and after
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly BENCH_DIR=${W2V_BENCH_DIR:-/tmp/w2v-bench}
readonly CORPUS=${CORPUS:-$BENCH_DIR/corpus.txt}
readonly MODELS=${MODELS:-skipgram cbow} THREADS=${THREADS:-2} EPOCHS=${EPOCHS:-1}
readonly REPEATS=${REPEATS:-3}

[[ -f $CORPUS ]] || "$ROOT/bench/corpus.sh" "$BENCH_DIR" >/dev/null
if [[ -z ${W2VD_BIN:-} ]]; then
  "$ROOT/scripts/build" >/dev/null
  W2VD_BIN=$ROOT/build/server/w2vd
fi

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

alpha() { if [[ $1 == cbow ]]; then echo 0.05; else echo 0.025; fi; }

# run BIN MODEL MAXN: the words/s `w2vd train` reports for the training itself.
run() {
  local subwords=()
  [[ $3 == 0 ]] || subwords=(--minn 3 --maxn "$3" --bucket 2000000)
  "$1" train --corpus "$CORPUS" --output "$OUT/vectors.bin" --format binary --model "$2" \
    --dim 100 --window 5 --negative 5 --min-count 5 --sample 1e-4 --epochs "$EPOCHS" \
    --alpha "$(alpha "$2")" --threads "$THREADS" --seed 1 "${subwords[@]}" 2>&1 |
    sed -n 's/^trained .*(\([0-9]*\) words\/s).*/\1/p'
}

# fastText's own words/sec/thread times the threads.
run_fasttext() {
  fasttext "$1" -input "$CORPUS" -output "$OUT/ft" -dim 100 -ws 5 -neg 5 -minCount 5 -t 1e-4 \
    -epoch "$EPOCHS" -lr "$(alpha "$1")" -thread "$THREADS" -minn 3 -maxn 6 -bucket 2000000 \
    -verbose 2 2>&1 | tr '\r' '\n' | sed -n 's/.*words\/sec\/thread: *\([0-9]*\).*/\1/p' |
    tail -1 | awk -v t="$THREADS" '{print $1 * t}'
}

cells=()
for model in $MODELS; do
  cells+=("w2vd $model 0" "w2vd $model 6")
  [[ -n ${BASE_BIN:-} ]] && cells+=("base $model 0")
  if [[ ${FASTTEXT:-1} != 0 ]] && command -v fasttext >/dev/null 2>&1; then
    cells+=("fasttext $model 6")
  fi
done

for ((round = 1; round <= REPEATS; ++round)); do
  for cell in "${cells[@]}"; do
    read -r tool model maxn <<<"$cell"
    case $tool in
      w2vd) rate=$(run "$W2VD_BIN" "$model" "$maxn") ;;
      base) rate=$(run "$BASE_BIN" "$model" "$maxn") ;;
      fasttext) rate=$(run_fasttext "$model") ;;
    esac
    echo "$rate" >>"$OUT/${tool}_${model}_${maxn}"
    printf 'subwords: round %d %s %s maxn %s: %s words/s\n' "$round" "$tool" "$model" "$maxn" \
      "$rate" >&2
  done
done

median() { sort -n "$1" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
range() { sort -n "$1" | awk 'NR == 1 {lo = $1} {hi = $1} END {print lo "–" hi}'; }

echo "| tool | model | maxn | words/s (median) | min–max | vs w2vd maxn 0 |"
echo "|---|---|---|---|---|---|"
for cell in "${cells[@]}"; do
  read -r tool model maxn <<<"$cell"
  f=$OUT/${tool}_${model}_${maxn}
  base=$(median "$OUT/w2vd_${model}_0")
  printf '| %s | %s | %s | %s | %s | %.2f |\n' "$tool" "$model" "$maxn" "$(median "$f")" \
    "$(range "$f")" "$(echo "$(median "$f") / $base" | bc -l)"
done
echo
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores;" \
  "threads $THREADS, epochs $EPOCHS, $REPEATS rounds"

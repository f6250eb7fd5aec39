#!/usr/bin/env bash
# Crash consistency, as many trials as asked: each runs a mixed workload (uploads, training,
# imports, deletes, queries) against a real w2vd, kills it with SIGKILL at a random moment,
# restarts it, checks that every acknowledged corpus, model and job survived, and runs
# `w2vd check` (tests/e2e/crash_test.cc; CI runs 3 trials).
#
#   bench/crash.sh [TRIALS] [SEED]        e.g. bench/crash.sh 20
#
# Builds e2e_crash_test into BUILD_DIR (default: build) when missing. Exit status: 0 when every
# trial was clean.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
trials=${1:-20}
seed=${2:-0}
if [[ ! -x "$build_dir/tests/e2e_crash_test" ]]; then
  "$root/scripts/build" >/dev/null
  cmake --build "$build_dir" --target e2e_crash_test w2vd
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
W2V_CRASH_TRIALS=$trials W2V_CRASH_SEED=$seed \
  "$build_dir/tests/e2e_crash_test" --gtest_filter='Crash.*' >"$log" 2>&1 || status=$?
grep -vE '^\[ *(RUN|OK|==========|----------|PASSED) ' "$log" || true
exit "$status"

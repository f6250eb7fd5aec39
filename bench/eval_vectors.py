#!/usr/bin/python3
"""Scores word vectors in word2vec format, the same way for every system, and prints JSON.

    /usr/bin/python3 bench/eval_vectors.py VECTORS [--binary] [--questions FILE] [--pairs FILE]

Run it with Debian's /usr/bin/python3 (python3-gensim). The vectors must be ordered most
frequent first, as word2vec, fastText's .vec, gensim and w2vd write them, because the analogy
test only uses the 30,000 first words.

- Analogies: gensim's evaluate_word_analogies(restrict_vocab=30000, case_insensitive=True),
  which is word2vec's compute-accuracy protocol: a question is answered only when its four
  words are among the 30,000 most frequent; the answer is the nearest word by cosine to
  b - a + c, excluding a, b and c. "accuracy" is over the answered questions, "coverage" is
  answered / all questions in the file.
- Word similarity: gensim's evaluate_word_pairs(case_insensitive=True) on a tab-separated
  "word1<TAB>word2<TAB>score" file (lines starting with '#' are skipped; a header line whose
  score is not a number is skipped too). Pairs with an unknown word are left out and counted
  in "oov_percent".
"""

import argparse
import json
import logging
import os
import sys
import tempfile

from gensim.models import KeyedVectors

EVAL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "eval")
RESTRICT_VOCAB = 30000


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("vectors", help="word2vec-format vectors, most frequent word first")
    p.add_argument("--binary", action="store_true", help="the vectors are word2vec binary")
    p.add_argument("--questions", default=os.path.join(EVAL_DIR, "questions-words.txt"),
                   help="analogy questions (questions-words.txt format)")
    p.add_argument("--pairs", default=os.path.join(EVAL_DIR, "wordsim353.tsv"),
                   help="word pairs with a human score, tab separated")
    p.add_argument("--verbose", action="store_true", help="log gensim's progress on stderr")
    return p.parse_args()


def count_questions(path):
    with open(path, encoding="utf-8") as f:
        return sum(1 for line in f if line.strip() and not line.startswith(":"))


def analogies(kv, path):
    score, sections = kv.evaluate_word_analogies(
        path, restrict_vocab=RESTRICT_VOCAB, case_insensitive=True)
    total = next(s for s in sections if s["section"] == "Total accuracy")
    correct, incorrect = len(total["correct"]), len(total["incorrect"])
    questions = count_questions(path)

    def part(syntactic):
        # questions-words.txt's syntactic sections are named "gram<n>-..."; the others semantic
        chosen = [s for s in sections if s["section"] != "Total accuracy"
                  and s["section"].startswith("gram") == syntactic]
        right = sum(len(s["correct"]) for s in chosen)
        answered = right + sum(len(s["incorrect"]) for s in chosen)
        return {"accuracy": right / answered if answered else 0.0, "answered": answered}

    return {
        "accuracy": score,
        "semantic": part(False),
        "syntactic": part(True),
        "correct": correct,
        "answered": correct + incorrect,
        "questions": questions,
        "coverage": (correct + incorrect) / questions if questions else 0.0,
        "restrict_vocab": RESTRICT_VOCAB,
    }


def clean_pairs(path, out):
    """Copies the pair lines gensim can read (three tab-separated fields, numeric score)."""
    kept = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\r\n").split("\t")
            if line.startswith("#") or len(fields) != 3:
                continue
            try:
                float(fields[2])
            except ValueError:
                continue  # a header line
            out.write("\t".join(fields) + "\n")
            kept += 1
    out.flush()
    return kept


def word_pairs(kv, path):
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", encoding="utf-8") as tmp:
        pairs = clean_pairs(path, tmp)
        pearson, spearman, oov_percent = kv.evaluate_word_pairs(
            tmp.name, delimiter="\t", case_insensitive=True)
    return {
        "spearman": float(spearman[0]),
        "spearman_pvalue": float(spearman[1]),
        "pearson": float(pearson[0]),
        "pairs": pairs,
        "oov_percent": float(oov_percent),
    }


def main():
    args = parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    kv = KeyedVectors.load_word2vec_format(args.vectors, binary=args.binary)
    result = {
        "vectors": os.path.abspath(args.vectors),
        "vocab": len(kv.index_to_key),
        "dim": kv.vector_size,
        "analogy": analogies(kv, args.questions),
        "ws353": word_pairs(kv, args.pairs),
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

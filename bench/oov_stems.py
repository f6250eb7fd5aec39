#!/usr/bin/python3
"""Words never seen: do their nearest vocabulary words share their stems? Holds inflected words
back from the benchmark corpus, trains subword models without them, and asks a real w2vd for
their neighbours as out-of-vocabulary words.

    bench/oov_stems.py [--w2vd build/server/w2vd] [--held-back 200] [--systems w2vd,fasttext,gensim]

1. Counts the corpus's words and picks HELD_BACK inflected words (seeded): a lowercase word of
   20 to 500 occurrences that is a stem of at least 4 letters and 50 occurrences plus one of
   the suffixes -s, -ed, -ing, -er, -ly ("walking": "walk" + "ing").
2. Writes the corpus without every line that holds one of them, so that no model sees them.
3. Trains each system on it with train_vs.sh's settings (skip-gram, ns, dim 100, window 5,
   negative 5, min_count 5, sample 1e-4, 3 epochs, 2 threads) and character n-grams 3 to 6 in
   2,000,000 buckets, each writing a fastText .bin: `w2vd train --format fasttext`,
   `fasttext skipgram`, gensim's FastText with `save_facebook_model`.
4. Imports every .bin into one w2vd (POST /v1/models?format=fasttext) and asks for the top 10
   neighbours of each held-back word (POST /batch/similar, exact search), through the Python
   client (client/python). So the three models are queried by the same code, w2vd's.

Prints a Markdown table (also written to BENCH_DIR/oov_stems.md): per system the training time,
how many held-back words have a vector (a known n-gram), and among those: how often the first
neighbour starts with the word's stem, how often one of the ten does, the mean share of the ten
that do, and how often the stem itself is among them; "chance" is the share of the vocabulary
that starts with the stem, averaged. Then a few words with their first neighbours.
BENCH_DIR is $W2V_BENCH_DIR (default /tmp/w2v-bench); the corpus is BENCH_DIR/corpus.txt
(bench/corpus.sh builds it).
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "client", "python"))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))

import w2vd  # noqa: E402
from daemon import Daemon  # noqa: E402

SUFFIXES = ("s", "ed", "ing", "er", "ly")
DIM, WINDOW, NEGATIVE, MIN_COUNT, SAMPLE, EPOCHS, ALPHA, SEED = 100, 5, 5, 5, "1e-4", 3, 0.025, 1
MINN, MAXN, BUCKET = 3, 6, 2_000_000


def pick_held_back(counts: collections.Counter, n: int, seed: int) -> dict[str, str]:
    """n inflected words (word -> stem), each word's stem frequent and the word itself not rare."""
    candidates = {}
    for word, count in counts.items():
        if not (20 <= count <= 500) or not word.isalpha() or not word.islower():
            continue
        for suffix in SUFFIXES:
            stem = word[: -len(suffix)]
            if word.endswith(suffix) and len(stem) >= 4 and counts.get(stem, 0) >= 50:
                candidates[word] = stem
                break
    words = sorted(candidates)
    random.Random(seed).shuffle(words)
    return {w: candidates[w] for w in sorted(words[:n])}


def write_held_out_corpus(corpus: str, out: str, held: set[str],
                          kept_counts: collections.Counter) -> tuple[int, int, int]:
    """Copies corpus to out without the lines that hold a held-back word, counting the words
    kept; returns the lines and tokens kept and the lines dropped."""
    kept = tokens = dropped = 0
    with open(corpus, encoding="utf-8", errors="replace") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            words = line.split()
            if any(w in held for w in words):
                dropped += 1
                continue
            dst.write(line)
            kept_counts.update(words)
            kept += 1
            tokens += len(words)
    return kept, tokens, dropped


def train_w2vd(binary: str, corpus: str, stem: str, threads: int) -> list[str]:
    return [binary, "train", "--corpus", corpus, "--output", stem + ".bin", "--format", "fasttext",
            "--model", "skipgram", "--loss", "ns", "--dim", str(DIM), "--window", str(WINDOW),
            "--negative", str(NEGATIVE), "--min-count", str(MIN_COUNT), "--sample", SAMPLE,
            "--epochs", str(EPOCHS), "--alpha", str(ALPHA), "--threads", str(threads),
            "--seed", str(SEED), "--minn", str(MINN), "--maxn", str(MAXN), "--bucket", str(BUCKET)]


def train_fasttext(corpus: str, stem: str, threads: int) -> list[str]:
    return ["fasttext", "skipgram", "-input", corpus, "-output", stem, "-dim", str(DIM),
            "-ws", str(WINDOW), "-loss", "ns", "-neg", str(NEGATIVE), "-minCount", str(MIN_COUNT),
            "-t", SAMPLE, "-epoch", str(EPOCHS), "-lr", str(ALPHA), "-thread", str(threads),
            "-minn", str(MINN), "-maxn", str(MAXN), "-bucket", str(BUCKET), "-seed", str(SEED),
            "-verbose", "1"]


GENSIM_TRAINER = """
import sys
from gensim.models import FastText
from gensim.models.fasttext import save_facebook_model
corpus, out, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
m = FastText(corpus_file=corpus, vector_size=%d, window=%d, negative=%d, min_count=%d,
             sample=%s, epochs=%d, alpha=%s, workers=threads, sg=1, hs=0, seed=%d,
             min_n=%d, max_n=%d, bucket=%d)
save_facebook_model(m, out)
""" % (DIM, WINDOW, NEGATIVE, MIN_COUNT, SAMPLE, EPOCHS, ALPHA, SEED, MINN, MAXN, BUCKET)


def train_gensim(corpus: str, stem: str, threads: int) -> list[str]:
    return ["/usr/bin/python3", "-c", GENSIM_TRAINER, corpus, stem + ".bin", str(threads)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--w2vd", default=os.path.join(ROOT, "build", "server", "w2vd"))
    ap.add_argument("--held-back", type=int, default=200, help="inflected words held back")
    ap.add_argument("--systems", default="w2vd,fasttext,gensim")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1, help="which words are held back")
    args = ap.parse_args()

    bench_dir = os.environ.get("W2V_BENCH_DIR", "/tmp/w2v-bench")
    corpus = os.path.join(bench_dir, "corpus.txt")
    if not os.path.exists(corpus):
        subprocess.run([os.path.join(ROOT, "bench", "corpus.sh"), bench_dir], check=True, stdout=sys.stderr)
    out = os.path.join(bench_dir, "oov_stems")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)

    counts: collections.Counter = collections.Counter()
    with open(corpus, encoding="utf-8", errors="replace") as f:
        for line in f:
            counts.update(line.split())
    held = pick_held_back(counts, args.held_back, args.seed)
    held_corpus = os.path.join(out, "corpus-held-out.txt")
    kept_counts: collections.Counter = collections.Counter()
    kept, tokens, dropped = write_held_out_corpus(corpus, held_corpus, set(held), kept_counts)
    # The vocabulary every system keeps (min_count), for the chance a word starts with a stem.
    vocabulary = [w for w, c in kept_counts.items() if c >= MIN_COUNT]
    chance = {w: sum(v.startswith(stem) for v in vocabulary) / len(vocabulary) for w, stem in held.items()}
    print(f"oov_stems: {len(held)} words held back; {dropped} lines dropped, {kept} lines "
          f"({tokens} tokens) kept", file=sys.stderr)

    trainers = {"w2vd": lambda s: train_w2vd(args.w2vd, held_corpus, s, args.threads),
                "fasttext": lambda s: train_fasttext(held_corpus, s, args.threads),
                "gensim": lambda s: train_gensim(held_corpus, s, args.threads)}
    systems = [s for s in args.systems.split(",") if s]
    for s in systems:
        if s not in trainers:
            ap.error(f"unknown system {s!r} (known: {', '.join(trainers)})")
    seconds, commands = {}, {}
    for s in systems:
        stem = os.path.join(out, s)
        cmd = trainers[s](stem)
        commands[s] = " ".join(cmd if s != "gensim" else cmd[:2] + ["<FastText trainer>"] + cmd[3:])
        print(f"oov_stems: training {s}", file=sys.stderr)
        start = time.perf_counter()
        with open(stem + ".log", "w") as log:
            subprocess.run(cmd, check=True, stdout=log, stderr=subprocess.STDOUT)
        seconds[s] = time.perf_counter() - start

    os.environ["W2VD_BIN"] = args.w2vd
    daemon = Daemon(os.path.join(out, "data"))
    rows, examples = [], {}
    try:
        client = w2vd.Client(daemon.url)
        queries = sorted(held)
        for s in systems:
            model = client.import_model(os.path.join(out, s + ".bin"), name=s, format="fasttext")
            for w in queries[:10]:
                if w in model and not model.is_oov(w):
                    raise SystemExit(f"oov_stems: {w} is in {s}'s vocabulary")
            answers = model.most_similar_batch(queries, topn=10, exact=True)
            answered = top1 = any10 = stem_in10 = 0
            share = by_chance = 0.0
            for w in queries:
                neighbours = answers.get(w)
                if neighbours is None:
                    continue
                stem = held[w]
                words = [n for n, _ in neighbours]
                answered += 1
                top1 += words[0].startswith(stem)
                hits = sum(n.startswith(stem) for n in words)
                any10 += hits > 0
                share += hits / len(words)
                stem_in10 += stem in words
                by_chance += chance[w]
            n = max(answered, 1)
            rows.append((s, seconds[s], answered, len(queries), top1 / n, any10 / n, share / n,
                         stem_in10 / n, by_chance / n))
            examples[s] = {w: [x for x, _ in answers[w][:5]] for w in queries[:: max(1, len(queries) // 6)][:6]
                           if answers.get(w)}
    finally:
        daemon.stop(signal.SIGTERM)

    lines = [f"Corpus: {corpus} without the {dropped} lines that hold one of {len(held)} held-back "
             f"words ({kept} lines, {tokens} tokens kept). Skip-gram, ns, dim {DIM}, window {WINDOW}, "
             f"negative {NEGATIVE}, min_count {MIN_COUNT}, sample {SAMPLE}, {EPOCHS} epochs, "
             f"{args.threads} threads, n-grams {MINN}-{MAXN} in {BUCKET:,} buckets. Neighbours: top 10 "
             f"by w2vd's exact search, the held-back word's vector composed from its n-grams.", "",
             "| system | train s | words with a vector | top 1 shares the stem | one of top 10 does "
             "| share of top 10 | stem in top 10 | chance |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s, sec, answered, total, t1, a10, sh, st, ch in rows:
        lines.append(f"| {s} | {sec:.1f} | {answered}/{total} | {t1:.1%} | {a10:.1%} | {sh:.1%} | "
                     f"{st:.1%} | {ch:.2%} |")
    lines += ["", "Examples (held-back word: its first five neighbours):", ""]
    for s, ex in examples.items():
        for w, ns in ex.items():
            lines.append(f"- {s}, **{w}** ({held[w]}): {', '.join(ns)}")
    lines += ["", "Training commands:", ""] + [f"- {s}: `{c}`" for s, c in commands.items()]
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(bench_dir, "oov_stems.md"), "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

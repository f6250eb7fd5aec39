#!/usr/bin/python3
"""Python client throughput: 10,000 vector lookups and 10,000 neighbour queries, one call at a
time (GET /words/{w}, POST /similar) against batched (POST /batch/vectors, /batch/similar,
1000 words a request), through the w2vd package (client/python) against a real w2vd.

    bench/python_client.py [--w2vd build/server/w2vd] [--words 20000] [--dim 100] [-n 10000]

Starts its own w2vd on a free loopback port with a data directory under $W2V_BENCH_DIR (default
/tmp/w2v-bench), imports a random model (a synthetic one: what is measured is the round trips,
not the vectors' quality), and prints the rates and their ratios. Exit status 1 when a batched
rate is under 10 times its one-at-a-time rate.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import struct
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "client", "python"))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))

import w2vd  # noqa: E402
from daemon import Daemon  # noqa: E402


def write_random_model(path: str, n: int, dim: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(n)]
    with open(path, "wb") as f:
        f.write(f"{n} {dim}\n".encode())
        for w in words:
            f.write(w.encode() + b" " + struct.pack(f"<{dim}f", *(rng.gauss(0, 1) for _ in range(dim))) + b"\n")
    return words


def rate(label: str, n: int, fn) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    r = n / seconds
    print(f"{label:<36} {n:>6} in {seconds:7.2f} s  {r:10.0f} /s")
    return r


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--w2vd", default=os.path.join(ROOT, "build", "server", "w2vd"))
    ap.add_argument("--words", type=int, default=20000, help="the model's vocabulary")
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("-n", type=int, default=10000, help="lookups and queries of each kind")
    ap.add_argument("-k", type=int, default=10, help="neighbours per query")
    args = ap.parse_args()

    bench_dir = os.path.join(os.environ.get("W2V_BENCH_DIR", "/tmp/w2v-bench"), "python_client")
    shutil.rmtree(bench_dir, ignore_errors=True)
    os.makedirs(bench_dir)
    os.environ["W2VD_BIN"] = args.w2vd
    daemon = Daemon(os.path.join(bench_dir, "data"))
    try:
        client = w2vd.Client(daemon.url)
        vocab = write_random_model(os.path.join(bench_dir, "model.bin"), args.words, args.dim)
        model = client.import_model(os.path.join(bench_dir, "model.bin"), name="bench")
        rng = random.Random(1)
        queries = [rng.choice(vocab) for _ in range(args.n)]
        model.most_similar(queries[0])  # loads the model before anything is timed
        print(f"w2vd {daemon.url}, model {args.words} words x dim {args.dim}, k {args.k}")
        one_v = rate("vectors, one call per word", args.n, lambda: [model.get_vector(w) for w in queries])
        batch_v = rate("vectors, batched (1000 a call)", args.n, lambda: model.vectors(queries))
        one_s = rate("neighbours, one call per word", args.n,
                     lambda: [model.most_similar(w, topn=args.k) for w in queries])
        batch_s = rate("neighbours, batched (1000 a call)", args.n,
                       lambda: model.most_similar_batch(queries, topn=args.k))
        print(f"batched / one at a time: vectors {batch_v / one_v:.1f}x, neighbours {batch_s / one_s:.1f}x")
        return 0 if batch_v >= 10 * one_v and batch_s >= 10 * one_s else 1
    finally:
        daemon.stop(signal.SIGTERM)


if __name__ == "__main__":
    sys.exit(main())

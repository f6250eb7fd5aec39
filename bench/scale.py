#!/usr/bin/python3
"""w2vd at the scale its users serve: a generated model of a million words × 300 (GoogleNews
and fastText's crawl vectors are of this size) and an upload of tens of millions of distinct
tokens, each w2vd binary given measured in the same run, with gensim's KeyedVectors on the
same queries.

    bench/scale.py [--w2vd BIN ...] [--words 1000000] [--dim 300] [--queries 1000]
                   [--index-threads 1,2] [--count-tokens 160000000] [--no-gensim]

For each binary (a fresh data directory, a free loopback port, its defaults otherwise):
  import   POST /v1/models of the word2vec binary file: wall time, peak RSS after;
  load     the first exact GET /similar (the model is read from disk): latency;
  exact    --queries exact top-10 queries of random words: p50, p99;
  approx   for each --index-threads T (a daemon started with --index-threads T when the binary
           has that flag; the index file removed between runs): the first exact=false query's
           latency and the search that answered it, the time until the index is ready (the model
           record's index state; a binary without one builds while the first query waits),
           then the same queries with exact=false: p50, p99, recall@10 against exact;
  reload   the daemon restarted (what an eviction leaves: the files, in the page cache): the
           first query's latency, and the peak RSS after it;
  count    (--count-tokens N > 0) a corpus of N distinct tokens uploaded: time, peak RSS
           before and after, spills (/metrics).
gensim: KeyedVectors.load_word2vec_format (binary) and most_similar(topn=10) on the first
--gensim-queries of the same words.

The model is generated, never downloaded: --words vectors around words/100 random centres (a
clustered set, as trained vectors are; a uniform random set is HNSW's worst case), kept in
$W2V_BENCH_DIR (default /tmp/w2v-bench) between runs, as is the token corpus.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from typing import Any, Dict, List, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))

from daemon import Daemon  # noqa: E402

BENCH_DIR = os.environ.get("W2V_BENCH_DIR", "/tmp/w2v-bench")


def generate_model(path: str, words: int, dim: int, seed: int = 7) -> None:
    """A word2vec binary file of `words` clustered vectors, written in chunks."""
    import numpy as np

    if os.path.exists(path):
        return
    print(f"# writing {words} x {dim} to {path}", file=sys.stderr)
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(1, words // 100), dim)).astype(np.float32)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(f"{words} {dim}\n".encode())
        for start in range(0, words, 50_000):
            n = min(50_000, words - start)
            rows = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.standard_normal((n, dim)).astype(np.float32)
            data = rows.astype("<f4").tobytes()
            width = dim * 4
            f.write(b"".join(f"w{start + i} ".encode() + data[i * width:(i + 1) * width] + b"\n" for i in range(n)))
    os.replace(tmp, path)


def generate_tokens(path: str, tokens: int) -> None:
    """tok1 .. tokN, one per line (the corpus bench/count_memory.sh uses)."""
    if not os.path.exists(path):
        print(f"# writing {tokens} distinct tokens to {path}", file=sys.stderr)
        with open(path + ".tmp", "wb") as out:
            subprocess.run(["seq", "-f", "tok%.0f", "1", str(tokens)], stdout=out, check=True)
        os.replace(path + ".tmp", path)


def peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Api:
    """One keep-alive connection to a daemon."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)

    def call(self, method: str, target: str, body: Any = None, headers: Optional[Dict[str, str]] = None) -> Any:
        self.conn.request(method, target, body=body, headers=headers or {})
        resp = self.conn.getresponse()
        data = resp.read()
        if resp.status >= 300:
            raise RuntimeError(f"{method} {target}: {resp.status} {data[:300]!r}")
        return json.loads(data) if data else None

    def text(self, target: str) -> str:
        self.conn.request("GET", target)
        return self.conn.getresponse().read().decode()

    def upload(self, target: str, path: str) -> Any:
        with open(path, "rb") as f:
            headers = {"Content-Type": "application/octet-stream", "Content-Length": str(os.path.getsize(path))}
            return self.call("POST", target, f, headers)

    def similar(self, model: str, word: str, exact: bool) -> Any:
        return self.call("GET", f"/v1/models/{model}/similar?word={word}&k=10&exact={'true' if exact else 'false'}")


def timed(fn) -> Tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def percentiles(seconds: Sequence[float]) -> Tuple[float, float]:
    ms = sorted(s * 1000 for s in seconds)
    return statistics.median(ms), ms[min(len(ms) - 1, int(0.99 * len(ms)))]


def has_flag(binary: str, flag: str) -> bool:
    out = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    return flag in out


def index_state(record: Dict[str, Any]) -> Optional[str]:
    index = record.get("index")
    return index.get("state") if isinstance(index, dict) else None


def measure_binary(binary: str, model_file: str, words: List[str], threads: List[int], count_file: Optional[str],
                   rows: List[List[str]]) -> None:
    os.environ["W2VD_BIN"] = binary
    data = os.path.join(BENCH_DIR, "scale-data")
    shutil.rmtree(data, ignore_errors=True)
    name = os.path.relpath(binary, ROOT) if binary.startswith(ROOT) else binary

    def row(what: str, value: str) -> None:
        rows.append([name, what, value])
        print(f"| {name} | {what} | {value} |", flush=True)

    daemon = Daemon(data)
    try:
        api = Api(daemon.port)
        secs, record = timed(lambda: api.upload("/v1/models?name=scale&format=binary", model_file))
        model = record["id"]
        row("import", f"{secs:.1f} s, peak RSS {peak_rss_mib(daemon.proc.pid):,.0f} MiB")
        secs, _ = timed(lambda: api.similar(model, words[0], True))
        row("first load (first exact query)", f"{secs:.2f} s, peak RSS {peak_rss_mib(daemon.proc.pid):,.0f} MiB")
        exact_results = {}
        latencies = []
        for w in words:
            secs, out = timed(lambda: api.similar(model, w, True))
            latencies.append(secs)
            exact_results[w] = [r["word"] for r in out["results"]]
        p50, p99 = percentiles(latencies)
        row(f"exact top-10 ({len(words)} queries)", f"p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    finally:
        daemon.stop(signal.SIGTERM)

    threads_flag = has_flag(binary, "--index-threads")
    for t in (threads if threads_flag else [0]) if threads else []:
        hnsw = os.path.join(data, "models", model, "hnsw.bin")
        if os.path.exists(hnsw):
            os.remove(hnsw)
        daemon = Daemon(data, ["--index-threads", str(t)] if t else [])
        label = f"{t} index threads" if t else "index (the binary's own threads)"
        try:
            api = Api(daemon.port)
            api.similar(model, words[0], True)  # loaded before the index is asked for
            start = time.perf_counter()
            secs, first = timed(lambda: api.similar(model, words[1], False))
            row(f"{label}: first exact=false query", f"{secs * 1000:.0f} ms, answered by {first.get('search')} search")
            while index_state(api.call("GET", f"/v1/models/{model}")) not in (None, "ready", "failed"):
                time.sleep(0.5)
            state = index_state(api.call("GET", f"/v1/models/{model}"))
            built = time.perf_counter() - start
            row(f"{label}: index built", f"{built:.1f} s" + (f" (state {state})" if state else ""))
            latencies, hits = [], 0
            for w in words:
                secs, out = timed(lambda: api.similar(model, w, False))
                latencies.append(secs)
                hits += len(set(r["word"] for r in out["results"]) & set(exact_results[w]))
            p50, p99 = percentiles(latencies)
            row(f"{label}: approximate top-10", f"p50 {p50:.2f} ms, p99 {p99:.2f} ms, "
                f"recall@10 {hits / (10 * len(words)):.4f}")
        finally:
            daemon.stop(signal.SIGTERM)

    daemon = Daemon(data)
    try:
        api = Api(daemon.port)
        secs, _ = timed(lambda: api.similar(model, words[2], True))
        row("load after a restart (files in the page cache)",
            f"{secs:.2f} s, peak RSS {peak_rss_mib(daemon.proc.pid):,.0f} MiB")
        if count_file:
            before = peak_rss_mib(daemon.proc.pid)
            secs, record = timed(lambda: api.upload("/v1/corpora?name=distinct", count_file))
            after = peak_rss_mib(daemon.proc.pid)
            spills = next((line.split()[1] for line in api.text("/metrics").splitlines()
                           if line.startswith("w2vd_upload_count_spills_total ")), "n/a")
            row(f"count {os.path.getsize(count_file) / 1e6:,.0f} MB of distinct tokens",
                f"{secs:.0f} s, peak RSS {before:,.0f} -> {after:,.0f} MiB, "
                f"{record.get('distinct_words')} distinct words, {spills} spills")
    finally:
        daemon.stop(signal.SIGTERM)


def measure_gensim(model_file: str, words: List[str], rows: List[List[str]]) -> None:
    from gensim.models import KeyedVectors

    secs, kv = timed(lambda: KeyedVectors.load_word2vec_format(model_file, binary=True))
    rows.append(["gensim", "load_word2vec_format", f"{secs:.1f} s"])
    print(f"| gensim | load | {secs:.1f} s |", flush=True)
    kv.fill_norms()
    latencies = [timed(lambda: kv.most_similar(w, topn=10))[0] for w in words]
    p50, p99 = percentiles(latencies)
    rows.append(["gensim", f"most_similar ({len(words)} queries)", f"p50 {p50:.2f} ms, p99 {p99:.2f} ms"])
    print(f"| gensim | most_similar | p50 {p50:.2f} ms, p99 {p99:.2f} ms |", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--w2vd", action="append", help="a w2vd binary (repeat to compare; default build/server/w2vd)")
    ap.add_argument("--words", type=int, default=1_000_000)
    ap.add_argument("--dim", type=int, default=300)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--gensim-queries", type=int, default=100)
    ap.add_argument("--index-threads", default="1,2", help="comma-separated thread counts for the index build (empty: no approximate search)")
    ap.add_argument("--count-tokens", type=int, default=0, help="distinct tokens to upload (160000000: about 2 GB)")
    ap.add_argument("--no-gensim", action="store_true")
    args = ap.parse_args()

    os.makedirs(BENCH_DIR, exist_ok=True)
    model_file = os.path.join(BENCH_DIR, f"scale-{args.words}x{args.dim}.bin")
    generate_model(model_file, args.words, args.dim)
    count_file = None
    if args.count_tokens > 0:
        count_file = os.path.join(BENCH_DIR, f"distinct-{args.count_tokens}.txt")
        generate_tokens(count_file, args.count_tokens)
    rng = random.Random(3)
    words = [f"w{rng.randrange(args.words)}" for _ in range(args.queries)]
    threads = [int(t) for t in args.index_threads.split(",") if t]

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    avx512 = "avx512f" in open("/proc/cpuinfo").read()
    print(f"# {args.words} x {args.dim}, {cpu}, {os.cpu_count()} cores, AVX-512: {'yes' if avx512 else 'no'}")
    print("| w2vd | measure | value |\n|---|---|---|")
    rows: List[List[str]] = []
    for binary in args.w2vd or [os.path.join(ROOT, "build", "server", "w2vd")]:
        measure_binary(os.path.abspath(binary), model_file, words, threads, count_file, rows)
    if not args.no_gensim:
        measure_gensim(model_file, words[: args.gensim_queries], rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""gensim's most_similar(word, topn=10) latency on a word2vec binary file, per query (p50, p99),
for the same kind of queries as query_latency_bench: random words among the 10,000 most
frequent.

    /usr/bin/python3 bench/gensim_query_latency.py VECTORS.bin [QUERIES]
"""
import random
import sys
import time

from gensim.models import KeyedVectors

kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=True)
queries = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
random.seed(2)
words = [kv.index_to_key[random.randrange(min(10000, len(kv)))] for _ in range(queries)]
kv.fill_norms()
for w in words[:200]:
    kv.most_similar(w, topn=10)
ms = []
start = time.perf_counter()
for w in words:
    t0 = time.perf_counter()
    kv.most_similar(w, topn=10)
    ms.append(1000 * (time.perf_counter() - t0))
total = time.perf_counter() - start
ms.sort()
print(f"gensim {len(kv)} words x {kv.vector_size}: per query p50 {ms[len(ms) // 2]:.3f} ms, "
      f"p99 {ms[int(0.99 * (len(ms) - 1))]:.3f} ms ({queries / total:.0f} queries/s)")

"""A synthetic corpus with planted structure (as tests/support/planted_corpus.h): topic
sentences whose words are each other's neighbours once trained, and relation words
r<role>e<entity> that form analogies (r0e1 - r0e2 + r1e2 ~ r1e1). Deterministic for a seed."""

from __future__ import annotations

import random
from typing import List, Tuple


def topic_word(t: int, i: int) -> str:
    return f"t{t}w{i}"


def relation_word(r: int, e: int) -> str:
    return f"r{r}e{e}"


def sentences(
    topics: int = 6, topic_words: int = 20, topic_sentences: int = 5000, roles: int = 3, entities: int = 6,
    per_word: int = 200, seed: int = 7,
) -> List[List[str]]:
    rng = random.Random(seed)
    out = [[topic_word(t, rng.randrange(topic_words)) for _ in range(12)]
           for t in (rng.randrange(topics) for _ in range(topic_sentences))]
    for r in range(roles):
        for e in range(entities):
            for _ in range(per_word):
                line = []
                for i in range(9):
                    if i == 4:
                        line.append(relation_word(r, e))
                    elif rng.randrange(2) == 0:
                        line.append(f"role{r}c{rng.randrange(8)}")
                    else:
                        line.append(f"ent{e}c{rng.randrange(8)}")
                out.append(line)
    rng.shuffle(out)
    return out


def analogies(roles: int = 3, entities: int = 6) -> List[Tuple[str, str, str, str]]:
    """Questions a b c d: a is to b as c is to d."""
    return [(relation_word(r1, e1), relation_word(r2, e1), relation_word(r1, e2), relation_word(r2, e2))
            for r1 in range(roles) for r2 in range(roles) if r1 != r2
            for e1 in range(entities) for e2 in range(entities) if e1 != e2]


def text(**kwargs: int) -> str:
    return "".join(" ".join(s) + "\n" for s in sentences(**kwargs))

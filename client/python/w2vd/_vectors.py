"""Vectors as numpy arrays when numpy is installed, lists of floats otherwise; and the little
arithmetic the client does itself (doesnt_match)."""

from __future__ import annotations

import math
from typing import Any, List, Sequence

try:
    import numpy as _np
except ImportError:  # pragma: no cover - exercised only without numpy
    _np = None


def vector(values: Sequence[float]) -> Any:
    """A float32 numpy array, or the list itself without numpy."""
    if _np is not None:
        return _np.asarray(values, dtype=_np.float32)
    return list(values)


def stack(rows: List[Any]) -> Any:
    """A 2-D float32 array of rows, or a list of lists without numpy."""
    if _np is not None:
        return _np.vstack(rows) if rows else _np.zeros((0, 0), dtype=_np.float32)
    return [list(r) for r in rows]


def unit(v: Sequence[float]) -> List[float]:
    n = math.sqrt(sum(float(x) * float(x) for x in v))
    return [float(x) / n for x in v] if n > 0 else [0.0 for _ in v]


def odd_one_out(words: List[str], rows: List[Sequence[float]]) -> str:
    """gensim's doesnt_match: the word whose unit vector is least similar to the normalised
    mean of the unit vectors."""
    units = [unit(r) for r in rows]
    dim = len(units[0])
    mean = unit([sum(u[i] for u in units) / len(units) for i in range(dim)])
    scores = [(sum(a * b for a, b in zip(u, mean)), w) for u, w in zip(units, words)]
    return min(scores)[1]

"""The server's resources as Python objects: :class:`Corpus`, :class:`Job` and :class:`Model`.

Each wraps the record the server answered (``.record``, a dict as docs/api.md gives it) and
the :class:`w2vd.Client` it came from; attribute access reads the record (``job.status``,
``model.dim``). ``refresh()`` fetches the record again.
"""

from __future__ import annotations

import json as _json
import os
import tempfile
import time
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union
from urllib.parse import quote

from . import _vectors
from ._progress import Bar, ProgressArg
from .errors import ConnectionFailed, JobFailed, NotFound, error_for

if TYPE_CHECKING:
    from .client import Client

#: The server's bounds on a batch call (proto/requests.h).
MAX_BATCH_WORDS = 1000
MAX_BATCH_RESULTS = 100_000

TERMINAL = ("succeeded", "failed", "cancelled")


class _Resource:
    _path = ""

    def __init__(self, client: "Client", record: Dict[str, Any]) -> None:
        self.client = client
        self.record = record

    @property
    def id(self) -> str:
        """The server's id (``c_…``, ``j_…``, ``m_…``)."""
        return str(self.record["id"])

    def __getattr__(self, name: str) -> Any:
        record = self.__dict__.get("record", {})
        if name in record:
            return record[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def refresh(self) -> "_Resource":
        """Fetches the record again; returns self."""
        self.record = self.client._http.json("GET", f"{self._path}/{self.id}")
        return self

    def delete(self) -> None:
        """Deletes it on the server (409 :class:`w2vd.Conflict` while a job uses it)."""
        self.client._http.request("DELETE", f"{self._path}/{self.id}")

    def __repr__(self) -> str:
        name = self.record.get("name")
        return f"<{type(self).__name__} {self.id}" + (f" {name!r}>" if name else ">")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and other.id == self.id

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.id))


class Corpus(_Resource):
    """An uploaded corpus: ``.id``, ``.name``, ``.tokens``, ``.sentences``, ``.words``, …"""

    _path = "/v1/corpora"


class Job(_Resource):
    """A training job. ``.status`` is ``queued``, ``running``, ``succeeded``, ``failed`` or
    ``cancelled``; ``.progress`` the live progress record."""

    _path = "/v1/jobs"

    @property
    def done(self) -> bool:
        """Whether the job has ended (as of the record held)."""
        return self.record.get("status") in TERMINAL

    def events(self) -> Iterator[Dict[str, Any]]:
        """The job's records as it runs (at least one a second, from the server's event stream),
        the last one the final record. A broken stream is reconnected (reading it is safe);
        :class:`w2vd.ConnectionFailed` after the client's retries."""
        failures = 0
        while True:
            try:
                r = self.client._http.request(
                    "GET", f"/v1/jobs/{self.id}/events", stream=True, timeout=self.client._http.timeout
                )
                event = ""
                with r:
                    for raw in self.client._http.lines(r):
                        line = raw.decode("utf-8", "replace")
                        if line.startswith("event:"):
                            event = line[6:].strip()
                        elif line.startswith("data:"):
                            data = _json.loads(line[5:].strip())
                            failures = 0
                            if event == "error":  # the job vanished while followed
                                err = data.get("error", {})
                                raise error_for(404, err.get("code", ""), err.get("message", ""))
                            self.record = data
                            yield data
                            if event == "end":
                                return
                # The stream closed without an end: the server went away or restarts.
                raise ConnectionFailed(f"the event stream of job {self.id} closed before its end")
            except ConnectionFailed:
                failures += 1
                if failures > self.client._http.retries:
                    raise
                time.sleep(min(0.5 * failures, 2.0))

    def wait(self, progress: ProgressArg = None, timeout: Optional[float] = None) -> "Model":
        """Waits for the job to end and returns its :class:`Model`; raises :class:`w2vd.JobFailed`
        when it fails or is cancelled. progress: a bar over the epochs (``None``: when
        interactive, ``True``/``False``: always/never, or a tqdm-like object)."""
        start = time.monotonic()
        epochs = (self.record.get("params") or {}).get("epochs")
        bar = Bar(progress, float(epochs) if epochs else None, f"train {self.id}", "epoch")
        try:
            for rec in self.events():
                p = rec.get("progress") or {}
                epochs_now = p.get("epochs") or epochs or 0
                frac = p.get("fraction")
                done = frac * epochs_now if frac is not None else p.get("epoch", 0)
                if rec["status"] == "succeeded":
                    done = epochs_now
                postfix = None
                if p.get("words_per_sec"):
                    postfix = f"{p['words_per_sec'] / 1000:.0f}k words/s"
                    if p.get("loss") is not None:
                        postfix += f" loss {p['loss']:.3f}"
                bar.set(round(done, 2), postfix)
                if timeout is not None and time.monotonic() - start > timeout and not self.done:
                    raise TimeoutError(f"job {self.id} still {rec['status']} after {timeout} s")
        finally:
            bar.close()
        if self.record["status"] != "succeeded":
            why = self.record.get("error") or self.record["status"]
            raise JobFailed(f"job {self.id} {self.record['status']}: {why}", self)
        return self.model

    @property
    def model(self) -> "Model":
        """The model the job made (once succeeded)."""
        model_id = self.record.get("model_id")
        if not model_id:
            self.refresh()
            model_id = self.record.get("model_id")
        if not model_id:
            raise NotFound(f"job {self.id} has no model yet (status {self.record['status']})", 404, "no_model")
        return self.client.model(model_id)

    def cancel(self) -> "Job":
        """Cancels a queued or running job (it stops within a second); returns self."""
        self.record = self.client._http.json("POST", f"/v1/jobs/{self.id}/cancel")
        return self

    def history(self) -> Dict[str, Any]:
        """The job's progress over its run: ``{"samples": [{"seconds", "epoch", "loss", …}], …}``."""
        return self.client._http.json("GET", f"/v1/jobs/{self.id}/history")


Scored = List[Tuple[str, float]]


def _words(arg: Union[None, str, Sequence[str]], name: str) -> List[str]:
    if arg is None:
        return []
    if isinstance(arg, str):
        return [arg]
    out = []
    for w in arg:
        if not isinstance(w, str):
            raise TypeError(f"{name}: the server takes words (str), got {type(w).__name__}")
        out.append(w)
    return out


def _scored(results: List[Dict[str, Any]]) -> Scored:
    return [(r["word"], float(r["score"])) for r in results]


class Model(_Resource):
    """A model's vectors on the server, with gensim ``KeyedVectors``' calls.

    ``len(model)``, ``"word" in model``, ``model["word"]`` (``model[["a", "b"]]`` for several),
    ``get_vector``, ``most_similar``, ``similarity``, ``doesnt_match``, ``most_similar_cosmul``,
    ``evaluate_word_pairs``, ``evaluate_word_analogies``; :meth:`to_keyed_vectors` downloads a
    real ``gensim.models.KeyedVectors``. Vectors are float32 numpy arrays when numpy is
    installed, lists of floats otherwise. The batch calls (:meth:`vectors`,
    :meth:`most_similar_batch`) answer thousands of words in a few requests.
    """

    _path = "/v1/models"

    def _q(self, suffix: str) -> str:
        return f"/v1/models/{self.id}/{suffix}"

    # --- records ---
    def rename(self, name: str) -> "Model":
        """Renames the model; returns self with the updated record."""
        self.record = self.client._http.json("PATCH", f"/v1/models/{self.id}", json={"name": name})
        return self

    def set_search(self, search: str) -> "Model":
        """How ``most_similar`` searches when not told: ``"exact"`` or ``"approximate"`` (HNSW)."""
        self.record = self.client._http.json("PATCH", f"/v1/models/{self.id}", json={"search": search})
        return self

    def export(self, path: Union[str, "os.PathLike[str]"], format: str = "binary") -> str:
        """Writes the vectors to path in word2vec's ``binary`` or ``text`` format, or the model
        as fastText's ``.bin`` (``fasttext``: with its n-grams, fastText's tools and gensim's
        ``load_facebook_vectors`` give words outside the vocabulary a vector); streamed; returns
        the path."""
        r = self.client._http.request("GET", self._q("vectors"), params={"format": format}, stream=True)
        path = os.fspath(path)
        with r, open(path, "wb") as f:
            for chunk in r.iter_content(1 << 20):
                f.write(chunk)
        return path

    def to_keyed_vectors(self) -> Any:
        """The vectors as a ``gensim.models.KeyedVectors`` (downloaded in word2vec's binary
        format; needs gensim)."""
        from gensim.models import KeyedVectors

        with tempfile.TemporaryDirectory(prefix="w2vd-") as d:
            path = self.export(os.path.join(d, "vectors.bin"), "binary")
            return KeyedVectors.load_word2vec_format(path, binary=True)

    def train_more(
        self, corpus: Any, wait: bool = False, progress: ProgressArg = None, **params: Any
    ) -> Union["Job", "Model"]:
        """Continued training: a job starting from this model (``init_model``) on corpus."""
        return self.client.train(corpus, wait=wait, progress=progress, init_model=self.id, **params)

    # --- KeyedVectors ---
    def __len__(self) -> int:
        return int(self.record["vocab_size"])

    @property
    def vector_size(self) -> int:
        """The vectors' dimension (gensim's name)."""
        return int(self.record["dim"])

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        return self.vectors([word])[word] is not None

    def has_index_for(self, word: str) -> bool:
        """Whether word is in the model (gensim's name for ``in``)."""
        return word in self

    def get_vector(self, word: str, norm: bool = False) -> Any:
        """The word's vector (as trained; unit length with ``norm=True``). :class:`w2vd.NotFound`
        (a ``KeyError``) when the model lacks it; a model trained with subwords composes one for a
        word outside its vocabulary from its character n-grams (:meth:`is_oov`)."""
        v = self.client._http.json("GET", self._q("words/" + quote(word, safe="")), safe=True)["vector"]
        return _vectors.vector(_vectors.unit(v) if norm else v)

    def is_oov(self, word: str) -> bool:
        """Whether word is outside the vocabulary of a model trained with subwords and answered
        from its character n-grams (``"oov": true``): such a word has a vector, neighbours and
        similarities like any other. :class:`w2vd.NotFound` when the model has no vector for it."""
        return bool(self.client._http.json("GET", self._q("words/" + quote(word, safe="")), safe=True).get("oov", False))

    def __getitem__(self, key: Union[str, Sequence[str]]) -> Any:
        if isinstance(key, str):
            return self.get_vector(key)
        words = list(key)
        found = self.vectors(words)
        missing = [w for w in words if found[w] is None]
        if missing:
            raise NotFound(f"words not in model {self.id}: {missing[:10]}", 404, "word_not_found")
        return _vectors.stack([found[w] for w in words])

    def vectors(self, words: Sequence[str]) -> Dict[str, Any]:
        """The vectors of many words in batches (``POST /batch/vectors``, 1000 words a
        request): ``{word: vector, unknown_word: None}``."""
        out: Dict[str, Any] = {}
        words = _words(words, "words")
        for i in range(0, len(words), MAX_BATCH_WORDS):
            chunk = words[i : i + MAX_BATCH_WORDS]
            body = self.client._http.json("POST", self._q("batch/vectors"), json={"words": chunk}, safe=True)
            for r in body["results"]:
                out[r["word"]] = _vectors.vector(r["vector"]) if r["found"] else None
        return out

    def most_similar(
        self,
        positive: Union[None, str, Sequence[str]] = None,
        negative: Union[None, str, Sequence[str]] = None,
        topn: int = 10,
        restrict_vocab: Optional[int] = None,
        exact: Optional[bool] = None,
    ) -> Scored:
        """gensim's ``most_similar``: the topn words nearest the mean of the positive unit
        vectors minus the negative ones, as ``[(word, cosine), …]``, the query words excluded.
        ``restrict_vocab`` searches the most frequent words only (one positive word);
        ``exact=False`` uses the model's HNSW index (the exact search answers while the server
        builds it, in the background)."""
        pos, neg = _words(positive, "positive"), _words(negative, "negative")
        if restrict_vocab is not None:
            if len(pos) != 1 or neg:
                raise ValueError("restrict_vocab works with one positive word and no negative")
            params: Dict[str, Any] = {"word": pos[0], "k": topn, "restrict": restrict_vocab}
            return _scored(self.client._http.json("GET", self._q("similar"), params=params)["results"])
        body: Dict[str, Any] = {"positive": pos, "negative": neg, "k": topn}
        if exact is not None:
            body["exact"] = exact
        return _scored(self.client._http.json("POST", self._q("similar"), json=body, safe=True)["results"])

    def similar_by_word(self, word: str, topn: int = 10) -> Scored:
        """The topn nearest words of word."""
        return self.most_similar(word, topn=topn)

    def most_similar_batch(
        self, words: Sequence[str], topn: int = 10, exact: Optional[bool] = None
    ) -> Dict[str, Optional[Scored]]:
        """The topn neighbours of each of many words in batches (``POST /batch/similar``):
        ``{word: [(neighbour, cosine), …], unknown_word: None}``."""
        words = _words(words, "words")
        per = max(1, min(MAX_BATCH_WORDS, MAX_BATCH_RESULTS // max(topn, 1)))
        out: Dict[str, Optional[Scored]] = {}
        for i in range(0, len(words), per):
            body: Dict[str, Any] = {"words": words[i : i + per], "k": topn}
            if exact is not None:
                body["exact"] = exact
            answer = self.client._http.json("POST", self._q("batch/similar"), json=body, safe=True)
            for r in answer["results"]:
                out[r["word"]] = _scored(r["neighbors"]) if r["found"] else None
        return out

    def similarity(self, w1: str, w2: str) -> float:
        """The cosine similarity of two words."""
        return float(self.client._http.json("GET", self._q("similarity"), params={"a": w1, "b": w2})["similarity"])

    def analogy(self, a: str, b: str, c: str, topn: int = 10, method: str = "add") -> Scored:
        """a is to b as c is to ?: 3CosAdd (``method="add"``) or 3CosMul (``"mul"``)."""
        body = {"a": a, "b": b, "c": c, "k": topn, "method": method}
        return _scored(self.client._http.json("POST", self._q("analogy"), json=body, safe=True)["results"])

    def most_similar_cosmul(
        self,
        positive: Union[None, str, Sequence[str]] = None,
        negative: Union[None, str, Sequence[str]] = None,
        topn: int = 10,
    ) -> Scored:
        """gensim's ``most_similar_cosmul`` for the analogy shape the server answers: two
        positive words and one negative (``positive=[b, c], negative=[a]``: 3CosMul)."""
        pos, neg = _words(positive, "positive"), _words(negative, "negative")
        if len(pos) != 2 or len(neg) != 1:
            raise NotImplementedError("the server answers most_similar_cosmul for 2 positive words and 1 negative")
        return self.analogy(neg[0], pos[0], pos[1], topn, "mul")

    def doesnt_match(self, words: Sequence[str]) -> str:
        """gensim's ``doesnt_match``: the word furthest from the mean of the words' unit
        vectors. Words the model lacks are ignored, as gensim does; :class:`ValueError` when
        none is known."""
        words = _words(words, "words")
        found = self.vectors(words)
        used = [w for w in words if found[w] is not None]
        if not used:
            raise ValueError("none of the words is in the model")
        return _vectors.odd_one_out(used, [found[w] for w in used])

    # --- evaluation ---
    def evaluate(self, source: Union[str, "os.PathLike[str]"], kind: str = "auto", restrict_vocab: Optional[int] = None) -> Dict[str, Any]:
        """The server's evaluation of an evaluation file (a path or its text): the
        ``AnalogyScores`` or ``PairScores`` record of docs/api.md."""
        if isinstance(source, os.PathLike) or (isinstance(source, str) and "\n" not in source and os.path.exists(source)):
            with open(os.fspath(source), "rb") as f:
                body = f.read()
        else:
            body = str(source).encode("utf-8")
        params: Dict[str, Any] = {"kind": kind}
        if restrict_vocab is not None:
            params["restrict"] = restrict_vocab
        return self.client._http.json(
            "POST", self._q("evaluate"), params=params, data=body, headers={"Content-Type": "text/plain"}, safe=True
        )

    def evaluate_word_pairs(self, pairs: Union[str, "os.PathLike[str]"]) -> Tuple[Tuple[float, None], Tuple[float, None], float]:
        """gensim's ``evaluate_word_pairs`` shape: ``((pearson, None), (spearman, None),
        oov_ratio_percent)``; the p-values gensim computes are not given (None). Full scores:
        :meth:`evaluate`."""
        s = self.evaluate(pairs, "pairs")
        oov = 100.0 * (1 - s["used"] / s["pairs"]) if s["pairs"] else 0.0
        return (float(s["pearson"]), None), (float(s["spearman"]), None), oov

    def evaluate_word_analogies(self, analogies: Union[str, "os.PathLike[str]"], restrict_vocab: int = 300000) -> Tuple[float, List[Dict[str, Any]]]:
        """gensim's ``evaluate_word_analogies`` shape: ``(accuracy, sections)``, the sections
        as the server counts them (``name``, ``questions``, ``covered``, ``correct``,
        ``accuracy``) rather than gensim's lists of questions."""
        s = self.evaluate(analogies, "analogies", restrict_vocab)
        return float(s["accuracy"]), list(s["sections"])

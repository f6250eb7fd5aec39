"""The entry point: :class:`Client`, one w2vd server."""

from __future__ import annotations

import os
from typing import IO, Any, Dict, List, Optional, Union

from ._http import Http
from ._progress import ProgressArg
from ._upload import Source, upload_body
from .resources import Corpus, Job, Model


def _id(x: Union[str, Corpus, Model, Job]) -> str:
    return x if isinstance(x, str) else x.id


class Client:
    """A w2vd server.

    Args:
        url: the server, ``http://host:port[/prefix]``; default ``$W2VD_URL``, else
            ``http://127.0.0.1:8080``.
        token: for a server started with ``--token``; default ``$W2VD_TOKEN``, else the file
            ``$W2VD_TOKEN_FILE`` names.
        timeout: seconds to wait for an answer to one request.
        retries: how many times a request that is safe to repeat (reads and queries) is
            retried after a connection failure or a 503; others are sent once.
    """

    def __init__(
        self, url: Optional[str] = None, token: Optional[str] = None, timeout: float = 60.0, retries: int = 3
    ) -> None:
        self._http = Http(url, token, timeout, retries)

    @property
    def url(self) -> str:
        return self._http.url

    def __repr__(self) -> str:
        return f"w2vd.Client({self.url!r})"

    def health(self) -> Dict[str, Any]:
        """``GET /healthz``: ``{"status": "ok", "isa": …}``."""
        return self._http.json("GET", "/healthz")

    def params(self) -> List[Dict[str, Any]]:
        """The job parameters the server takes, with their types, bounds, defaults and help."""
        body = self._http.json("GET", "/v1/params")
        return body["params"] if isinstance(body, dict) and "params" in body else body

    # --- corpora ---
    def upload_corpus(self, source: Source, name: Optional[str] = None, progress: ProgressArg = None) -> Corpus:
        """Uploads a corpus: a path, an open file (text or binary), or an iterable of sentences
        (lists of tokens, as gensim's ``Word2Vec(sentences=…)`` takes them, or lines). Read in
        chunks and gzip-compressed on the way. progress: a bar over the bytes read (``None``:
        when interactive). Sent once (an upload is not retried)."""
        body, default_name = upload_body(source, progress)
        params = {"name": name or default_name or "corpus"}
        headers = {"Content-Type": "text/plain", "Content-Encoding": "gzip"}
        record = self._http.json("POST", "/v1/corpora", params=params, data=body, headers=headers, timeout=None)
        return Corpus(self, record)

    def corpora(self) -> List[Corpus]:
        """Every corpus on the server."""
        return [Corpus(self, r) for r in self._http.json("GET", "/v1/corpora")["corpora"]]

    def corpus(self, corpus_id: str) -> Corpus:
        """One corpus (:class:`w2vd.NotFound` when unknown)."""
        return Corpus(self, self._http.json("GET", f"/v1/corpora/{corpus_id}"))

    def delete_corpus(self, corpus: Union[str, Corpus]) -> None:
        self._http.request("DELETE", f"/v1/corpora/{_id(corpus)}")

    # --- jobs ---
    def train(
        self,
        corpus: Union[str, Corpus],
        wait: bool = False,
        progress: ProgressArg = None,
        *,
        name: Optional[str] = None,
        init_model: Union[None, str, Model] = None,
        vocabulary: Optional[str] = None,
        ranks: Optional[int] = None,
        **params: Any,
    ) -> Union[Job, Model]:
        """Submits a training job on corpus (a :class:`Corpus` or its id) with the job
        parameters as keyword arguments (``dim=100, epochs=5, window=5, …``; ``GET /v1/params``
        lists them; the server validates them and a :class:`w2vd.BadRequest` names the field).
        ``init_model`` continues training a model (``vocabulary``: ``"extend"`` or ``"keep"``).
        Returns the :class:`Job`; with ``wait=True`` waits for it (with a progress bar) and
        returns the :class:`Model`."""
        body: Dict[str, Any] = {"corpus_id": _id(corpus), "params": params}
        if name is not None:
            body["name"] = name
        if init_model is not None:
            body["init_model"] = _id(init_model)
        if vocabulary is not None:
            body["vocabulary"] = vocabulary
        if ranks is not None:
            body["ranks"] = ranks
        job = Job(self, self._http.json("POST", "/v1/jobs", json=body))
        return job.wait(progress) if wait else job

    def jobs(self) -> List[Job]:
        """Every job on the server."""
        return [Job(self, r) for r in self._http.json("GET", "/v1/jobs")["jobs"]]

    def job(self, job_id: str) -> Job:
        return Job(self, self._http.json("GET", f"/v1/jobs/{job_id}"))

    # --- models ---
    def models(self) -> List[Model]:
        """Every model on the server."""
        return [Model(self, r) for r in self._http.json("GET", "/v1/models")["models"]]

    def model(self, model_id: str) -> Model:
        """One model (:class:`w2vd.NotFound` when unknown)."""
        return Model(self, self._http.json("GET", f"/v1/models/{model_id}"))

    def import_model(
        self, source: Union[str, "os.PathLike[str]", IO[bytes]], name: Optional[str] = None, format: Optional[str] = None
    ) -> Model:
        """Imports word2vec vectors or a fastText model (a path or an open binary file),
        streamed. format: ``"binary"``, ``"text"`` or ``"fasttext"`` (a ``.bin`` that
        ``fasttext skipgram``/``cbow`` wrote, e.g. ``cc.en.300.bin``); default: ``"fasttext"``
        when a path starts as fastText's models do, else from the file name (``.txt``/``.vec``:
        text)."""
        if isinstance(source, (str, os.PathLike)):
            path = os.fspath(source)
            with open(path, "rb") as f:
                return self.import_model(f, name or os.path.basename(path), format or _guess_format(path, f))
        fmt = format or _guess_format(str(getattr(source, "name", "")))
        params = {"name": name or os.path.basename(str(getattr(source, "name", ""))) or "imported", "format": fmt}
        record = self._http.json(
            "POST", "/v1/models", params=params, data=source, headers={"Content-Type": "application/octet-stream"}, timeout=None
        )
        return Model(self, record)

    def export_model(self, model: Union[str, Model], path: Union[str, "os.PathLike[str]"], format: str = "binary") -> str:
        """Writes a model's vectors to path (word2vec ``binary`` or ``text``), or the model as
        fastText's ``.bin`` (``fasttext``)."""
        return Model(self, {"id": _id(model)}).export(path, format)

    def rename_model(self, model: Union[str, Model], name: str) -> Model:
        return Model(self, {"id": _id(model)}).rename(name)

    def delete_model(self, model: Union[str, Model]) -> None:
        self._http.request("DELETE", f"/v1/models/{_id(model)}")


#: The first bytes of fastText's model files (its magic number 793712314, little-endian).
_FASTTEXT_MAGIC = b"\xba\x16\x4f\x2f"


def _guess_format(name: str, f: Optional[IO[bytes]] = None) -> str:
    if f is not None and f.seekable():
        head = f.read(len(_FASTTEXT_MAGIC))
        f.seek(0)
        if head == _FASTTEXT_MAGIC:
            return "fasttext"
    return "text" if name.endswith((".txt", ".vec", ".txt.gz")) else "binary"

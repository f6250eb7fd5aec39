"""Corpus upload bodies: a path, an open file or an iterable of sentences, read in chunks and
gzip-compressed on the way (the whole text is never held in memory)."""

from __future__ import annotations

import os
import zlib
from typing import IO, Any, Iterable, Iterator, Optional, Sequence, Tuple, Union

from ._progress import Bar

CHUNK = 1 << 20

Sentences = Iterable[Union[Sequence[str], str]]
Source = Union[str, "os.PathLike[str]", IO[Any], Sentences]


def _gzip(chunks: Iterator[bytes], bar: Bar) -> Iterator[bytes]:
    z = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits 31: a gzip stream
    try:
        for chunk in chunks:
            bar.update(len(chunk))
            out = z.compress(chunk)
            if out:
                yield out
        yield z.flush()
    finally:
        bar.close()


def _file_chunks(f: IO[Any]) -> Iterator[bytes]:
    while True:
        chunk = f.read(CHUNK)
        if not chunk:
            return
        yield chunk.encode("utf-8") if isinstance(chunk, str) else chunk


def _path_chunks(path: str) -> Iterator[bytes]:
    with open(path, "rb") as f:
        yield from _file_chunks(f)


def _sentence_chunks(sentences: Sentences) -> Iterator[bytes]:
    buf: list[str] = []
    size = 0
    for s in sentences:
        line = s if isinstance(s, str) else " ".join(s)
        buf.append(line)
        buf.append("\n")
        size += len(line) + 1
        if size >= CHUNK:
            yield "".join(buf).encode("utf-8")
            buf, size = [], 0
    if buf:
        yield "".join(buf).encode("utf-8")


def upload_body(source: Source, progress: Any) -> Tuple[Iterator[bytes], Optional[str]]:
    """The gzip-compressed body for source and a default name for the corpus (the file's
    name, or None). progress: see :class:`w2vd._progress.Bar` (bytes of text read)."""
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        total = os.path.getsize(path)
        name = os.path.basename(path)
        return _gzip(_path_chunks(path), Bar(progress, total, "upload " + name, "B")), name
    if hasattr(source, "read"):
        name = os.path.basename(str(getattr(source, "name", ""))) or None
        return _gzip(_file_chunks(source), Bar(progress, None, "upload", "B")), name  # type: ignore[arg-type]
    if isinstance(source, (bytes, bytearray)):
        raise TypeError("upload_corpus takes a path, an open file or an iterable of sentences, not bytes")
    return _gzip(_sentence_chunks(source), Bar(progress, None, "upload", "B")), None

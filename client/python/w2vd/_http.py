"""The HTTP layer: one ``requests.Session``, the token, errors turned into exceptions, and
retries where they are safe.

A request is retried (with a short backoff) only when repeating it cannot do anything twice:
reads (GET) and the read-only POSTs (queries, evaluations), on a connection failure or a 503
(honouring ``Retry-After``). Uploads, job submissions, imports, renames and deletions are sent
once: a connection that breaks after the server received them would otherwise create a second
corpus or job.
"""

from __future__ import annotations

import os
import time
from typing import Any, Iterator, Mapping, Optional

import requests

from .errors import ConnectionFailed, W2vdError, error_for

DEFAULT_URL = "http://127.0.0.1:8080"


def resolve_url(url: Optional[str]) -> str:
    """``url``, else ``$W2VD_URL``, else w2vctl's default ``http://127.0.0.1:8080``."""
    url = url or os.environ.get("W2VD_URL") or DEFAULT_URL
    if "://" not in url:
        url = "http://" + url
    return url.rstrip("/")


def resolve_token(token: Optional[str]) -> Optional[str]:
    """``token``, else ``$W2VD_TOKEN``, else the contents of the file ``$W2VD_TOKEN_FILE``
    names (as w2vctl does)."""
    if token:
        return token
    if os.environ.get("W2VD_TOKEN"):
        return os.environ["W2VD_TOKEN"]
    path = os.environ.get("W2VD_TOKEN_FILE")
    if path:
        with open(path, encoding="utf-8") as f:
            return f.read().strip() or None
    return None


class Http:
    """Requests to one w2vd, with its token, timeout and retry policy."""

    def __init__(
        self, url: Optional[str], token: Optional[str], timeout: float, retries: int
    ) -> None:
        self.url = resolve_url(url)
        self.timeout = timeout
        self.retries = retries
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "w2vd-python"
        tok = resolve_token(token)
        if tok:
            self.session.headers["Authorization"] = "Bearer " + tok

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Optional[Mapping[str, Any]] = None,
        json: Any = None,
        data: Any = None,
        headers: Optional[Mapping[str, str]] = None,
        stream: bool = False,
        safe: Optional[bool] = None,
        timeout: Optional[float] = None,
    ) -> requests.Response:
        """Sends a request and returns the 2xx response; raises the :mod:`w2vd.errors`
        exception of an error answer, or :class:`ConnectionFailed`. ``safe``: whether it may be
        repeated (default: for GET only)."""
        if safe is None:
            safe = method == "GET"
        attempts = 1 + (self.retries if safe else 0)
        for attempt in range(attempts):
            last = attempt + 1 == attempts
            try:
                r = self.session.request(
                    method,
                    self.url + path,
                    params=params,
                    json=json,
                    data=data,
                    headers=headers,
                    stream=stream,
                    timeout=self.timeout if timeout is None else timeout,
                )
            except requests.RequestException as e:
                if last:
                    raise ConnectionFailed(
                        f"{method} {path}: no answer from w2vd at {self.url} ({e.__class__.__name__}: {e}); "
                        "is it running? Point the client at it with Client(url=...) or W2VD_URL."
                    ) from e
                time.sleep(min(0.2 * 2**attempt, 2.0))
                continue
            if r.status_code == 503 and not last:
                wait = _retry_after(r)
                r.close()
                time.sleep(wait)
                continue
            if r.status_code >= 400:
                raise self.error(r)
            return r
        raise AssertionError("unreachable")

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON body of :meth:`request`'s answer."""
        r = self.request(method, path, **kwargs)
        try:
            return r.json()
        except ValueError as e:
            raise W2vdError(f"{method} {path}: the answer is not JSON: {r.text[:200]!r}", r.status_code) from e

    @staticmethod
    def error(r: requests.Response) -> W2vdError:
        """The exception for an error answer (its body's code and message)."""
        code, message = "", ""
        try:
            body = r.json()
            code = body["error"]["code"]
            message = body["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = r.text.strip()[:500] or r.reason or ""
        r.close()
        return error_for(r.status_code, code, message, r.headers.get("X-Request-Id"))

    def lines(self, r: requests.Response) -> Iterator[bytes]:
        """The lines of a streamed answer; a broken connection is :class:`ConnectionFailed`."""
        try:
            yield from r.iter_lines(chunk_size=1)
        except requests.RequestException as e:
            raise ConnectionFailed(f"the connection to {self.url} broke: {e}") from e


def _retry_after(r: requests.Response) -> float:
    try:
        return min(max(float(r.headers.get("Retry-After", "1")), 0.0), 5.0)
    except ValueError:
        return 1.0

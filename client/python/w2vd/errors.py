"""Exceptions raised by the w2vd client.

Every error the server answers becomes an exception carrying the API's ``status`` (the HTTP
status), ``code`` (the snake_case code of the error body, e.g. ``"word_not_found"``) and
``message`` (the server's explanation, which names the field and its bounds for a 400). Catch
:class:`W2vdError` for all of them, or a subclass for one status::

    try:
        model.most_similar("xyzzy")
    except w2vd.NotFound as e:
        print(e.status, e.code, e.message)   # 404 word_not_found word 'xyzzy' is not in ...
"""

from __future__ import annotations

from typing import Any, Optional


class W2vdError(Exception):
    """Base class of every error the client raises.

    Attributes:
        status: the HTTP status (``None`` when no answer was received).
        code: the API's error code, e.g. ``"invalid_argument"``.
        message: what is wrong, as the server words it.
        request_id: the ``X-Request-Id`` of the answer, to find it in the server's log.
    """

    def __init__(
        self,
        message: str,
        status: Optional[int] = None,
        code: str = "",
        request_id: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id

    def __str__(self) -> str:
        if self.status is None:
            return self.message
        return f"{self.status} {self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, message={self.message!r})"


class BadRequest(W2vdError):
    """400: invalid input; the message names the field and its allowed values."""


class Unauthorized(W2vdError):
    """401: a missing or wrong token (``token=`` or ``W2VD_TOKEN``)."""


class Forbidden(W2vdError):
    """403: a write refused as cross-site."""


class NotFound(W2vdError, KeyError):
    """404: an unknown corpus, job, model or word. Also a ``KeyError``, as gensim raises for
    an unknown word."""


class MethodNotAllowed(W2vdError):
    """405: the route does not take this method."""


class Conflict(W2vdError):
    """409: the request conflicts with the server's state (a resource in use, a broken or too
    large model)."""


class PayloadTooLarge(W2vdError):
    """413: the body is over the server's limit."""


class UnsupportedMediaType(W2vdError):
    """415: wrong content type or encoding."""


class TooManyRequests(W2vdError):
    """429: too many wrong tokens; wait before trying again."""


class ServerError(W2vdError):
    """5xx: the server failed (a 500 is a bug in w2vd)."""


class ServiceUnavailable(ServerError):
    """503: the server is overloaded or stopping; retried for safe requests before raised."""


class ConnectionFailed(W2vdError):
    """No answer: the server could not be reached, or the connection broke mid-call (after
    the retries that were safe). ``status`` is ``None``."""


class JobFailed(W2vdError):
    """A job that was waited for ended ``failed`` or ``cancelled``; ``job`` is its record."""

    def __init__(self, message: str, job: Any) -> None:
        super().__init__(message, None, "job_" + str(getattr(job, "status", "failed")))
        self.job = job


_BY_STATUS = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    429: TooManyRequests,
    503: ServiceUnavailable,
}


def error_for(status: int, code: str, message: str, request_id: Optional[str] = None) -> W2vdError:
    """The exception for an error answer: the class of its status, else :class:`ServerError`
    for 5xx and :class:`W2vdError` for anything else."""
    cls = _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else W2vdError
    return cls(message, status, code, request_id)

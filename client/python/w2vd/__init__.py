"""w2vd: a Python client for the w2vd word2vec training server, in gensim's words.

    import w2vd
    client = w2vd.Client()                      # $W2VD_URL / $W2VD_TOKEN, else 127.0.0.1:8080
    corpus = client.upload_corpus("text.txt")   # or an iterable of token lists
    model = client.train(corpus, dim=100, epochs=5, wait=True)
    model.most_similar("king", topn=5)          # [(word, cosine), ...]
    kv = model.to_keyed_vectors()               # a gensim KeyedVectors

See docs/python.md for a walkthrough.
"""

from .client import Client
from .errors import (
    BadRequest,
    Conflict,
    ConnectionFailed,
    Forbidden,
    JobFailed,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    ServerError,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    UnsupportedMediaType,
    W2vdError,
)
from .resources import Corpus, Job, Model

__version__ = "0.1.0"

__all__ = [
    "Client",
    "Corpus",
    "Job",
    "Model",
    "W2vdError",
    "BadRequest",
    "Unauthorized",
    "Forbidden",
    "NotFound",
    "MethodNotAllowed",
    "Conflict",
    "PayloadTooLarge",
    "UnsupportedMediaType",
    "TooManyRequests",
    "ServerError",
    "ServiceUnavailable",
    "ConnectionFailed",
    "JobFailed",
]

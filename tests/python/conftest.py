"""Fixtures: a w2vd for the session, a client for it, the planted corpus and a model trained on
it once (about a second of training)."""

from __future__ import annotations

import os
import signal
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The package from the tree (CTest runs the tests without installing it).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "client", "python"))

import planted  # noqa: E402
import w2vd  # noqa: E402
from daemon import Daemon  # noqa: E402

PARAMS = dict(dim=40, min_count=1, sample=1e-3, epochs=5, seed=11, threads=2)


@pytest.fixture(scope="session")
def daemon(tmp_path_factory):
    d = Daemon(str(tmp_path_factory.mktemp("w2vd") / "data"))
    yield d
    d.stop(signal.SIGKILL)


@pytest.fixture(scope="session")
def client(daemon):
    return w2vd.Client(daemon.url, timeout=30)


@pytest.fixture(scope="session")
def corpus_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "planted.txt"
    path.write_text(planted.text())
    return path


@pytest.fixture(scope="session")
def corpus(client, corpus_file):
    return client.upload_corpus(corpus_file, progress=False)


@pytest.fixture(scope="session")
def model(client, corpus):
    return client.train(corpus, wait=True, progress=False, name="planted", **PARAMS)

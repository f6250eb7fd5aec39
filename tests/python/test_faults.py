"""A server that goes away mid-call, and retries only where they are safe."""

from __future__ import annotations

import http.server
import signal
import threading
import time

import pytest

import planted
import w2vd
from conftest import PARAMS
from daemon import Daemon


def test_server_killed_while_waiting_for_a_job(tmp_path):
    d = Daemon(str(tmp_path / "data"))
    c = w2vd.Client(d.url, timeout=10, retries=2)
    corpus = c.upload_corpus(planted.sentences(), progress=False)
    job = c.train(corpus, **dict(PARAMS, epochs=500))
    threading.Timer(1.0, lambda: d.stop(signal.SIGKILL)).start()
    start = time.monotonic()
    with pytest.raises(w2vd.ConnectionFailed) as e:
        job.wait(progress=False)
    assert time.monotonic() - start < 30
    assert e.value.status is None
    with pytest.raises(w2vd.ConnectionFailed):
        c.corpora()


def test_safe_calls_survive_a_restart(tmp_path):
    d = Daemon(str(tmp_path / "data"))
    c = w2vd.Client(d.url, timeout=10, retries=6)
    model = c.import_model(_tiny_model(tmp_path), name="tiny")
    d.stop(signal.SIGKILL)
    # Restarted on the same port while the client retries its query.
    threading.Timer(0.3, d.start).start()
    assert model.most_similar("alpha", topn=1)[0][0] == "gamma"
    d.stop(signal.SIGKILL)


def _tiny_model(tmp_path):
    p = tmp_path / "tiny.txt"
    p.write_text("3 2\nalpha 1 0\nbeta 0 1\ngamma 1 0.5\n")
    return p


class _Flaky(http.server.BaseHTTPRequestHandler):
    """Drops the connection of each method's first request, answers the second."""

    seen: dict = {}

    def _handle(self):
        n = self.seen[self.command] = self.seen.get(self.command, 0) + 1
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        elif self.headers.get("Transfer-Encoding") == "chunked":
            while True:
                size = int(self.rfile.readline().strip(), 16)
                self.rfile.read(size + 2)
                if size == 0:
                    break
        if n == 1:
            self.close_connection = True
            self.connection.shutdown(2)
            return
        body = b'{"corpora": [], "id": "c_1", "name": "x"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _handle

    def log_message(self, *args):
        pass


def test_retries_only_where_safe():
    _Flaky.seen = {}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        c = w2vd.Client(f"http://127.0.0.1:{server.server_address[1]}", retries=2)
        assert c.corpora() == []  # a GET: retried after the dropped connection
        assert _Flaky.seen["GET"] == 2
        with pytest.raises(w2vd.ConnectionFailed):
            c.upload_corpus([["a", "b"]], progress=False)  # an upload: sent once
        assert _Flaky.seen["POST"] == 1
    finally:
        server.shutdown()

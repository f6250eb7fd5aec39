"""Each error class carries the API's status, code and message; the token."""

from __future__ import annotations

import signal

import pytest

import w2vd
from conftest import PARAMS
from daemon import Daemon


def test_not_found(client, model):
    with pytest.raises(w2vd.NotFound) as e:
        client.model("m_nope")
    assert e.value.status == 404 and e.value.code and "m_nope" in e.value.message
    assert isinstance(e.value, KeyError) and isinstance(e.value, w2vd.W2vdError)
    with pytest.raises(w2vd.NotFound) as e:
        model.most_similar("xyzzy")
    assert e.value.code == "word_not_found" and "xyzzy" in e.value.message
    assert str(e.value).startswith("404 word_not_found: ")
    with pytest.raises(w2vd.NotFound):
        client.job("j_nope")


def test_bad_request_names_the_field(model):
    with pytest.raises(w2vd.BadRequest) as e:
        model.most_similar("t0w1", topn=0)
    assert e.value.status == 400 and "k must be an integer in [1, 1000], got 0" in e.value.message
    with pytest.raises(w2vd.BadRequest) as e:
        model.analogy("t0w1", "t0w2", "t0w3", method="sub")
    assert "method" in e.value.message


def test_conflict_and_job_failed(client, corpus):
    job = client.train(corpus, **dict(PARAMS, epochs=200))
    with pytest.raises(w2vd.Conflict) as e:
        corpus.delete()
    assert e.value.status == 409 and corpus.id in e.value.message
    job.cancel()
    with pytest.raises(w2vd.JobFailed) as e:
        job.wait(progress=False)
    assert e.value.job.status == "cancelled" and job.status == "cancelled"


def test_too_large_and_wrong_method(client, model):
    with pytest.raises(w2vd.PayloadTooLarge) as e:
        model.vectors(["w" * 4000] * 1000)  # about 4 MB, over the 1 MiB JSON body limit
    assert e.value.status == 413
    with pytest.raises(w2vd.MethodNotAllowed) as e:
        client._http.request("PUT", "/v1/models")
    assert e.value.status == 405


def test_unsupported_media_type(client, model):
    with pytest.raises(w2vd.UnsupportedMediaType) as e:
        client._http.request("POST", f"/v1/models/{model.id}/similar", data=b"{}", headers={"Content-Type": "text/plain"})
    assert e.value.status == 415


def test_connection_failed(unused_port):
    c = w2vd.Client(f"http://127.0.0.1:{unused_port}", retries=1)
    with pytest.raises(w2vd.ConnectionFailed) as e:
        c.models()
    assert e.value.status is None and "is it running" in e.value.message


@pytest.fixture
def unused_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_token(tmp_path, monkeypatch):
    d = Daemon(str(tmp_path / "data"), ["--token", "s3cret-token"])
    try:
        monkeypatch.delenv("W2VD_TOKEN", raising=False)
        monkeypatch.delenv("W2VD_TOKEN_FILE", raising=False)
        with pytest.raises(w2vd.Unauthorized) as e:
            w2vd.Client(d.url).models()
        assert e.value.status == 401 and e.value.code
        with pytest.raises(w2vd.Unauthorized):
            w2vd.Client(d.url, token="wrong").models()
        assert w2vd.Client(d.url, token="s3cret-token").models() == []
        monkeypatch.setenv("W2VD_TOKEN", "s3cret-token")
        assert w2vd.Client(d.url).models() == []
        monkeypatch.delenv("W2VD_TOKEN")
        (tmp_path / "token").write_text("s3cret-token\n")
        monkeypatch.setenv("W2VD_TOKEN_FILE", str(tmp_path / "token"))
        assert w2vd.Client(d.url).corpora() == []
    finally:
        d.stop(signal.SIGKILL)


def test_forbidden_cross_site(client):
    # What a page of another site would send: the daemon refuses it, the client says so.
    with pytest.raises(w2vd.Forbidden) as e:
        client._http.request(
            "POST", "/v1/corpora?name=x", data=b"a b c\n",
            headers={"Origin": "http://evil.example", "Content-Type": "text/plain"})
    assert e.value.status == 403 and e.value.code in ("cross_site_request", "cross_origin_request")


def test_too_many_wrong_tokens(tmp_path):
    d = Daemon(str(tmp_path / "data"), ["--token", "s3cret-token"])
    try:
        wrong = w2vd.Client(d.url, token="wrong", retries=0)
        seen = []
        for _ in range(100):  # the throttle's burst is a few tens of guesses
            try:
                wrong.models()
            except w2vd.TooManyRequests as e:
                seen.append(e)
                break
            except w2vd.Unauthorized:
                continue
        assert seen, "100 wrong tokens in a row were never throttled"
        assert seen[0].status == 429 and seen[0].code == "too_many_attempts"
    finally:
        d.stop(signal.SIGKILL)


def test_service_unavailable_when_the_connections_are_taken(tmp_path):
    import socket

    d = Daemon(str(tmp_path / "data"), ["--max-connections-per-ip", "1"])
    try:
        with socket.create_connection(("127.0.0.1", int(d.url.rsplit(":", 1)[1]))) as held:
            held.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")  # the one connection, kept open
            assert held.recv(4096).startswith(b"HTTP/1.1 200")
            with pytest.raises(w2vd.ServiceUnavailable) as e:
                w2vd.Client(d.url, retries=0).models()
            assert e.value.status == 503
    finally:
        d.stop(signal.SIGKILL)

"""The whole flow against a real w2vd: uploads, training with progress, queries, batches,
evaluation, exports and imports, gensim."""

from __future__ import annotations

import io

import numpy as np
import pytest

import planted
import w2vd
from conftest import PARAMS


def topic(word: str) -> str:
    return word.split("w")[0]


def test_upload_from_path_file_and_sentences(client, corpus, corpus_file):
    assert corpus.id.startswith("c_")
    assert corpus.name == "planted.txt"
    text = corpus_file.read_text()
    assert corpus.tokens == len(text.split())
    with open(corpus_file, "rb") as f:
        c2 = client.upload_corpus(f, name="from-file", progress=False)
    assert c2.tokens == corpus.tokens
    sentences = planted.sentences()
    c3 = client.upload_corpus(iter(sentences), name="from-sentences", progress=False)
    assert c3.tokens == corpus.tokens and c3.name == "from-sentences"
    c4 = client.upload_corpus(io.StringIO("a b c\nb c d\n"), name="text-io", progress=False)
    assert c4.tokens == 6
    assert {c2, c3, c4} <= set(client.corpora())
    assert client.corpus(c3.id).sentences == c3.sentences
    for c in (c2, c3, c4):
        c.delete()
    with pytest.raises(w2vd.NotFound):
        client.corpus(c2.id)


class Recorder:
    """A tqdm-like progress object that records what it was told."""

    def __init__(self):
        self.n, self.postfixes, self.closed = 0.0, [], False

    def update(self, n):
        self.n += n

    def set_postfix_str(self, s, refresh=True):
        self.postfixes.append(s)

    def close(self):
        self.closed = True


def test_train_with_progress_events_and_history(client, corpus, capsys):
    job = client.train(corpus, name="progress", **PARAMS)
    assert isinstance(job, w2vd.Job) and job.status in ("queued", "running")
    bar = Recorder()
    model = job.wait(progress=bar)
    assert bar.closed and bar.n == pytest.approx(PARAMS["epochs"], abs=0.01)
    assert job.status == "succeeded" and model.id == job.model_id
    assert model.name == "progress"
    # A finished job's events are its end record.
    assert [e["status"] for e in job.events()] == ["succeeded"]
    hist = job.history()
    assert hist["job_id"] == job.id and hist["samples"]
    assert job in client.jobs()
    # The plain progress line when asked for one without tqdm's object (tqdm or plain text).
    client.train(corpus, wait=True, progress=True, **PARAMS).delete()
    assert "train j_" in capsys.readouterr().err
    model.delete()


def test_parameters_are_validated_by_the_server(client, corpus):
    assert {"dim", "epochs", "window"} <= {p["name"] for p in client.params()}
    with pytest.raises(w2vd.BadRequest) as e:
        client.train(corpus, dim=0)
    assert e.value.status == 400 and e.value.code == "invalid_argument"
    assert "params.dim must be an integer in [1, 4096], got 0" in e.value.message
    with pytest.raises(w2vd.BadRequest) as e:
        client.train(corpus, dimension=5)
    assert e.value.code == "unknown_field" and "params.dimension" in e.value.message


def test_keyed_vectors_calls(model):
    assert len(model) == model.vocab_size > 100
    assert model.vector_size == 40
    assert "t0w1" in model and "xyzzy" not in model and 5 not in model
    v = model["t0w1"]
    assert isinstance(v, np.ndarray) and v.shape == (40,) and v.dtype == np.float32
    assert np.allclose(model.get_vector("t0w1"), v)
    assert np.linalg.norm(model.get_vector("t0w1", norm=True)) == pytest.approx(1, abs=1e-5)
    assert model[["t0w1", "t1w2"]].shape == (2, 40)
    with pytest.raises(KeyError):
        model["xyzzy"]
    with pytest.raises(w2vd.NotFound):
        model[["t0w1", "xyzzy"]]

    near = model.most_similar("t0w1", topn=5)
    assert len(near) == 5 and all(isinstance(w, str) and isinstance(s, float) for w, s in near)
    assert all(topic(w) == "t0" for w, _ in near)
    assert near == sorted(near, key=lambda p: -p[1])
    assert model.most_similar(positive=["t0w1"], topn=5) == near
    assert model.similar_by_word("t0w1", topn=5) == near
    assert model.most_similar("t0w1", topn=5, restrict_vocab=len(model)) == near
    assert len(model.most_similar("t0w1", topn=3, restrict_vocab=10)) == 3
    assert [w for w, _ in model.most_similar("t0w1", topn=5, exact=False)][:1] == [near[0][0]]
    assert model.similarity("t0w1", "t0w2") > model.similarity("t0w1", "t3w2")
    assert model.similarity("t0w1", "t0w2") == pytest.approx(float(
        np.dot(model.get_vector("t0w1", True), model.get_vector("t0w2", True))), abs=1e-4)
    assert model.doesnt_match(["t0w1", "t0w2", "t0w3", "t4w5", "xyzzy"]) == "t4w5"


def test_analogies(model):
    # r0e1 is to r1e1 as r0e2 is to r1e2: b - a + c.
    got = model.most_similar(positive=["r1e1", "r0e2"], negative=["r0e1"], topn=3)
    assert got[0][0] == "r1e2"
    assert model.analogy("r0e1", "r1e1", "r0e2", topn=1)[0][0] == "r1e2"
    assert model.most_similar_cosmul(positive=["r1e1", "r0e2"], negative=["r0e1"], topn=1)[0][0] == "r1e2"
    with pytest.raises(NotImplementedError):
        model.most_similar_cosmul(positive=["r1e1"], topn=1)


def test_batch_calls(model):
    words = [f"t{t}w{i}" for t in range(6) for i in range(20)] + ["xyzzy"]
    vecs = model.vectors(words * 10)  # 1210 words: two requests
    assert vecs["xyzzy"] is None
    assert np.allclose(vecs["t2w3"], model["t2w3"])
    near = model.most_similar_batch(words, topn=4)
    assert near["xyzzy"] is None
    assert near["t0w1"] == model.most_similar("t0w1", topn=4)
    assert all(topic(w) == topic(word) for word in words[:-1] for w, _ in near[word])
    # words x k over the server's bound: sent in smaller batches.
    assert len(model.most_similar_batch(words[:120], topn=1000)["t5w5"]) == min(1000, len(model) - 1)


def test_evaluation(model, tmp_path):
    q = tmp_path / "questions.txt"
    q.write_text(": relations\n" + "".join(" ".join(a) + "\n" for a in planted.analogies()[:200]))
    acc, sections = model.evaluate_word_analogies(q)
    assert acc > 0.5 and sections[0]["name"] == "relations"
    assert model.evaluate(q)["kind"] == "analogies"
    pairs = tmp_path / "pairs.txt"
    rows = [("t0w1", "t0w2", 9), ("t0w1", "t3w2", 1), ("t1w1", "t1w5", 8), ("t2w1", "t4w1", 2),
            ("t5w3", "t5w4", 9), ("t3w3", "t0w4", 1), ("xyzzy", "t0w1", 5)]
    pairs.write_text("".join(f"{a} {b} {s}\n" for a, b, s in rows))
    (pearson, _), (spearman, _), oov = model.evaluate_word_pairs(pairs)
    assert spearman > 0.5 and pearson > 0.5
    assert oov == pytest.approx(100 / 7)


def test_export_import_rename_delete_and_gensim(client, model, tmp_path):
    text = model.export(tmp_path / "v.txt", format="text")
    with open(text) as f:
        assert f.readline().split() == [str(len(model)), "40"]
    binary = client.export_model(model.id, tmp_path / "v.bin")
    imported = client.import_model(binary, name="copy")
    assert imported.name == "copy" and len(imported) == len(model)
    assert imported.most_similar("t0w1", topn=3) == model.most_similar("t0w1", topn=3)
    from_text = client.import_model(text)
    assert from_text.dim == 40
    assert imported.rename("renamed").name == "renamed"
    assert client.model(imported.id).name == "renamed"
    assert client.rename_model(imported, "again").name == "again"
    imported.delete()
    client.delete_model(from_text)
    with pytest.raises(w2vd.NotFound):
        client.model(imported.id)
    assert model in client.models()

    kv = model.to_keyed_vectors()
    from gensim.models import KeyedVectors

    assert isinstance(kv, KeyedVectors) and len(kv) == len(model)
    for word in ("t0w1", "t3w7", "r1e2"):
        ours = model.most_similar(word, topn=5)
        theirs = kv.most_similar(word, topn=5)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        assert [s for _, s in ours] == pytest.approx([s for _, s in theirs], abs=1e-4)


def test_continued_training(client, model, corpus):
    job = model.train_more(corpus, epochs=1, vocabulary="keep")
    more = job.wait(progress=False)
    assert more.parent_id == model.id and len(more) == len(model)
    more.delete()


def test_env_fallback(daemon, monkeypatch):
    monkeypatch.setenv("W2VD_URL", daemon.url)
    assert w2vd.Client().url == daemon.url
    assert w2vd.Client().health()["status"] == "ok"

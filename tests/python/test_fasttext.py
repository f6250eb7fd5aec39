"""fastText's model file through the Python client: a model trained with character n-grams,
exported as a .bin that gensim's fastText loader reads (the same vectors for its words, and a
vector for words it never saw), and imported back (its format found from its first bytes)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import PARAMS


def cosine(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(a @ b / np.sqrt((a @ a) * (b @ b)))


def test_subword_model_round_trip_through_fasttext_bin(client, corpus, tmp_path):
    gensim_fasttext = pytest.importorskip("gensim.models.fasttext")
    params = dict(PARAMS, epochs=2, minn=3, maxn=5, bucket=5000)
    model = client.train(corpus, wait=True, progress=False, name="subwords", **params)
    assert model.params["maxn"] == 5 and model.params["bucket"] == 5000
    path = model.export(tmp_path / "model.bin", format="fasttext")

    kv = gensim_fasttext.load_facebook_vectors(path)
    for word in ("t0w1", "t3w7", "r1e2"):
        assert cosine(kv[word], model.get_vector(word)) >= 0.999
    assert "t0w99" not in kv.key_to_index  # never seen: gensim composes it from its n-grams
    assert np.linalg.norm(kv["t0w99"]) > 0

    again = client.import_model(path, name="back")
    assert again.params["maxn"] == 5 and len(again) == len(model)
    for word in ("t0w1", "r1e2"):
        assert cosine(again.get_vector(word), model.get_vector(word)) >= 0.9999
    again.delete()
    model.delete()

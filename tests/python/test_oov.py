"""Words outside the vocabulary of a model trained with subwords: the client gets their vectors,
neighbours and similarities from their character n-grams and can ask whether a word is one."""

from __future__ import annotations

import pytest
import w2vd
from conftest import PARAMS


@pytest.fixture(scope="module")
def subword_model(client, corpus):
    return client.train(corpus, wait=True, progress=False, name="subwords", minn=3, maxn=5, bucket=50000, **PARAMS)


def test_an_oov_word_has_a_vector_and_vocabulary_neighbours(subword_model):
    word = "t0w1x"  # the planted word t0w1 with a letter more: not in the corpus
    assert subword_model.is_oov(word)
    assert not subword_model.is_oov("t0w1")
    assert len(subword_model.get_vector(word)) == subword_model.vector_size
    near = subword_model.most_similar(word, topn=5)
    assert len(near) == 5
    assert all(w != word and not subword_model.is_oov(w) for w, _ in near)
    assert -1.0 <= subword_model.similarity(word, "t0w1") <= 1.0
    found = subword_model.vectors([word, "t0w1"])
    assert found[word] is not None and found["t0w1"] is not None


def test_a_model_without_subwords_has_no_vector_for_it(model):
    with pytest.raises(w2vd.NotFound):
        model.get_vector("t0w1x")
    with pytest.raises(w2vd.NotFound):
        model.is_oov("t0w1x")

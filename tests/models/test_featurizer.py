import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage.models._featurizer import Featurizer
from triage.models._hashing import raw_counts

_WORDS = st.sampled_from(["paket", "balík", "nije", "stigao", "refund", "", "a", "zzz", "račun", "42", "!!"])
_TEXTS = st.lists(st.lists(_WORDS, max_size=12).map(" ".join), min_size=1, max_size=8)


def _by_definition(fz: Featurizer, texts: list[str]) -> np.ndarray:
    """tf-idf of the kept columns, each group (words, characters) L2-normalized, row by row."""
    raw = raw_counts(texts, fz.bits).toarray()[:, fz.vocab_]
    x = np.log1p(raw) * fz.idf_
    words = np.arange(fz.vocab_.size) < fz.n_words_
    for group, weight in ((words, fz.word_weight), (~words, fz.char_weight)):
        norms = np.linalg.norm(x[:, group], axis=1, keepdims=True)
        x[:, group] = weight * x[:, group] / np.where(norms == 0, 1.0, norms)
    return x


@given(_TEXTS, _TEXTS)
@settings(max_examples=60, deadline=None)
def test_transform_matches_its_definition(fit_texts, texts):
    fz = Featurizer(bits=10, min_df=1, char_weight=0.7, word_weight=1.3).fit(fit_texts)
    got = fz.transform(texts).toarray()
    np.testing.assert_allclose(got, _by_definition(fz, texts), rtol=1e-5, atol=1e-6)


def test_unsorted_vocabulary_is_refused():
    with pytest.raises(ValueError, match="sorted"):
        Featurizer().set_state(np.array([5, 3]), np.ones(2))

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import scipy.sparse as sp

from triage.models._hashing import char_hashes, count_matrix, encode, word_hashes


def reference_char_ngrams(text, lo=3, hi=5):
    """char_wb n-grams as scikit-learn defines them, over the same normalized words."""
    codes, _ = encode([text])
    chars = "".join(chr(c) for c in codes)
    out = []
    for word in chars.split(" "):
        if not word:
            continue
        padded = f" {word} "
        for n in range(lo, hi + 1):
            out.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="abcčdž 1,.!😀", max_size=30), min_size=1, max_size=5))
def test_char_ngram_count_matches_the_reference(texts):
    codes, rows = encode(texts)
    r, _ = char_hashes(codes, rows)
    for i, t in enumerate(texts):
        assert int(np.sum(r == i)) == len(reference_char_ngrams(t))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="ab cd", max_size=20), min_size=2, max_size=4))
def test_hashes_do_not_depend_on_batch_neighbours(texts):
    codes, rows = encode(texts)
    wr, wh = word_hashes(codes, rows)
    c1, r1 = encode(texts[:1])
    w1r, w1h = word_hashes(c1, r1)
    assert sorted(wh[wr == 0].tolist()) == sorted(w1h.tolist())


def test_same_word_same_hash_and_digits_generalize():
    codes, rows = encode(["order 123 late", "late order 987"])
    wr, wh = word_hashes(codes, rows)
    first = set(wh[wr == 0][:3].tolist())
    second = set(wh[wr == 1][:3].tolist())
    assert first == second  # unigrams: order, 000, late


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 6), st.sampled_from([7, 1 << 20, 1 << 30]),
       st.lists(st.tuples(st.integers(0, 5), st.integers(0, 6)), max_size=40))
def test_count_matrix_sums_repeats_like_scipy(n_rows, n_cols, pairs):
    pairs = [(r % n_rows, c % n_cols) for r, c in pairs]
    rows = np.array([r for r, _ in pairs], dtype=np.int64)
    cols = np.array([c for _, c in pairs], dtype=np.int64)
    got = count_matrix(rows, cols, n_rows, n_cols)
    want = sp.coo_matrix((np.ones(len(pairs), np.float32), (rows, cols)), shape=(n_rows, n_cols)).tocsr()
    want.sum_duplicates()
    assert got.shape == want.shape
    assert np.array_equal(got.indptr, want.indptr)
    assert np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data)

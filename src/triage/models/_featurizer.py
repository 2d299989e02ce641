"""One featurization per batch, shared by every head: hashed word uni/bigrams and
within-word character 3-5-grams of the folded text (tf-idf, L2 per group), plus
urgency-cue counts and a few shape features (capitals, '!', '?', length)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp

from ._hashing import char_hashes, count_matrix, encode, to_columns, word_hashes

SHAPE_FEATURES = ("caps_ratio", "exclamations", "questions", "log_length", "emoji")


def shape_features(texts: Sequence[str]) -> np.ndarray:
    out = np.zeros((len(texts), len(SHAPE_FEATURES)), dtype=np.float32)
    for i, t in enumerate(texts):
        letters = sum(c.isalpha() for c in t) or 1
        out[i, 0] = sum(c.isupper() for c in t) / letters
        out[i, 1] = np.log1p(t.count("!"))
        out[i, 2] = np.log1p(t.count("?"))
        out[i, 3] = np.log1p(len(t)) / 8.0
        out[i, 4] = np.log1p(sum(ord(c) >= 0x1F300 for c in t))
    return out


class Featurizer:
    """Hashed tf-idf features; ``fit`` keeps hashed columns seen in >= ``min_df`` texts."""

    def __init__(self, bits: int = 18, char_range: tuple[int, int] = (3, 5), min_df: int = 2,
                 char_weight: float = 1.0, word_weight: float = 1.0) -> None:
        self.bits = bits
        self.char_range = tuple(char_range)
        self.min_df = min_df
        self.char_weight = char_weight
        self.word_weight = word_weight

    def config(self) -> dict:
        return {"bits": self.bits, "char_range": list(self.char_range), "min_df": self.min_df,
                "char_weight": self.char_weight, "word_weight": self.word_weight}

    def _hashed(self, folded: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        codes, rows = encode(folded)
        n, d = len(folded), 1 << self.bits
        wr, wh = word_hashes(codes, rows)
        cr, ch = char_hashes(codes, rows, self.char_range)
        words = count_matrix(wr, to_columns(wh, self.bits), n, d)
        chars = count_matrix(cr, to_columns(ch, self.bits) + d, n, 2 * d)
        return words, chars

    def fit(self, folded: Sequence[str]) -> "Featurizer":
        words, chars = self._hashed(folded)
        df = np.zeros(2 << self.bits, dtype=np.int64)
        for m in (words, chars):
            cols, counts = np.unique(m.indices, return_counts=True)
            df[cols] += counts
        self.vocab_ = np.flatnonzero(df >= self.min_df).astype(np.int64)
        n = len(folded)
        self.idf_ = (np.log((1 + n) / (1 + df[self.vocab_])) + 1).astype(np.float32)
        self._build_map()
        return self

    def _build_map(self) -> None:
        self.col_map_ = np.full(2 << self.bits, -1, dtype=np.int64)
        self.col_map_[self.vocab_] = np.arange(self.vocab_.size)
        self.n_words_ = int(np.searchsorted(self.vocab_, 1 << self.bits))

    def set_state(self, vocab: np.ndarray, idf: np.ndarray) -> "Featurizer":
        self.vocab_ = vocab.astype(np.int64)
        self.idf_ = idf.astype(np.float32)
        self._build_map()
        return self

    @property
    def n_features_(self) -> int:
        return int(self.vocab_.size)

    def _weigh(self, m: sp.csr_matrix, weight: float) -> sp.csr_matrix:
        cols = self.col_map_[m.indices]
        keep = cols >= 0
        data = np.log1p(m.data[keep]) * self.idf_[cols[keep]]
        row_of = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))[keep]
        out = sp.csr_matrix((data, (row_of, cols[keep])), shape=(m.shape[0], self.vocab_.size),
                            dtype=np.float32)
        norms = np.sqrt(np.asarray(out.multiply(out).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        scale = (weight / norms).astype(np.float32)
        return sp.csr_matrix(out.multiply(scale[:, None]))

    def transform(self, folded: Sequence[str], extra=None) -> sp.csr_matrix:
        """Features of folded texts; ``extra`` columns (dense or sparse) are appended."""
        words, chars = self._hashed(folded)
        x = self._weigh(words, self.word_weight) + self._weigh(chars, self.char_weight)
        if extra is not None and extra.shape[1]:
            x = sp.hstack([x, sp.csr_matrix(extra, dtype=np.float32)], format="csr")
        return x

"""One featurization per batch, shared by every head: hashed word uni/bigrams and
within-word character 3-5-grams of the folded text (tf-idf, L2 per group), plus
urgency-cue counts and a few shape features (capitals, '!', '?', length)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp

from ._hashing import BITS, MAX_CHAR, MIN_CHAR, raw_counts

SHAPE_FEATURES = ("caps_ratio", "exclamations", "questions", "log_length", "emoji")


def segment_sums(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Sums of ``values`` over the runs ``bounds[i]:bounds[i + 1]`` (empty runs give 0),
    in ``values``' dtype: one ``reduceat`` instead of a bincount over run ids."""
    if bounds.size < 2:
        return np.zeros(0, dtype=values.dtype)
    sums = np.add.reduceat(np.append(values, values.dtype.type(0)), bounds[:-1])
    sums[bounds[1:] == bounds[:-1]] = 0
    return sums


def shape_features(texts: Sequence[str], stats: np.ndarray | None = None) -> np.ndarray:
    """Capitals ratio, '!' and '?' counts, length and emoji, from the batch's char_stats."""
    from .._text import char_stats

    stats = char_stats(texts) if stats is None else stats
    letters = np.maximum(stats[:, 0], 1)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.float32, count=len(texts))
    return np.column_stack([stats[:, 2] / letters, np.log1p(stats[:, 3]), np.log1p(stats[:, 4]),
                            np.log1p(lengths) / 8.0, np.log1p(stats[:, 5])]).astype(np.float32)


class Featurizer:
    """Hashed tf-idf over the raw n-gram counts of a batch (``_hashing.raw_counts``):
    the word block and the character blocks of ``char_range``; ``fit`` keeps the hashed
    columns seen in >= ``min_df`` texts. Each group (words, characters) is L2-normalized
    and weighted, so long and short messages weigh alike."""

    def __init__(self, bits: int = BITS, char_range: tuple[int, int] = (3, 5), min_df: int = 2,
                 char_weight: float = 1.0, word_weight: float = 1.0) -> None:
        if not MIN_CHAR <= char_range[0] <= char_range[1] <= MAX_CHAR:
            raise ValueError(f"char_range must lie within ({MIN_CHAR}, {MAX_CHAR}), not {char_range}")
        self.bits = bits
        self.char_range = tuple(char_range)
        self.min_df = min_df
        self.char_weight = char_weight
        self.word_weight = word_weight

    @classmethod
    def from_config(cls, cfg: dict) -> "Featurizer":
        """The featurizer a manifest's ``featurizer`` entry describes (state set separately)."""
        return cls(bits=cfg["bits"], char_range=tuple(cfg["char_range"]), min_df=cfg["min_df"],
                   char_weight=cfg["char_weight"], word_weight=cfg["word_weight"])

    def config(self) -> dict:
        return {"bits": self.bits, "char_range": list(self.char_range), "min_df": self.min_df,
                "char_weight": self.char_weight, "word_weight": self.word_weight}

    def raw(self, x) -> sp.csr_matrix:
        """Raw counts of texts, or the batch's shared raw counts when they fit."""
        if sp.issparse(x):
            if x.shape[1] >= (self.char_range[1] + 1) << self.bits:
                return x
            raise ValueError("raw counts do not cover this featurizer's n-gram sizes")
        return raw_counts(list(x), self.bits, max(self.char_range[1], MAX_CHAR))

    def _blocks(self, n_cols: int) -> np.ndarray:
        d = 1 << self.bits
        keep = np.zeros(n_cols, dtype=bool)
        keep[:d] = self.word_weight > 0
        lo, hi = self.char_range
        keep[lo * d:(hi + 1) * d] = self.char_weight > 0
        return keep

    def fit(self, x) -> "Featurizer":
        raw = self.raw(x)
        df = np.bincount(raw.indices, minlength=raw.shape[1])
        keep = self._blocks(raw.shape[1]) & (df >= self.min_df)
        self.vocab_ = np.flatnonzero(keep).astype(np.int64)
        n = raw.shape[0]
        self.idf_ = (np.log((1 + n) / (1 + df[self.vocab_])) + 1).astype(np.float32)
        self._build_map(raw.shape[1])
        return self

    def _build_map(self, n_cols: int | None = None) -> None:
        n_cols = n_cols or (max(self.char_range[1], MAX_CHAR) + 1) << self.bits
        self.col_map_ = np.full(n_cols, -1, dtype=np.int32)
        self.col_map_[self.vocab_] = np.arange(self.vocab_.size, dtype=np.int32)
        self.n_words_ = int(np.searchsorted(self.vocab_, 1 << self.bits))

    def set_state(self, vocab: np.ndarray, idf: np.ndarray) -> "Featurizer":
        if vocab.size > 1 and not (np.diff(vocab) > 0).all():
            raise ValueError("a featurizer's vocabulary must be sorted and without repeats")
        self.vocab_ = vocab.astype(np.int64)
        self.idf_ = idf.astype(np.float32)
        self._build_map()
        return self

    @property
    def n_features_(self) -> int:
        return int(self.vocab_.size)

    def transform(self, x, extra=None) -> sp.csr_matrix:
        """Features of folded texts (or of their raw counts); ``extra`` columns appended."""
        raw = self.raw(x)
        if not raw.has_sorted_indices:
            raw = raw.sorted_indices()
        n = raw.shape[0]
        col_map = self.col_map_
        if raw.shape[1] > col_map.size:
            col_map = np.concatenate([col_map, np.full(raw.shape[1] - col_map.size, -1, dtype=np.int32)])
        cols = col_map[raw.indices]
        kept = np.flatnonzero(cols >= 0)
        cols = cols[kept]
        indptr = np.searchsorted(kept, raw.indptr)
        data = np.log1p(raw.data[kept]) * self.idf_[cols]
        # A row's entries are in column order, words before characters: two runs per
        # row, split where the running count of character entries says. Each run is
        # L2-normalized and weighted (one reduceat, not a bincount over (row, group)).
        chars_before = np.zeros(cols.size + 1, dtype=np.int64)
        np.cumsum(cols >= self.n_words_, out=chars_before[1:])
        bounds = np.empty(2 * n + 1, dtype=np.int64)
        bounds[0:-1:2] = indptr[:-1]
        bounds[1:-1:2] = indptr[1:] - (chars_before[indptr[1:]] - chars_before[indptr[:-1]])
        bounds[-1] = cols.size
        norms = np.sqrt(segment_sums(np.square(data, dtype=np.float64), bounds))
        norms[norms == 0] = 1.0
        weights = np.empty(2 * n, dtype=np.float64)
        weights[0::2] = self.word_weight / norms[0::2]
        weights[1::2] = self.char_weight / norms[1::2]
        data = data * np.repeat(weights, np.diff(bounds))
        x_out = sp.csr_matrix((data.astype(np.float32), cols, indptr), shape=(n, self.vocab_.size))
        if extra is not None and extra.shape[1]:
            x_out = sp.hstack([x_out, sp.csr_matrix(extra, dtype=np.float32)], format="csr")
        return x_out

"""Vectorized feature hashing over a whole batch at once.

The batch's texts are joined into one array of code points; word tokens, word
bigrams and within-word character n-grams are hashed with numpy arithmetic on that
array, so the cost per message is a few array operations rather than Python loops.
Hashes are plain arithmetic (no Python ``hash``), so features are the same in every
process and on every machine.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp

_P = np.uint64(1_000_003)  # odd, so it has an inverse modulo 2**64
_Q = np.uint64(pow(1_000_003, -1, 2**64))
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_SALT_WORD = np.uint64(0x9E3779B97F4A7C15)
_SALT_BIGRAM = np.uint64(0xC2B2AE3D27D4EB4F)
_SALT_CHAR = np.uint64(0x165667B19E3779F9)
_SPACE = 32
_ZERO = ord("0")


def _char_classes() -> np.ndarray:
    """For each BMP code point: 0 space-like, 1 token char, 2 digit."""
    table = np.zeros(0x10000, dtype=np.uint8)
    for cp in range(0x10000):
        ch = chr(cp)
        if ch.isdigit():
            table[cp] = 2
        elif ch.isalpha() or (0x2600 <= cp <= 0x27BF):
            table[cp] = 1
    return table


_CLASSES: np.ndarray | None = None


def _classes() -> np.ndarray:
    global _CLASSES
    if _CLASSES is None:
        _CLASSES = _char_classes()
    return _CLASSES


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer: spreads similar keys over the whole 64-bit range."""
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint64(30))
        h = h * _MIX1
        h = h ^ (h >> np.uint64(27))
        h = h * _MIX2
        return h ^ (h >> np.uint64(31))


def encode(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points of all texts, each padded by a space, joined by NUL (0 = separator,
    32 = space), and the row of every position. Digits become '0'; anything not a
    letter, digit or emoji is space."""
    joined = " " + " \x00 ".join(texts) + " "
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    lengths = np.fromiter((len(t) + 3 for t in texts), dtype=np.int64, count=len(texts))
    rows = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)[: codes.size]
    sep = codes == 0
    bmp = codes < 0x10000
    cls = np.ones(codes.size, dtype=np.uint8)  # beyond the BMP: emoji and the like
    cls[bmp] = _classes()[codes[bmp]]
    codes = np.where(cls == 0, _SPACE, np.where(cls == 2, _ZERO, codes))
    codes[sep] = 0
    return codes.astype(np.uint64), rows


def _powers(base: np.uint64, n: int) -> np.ndarray:
    out = np.empty(n, dtype=np.uint64)
    out[0] = 1
    with np.errstate(over="ignore"):
        if n > 1:
            out[1:] = base
            out = np.cumprod(out, dtype=np.uint64)
    return out


def word_hashes(codes: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, hash) of every word token and every pair of adjacent tokens in a row."""
    is_tok = (codes != _SPACE) & (codes != 0)
    if not is_tok.any():
        return np.empty(0, np.int64), np.empty(0, np.uint64)
    edge = np.diff(np.concatenate(([0], is_tok.view(np.int8), [0])))
    starts = np.flatnonzero(edge == 1)
    ends = np.flatnonzero(edge == -1)
    n = codes.size
    with np.errstate(over="ignore"):
        qpow = _powers(_Q, n + 1)
        ppow = _powers(_P, n + 1)
        g = np.concatenate(([np.uint64(0)], np.cumsum(codes * qpow[:n], dtype=np.uint64)))
        h = (g[ends] - g[starts]) * ppow[ends - 1]
        lengths = (ends - starts).astype(np.uint64)
        uni = _mix(h + lengths * _SALT_WORD)
        tok_rows = rows[starts]
        same = tok_rows[1:] == tok_rows[:-1]
        bi = _mix(uni[:-1][same] * _P + uni[1:][same] + _SALT_BIGRAM)
    return (np.concatenate((tok_rows, tok_rows[:-1][same])), np.concatenate((uni, bi)))


def char_hashes(codes: np.ndarray, rows: np.ndarray, ngram_range: tuple[int, int] = (3, 5),
                with_sizes: bool = False):
    """(row, hash) of character n-grams inside words, padded by one space each side
    (the 'char_wb' scheme): inflected forms share their stems' n-grams. With
    ``with_sizes``, also each n-gram's size."""
    is_tok = (codes != _SPACE) & (codes != 0)
    not_sep = codes != 0
    all_rows, all_hashes, all_sizes = [], [], []
    n = codes.size
    lo, hi = ngram_range
    h = codes.copy()
    interior = np.ones(n, dtype=bool)  # positions s+1 .. s+size-2 are all token chars
    clean = not_sep.copy()  # no separator in s .. s+size-1
    with np.errstate(over="ignore"):
        for k in range(1, hi):
            m = n - k
            if m <= 0:
                break
            size = k + 1
            h = h[:m] * _P + codes[k:k + m]
            clean = clean[:m] & not_sep[k:k + m]
            if size >= 3:
                interior = interior[:m] & is_tok[k - 1:k - 1 + m]
            else:
                interior = interior[:m] & (is_tok[:m] | is_tok[1:1 + m])
            if size < lo:
                continue
            idx = np.flatnonzero(interior & clean)
            all_rows.append(rows[idx])
            all_hashes.append(_mix(h[idx] + np.uint64(size) * _SALT_CHAR))
            all_sizes.append(np.full(idx.size, size, dtype=np.int64))
    if not all_rows:
        empty = (np.empty(0, np.int64), np.empty(0, np.uint64))
        return (*empty, np.empty(0, np.int64)) if with_sizes else empty
    out = (np.concatenate(all_rows), np.concatenate(all_hashes))
    return (*out, np.concatenate(all_sizes)) if with_sizes else out


def to_columns(hashes: np.ndarray, bits: int) -> np.ndarray:
    return (hashes >> np.uint64(64 - bits)).astype(np.int64)


def count_matrix(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> sp.csr_matrix:
    """Sparse counts with sorted indices; duplicates of (row, col) are summed.

    One sort of a (row, col) key, 32 bits wide when it fits (a batch of 2,048 rows
    over the 6 x 2**18 hashed columns does), then run lengths: about four times faster
    than scipy's per-row sort in ``sum_duplicates``, with the same matrix."""
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    if rows.size == 0:
        return sp.csr_matrix((np.zeros(0, np.float32), np.zeros(0, np.int32), indptr), shape=(n_rows, n_cols))
    key_type = np.uint32 if n_rows * n_cols <= 1 << 32 else np.uint64
    key = rows.astype(key_type) * key_type(n_cols) + cols.astype(key_type)
    key.sort()
    first = np.empty(key.size, dtype=bool)
    first[0] = True
    np.not_equal(key[1:], key[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, key.size)).astype(np.float32)
    unique = key[starts]
    # keys are sorted, so each row's entries start where its first key would go
    indptr[:-1] = np.searchsorted(unique, np.arange(n_rows, dtype=key_type) * key_type(n_cols))
    indptr[-1] = unique.size
    row_base = np.repeat(np.arange(n_rows, dtype=np.int64) * n_cols, np.diff(indptr))
    index_type = np.int32 if n_cols < 1 << 31 else np.int64
    out = sp.csr_matrix((counts, (unique.astype(np.int64) - row_base).astype(index_type), indptr), shape=(n_rows, n_cols))
    out.has_sorted_indices = True  # the key sort put each row's columns in order
    return out


#: Hash space of one n-gram block; the raw matrix has a block for words (uni- and
#: bigrams) and one per character n-gram size 1..MAX_CHAR.
BITS = 18
MIN_CHAR = 3
MAX_CHAR = 5


def raw_counts(folded: Sequence[str], bits: int = BITS, max_char: int = MAX_CHAR) -> sp.csr_matrix:
    """Counts of hashed word and character n-grams: columns [0, D) words, [n*D, (n+1)*D)
    character n-grams of size n = MIN_CHAR..max_char (D = 2**bits; blocks below
    MIN_CHAR stay empty: sizes 1-2 cost half the time and bought no accuracy). Computed once per batch and shared by
    every model that reads text (language, classifier, KB)."""
    codes, rows = encode(folded)
    d = 1 << bits
    wr, wh = word_hashes(codes, rows)
    parts_r, parts_c = [wr], [to_columns(wh, bits)]
    cr, ch, sizes = char_hashes(codes, rows, (MIN_CHAR, max_char), with_sizes=True)
    parts_r.append(cr)
    parts_c.append(to_columns(ch, bits) + sizes * d)
    return count_matrix(np.concatenate(parts_r), np.concatenate(parts_c), len(folded), (max_char + 1) * d)


"""Multilingual concepts (rules/concepts.json): stems in 11 languages mapped to one
concept, so that 'paket', 'balík', 'pakk' and 'colis' share a feature. Used by the
models (cross-language transfer) and by KB retrieval (cross-language matching)."""
from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from importlib import resources
from typing import Sequence

import numpy as np
import scipy.sparse as sp

_FILE = "concepts.json"


@lru_cache(maxsize=1)
def _raw() -> bytes:
    path = resources.files("triage.rules").joinpath(_FILE)
    return path.read_bytes() if path.is_file() else b'{"concepts": {}}'


def lexicon_digest() -> str:
    return hashlib.sha256(_raw()).hexdigest()


class ConceptMatcher:
    """Counts concept mentions per text over the whole batch with one regex pass."""

    def __init__(self, concepts: dict | None = None) -> None:
        if concepts is None:
            concepts = json.loads(_raw().decode("utf-8")).get("concepts", {})
        self.names: tuple[str, ...] = tuple(sorted(concepts))
        stem_to: dict[str, list[int]] = {}
        for j, name in enumerate(self.names):
            for stems in concepts[name].values():
                for stem in stems:
                    stem = stem.strip().lower()
                    if len(stem) >= 3 and j not in stem_to.setdefault(stem, []):
                        stem_to[stem].append(j)
        self._stem_to = stem_to
        ordered = sorted(stem_to, key=lambda s: (-len(s), s))
        self._pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")") if ordered else None

    def __len__(self) -> int:
        return len(self.names)

    def counts(self, folded: Sequence[str]) -> sp.csr_matrix:
        """(texts x concepts) mention counts; texts must be folded (lowercase, no diacritics)."""
        n = len(folded)
        if self._pattern is None or n == 0:
            return sp.csr_matrix((n, len(self.names)), dtype=np.float32)
        joined = "\n".join(folded)
        starts = np.cumsum([0] + [len(t) + 1 for t in folded[:-1]])
        rows, cols = [], []
        positions = []
        for m in self._pattern.finditer(joined):
            for j in self._stem_to[m.group(0)]:
                positions.append(m.start())
                cols.append(j)
        if cols:
            rows = np.searchsorted(starts, np.asarray(positions), side="right") - 1
        m = sp.csr_matrix((np.ones(len(cols), dtype=np.float32), (np.asarray(rows, dtype=np.int64),
                                                                   np.asarray(cols, dtype=np.int64))),
                          shape=(n, len(self.names)), dtype=np.float32)
        m.sum_duplicates()
        return m

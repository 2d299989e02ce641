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


def _trie_regex(words: list[str]) -> str:
    """One regex for many literal stems, shaped as a trie: the engine branches once per
    character instead of trying thousands of alternatives at every position, and the
    longest stem wins."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if end else body

    return "(?:" + build(trie) + ")"


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
        self._pattern = re.compile(r"(?<!\w)" + _trie_regex(sorted(stem_to))) if stem_to else None

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

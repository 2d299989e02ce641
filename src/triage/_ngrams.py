"""Stage: hashed word and character n-gram counts and multilingual concept counts of
the folded text, computed once per batch and shared by the language, classification
and KB stages."""
from __future__ import annotations

from typing import Mapping

from ._batch import Batch


class NgramCounter:
    name = "ngrams"
    reads = ("folded_text",)
    writes = ("ngram_counts", "concept_counts")
    output_keys = ()

    def __init__(self) -> None:
        self._concepts = None

    def predict(self, batch: Batch) -> Mapping:
        from ._concepts import ConceptMatcher
        from .models._hashing import raw_counts

        if self._concepts is None:
            self._concepts = ConceptMatcher()
        folded = list(batch["folded_text"])
        return {"ngram_counts": raw_counts(folded), "concept_counts": self._concepts.counts(folded)}

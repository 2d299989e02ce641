"""Stage: hashed word and character n-gram counts of the folded text, computed once
per batch and shared by the language, classification and KB stages."""
from __future__ import annotations

from typing import Mapping

from ._batch import Batch


class NgramCounter:
    name = "ngrams"
    reads = ("folded_text",)
    writes = ("ngram_counts",)
    output_keys = ()

    def predict(self, batch: Batch) -> Mapping:
        from .models._hashing import raw_counts

        return {"ngram_counts": raw_counts(list(batch["folded_text"]))}

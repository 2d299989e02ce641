"""Typed results and the conversion of batch columns into output rows."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterator

import numpy as np

from ._batch import Batch

#: Output keys in the order they are written; a key appears only when its stage ran.
OUTPUT_ORDER = (
    "language", "language_confidence", "sentiment", "sentiment_score", "urgency",
    "urgency_score", "urgency_cues", "topic", "topic_confidence", "team", "team_reason",
    "team_alternates", "kb", "sla_due", "ack_due", "warnings",
)

#: Keys written only where they have a value (JSONL rows and ``to_dict``).
OPTIONAL_KEYS = frozenset({"warnings"})


@dataclass(frozen=True, slots=True)
class TriageResult:
    """The triage of one message. Fields of stages that did not run stay None and are
    left out of :meth:`to_dict`; ``error`` is set when the record could not be triaged."""

    id: Any
    language: str | None = None
    language_confidence: float | None = None
    sentiment: str | None = None
    sentiment_score: float | None = None
    urgency: str | None = None
    urgency_score: float | None = None
    urgency_cues: tuple | None = None
    topic: str | None = None
    topic_confidence: float | None = None
    team: str | None = None
    team_reason: str | None = None
    team_alternates: tuple | None = None
    kb: tuple | None = None
    sla_due: str | None = None
    ack_due: str | None = None
    warnings: tuple | None = None
    error: str | None = None
    keys: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def to_dict(self) -> dict:
        """The contract's output record: ``id``, then each key of the stages that ran."""
        if self.error is not None:
            return {"id": self.id, "error": self.error}
        out: dict = {"id": self.id}
        for key in self.keys:
            value = getattr(self, key)
            out[key] = list(value) if isinstance(value, tuple) else value
        return out


def _plain(value: Any) -> Any:
    """numpy scalars and arrays -> JSON-ready Python values."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


def iter_rows(batch: Batch, keys: tuple[str, ...]) -> Iterator[dict]:
    """Output dicts in row order, straight from the columns (the CLI's fast path)."""
    keys = tuple(k for k in OUTPUT_ORDER if k in keys)
    cols = [(k, batch[k], k in OPTIONAL_KEYS) for k in keys if k in batch]
    errors, ids = batch["error"], batch["id"]
    for i in range(batch.n):
        if errors[i] is not None:
            yield {"id": ids[i], "error": errors[i]}
            continue
        row = {"id": ids[i]}
        for key, col, optional in cols:
            value = _plain(col[i])
            if value is not None or not optional:
                row[key] = value
        yield row


def results_from_batch(batch: Batch, keys: tuple[str, ...]) -> list[TriageResult]:
    out = []
    for row in iter_rows(batch, keys):
        kwargs = {k: (tuple(v) if isinstance(v, list) else v) for k, v in row.items()}
        row_keys = tuple(k for k in row if k != "id" and k != "error")
        out.append(TriageResult(**kwargs, keys=row_keys))
    return out

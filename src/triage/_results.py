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


#: Cell types that are JSON-ready as they are.
_PLAIN_TYPES = frozenset({str, int, bool, list, tuple, dict, type(None)})


def _plain_column(col: np.ndarray) -> list:
    """A column as JSON-ready Python values: one ``tolist`` per column instead of a
    conversion per cell (NaN becomes None)."""
    if col.dtype != object:
        values = col.tolist()
        if col.dtype.kind == "f" and np.isnan(col).any():
            values = [None if v != v else v for v in values]
        return values
    values = col.tolist()
    if not set(map(type, values)) <= _PLAIN_TYPES:  # numpy values or floats (NaN) inside
        values = [_plain(v) for v in values]
    return values


def _columns(batch: Batch, keys: tuple[str, ...]) -> tuple[list[str], list[list]]:
    names = [k for k in OUTPUT_ORDER if k in keys and k in batch]
    return names, [_plain_column(batch[k]) for k in names]


def contract_rows(ids, errors, names: list[str], values: list[list]) -> Iterator[dict]:
    """Contract rows from plain column lists: an error row is its id and error only;
    optional keys are left out where they have no value."""
    optional = [k for k in names if k in OPTIONAL_KEYS]
    for id_, error, *row_values in zip(ids, errors, *values):
        if error is not None:
            yield {"id": id_, "error": error}
            continue
        row = {"id": id_}
        row.update(zip(names, row_values))
        for key in optional:
            if row[key] is None:
                del row[key]
        yield row


def iter_rows(batch: Batch, keys: tuple[str, ...]) -> Iterator[dict]:
    """Output dicts in row order, straight from the columns (the CLI's fast path)."""
    names, values = _columns(batch, keys)
    return contract_rows(batch["id"].tolist(), batch["error"].tolist(), names, values)


#: TriageResult's value fields in order (after ``id``, before ``error``).
_FIELDS = tuple(f for f in TriageResult.__dataclass_fields__ if f not in ("id", "error", "keys"))


def results_from_batch(batch: Batch, keys: tuple[str, ...]) -> list[TriageResult]:
    names, values = _columns(batch, keys)
    # list values (cues, alternates, KB hits, warnings) become tuples: results are frozen
    values = [[tuple(v) if type(v) is list else v for v in col] for col in values]
    optional = [j for j, k in enumerate(names) if k in OPTIONAL_KEYS]
    all_keys = tuple(names)
    where = [names.index(f) if f in names else -1 for f in _FIELDS]
    out = []
    # which optional keys each row lacks, as a tuple of flags per row, and the keys of each pattern
    missing = list(zip(*[[v is None for v in values[j]] for j in optional])) if optional else None
    keys_of = {(False,) * len(optional): all_keys}
    for r, (id_, error, *row_values) in enumerate(zip(batch["id"].tolist(), batch["error"].tolist(), *values)):
        if error is not None:
            out.append(TriageResult(id=id_, error=error))
            continue
        row_keys = all_keys
        if missing is not None:
            flags = missing[r]
            row_keys = keys_of.get(flags)
            if row_keys is None:
                gone = {names[j] for j, flag in zip(optional, flags) if flag}
                row_keys = keys_of[flags] = tuple(k for k in names if k not in gone)
        out.append(TriageResult(id_, *[row_values[j] if j >= 0 else None for j in where], keys=row_keys))
    return out


"""The columnar batch that flows through the pipeline: one row per input record."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np

#: Columns a caller may supply; everything else is written by stages.
INPUT_COLUMNS = ("id", "text", "subject", "channel", "customer", "received_at")


def _as_column(values: Any) -> Any:
    """Keep numpy arrays and sparse matrices as they are; turn sequences into object arrays."""
    if isinstance(values, np.ndarray) or hasattr(values, "tocsr"):
        return values
    arr = np.empty(len(values), dtype=object)
    arr[:] = list(values)
    return arr


class Batch:
    """Equal-length columns keyed by name.

    Stages read columns and return new ones; the pipeline writes them here. Rows whose
    ``error`` is not None are records that could not be triaged; stages never see them
    (the pipeline runs stages on the valid rows only and scatters results back).
    """

    __slots__ = ("_columns", "n")

    def __init__(self, columns: Mapping[str, Any], n: int | None = None) -> None:
        self._columns: dict[str, Any] = {}
        if n is None:
            n = len(next(iter(columns.values()))) if columns else 0
        self.n = int(n)
        for name, values in columns.items():
            self[name] = values

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]]) -> "Batch":
        """Build input columns from dict-like records (missing keys become None)."""
        records = list(records)
        cols = {name: [r.get(name) for r in records] for name in INPUT_COLUMNS}
        cols["error"] = [r.get("error") for r in records]
        return cls(cols, n=len(records))

    def __len__(self) -> int:
        return self.n

    def __contains__(self, name: str) -> bool:
        return name in self._columns

    def __getitem__(self, name: str) -> Any:
        return self._columns[name]

    def __setitem__(self, name: str, values: Any) -> None:
        values = _as_column(values)
        if values.shape[0] != self.n:
            raise ValueError(
                f"column {name!r} has {values.shape[0]} rows but the batch has {self.n}"
            )
        self._columns[name] = values

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._columns)

    def valid_rows(self) -> np.ndarray:
        """Indices of the rows without an error."""
        if "error" not in self._columns:
            return np.arange(self.n)
        return np.flatnonzero(np.equal(self._columns["error"], None))

    def take(self, rows: np.ndarray) -> "Batch":
        """A new batch holding the given rows of every column, in that order."""
        return Batch({k: v[rows] for k, v in self._columns.items()}, n=len(rows))

    def scatter(self, rows: np.ndarray, part: "Batch", names: Iterable[str]) -> None:
        """Write the named columns of ``part`` into ``rows``; other rows get empty values."""
        for name in names:
            src = part[name]
            if hasattr(src, "tocsr"):
                continue  # matrices are internal features, never output
            shape = (self.n,) + src.shape[1:]
            if src.dtype == object:
                full = np.empty(shape, dtype=object)
            elif np.issubdtype(src.dtype, np.floating):
                full = np.full(shape, np.nan, dtype=src.dtype)
            else:
                full = np.zeros(shape, dtype=src.dtype)
            full[rows] = src
            self._columns[name] = full

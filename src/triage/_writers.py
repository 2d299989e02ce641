"""Output writers (JSONL, CSV, Parquet by extension), written to a temporary file and
renamed into place only when complete, so a reader never sees half a file."""
from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path
from typing import IO, Any

from ._errors import ConfigError, MissingExtraError

WRITE_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv",
                 ".parquet": "parquet", ".pq": "parquet"}


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False, default=_json_default, separators=(", ", ": "))


def _complete_rows(part: Path, fmt: str) -> int:
    """Rows fully written in an interrupted ``.part`` file; a half-written last line is cut."""
    data = part.read_bytes()
    end = data.rfind(b"\n") + 1
    if end < len(data):
        with open(part, "r+b") as f:
            f.truncate(end)
    lines = data[:end].count(b"\n")
    return max(lines - 1, 0) if fmt == "csv" else lines


class RowWriter:
    """Writes output rows to ``PATH.part`` and renames it to PATH when complete;
    ``abort()`` keeps the ``.part`` file, which ``resume=True`` continues."""

    def __init__(self, path: str | None, keys: tuple[str, ...] = (), stdout: IO[str] | None = None,
                 resume: bool = False) -> None:
        self.path = path
        self.keys = keys
        self.count = 0
        self.skip = 0  # rows already written by an interrupted run
        self.format = "jsonl"
        if path is not None and path != "-":
            fmt = WRITE_FORMATS.get(Path(path).suffix.lower())
            if fmt is None:
                raise ConfigError(
                    f"cannot tell the output format of {path!r}; use one of {', '.join(sorted(WRITE_FORMATS))}")
            self.format = fmt
        self._parquet_rows: list[dict] = []
        self._parquet_writer = None
        self._tmp: str | None = None
        if path is None or path == "-":
            self._handle: IO[str] | None = stdout or sys.stdout
        else:
            target = Path(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            part = target.with_name(target.name + ".part")
            self._tmp = str(part)
            if resume and self.format == "parquet":
                raise ConfigError("--resume works for .jsonl and .csv output, not Parquet")
            if resume and part.exists():
                self.skip = _complete_rows(part, self.format)
                self.count = self.skip
            if self.format == "parquet":
                self._handle = None
            else:
                mode = "a" if self.skip or (resume and part.exists()) else "w"
                self._handle = open(part, mode, encoding="utf-8", newline="")
        self._csv = None

    def write(self, rows: list[dict]) -> None:
        if self.format == "jsonl":
            self._handle.write("".join(dumps(r) + "\n" for r in rows))
        elif self.format == "csv":
            self._write_csv(rows)
        else:
            self._parquet_rows.extend(rows)
            if len(self._parquet_rows) >= 50_000:
                self._flush_parquet()
        self.count += len(rows)

    def _write_csv(self, rows: list[dict]) -> None:
        if self._csv is None:
            fields = ["id", *self.keys, "error"]
            self._csv = csv.DictWriter(self._handle, fieldnames=fields, extrasaction="ignore")
            if not self.skip and self._handle.tell() == 0:
                self._csv.writeheader()
        for row in rows:
            self._csv.writerow({k: (dumps(v) if isinstance(v, (list, dict)) else v) for k, v in row.items()})

    def _flush_parquet(self) -> None:
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:
            raise MissingExtraError("pyarrow", "parquet", "writing Parquet") from exc
        if not self._parquet_rows and self._parquet_writer is not None:
            return
        rows = [{**r, "id": str(r["id"])} for r in self._parquet_rows]
        schema = self._parquet_schema()
        table = pa.Table.from_pylist(rows, schema=schema)
        if self._parquet_writer is None:
            self._parquet_writer = pq.ParquetWriter(self._tmp, schema)
        self._parquet_writer.write_table(table)
        self._parquet_rows = []

    def _parquet_schema(self):
        """One type per column whatever the rows hold (a first chunk where a column is
        all null must not fix its type): the Arrow output schema's types; ids as strings."""
        import pyarrow as pa

        from ._arrow import OUTPUT_SCHEMA

        fields = [pa.field("id", pa.string())]
        fields += [OUTPUT_SCHEMA.field(k) if k in OUTPUT_SCHEMA.names else pa.field(k, pa.string())
                   for k in self.keys]
        return pa.schema(fields + [pa.field("error", pa.string())])

    def flush(self) -> None:
        if self._handle is not None:
            self._handle.flush()

    def close(self) -> None:
        """Finish the file and move it into place."""
        if self.format == "parquet":
            self._flush_parquet()
            if self._parquet_writer is not None:
                self._parquet_writer.close()
        elif self._handle is not None and self._tmp is None:
            self._handle.flush()
            return
        elif self._handle is not None:
            self._handle.close()
        if self._tmp is not None:
            os.replace(self._tmp, self.path)
            self._tmp = None

    def abort(self) -> None:
        """Stop writing; what was written stays in ``PATH.part`` for ``--resume``."""
        if self._handle is not None and self._tmp is not None:
            self._handle.flush()
            self._handle.close()
        if self._parquet_writer is not None:
            self._parquet_writer.close()

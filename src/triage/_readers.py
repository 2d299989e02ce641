"""Streaming readers: every input format -> chunks of normalized records, in order.

Each reader yields lists of at most ``chunk_size`` records so that a dump of any
size runs in bounded memory. A record that cannot be read still comes out, with an
``error``; only a file that cannot be opened at all raises InputFormatError.
"""
from __future__ import annotations

import csv
import io
import json
import mailbox
import sys
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from ._errors import InputFormatError, MissingExtraError
from ._mail import mail_to_record, parse_mail
from ._records import coerce_record

Chunks = Iterator[list[dict]]
FORMATS = ("jsonl", "json", "csv", "parquet", "mbox", "eml")
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv",
               ".parquet": "parquet", ".pq": "parquet", ".mbox": "mbox", ".eml": "eml"}


def detect_format(path: str) -> str:
    """Format name from a path: '-' is stdin JSONL, a folder holds .eml files."""
    if path == "-":
        return "jsonl"
    p = Path(path)
    if p.is_dir():
        return "eml"
    fmt = _EXTENSIONS.get(p.suffix.lower())
    if fmt is None:
        raise InputFormatError(
            f"cannot tell the format of {path!r} from its extension; use one of "
            f"{', '.join(sorted(_EXTENSIONS))}, a folder of .eml files, or '-' for JSONL on stdin"
        )
    return fmt


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")


def _chunked(records: Iterator[dict], chunk_size: int) -> Chunks:
    chunk: list[dict] = []
    for rec in records:
        chunk.append(rec)
        if len(chunk) >= chunk_size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _jsonl_records(stream: BinaryIO) -> Iterator[dict]:
    for line_no, raw in enumerate(stream, 1):
        line = _decode(raw).strip()
        if line_no == 1:
            line = line.lstrip("\ufeff")
        if not line:
            continue
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield {"id": line_no, "error": f"line {line_no} is not valid JSON ({exc.args[0] if exc.args else exc})"}
            continue
        yield coerce_record(value, line_no)


def _json_array_records(stream: BinaryIO, read_size: int = 1 << 20) -> Iterator[dict]:
    """Stream the objects of a top-level JSON array without loading the whole file."""
    decoder = json.JSONDecoder()
    reader = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace")
    buf, pos, position, started = "", 0, 0, False
    while True:
        chunk = reader.read(read_size)
        buf = buf[pos:] + chunk
        pos = 0
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n,":
                pos += 1
            if not started:
                if pos >= len(buf):
                    break
                if buf[pos] != "[":
                    raise InputFormatError("a .json input must hold one top-level array of records")
                started, pos = True, pos + 1
                continue
            if pos >= len(buf) or buf[pos] == "]":
                break
            try:
                value, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError:
                if chunk:  # the value may continue in the next chunk
                    break
                position += 1
                yield {"id": position, "error": f"record {position} is not valid JSON"}
                return
            position += 1
            pos = end
            yield coerce_record(value, position)
        if not chunk:
            return


def _csv_records(stream: BinaryIO) -> Iterator[dict]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.DictReader(text)
    if reader.fieldnames is None:
        return
    if "text" not in reader.fieldnames:
        raise InputFormatError(f"the CSV header has no 'text' column (found {reader.fieldnames})")
    row_no = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row_no += 1
            yield {"id": row_no, "error": f"row {row_no} is not valid CSV ({exc})"}
            continue
        row_no += 1
        row.pop(None, None)  # cells beyond the header
        yield coerce_record({k: (v if v != "" else None) for k, v in row.items()}, row_no)


def _parquet_chunks(path: str, chunk_size: int) -> Chunks:
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise MissingExtraError("pyarrow", "parquet", "reading Parquet") from exc
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own error types
        raise InputFormatError(f"cannot read {path!r} as Parquet: {exc}") from exc
    from ._batch import INPUT_COLUMNS

    columns = [c for c in pf.schema_arrow.names if c in INPUT_COLUMNS]
    if "text" not in columns:
        raise InputFormatError(f"the Parquet file has no 'text' column (found {pf.schema_arrow.names})")
    position = 0
    for rb in pf.iter_batches(batch_size=chunk_size, columns=columns):
        chunk = []
        for row in rb.to_pylist():
            position += 1
            chunk.append(coerce_record(row, position))
        yield chunk


def _mail_record(data: bytes, fallback_id) -> dict:
    try:
        raw = mail_to_record(parse_mail(data), fallback_id)
    except Exception as exc:  # the email package can fail in many ways on broken MIME
        return {"id": fallback_id, "error": f"mail cannot be parsed ({type(exc).__name__}: {exc})"}
    rec = coerce_record(raw, fallback_id)
    if "error" in rec and "text" in rec["error"]:
        rec["error"] = "mail has no text or HTML body"
    return rec


def _mbox_records(path: str) -> Iterator[dict]:
    box = mailbox.mbox(path, factory=None, create=False)
    try:
        for position, key in enumerate(box.iterkeys(), 1):
            yield _mail_record(box.get_bytes(key), position)
    finally:
        box.close()


def _eml_records(folder: str) -> Iterator[dict]:
    for path in sorted(Path(folder).glob("*.eml")):
        yield _mail_record(path.read_bytes(), path.name)


def read_chunks(path: str, chunk_size: int = 2048, stdin: BinaryIO | None = None) -> Chunks:
    """Chunks of records from ``path`` ('-' reads JSONL from ``stdin``)."""
    fmt = detect_format(path)
    if path != "-" and not Path(path).exists():
        raise InputFormatError(f"input {path!r} does not exist")
    if fmt == "parquet":
        return _parquet_chunks(path, chunk_size)
    if fmt == "mbox":
        return _chunked(_mbox_records(path), chunk_size)
    if fmt == "eml":
        if not Path(path).is_dir():
            return _chunked(iter([_mail_record(Path(path).read_bytes(), Path(path).name)]), chunk_size)
        return _chunked(_eml_records(path), chunk_size)
    openers: dict[str, Callable[[BinaryIO], Iterator[dict]]] = {
        "jsonl": _jsonl_records, "json": _json_array_records, "csv": _csv_records}

    def gen() -> Chunks:
        if path == "-":
            yield from _chunked(openers[fmt](stdin or sys.stdin.buffer), chunk_size)
            return
        try:
            handle = open(path, "rb")
        except OSError as exc:
            raise InputFormatError(f"cannot open {path!r}: {exc.strerror}") from exc
        with handle:
            yield from _chunked(openers[fmt](handle), chunk_size)

    return gen()

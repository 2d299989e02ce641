"""Triage over Arrow: one RecordBatch in, one RecordBatch of results out.

This is the engine-neutral core that Spark (``triage.spark``) and any other engine that
speaks Arrow call per partition; it is the same pipeline as :meth:`Triager.triage_batch`,
with columns in and columns out.

Input columns follow the contract: ``text`` (required) and optionally ``id``,
``subject``, ``channel``, ``customer``, ``received_at`` (a string, or an Arrow
timestamp/date, read as ISO 8601). Every record goes through the same
``coerce_record`` as the local path, so a bad record gets an ``error`` row, never an
exception. A missing id becomes the record's 1-based position (``first_position`` plus
its row number); output ids are strings (``OUTPUT_SCHEMA`` has one type per column).

Output rows follow ``OUTPUT_SCHEMA``: ``id``, the contract keys (null where a stage did
not run, e.g. ``team`` without routing, ``kb`` with ``kb=False``) and ``error`` (null,
or set with every other key null).

Routing is the one step that needs other messages (the most urgent claim capacity
first), so there are two ways to call :func:`triage_record_batch`:

* ``route=True``: teams are assigned within the batch, as ``Triager.triage_batch``
  does within each of its batches;
* ``route=False``: team fields stay null and three helper columns carry what routing
  needs later (``ROUTING_FIELDS``: ``_topic_proba`` list<float32>, ``_channel``,
  ``_received_at``; language, urgency and urgency_score are output columns already).
  Concatenate the batches of a whole dump and call :func:`assign_teams` once: the
  result is what ``triage run`` produces over the same dump.

A column named ``_row`` (int64) in the input is passed through to the output
untouched; engines use it to carry the input order.
"""
from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ._batch import INPUT_COLUMNS, Batch
from ._errors import InputFormatError
from ._records import coerce_record

KB_TYPE = pa.list_(pa.struct([("id", pa.string()), ("score", pa.float64()), ("language", pa.string())]))

#: One output row per input row, in this column order.
OUTPUT_SCHEMA = pa.schema([
    ("id", pa.string()),
    ("language", pa.string()),
    ("language_confidence", pa.float64()),
    ("sentiment", pa.string()),
    ("sentiment_score", pa.float64()),
    ("urgency", pa.string()),
    ("urgency_score", pa.float64()),
    ("urgency_cues", pa.list_(pa.string())),
    ("topic", pa.string()),
    ("topic_confidence", pa.float64()),
    ("team", pa.string()),
    ("team_reason", pa.string()),
    ("team_alternates", pa.list_(pa.string())),
    ("kb", KB_TYPE),
    ("sla_due", pa.string()),
    ("ack_due", pa.string()),
    ("error", pa.string()),
])

#: Helper columns added by ``route=False``: with language, urgency and urgency_score,
#: everything ``Router.assign`` reads.
ROUTING_FIELDS = (
    pa.field("_topic_proba", pa.list_(pa.float32())),
    pa.field("_channel", pa.string()),
    pa.field("_received_at", pa.string()),
)

#: The schema of ``triage_record_batch(..., route=False)``.
UNROUTED_SCHEMA = pa.schema(list(OUTPUT_SCHEMA) + list(ROUTING_FIELDS))

ROW_FIELD = pa.field("_row", pa.int64())

#: Router input name -> column of an unrouted table, in ``Router.reads`` order.
ROUTING_SOURCES = {"language": "language", "topic_proba": "_topic_proba", "urgency": "urgency",
                   "urgency_score": "urgency_score", "channel": "_channel", "received_at": "_received_at"}

TEAM_FIELDS = ("team", "team_reason", "team_alternates", "sla_due", "ack_due")


def schema_with_row(schema: pa.Schema) -> pa.Schema:
    """``schema`` with the ``_row`` order column first."""
    return pa.schema([ROW_FIELD] + list(schema))


def _iso(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


def _input_records(rb: pa.RecordBatch | pa.Table) -> list[dict]:
    names = rb.schema.names
    if "text" not in names:
        raise InputFormatError(f"triage needs a 'text' column; the input has {list(names)}")
    cols = {}
    for name in INPUT_COLUMNS:
        if name not in names:
            continue
        col = rb.column(name)
        values = col.to_pylist()
        if pa.types.is_timestamp(col.type) or pa.types.is_date(col.type):
            values = [_iso(v) for v in values]
        cols[name] = values
    keys = list(cols)
    columns = [cols[k] for k in keys]
    return [dict(zip(keys, row)) for row in zip(*columns)] if keys else [{} for _ in range(rb.num_rows)]


def _column(batch: Batch, name: str, typ: pa.DataType, n: int) -> pa.Array:
    if name not in batch:
        return pa.nulls(n, type=typ)
    values = batch[name]
    if isinstance(values, np.ndarray) and np.issubdtype(values.dtype, np.floating):
        return pa.array(values.astype(np.float64, copy=False), type=typ, from_pandas=True)  # NaN -> null
    return pa.array(list(values), type=typ)


def _proba_column(batch: Batch, n: int) -> pa.Array:
    typ = ROUTING_FIELDS[0].type
    if "topic_proba" not in batch:
        return pa.nulls(n, type=typ)
    proba = np.ascontiguousarray(batch["topic_proba"], dtype=np.float32)
    valid = np.equal(batch["error"], None)
    k = proba.shape[1]
    offsets = np.zeros(n + 1, dtype=np.int32)
    offsets[1:] = np.cumsum(np.where(valid, k, 0))
    flat = proba[valid].reshape(-1)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat, type=pa.float32()),
                                    mask=pa.array(~valid))


def _run_per_message(records: list[dict], triager) -> list[Batch]:
    pipeline = triager.per_message_pipeline
    size = max(1, int(triager.batch_size))
    return [pipeline.run(Batch.from_records(records[i:i + size])) for i in range(0, len(records), size)]


def _batch_to_arrow(batch: Batch) -> list[pa.Array]:
    n = batch.n
    ids = pa.array([None if v is None else str(v) for v in batch["id"]], type=pa.string())
    arrays = [ids]
    for field in list(OUTPUT_SCHEMA)[1:]:
        arrays.append(_column(batch, field.name, field.type, n))
    arrays.append(_proba_column(batch, n))
    arrays.append(_column(batch, "channel", pa.string(), n))
    arrays.append(_column(batch, "received_at", pa.string(), n))
    return arrays


def triage_record_batch(rb: pa.RecordBatch | pa.Table, triager, route: bool = True, *,
                        first_position: int = 1) -> pa.RecordBatch:
    """Triage every row of ``rb``: one output row per input row, in the same order.

    ``route=True`` gives ``OUTPUT_SCHEMA`` with teams assigned within this batch;
    ``route=False`` gives ``UNROUTED_SCHEMA`` (team fields null, routing inputs in the
    helper columns) for :func:`assign_teams` over the whole dump. A ``_row`` input
    column is passed through as the first output column. ``first_position`` is the
    position (the default id) of the first row.
    """
    if isinstance(rb, pa.Table):
        rb = rb.combine_chunks().to_batches()[0] if rb.num_rows else pa.RecordBatch.from_pylist([], schema=rb.schema)
    records = _input_records(rb)
    coerced = [coerce_record(r, p) for p, r in enumerate(records, first_position)]
    parts = [_batch_to_arrow(b) for b in _run_per_message(coerced, triager)] if coerced else []
    if parts:
        arrays = [pa.concat_arrays([p[i] for p in parts]) for i in range(len(UNROUTED_SCHEMA))]
    else:
        arrays = [pa.array([], type=f.type) for f in UNROUTED_SCHEMA]
    out = pa.RecordBatch.from_arrays(arrays, schema=UNROUTED_SCHEMA)
    if "_row" in rb.schema.names:
        out = pa.RecordBatch.from_arrays([rb.column("_row").cast(pa.int64())] + out.columns,
                                         schema=schema_with_row(UNROUTED_SCHEMA))
    if route:
        table = assign_teams(pa.Table.from_batches([out]), triager)
        return table.combine_chunks().to_batches()[0] if table.num_rows else \
            pa.RecordBatch.from_arrays([pa.array([], type=f.type) for f in table.schema], schema=table.schema)
    return out


def routing_inputs(table: pa.Table) -> pa.Table:
    """The columns routing reads (plus ``_row`` when present), from an unrouted table."""
    names = (["_row"] if "_row" in table.schema.names else []) + list(ROUTING_SOURCES.values())
    return table.select(names)


def route_rows(router, inputs: pa.Table) -> dict[str, pa.Array]:
    """``router.assign`` once over ``inputs`` (rows of valid messages only, in input
    order, columns as :func:`routing_inputs` returns them): the team columns as Arrow."""
    n = inputs.num_rows
    if n == 0:
        return {name: pa.array([], type=OUTPUT_SCHEMA.field(name).type) for name in TEAM_FIELDS}
    args = []
    for name in router.reads:
        col = inputs.column(ROUTING_SOURCES[name]).combine_chunks()
        if name == "topic_proba":
            flat = pc.list_flatten(col).to_numpy(zero_copy_only=False)
            args.append(flat.reshape(n, -1))
        elif pa.types.is_floating(col.type):
            args.append(col.to_numpy(zero_copy_only=False))
        else:
            args.append(np.asarray(col.to_pylist(), dtype=object))
    routed = router.assign(*args)
    return {name: pa.array(list(routed[name]), type=OUTPUT_SCHEMA.field(name).type) for name in TEAM_FIELDS}


def assign_teams(table: pa.Table, triager) -> pa.Table:
    """Route every valid message of ``table`` (the concatenated ``route=False`` results
    of a whole dump) with one ``router.assign`` call, fill the team fields and drop the
    helper columns. ``_row`` is kept when present. Without a router (``teams=False``
    or a model without topics) the team fields stay null."""
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    router = triager.router
    n = table.num_rows
    valid = pc.is_null(table.column("error")).to_numpy(zero_copy_only=False) if n else np.zeros(0, bool)
    columns = {name: table.column(name) for name in table.schema.names}
    if router is not None and valid.any():
        ok = np.flatnonzero(valid)
        routed = route_rows(router, routing_inputs(table).take(pa.array(ok)))
        for name in TEAM_FIELDS:
            # scatter the valid rows' values back among the error rows (null there)
            positions = np.full(n, -1, dtype=np.int64)
            positions[ok] = np.arange(ok.size)
            idx = pa.array(positions, mask=~valid)
            columns[name] = routed[name].take(idx)
    keep = (["_row"] if "_row" in columns else []) + OUTPUT_SCHEMA.names
    schema = schema_with_row(OUTPUT_SCHEMA) if "_row" in columns else OUTPUT_SCHEMA
    return pa.Table.from_arrays([columns[name] for name in keep], schema=schema)

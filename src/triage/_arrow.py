"""Triage over Arrow: one RecordBatch in, one RecordBatch of results out.

This is the engine-neutral core that Spark (``triage.spark``) and any other engine that
speaks Arrow call per partition; it is the same pipeline as :meth:`Triager.triage_batch`,
with columns in and columns out.

Input columns follow the contract: ``text`` (required) and optionally ``id``,
``subject``, ``channel``, ``customer``, ``received_at`` (a string, or an Arrow
timestamp/date, read as ISO 8601), plus ``error``: a reader's reason why it could not
read the record (a line that is not JSON), which comes out unchanged on an error row.
Every record goes through the same ``coerce_record`` as the local path, so a bad
record gets an ``error`` row, never an exception. A missing id becomes the record's
1-based position (``first_position`` plus its row number); output ids are strings
(``OUTPUT_SCHEMA`` has one type per column). ``triage run`` builds its input batches
with :func:`records_to_record_batch` and turns the output back into contract rows
with :func:`output_rows`, keeping each record's own id type.

Output rows follow ``OUTPUT_SCHEMA``: ``id``, the contract keys (null where a stage did
not run, e.g. ``team`` without routing, ``kb`` with ``kb=False``) and ``error`` (null,
or set with every other key null).

Routing is the one step that needs other messages (the most urgent claim capacity
first), so there are two ways to call :func:`triage_record_batch`:

* ``route=True``: teams are assigned within the batch, as ``Triager.triage_batch``
  does within each of its batches;
* ``route=False``: team fields stay null and three helper columns carry what routing
  needs later (``ROUTING_FIELDS``: ``_topic_proba`` list<float32>, ``_channel``,
  ``_received_epoch``; language, urgency and urgency_score are output columns
  already). Concatenate the batches of a whole dump and call :func:`assign_teams`
  once: the result is what ``triage run`` produces over the same dump. Engines that
  cannot hold the whole dump in one place split that step in two, as ``triage run``
  and Spark do: :func:`choose_rows` once over the routing columns of the valid rows
  (global, eight bytes a message), then :func:`explain_rows` per chunk or partition.

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
from ._results import OUTPUT_ORDER, contract_rows

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
    ("warnings", pa.list_(pa.string())),
    ("error", pa.string()),
])

#: Helper columns added by ``route=False``: with language, urgency and urgency_score,
#: everything routing reads. ``_received_epoch`` is ``received_at`` in seconds since
#: the epoch (null when missing or not a date), parsed once here.
ROUTING_FIELDS = (
    pa.field("_topic_proba", pa.list_(pa.float32())),
    pa.field("_channel", pa.string()),
    pa.field("_received_epoch", pa.float64()),
)

#: The schema of ``triage_record_batch(..., route=False)``.
UNROUTED_SCHEMA = pa.schema(list(OUTPUT_SCHEMA) + list(ROUTING_FIELDS))

ROW_FIELD = pa.field("_row", pa.int64())

#: What :func:`records_to_record_batch` builds: every input column as a string, and
#: the reader's ``error``.
INPUT_SCHEMA = pa.schema([pa.field(name, pa.string()) for name in (*INPUT_COLUMNS, "error")])

#: The columns of an unrouted table that routing reads.
ROUTING_COLUMNS = ("language", "_topic_proba", "urgency", "urgency_score", "_channel", "_received_epoch")

#: The compact result of the global routing step (:func:`choose_rows`), per valid message.
CHOICE_FIELDS = (pa.field("_team_index", pa.int32()), pa.field("_slots_left", pa.int32()))

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


def _string_array(values: list) -> pa.Array:
    try:
        return pa.array(values, type=pa.string())
    except (UnicodeEncodeError, pa.ArrowInvalid):  # lone surrogates, e.g. "\\ud800" in JSON
        return pa.array([v if v is None else v.encode("utf-8", "replace").decode("utf-8") for v in values],
                        type=pa.string())


def records_to_record_batch(records: list[dict]) -> pa.RecordBatch:
    """Normalized records (what the readers yield: ``coerce_record`` output, or an
    ``error`` row) as an ``INPUT_SCHEMA`` batch. Ids become strings; a caller that needs
    the original ids keeps them (see :func:`output_rows`)."""
    arrays = []
    for name in INPUT_SCHEMA.names:
        values = [r.get(name) for r in records]
        arrays.append(_string_array([v if v is None or isinstance(v, str) else str(v) for v in values]))
    return pa.RecordBatch.from_arrays(arrays, schema=INPUT_SCHEMA)


def output_rows(out: pa.RecordBatch, ids: list, keys: tuple[str, ...]) -> list[dict]:
    """Contract rows (what ``triage run`` writes) from an output batch: ``ids`` in
    place of the string ids, then the ``keys`` of the stages that ran, in
    ``OUTPUT_ORDER``; an error row is its id and error only."""
    names = [k for k in OUTPUT_ORDER if k in keys]
    values = [out.column(k).to_pylist() for k in names]
    return list(contract_rows(ids, out.column("error").to_pylist(), names, values))


def _input_records(rb: pa.RecordBatch | pa.Table) -> list[dict]:
    names = rb.schema.names
    if "text" not in names:
        raise InputFormatError(f"triage needs a 'text' column; the input has {list(names)}")
    cols = {}
    for name in (*INPUT_COLUMNS, "error"):
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


def _reader_error(record: dict, position: int) -> dict:
    rec_id = record.get("id")
    return {"id": position if rec_id is None or rec_id == "" else rec_id, "error": str(record["error"])}


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
    arrays.append(_column(batch, "received_epoch", pa.float64(), n))
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
    coerced = [coerce_record(r, p) if r.get("error") is None else _reader_error(r, p)
               for p, r in enumerate(records, first_position)]
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
    names = (["_row"] if "_row" in table.schema.names else []) + list(ROUTING_COLUMNS)
    return table.select(names)


def _routing_arrays(inputs: pa.Table | pa.RecordBatch) -> dict[str, np.ndarray]:
    """The routing columns as the numpy arrays ``Router.choose``/``explain`` take."""
    n = inputs.num_rows
    out = {}
    for name in ROUTING_COLUMNS:
        col = inputs.column(name)
        if isinstance(col, pa.ChunkedArray):
            col = col.combine_chunks()
        if name == "_topic_proba":
            out[name] = pc.list_flatten(col).to_numpy(zero_copy_only=False).reshape(n, -1)
        elif pa.types.is_floating(col.type):
            out[name] = col.to_numpy(zero_copy_only=False).astype(np.float64)  # null -> NaN
        else:
            # a handful of distinct values (languages, urgency levels, channels): one
            # Python string each, shared by every row, not one string per row
            enc = pc.dictionary_encode(col)
            values = np.asarray(enc.dictionary.to_pylist() + [None], dtype=object)
            out[name] = values[enc.indices.fill_null(len(enc.dictionary)).to_numpy(zero_copy_only=False)]
    return out


def choose_rows(router, inputs: pa.Table | pa.RecordBatch) -> tuple[np.ndarray, np.ndarray]:
    """The global routing step over ``inputs`` (the routing columns of the valid
    messages of a whole dump, in input order): each message's team index (-1: none)
    and the slots that team had left after it. Eight bytes a message, whatever the
    number of teams; :func:`explain_rows` turns any slice of them into team columns."""
    if inputs.num_rows == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    a = _routing_arrays(inputs)
    return router.choose(a["language"], a["_topic_proba"], a["urgency"], a["urgency_score"], a["_channel"],
                         a["_received_epoch"])


def choice_table(rows: pa.Array | pa.ChunkedArray, chosen: np.ndarray, left: np.ndarray) -> pa.Table:
    """What the global step sends back per message: its ``_row`` and ``CHOICE_FIELDS``."""
    schema = pa.schema([ROW_FIELD, *CHOICE_FIELDS])
    return pa.Table.from_arrays([rows, pa.array(chosen.astype(np.int32)), pa.array(left.astype(np.int32))],
                                schema=schema)


def explain_rows(router, inputs: pa.Table | pa.RecordBatch, chosen, left) -> dict[str, pa.Array]:
    """Team names, reasons, alternates and deadlines for some routed messages (their
    routing columns and their slice of :func:`choose_rows`), as Arrow columns. Runs
    anywhere the router is: per chunk in ``triage run``, per partition on Spark."""
    n = inputs.num_rows
    if n == 0:
        return {name: pa.array([], type=OUTPUT_SCHEMA.field(name).type) for name in TEAM_FIELDS}
    a = _routing_arrays(inputs)
    routed = router.explain(a["language"], a["_topic_proba"], a["urgency"], a["_channel"], a["_received_epoch"],
                            np.asarray(chosen), np.asarray(left))
    return {name: pa.array(list(routed[name]), type=OUTPUT_SCHEMA.field(name).type) for name in TEAM_FIELDS}


def route_rows(router, inputs: pa.Table) -> dict[str, pa.Array]:
    """Both routing steps at once over ``inputs`` (valid messages only, in input order)."""
    chosen, left = choose_rows(router, inputs)
    return explain_rows(router, inputs, chosen, left)


def scatter_valid(values: pa.Array, valid: np.ndarray) -> pa.Array:
    """``values`` (one per valid row) spread over all rows, null on the error rows."""
    positions = np.full(valid.size, -1, dtype=np.int64)
    positions[valid] = np.arange(int(valid.sum()))
    return values.take(pa.array(positions, mask=~valid))


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
            columns[name] = scatter_valid(routed[name], valid)
    keep = (["_row"] if "_row" in columns else []) + OUTPUT_SCHEMA.names
    schema = schema_with_row(OUTPUT_SCHEMA) if "_row" in columns else OUTPUT_SCHEMA
    return pa.Table.from_arrays([columns[name] for name in keep], schema=schema)

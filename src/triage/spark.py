"""Triage a Spark DataFrame: classification spread over the executors, routing global.

    from triage.spark import triage_dataframe
    result = triage_dataframe(spark.read.parquet("s3://.../messages/"), teams="teams.yaml")
    result.write.parquet("s3://.../triaged/")

Needs the ``[spark]`` extra (``pip install 'triage[spark]'``); ``import triage`` never
imports pyspark. Deployment on a cluster is described in ``docs/spark.md``.

How it runs
-----------
1. The input gets an order column, ``_row`` = ``monotonically_increasing_id()`` (the
   partition index in the upper bits, the row within the partition in the lower 33,
   so ordering by it is the input order).
2. ``df.mapInArrow`` runs :func:`triage._arrow.triage_record_batch` with
   ``route=False`` on every Arrow batch: language, sentiment, urgency, topic and KB
   for each message, plus the few columns routing needs later. The function ships
   with only the small config (kb and model paths, languages); each executor Python
   process builds ONE :class:`~triage.Triager` for that config on its first batch and
   keeps it in a module-level cache, so models load once per process (Python workers
   are reused between tasks), never per task and never through the closure.
   The classified rows are persisted (MEMORY_AND_DISK), so the models run once.
3. Routing is global. A team's capacity is what it can take now across the whole
   dump, and the most urgent messages must claim the slots first, whichever partition
   they sit in; routing partition by partition would hand every partition the full
   capacity and overfill every team. Routing is therefore split in two, as in
   ``triage run``:

   a. the global step on the driver: only the routing columns of the valid rows
      (``_row``, language, topic probabilities, urgency, urgency_score, channel,
      received time) are collected, sorted by ``_row`` (ties are broken by input
      order, as in ``triage run``), and :func:`triage._arrow.choose_rows` picks every
      message's team at once. Its result is two small integers a message (team index,
      slots left), sent back as a DataFrame and joined to the classified rows on
      ``_row``;
   b. the per-message step on the executors: a second ``mapInArrow`` calls
      :func:`triage._arrow.explain_rows` on every batch to write the team name, its
      reason, alternates and the service-level deadlines. The teams are read once on
      the driver and travel to the executors as their parsed mapping (a few KB), so a
      teams path need not exist on the executors.

   The result is sorted by ``_row``, i.e. in input order, and equals what
   ``triage run`` writes for the same messages (ids are strings).

Driver memory
-------------
The driver holds the collected routing columns (about 60 bytes of Arrow per message
with the shipped 10-topic model: topic probabilities as float32, language, urgency,
score, channel, received time, the row index), their numpy copies and the chosen
team and slots (16 bytes); the reasons, alternates and deadlines are made on the
executors. ``benchmarks/spark/RESULTS.md`` measures the peak per message; a hundred
million messages need a driver with tens of GB. The text, features and KB results
never leave the executors.

The input should have a deterministic order (files, a table, a checkpoint): if a
cached partition is lost, Spark recomputes it from the input, and the row index must
come out the same.

Missing ids become the message's 1-based position in the DataFrame, as in
``triage run``; that needs the rows per partition, counted from the cached result.
"""
from __future__ import annotations

import logging
import os
import time
from functools import partial
from typing import Any, Iterator

from ._errors import InputFormatError, MissingExtraError

__all__ = ["triage_dataframe", "release"]

_ROW_BITS = 33  # monotonically_increasing_id: row number within the partition
_INPUTS = ("id", "text", "subject", "channel", "customer", "received_at")

log = logging.getLogger("triage.spark")

#: One Triager per executor Python process, keyed by its config.
_TRIAGERS: dict[tuple, Any] = {}


def _pyspark():
    try:
        import pyspark  # noqa: F401
        from pyspark.sql import functions as F
    except ImportError as exc:
        raise MissingExtraError("pyspark", "spark", "triage on Spark") from exc
    return F


def _local_path(path):
    """A path as the executor sees it: as given, or the copy shipped with
    ``--files``/``spark.files``/``SparkContext.addFile`` (found by its base name)."""
    if not isinstance(path, str) or os.path.exists(path):
        return path
    try:
        from pyspark import SparkFiles

        shipped = SparkFiles.get(os.path.basename(path.rstrip("/")))
    except Exception:  # no SparkContext here (plain Python), or not shipped
        return path
    return shipped if os.path.exists(shipped) else path


def _executor_triager(kb, model, languages, teams_json=None):
    """The Triager of this Python process for the config, built on first use.
    ``teams_json``: the teams mapping as canonical JSON (hashable, so it keys the
    cache), or None where the executor only classifies."""
    key = (kb, model, languages, teams_json)
    triager = _TRIAGERS.get(key)
    if triager is None:
        import json

        from ._triager import Triager

        kwargs = {"languages": languages} if languages else {}
        teams = json.loads(teams_json) if teams_json is not None else False
        triager = Triager(teams=teams, kb=False if teams_json is not None else _local_path(kb),
                          model=_local_path(model), **kwargs)
        _TRIAGERS[key] = triager
    return triager


def _classify_partition(batches: Iterator, kb, model, languages) -> Iterator:
    """mapInArrow function: Arrow batches of input rows -> unrouted result batches.
    Ids that are missing come back null; the driver fills in global positions."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from ._arrow import triage_record_batch

    triager = _executor_triager(kb, model, languages)
    for rb in batches:
        out = triage_record_batch(rb, triager, route=False)
        if "id" in rb.schema.names:
            ids = rb.column("id")
            missing = pc.is_null(ids)
            if pa.types.is_string(ids.type) or pa.types.is_large_string(ids.type):
                missing = pc.or_(missing, pc.equal(ids, ""))
            missing = pc.fill_null(missing, True)
        else:
            missing = pa.array([True] * rb.num_rows, pa.bool_())
        i = out.schema.get_field_index("id")
        fixed = pc.if_else(missing, pa.scalar(None, pa.string()), out.column(i))
        yield out.set_column(i, out.schema.field(i), fixed)


def _explain_partition(batches: Iterator, model, languages, teams_json) -> Iterator:
    """mapInArrow function: classified rows joined with their chosen team index and
    slots left -> the output rows with the team fields written."""
    import pyarrow as pa

    from ._arrow import OUTPUT_SCHEMA, TEAM_FIELDS, explain_rows, scatter_valid, schema_with_row

    router = _executor_triager(None, model, languages, teams_json).router
    schema = schema_with_row(OUTPUT_SCHEMA)
    for rb in batches:
        index = rb.column("_team_index")
        valid = index.is_valid().to_numpy(zero_copy_only=False)
        columns = {name: rb.column(name) for name in schema.names}
        if valid.any():
            sub = rb.filter(pa.array(valid))
            routed = explain_rows(router, sub, sub.column("_team_index").to_numpy(zero_copy_only=False),
                                  sub.column("_slots_left").to_numpy(zero_copy_only=False))
            for name in TEAM_FIELDS:
                columns[name] = scatter_valid(routed[name], valid)
        yield pa.RecordBatch.from_arrays([columns[name] for name in schema.names], schema=schema)


def _teams_json(teams, model, languages):
    """The driver's router (None when routing is off) and the teams as canonical JSON
    for the executors. A bad teams file fails here, before any work."""
    import json

    from ._teams import default_teams_path, read_teams_file
    from ._triager import Triager

    kwargs = {"languages": languages} if languages else {}
    router = Triager(teams=teams, kb=False, model=model, **kwargs).router
    if router is None:
        return None, None
    data = teams if isinstance(teams, dict) else read_teams_file(teams or default_teams_path())
    return router, json.dumps(data, sort_keys=True, default=str)


def _spark_schema(arrow_schema):
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(arrow_schema)


def _spark_major() -> int:
    import pyspark

    return int(pyspark.__version__.split(".")[0])


def _to_arrow(df):
    """Collect a (small) DataFrame to the driver as an Arrow table, or None when empty."""
    import pyarrow as pa

    if _spark_major() >= 4:
        return df.toArrow()
    batches = df._collect_as_arrow()  # Spark 3.5
    return pa.Table.from_batches(batches) if batches else None


def _from_arrow(spark, table, schema):
    """An Arrow table on the driver as a DataFrame."""
    if _spark_major() >= 4:
        return spark.createDataFrame(table, schema=schema)
    return spark.createDataFrame(table.to_pylist(), schema=schema)  # Spark 3.5: row by row


def triage_dataframe(df, teams=None, kb=None, model=None, *, languages=None):
    """Triage every row of a Spark DataFrame; one result row per input row, in order.

    ``df`` has a ``text`` column and optionally ``id``, ``subject``, ``channel``,
    ``customer``, ``received_at`` (string or timestamp); other columns are ignored.
    ``teams``, ``kb`` and ``model`` are as for :class:`triage.Triager`: a path (kb and
    model paths must be readable on the executors, or shipped with ``--files``),
    None for the shipped defaults, or False for no routing / no KB; ``teams`` may also
    be a parsed mapping (it is only read on the driver). ``languages``: candidate
    languages, as for Triager.

    Returns a DataFrame with the columns of ``triage._arrow.OUTPUT_SCHEMA``: ``id``
    (string), the contract keys and ``error``. Classification runs when this function
    is called (routing needs its results); the classified rows stay persisted until
    :func:`release` is called on the result.
    """
    F = _pyspark()
    from ._arrow import OUTPUT_SCHEMA, ROUTING_COLUMNS, UNROUTED_SCHEMA, choice_table, choose_rows, schema_with_row

    if "text" not in df.columns:
        raise InputFormatError(f"triage needs a 'text' column; the DataFrame has {df.columns}")
    languages = tuple(languages) if languages else None
    if isinstance(kb, os.PathLike):
        kb = os.fspath(kb)
    if isinstance(model, os.PathLike):
        model = os.fspath(model)
    if isinstance(teams, os.PathLike):
        teams = os.fspath(teams)
    router, teams_json = _teams_json(teams, model, languages) if teams is not False else (None, None)

    from pyspark import StorageLevel

    spark = df.sparkSession
    inputs = df.select(*[c for c in _INPUTS if c in df.columns],
                       F.monotonically_increasing_id().alias("_row"))
    classified = inputs.mapInArrow(partial(_classify_partition, kb=kb, model=model, languages=languages),
                                   _spark_schema(schema_with_row(UNROUTED_SCHEMA)))
    classified = classified.persist(StorageLevel.MEMORY_AND_DISK)

    # rows per input partition (for positions) and whether any id is missing; this
    # first action runs the classification and fills the cache
    part = F.shiftright(F.col("_row"), _ROW_BITS)
    t0 = time.perf_counter()
    counts = (classified.groupBy(part.alias("p"))
              .agg(F.count(F.lit(1)).alias("n"), F.sum(F.col("id").isNull().cast("long")).alias("missing"))
              .collect())
    log.info("classified %d rows in %.1f s", sum(int(r["n"]) for r in counts), time.perf_counter() - t0)
    result = classified.select(*schema_with_row(OUTPUT_SCHEMA).names)
    joined = False
    if router is not None:
        t0 = time.perf_counter()
        table = _to_arrow(classified.where(F.col("error").isNull()).select("_row", *ROUTING_COLUMNS))
        if table is not None and table.num_rows:
            table = table.sort_by("_row")  # the router breaks ties by input order
            log.info("collected the routing columns of %d messages (%.1f MB) in %.1f s", table.num_rows,
                     table.nbytes / 1e6, time.perf_counter() - t0)
            t0 = time.perf_counter()
            chosen, left = choose_rows(router, table)
            log.info("chose teams in %.1f s", time.perf_counter() - t0)
            choices = choice_table(table.column("_row"), chosen, left)
            del table, chosen, left
            choices_df = _from_arrow(spark, choices, _spark_schema(choices.schema))
            del choices
            # a join does not keep the order, so the result is sorted by _row below
            joined = classified.join(choices_df, on="_row", how="left")
            result = joined.mapInArrow(partial(_explain_partition, model=model, languages=languages,
                                               teams_json=teams_json),
                                       _spark_schema(schema_with_row(OUTPUT_SCHEMA)))
            joined = True

    if any(row["missing"] for row in counts):
        offsets, total = [], 0
        for row in sorted(counts, key=lambda r: r["p"]):
            offsets += [F.lit(int(row["p"])), F.lit(total)]
            total += int(row["n"])
        position = (F.create_map(*offsets)[part]
                    + F.col("_row").bitwiseAND(F.lit((1 << _ROW_BITS) - 1)) + F.lit(1))
        result = result.withColumn("id", F.coalesce(F.col("id"), position.cast("string")))
    if joined:
        result = result.orderBy("_row")
    result = result.select(*OUTPUT_SCHEMA.names)
    try:
        result._triage_cached = classified  # for release()
    except AttributeError:  # a DataFrame class that takes no attributes
        pass
    return result


def release(result) -> None:
    """Unpersist the classified rows behind a :func:`triage_dataframe` result (after
    writing it out); the result stays usable but would classify again."""
    cached = getattr(result, "_triage_cached", None)
    if cached is not None:
        cached.unpersist()

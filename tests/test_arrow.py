import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pytest

from triage import InputFormatError
from triage._arrow import (
    OUTPUT_SCHEMA,
    ROUTING_FIELDS,
    UNROUTED_SCHEMA,
    assign_teams,
    schema_with_row,
    triage_record_batch,
)

ROOT = Path(__file__).resolve().parents[1]

BAD = [
    {"id": "bad-none", "text": None},
    {"id": "bad-empty", "text": "   "},
    {"id": "bad-int", "text": 42},
    {"text": ""},  # no id: its position stands in
]


def corpus(per_language: int) -> list[dict]:
    out = []
    for f in sorted((ROOT / "corpora" / "messages").glob("*/test.jsonl")):
        lines = [line for line in f.read_text("utf-8").splitlines() if line.strip()]
        for line in lines[:per_language]:
            r = json.loads(line)
            out.append({k: r[k] for k in ("id", "text", "subject", "channel", "received_at") if k in r})
    return out


def mixed(per_language: int) -> list[dict]:
    """Corpus messages with the bad records and some id-less ones spread among them."""
    msgs = corpus(per_language)
    for k, bad in enumerate(BAD):
        msgs.insert(7 + 31 * k, dict(bad))
    for i in (3, 50, 101):
        msgs[i] = {k: v for k, v in msgs[i].items() if k != "id"}
    return msgs


def as_record_batch(msgs: list[dict]) -> pa.RecordBatch:
    # text as a union of strings and other types cannot be one Arrow column, so the
    # int text goes in as a string column holding None; its own test is below
    cols = {k: [m.get(k) for m in msgs] for k in ("id", "text", "subject", "channel", "received_at")}
    cols["text"] = [t if isinstance(t, str) or t is None else None for t in cols["text"]]
    return pa.RecordBatch.from_pydict(cols)


def assert_same(arrow_row: dict, expected: dict) -> None:
    """An Arrow row says what the contract dict says; keys the dict leaves out are null."""
    assert arrow_row["id"] == str(expected["id"])
    assert {"language", "topic", "team", "kb"} <= set(expected) or "error" in expected
    for key, value in expected.items():
        if key != "id" and key in OUTPUT_SCHEMA.names:
            assert arrow_row[key] == value, (expected["id"], key)
    for key in set(arrow_row) - set(expected):
        assert arrow_row[key] is None, (expected["id"], key)


def test_same_results_as_triage_batch_in_order_with_error_rows(triager):
    msgs = mixed(per_language=25)
    rb = as_record_batch(msgs)
    assert rb.num_rows <= triager.batch_size  # triage_batch routes within one batch too
    out = triage_record_batch(rb, triager)
    assert out.schema.equals(OUTPUT_SCHEMA)
    rows = out.to_pylist()
    expected = [r.to_dict() for r in triager.triage_batch(rb)]
    assert len(rows) == len(expected) == len(msgs)
    for row, exp in zip(rows, expected):
        assert_same(row, exp)
    # order kept, positions for missing ids, error rows for bad records
    assert [r["id"] for r in rows] == [str(m.get("id", i)) for i, m in enumerate(msgs, 1)]
    errors = {r["id"]: r["error"] for r in rows if r["error"] is not None}
    assert errors["bad-none"] == "record has no 'text'"
    assert errors["bad-empty"] == "'text' is empty"
    assert errors["bad-int"] == "record has no 'text'"  # None in the Arrow column
    assert len(errors) == len(BAD)
    assert sum(r["team"] is not None for r in rows) > 0


def test_non_string_text_and_missing_text_column(triager):
    rb = pa.RecordBatch.from_pydict({"id": [1, 2], "text": [42, 7]})
    rows = triage_record_batch(rb, triager).to_pylist()
    assert [(r["id"], r["error"]) for r in rows] == [("1", "'text' is not a string (got int)"),
                                                     ("2", "'text' is not a string (got int)")]
    with pytest.raises(InputFormatError, match="'text' column"):
        triage_record_batch(pa.RecordBatch.from_pydict({"body": ["hello"]}), triager)


def test_empty_and_all_bad_batches(triager):
    empty = pa.RecordBatch.from_pydict({"text": pa.array([], pa.string())})
    assert triage_record_batch(empty, triager).num_rows == 0
    assert triage_record_batch(empty, triager, route=False).schema.equals(UNROUTED_SCHEMA)
    bad = pa.RecordBatch.from_pydict({"text": ["", None]})
    out = triage_record_batch(bad, triager, first_position=11).to_pylist()
    assert [r["id"] for r in out] == ["11", "12"] and all(r["team"] is None for r in out)


def test_timestamp_received_at_reads_as_iso(triager):
    text = "Moja narudžba nije stigla, molim provjerite hitno."
    when = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
    as_ts = pa.RecordBatch.from_pydict({"text": [text], "received_at": pa.array([when], pa.timestamp("us", "UTC"))})
    as_str = pa.RecordBatch.from_pydict({"text": [text], "received_at": ["2026-03-02T09:30:00+00:00"]})
    a, b = triage_record_batch(as_ts, triager).to_pylist(), triage_record_batch(as_str, triager).to_pylist()
    assert a == b and a[0]["sla_due"] is not None


def cli_run(msgs: list[dict], tmp_path: Path, batch_size: int = 2048) -> list[dict]:
    """What ``triage run`` writes for ``msgs`` (one JSONL line each): global routing."""
    from triage._cli import main

    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in msgs), "utf-8")
    assert main(["run", str(src), "-o", str(out), "-q", "--batch-size", str(batch_size)]) == 0
    return [json.loads(line) for line in out.read_text("utf-8").splitlines()]


def test_unrouted_batches_then_assign_teams_equal_the_cli(triager, tmp_path):
    msgs = mixed(per_language=70)  # every test message: more than the teams can take
    rb = as_record_batch(msgs)
    parts = []
    for start in range(0, rb.num_rows, 200):
        part = rb.slice(start, 200)
        out = triage_record_batch(part, triager, route=False, first_position=start + 1)
        assert out.schema.equals(UNROUTED_SCHEMA)
        assert out.column("team").null_count == out.num_rows
        parts.append(out)
    table = assign_teams(pa.Table.from_batches(parts), triager)
    assert table.schema.equals(OUTPUT_SCHEMA)
    assert not {f.name for f in ROUTING_FIELDS} & set(table.schema.names)
    rows = table.to_pylist()
    expected = cli_run([m if isinstance(m.get("text"), str) or m.get("text") is None
                        else {**m, "text": None} for m in msgs], tmp_path, batch_size=128)
    assert len(rows) == len(expected) == len(msgs)
    for row, exp in zip(rows, expected):
        assert_same(row, exp)
    # capacity holds over the whole dump, and some messages found every team full
    caps = {t.name: t.capacity for t in triager.router.table.teams}
    per_team = Counter(r["team"] for r in rows if r["team"])
    assert per_team and all(per_team[name] <= caps[name] for name in per_team)
    assert any(r["team"] is None and r["error"] is None for r in rows)


def test_row_column_passes_through(triager):
    rb = pa.RecordBatch.from_pydict({"_row": pa.array([40, 41], pa.int64()),
                                     "text": ["Where is my parcel?", ""]})
    unrouted = triage_record_batch(rb, triager, route=False)
    assert unrouted.schema.equals(schema_with_row(UNROUTED_SCHEMA))
    routed = assign_teams(pa.Table.from_batches([unrouted]), triager)
    assert routed.schema.equals(schema_with_row(OUTPUT_SCHEMA))
    assert routed.column("_row").to_pylist() == [40, 41]
    assert routed.column("team").to_pylist()[1] is None


def test_spark_module_is_light_and_names_its_extra(monkeypatch):
    import subprocess
    import sys

    code = "import sys, triage, triage.spark; print('pyspark' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip() == "False"
    from triage import MissingExtraError
    from triage.spark import triage_dataframe

    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if not installed
    with pytest.raises(MissingExtraError, match=r"triage\[spark\]") as info:
        triage_dataframe(object())
    assert info.value.extra == "spark" and info.value.package == "pyspark"

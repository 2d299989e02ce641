"""triage_dataframe on a local[2] Spark against the local batch path (``triage run``)."""
import json
import os
import sys
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (pip install 'triage[spark]')")

ROOT = Path(__file__).resolve().parents[1]
COPIES = 3  # 770 test messages x 3 = 2,310 messages, plus the bad records


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("triage-tests")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.default.parallelism", "2")
               # several input partitions and several Arrow batches per partition
               .config("spark.sql.files.maxPartitionBytes", str(512 * 1024))
               .config("spark.sql.files.openCostInBytes", "0")
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "300")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def messages() -> list[dict]:
    base = []
    for f in sorted((ROOT / "corpora" / "messages").glob("*/test.jsonl")):
        for line in f.read_text("utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                base.append({k: r[k] for k in ("id", "text", "subject", "channel", "received_at") if k in r})
    out = []
    for copy in range(COPIES):
        for r in base:
            out.append({**r, "id": f"{r['id']}-{copy}"})
    bad = [{"id": "bad-null", "text": None}, {"id": "bad-empty", "text": ""},
           {"id": "bad-blank", "text": " \n\t"}, {"text": None}, {"id": "", "text": ""}]
    for k, rec in enumerate(bad):
        out.insert(13 + 401 * k, rec)
    for i in (0, 777, 1500, len(out) - 1):  # id-less messages: their position stands in
        out[i] = {k: v for k, v in out[i].items() if k != "id"}
    return out


def cli_run(src: Path, out: Path) -> list[dict]:
    """What ``triage run`` writes for the dump: global routing over all of it."""
    from triage._cli import main

    assert main(["run", str(src), "-o", str(out), "-q"]) == 0
    return [json.loads(line) for line in out.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def dump(tmp_path_factory):
    msgs = messages()
    path = tmp_path_factory.mktemp("spark") / "messages.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for m in msgs:
            f.write(json.dumps(m, ensure_ascii=False) + "\n")
    return msgs, path


SCHEMA = "id string, text string, subject string, channel string, received_at string"


def collect(df) -> list[dict]:
    return [row.asDict(recursive=True) for row in df.collect()]


def test_same_rows_as_the_local_batch_path_and_capacity_holds(spark, dump, triager):
    from triage._arrow import OUTPUT_SCHEMA
    from triage.spark import release, triage_dataframe

    msgs, path = dump
    df = spark.read.schema(SCHEMA).json(str(path))
    assert df.rdd.getNumPartitions() > 1
    result = triage_dataframe(df)
    assert result.columns == OUTPUT_SCHEMA.names
    rows = collect(result)
    expected = cli_run(path, path.with_name("local.jsonl"))
    assert len(rows) == len(expected) == len(msgs) > 2000
    for i, (row, exp) in enumerate(zip(rows, expected)):
        assert row["id"] == str(exp["id"]), i  # input order, positions for missing ids
        for key, value in exp.items():
            if key != "id" and key in OUTPUT_SCHEMA.names:
                assert row[key] == value, (i, exp["id"], key)
        assert all(row[k] is None for k in set(row) - set(exp)), i
    assert sum(r["error"] is not None for r in rows) == 5
    assert sum(r["id"].isdigit() for r in rows) == 6
    # capacity holds over the whole DataFrame, not per partition
    caps = {t.name: t.capacity for t in triager.router.table.teams}
    per_team = Counter(r["team"] for r in rows if r["team"] is not None)
    assert per_team and all(per_team[t] <= caps[t] for t in per_team)
    assert sum(per_team.values()) <= sum(caps.values())
    assert any(r["team"] is None and r["error"] is None for r in rows)
    release(result)


def test_no_id_column_no_routing_and_a_timestamp(spark, triager):
    from pyspark.sql import functions as F

    from triage.spark import triage_dataframe

    texts = ["Moja narudžba nije stigla, molim provjerite.", "",
             "Ich wurde zweimal belastet, bitte erstatten Sie den Betrag."]
    df = spark.createDataFrame([(t, "2026-03-02T09:30:00Z") for t in texts], "text string, ts string")
    df = df.select("text", F.to_timestamp("ts").alias("received_at"))
    rows = collect(triage_dataframe(df, teams=False, kb=False))
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert rows[1]["error"] == "'text' is empty"
    assert rows[0]["language"] == "hr" and rows[2]["language"] == "de"
    assert all(r["team"] is None and r["kb"] is None for r in rows)
    # the timestamp column reads like its ISO string
    routed = collect(triage_dataframe(df))
    local = triager.triage("Moja narudžba nije stigla, molim provjerite.", received_at="2026-03-02T09:30:00Z")
    assert routed[0]["sla_due"] == local.sla_due and routed[0]["team"] == local.team


def test_bad_input_fails_on_the_driver(spark, tmp_path):
    from triage import ConfigError, InputFormatError
    from triage.spark import triage_dataframe

    with pytest.raises(InputFormatError, match="'text' column"):
        triage_dataframe(spark.createDataFrame([("x",)], "body string"))
    bad = tmp_path / "teams.yaml"
    bad.write_text("teams: [{name: a, languages: [en], topics: {nonsense: 5}, capacity: 1}]\n", "utf-8")
    with pytest.raises(ConfigError):
        triage_dataframe(spark.createDataFrame([("x",)], "text string"), teams=str(bad))

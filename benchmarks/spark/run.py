"""Throughput of triage on local Spark against the local batch path, on the same machine.

    python benchmarks/spark/run.py                           # 20,000 messages, local[2]
    python benchmarks/spark/run.py -n 50000 --master 'local[4]'
    python benchmarks/spark/run.py --out benchmarks/spark/RESULTS.md

Both paths read the same JSONL dump (benchmarks/throughput/dump.py: the corpora
resampled and perturbed) and write Parquet, with every stage and global routing:

* local batch path: ``triage run DUMP -o OUT.parquet`` in-process (one Python process,
  chunks of 2,048, pass 1, one global team choice, explanations per chunk);
* Spark: ``spark.read.json`` -> ``triage.spark.triage_dataframe`` -> ``write.parquet``,
  the SparkSession already started (its start-up is reported on its own line).

Each is run twice: "cold" includes loading the models (in each Spark Python worker,
in parallel), "warm" is a second run (Spark reuses its Python workers and their
cached Triager; the CLI builds a new Triager but the process has the models' data
files cached). The driver's routing step is then measured alone: the collected routing
columns (Arrow bytes per message), ``choose_rows`` time and its peak Python memory.
Needs the [spark] extra and Java 17+.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks" / "throughput"))

SCHEMA = "id string, text string, subject string, channel string, received_at string"


def start_spark(master: str, partition_mb: float):
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    t = time.perf_counter()
    spark = (SparkSession.builder.master(master).appName("triage-bench")
             .config("spark.driver.host", "127.0.0.1")
             .config("spark.driver.bindAddress", "127.0.0.1")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "4")
             .config("spark.sql.files.maxPartitionBytes", str(int(partition_mb * 1024 * 1024)))
             .config("spark.driver.memory", "4g")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark, time.perf_counter() - t


def run_local(dump: Path, out: Path) -> float:
    from triage._cli import main

    t = time.perf_counter()
    assert main(["run", str(dump), "-o", str(out), "-q"]) == 0
    return time.perf_counter() - t


class Steps(logging.Handler):
    """Collects the step timings that triage.spark logs."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def run_spark(spark, dump: Path, out: Path) -> tuple[float, int, list[str]]:
    from triage.spark import release, triage_dataframe

    steps = Steps()
    logger = logging.getLogger("triage.spark")
    logger.addHandler(steps)
    logger.setLevel(logging.INFO)
    try:
        t = time.perf_counter()
        df = spark.read.schema(SCHEMA).json(str(dump))
        result = triage_dataframe(df)
        t_write = time.perf_counter()
        result.write.mode("overwrite").parquet(str(out))
        elapsed = time.perf_counter() - t
        steps.lines.append(f"triage_dataframe returned after {t_write - t:.1f} s; the join, sort by "
                           f"_row and Parquet write took {time.perf_counter() - t_write:.1f} s")
    finally:
        logger.removeHandler(steps)
    release(result)
    return elapsed, df.rdd.getNumPartitions(), steps.lines


def same_rows(local_out: Path, spark_out: Path) -> tuple[int, int]:
    import pyarrow.parquet as pq

    local = pq.read_table(local_out).to_pylist()
    spark = pq.read_table(spark_out).to_pylist()  # part files sort in partition order
    differ = 0
    for a, b in zip(local, spark):
        for key, value in a.items():
            if value is not None and key in b and (str(value) if key == "id" else value) != b[key]:
                differ += 1
                break
    return len(local), differ + abs(len(local) - len(spark))


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def driver_routing(dump: Path) -> dict:
    """The driver's share alone: routing columns as Spark collects them, then the
    global choice; and the executors' explain step on the same rows, for scale."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from triage import Triager
    from triage._arrow import ROUTING_COLUMNS, choice_table, choose_rows, explain_rows, triage_record_batch

    triager = Triager()
    records = [json.loads(line) for line in dump.read_text("utf-8").splitlines()]
    cols = {k: [r.get(k) for r in records] for k in ("id", "text", "subject", "channel", "received_at")}
    unrouted = triage_record_batch(pa.RecordBatch.from_pydict(cols), triager, route=False)
    table = pa.Table.from_batches([unrouted]).filter(pc.is_null(unrouted.column("error")))
    table = table.select(list(ROUTING_COLUMNS))
    copies = max(1, -(-200_000 // max(1, table.num_rows)))  # per-message memory at scale, not one block
    table = pa.concat_tables([table] * copies)
    table = table.append_column("_row", pa.array(range(table.num_rows), pa.int64()))
    inputs = table.select(["_row", *ROUTING_COLUMNS]).combine_chunks()
    n = inputs.num_rows
    router = triager.router
    elapsed = min(timed(lambda: choose_rows(router, inputs)) for _ in range(2))
    tracemalloc.start()  # numpy and Python objects; slows the run, so timed apart
    chosen, left = choose_rows(router, inputs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    choices = choice_table(inputs.column("_row"), chosen, left)  # what the driver sends back
    explain_s = timed(lambda: explain_rows(router, inputs, chosen, left))
    return {"n": n, "input_bytes": inputs.nbytes / n, "choose_s": elapsed, "peak_bytes": peak / n,
            "output_bytes": choices.nbytes / n, "explain_s": explain_s}


def main() -> int:
    ap = argparse.ArgumentParser(description="triage on local Spark against the local batch path")
    ap.add_argument("-n", type=int, default=20_000, help="messages (default 20,000)")
    ap.add_argument("--master", default="local[2]")
    ap.add_argument("--partition-mb", type=float, default=2.0, help="spark.sql.files.maxPartitionBytes in MiB")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None, help="write the Markdown report here")
    args = ap.parse_args()

    import pyspark

    from dump import write_jsonl

    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="triage-spark-bench-"))
    try:
        dump = work / "messages.jsonl"
        write_jsonl(dump, args.n, seed=args.seed)
        size_mb = dump.stat().st_size / 1e6
        print(f"dump: {args.n:,} messages, {size_mb:.1f} MB", file=sys.stderr)

        local = [run_local(dump, work / f"local{i}.parquet") for i in range(2)]
        print(f"local: {local}", file=sys.stderr)
        spark, startup = start_spark(args.master, args.partition_mb)
        try:
            runs = [run_spark(spark, dump, work / f"spark{i}") for i in range(2)]
        finally:
            spark.stop()
        print(f"spark: {runs}", file=sys.stderr)
        n_rows, differ = same_rows(work / "local1.parquet", work / "spark1")
        drv = driver_routing(dump)
        load_after = os.getloadavg()[0]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    n = args.n
    parts = runs[0][1]
    lines = [
        "# triage on Spark: throughput against the local batch path",
        "",
        f"Command: `python benchmarks/spark/run.py -n {n} --master '{args.master}'"
        f"{'' if args.partition_mb == 2.0 else f' --partition-mb {args.partition_mb:g}'}"
        f"{' --out ' + args.out if args.out else ''}`",
        "",
        f"Machine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}, PySpark {pyspark.__version__}, {platform.system()}; "
        f"1-minute load average {load_before:.1f} before the runs, {load_after:.1f} after "
        "(above 0 means other work shared the CPUs).",
        f"Dump: {n:,} messages ({size_mb:.1f} MB JSONL, benchmarks/throughput/dump.py seed {args.seed}), "
        f"read by Spark as {parts} partitions; every stage (language, sentiment, urgency, topic, KB top-3) "
        "and global routing with the shipped teams; output Parquet.",
        "",
        "| path | run | wall time | messages/s |",
        "|---|---|---|---|",
        f"| local batch path (`triage run`, 1 process) | cold (loads models) | {local[0]:.1f} s | {n / local[0]:,.0f} |",
        f"| local batch path (`triage run`, 1 process) | warm | {local[1]:.1f} s | {n / local[1]:,.0f} |",
        f"| Spark `{args.master}` (`triage_dataframe`) | cold (workers load models) | {runs[0][0]:.1f} s | "
        f"{n / runs[0][0]:,.0f} |",
        f"| Spark `{args.master}` (`triage_dataframe`) | warm (workers reused) | {runs[1][0]:.1f} s | "
        f"{n / runs[1][0]:,.0f} |",
        "",
        f"SparkSession start-up (not in the times above): {startup:.1f} s. "
        f"Spark warm / local warm: {local[1] / runs[1][0]:.2f}x.",
        f"Rows that differ between the two outputs: {differ} of {n_rows:,}.",
        "",
        "Steps of the warm Spark run (logged by triage.spark):",
        "",
        *[f"- {line}" for line in runs[1][2]],
        "",
        f"Driver's routing step alone ({drv['n']:,} valid messages: the dump's repeated to reach 200,000): "
        "collected routing columns "
        f"{drv['input_bytes']:.0f} bytes/message (Arrow), `choose_rows` {drv['choose_s']:.2f} s "
        f"({drv['n'] / drv['choose_s']:,.0f} messages/s), its peak Python memory {drv['peak_bytes']:.0f} "
        f"bytes/message, choices sent back {drv['output_bytes']:.0f} bytes/message (row index, team "
        f"index, slots left); about {(drv['input_bytes'] + drv['peak_bytes'] + drv['output_bytes']):.0f} "
        "bytes per message on the driver at the peak, all told. The executors' `explain_rows` on the same "
        f"rows, for scale: {drv['explain_s']:.2f} s on one core.",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if args.out:
        Path(args.out).write_text(report, encoding="utf-8")
    return 0 if differ == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

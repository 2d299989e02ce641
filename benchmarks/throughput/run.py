"""Throughput, latency and memory of the vectorized core, with baselines in the same run.

    python benchmarks/throughput/run.py                 # 100,000 messages (about 2 minutes)
    python benchmarks/throughput/run.py --ci            # 10,000 messages; exit 1 if a ratio is below its floor
    python benchmarks/throughput/run.py --stream 1000000  # also stream a 1M-message dump through 'triage run'
    python benchmarks/throughput/run.py --out benchmarks/throughput/RESULTS.md

Prints a table: messages/s of the batch path with every stage (language, sentiment,
urgency, topic, routing, KB top-3), the time split per stage, single-message latency
(p50/p99 of Triager.triage), import and model-load time and peak memory; side by side
the same work message by message through Triager.triage, and a naive per-message
pipeline (langdetect per message plus per-message model calls). Ratios are what CI
checks; absolute times depend on the machine and are only printed.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

FLOORS = {"batch / single-message loop": 5.0, "batch / naive per-message": 20.0}


def import_time() -> float:
    code = "import time; t = time.perf_counter(); import triage; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                 env={**os.environ, "PYTHONPATH": str(ROOT / "src")}).stdout) for _ in range(5)]
    return min(runs)


def help_imports() -> list[str]:
    code = ("import sys\nfrom triage._cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print('MODULES:', ' '.join(m for m in ('torch', 'lingua', 'py3langid', 'scipy', 'sentence_transformers') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "src")}).stdout
    line = [x for x in out.splitlines() if x.startswith("MODULES:")][-1]
    return line.split()[1:]


def stage_split(triager, msgs, batch_size: int) -> dict[str, float]:
    from triage._batch import Batch
    from triage._records import coerce_record

    times: dict[str, float] = {}
    for start in range(0, len(msgs), batch_size):
        chunk = [coerce_record(m, i) for i, m in enumerate(msgs[start:start + batch_size], start + 1)]
        t = time.perf_counter()
        batch = Batch.from_records(chunk)
        times["read into columns"] = times.get("read into columns", 0.0) + time.perf_counter() - t
        work = batch.take(batch.valid_rows())
        for stage in triager.pipeline.stages:
            t = time.perf_counter()
            out = stage.predict(work)
            for k, v in out.items():
                work[k] = v
            times[stage.name] = times.get(stage.name, 0.0) + time.perf_counter() - t
        t = time.perf_counter()
        from triage._results import iter_rows

        for _ in iter_rows(work, triager.output_keys):
            pass
        times["rows out"] = times.get("rows out", 0.0) + time.perf_counter() - t
    return times


def naive(msgs, triager) -> None:
    """What a user might write: langdetect, then the model call, one message at a time."""
    import langdetect

    langdetect.DetectorFactory.seed = 0
    for m in msgs:
        try:
            langdetect.detect(m["text"])
        except Exception:
            pass
        triager.triage(m["text"], channel=m.get("channel"), received_at=m.get("received_at"))


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc), in MB."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    tree, frontier = {pid}, [pid]
    while frontier:
        frontier = [c for c, par in parents.items() if par in frontier and c not in tree]
        tree.update(frontier)
    return sum(rss.get(p, 0) for p in tree) / 1e6


def stream(n: int, workers: int = 1, seed: int = 1) -> dict:
    """``triage run`` end to end (JSONL in, JSONL out, shipped teams and KB) in a child
    process; peak memory is the sum over its process tree, sampled every 0.1 s."""
    import threading

    from dump import write_jsonl

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "dump.jsonl"
        write_jsonl(src, n, seed=seed)
        size = src.stat().st_size
        out = Path(tmp) / "out.jsonl"
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "triage", "run", str(src), "-o", str(out), "-q",
                                 "--workers", str(workers)], stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        peak = [0.0]

        def sample() -> None:
            while proc.poll() is None:
                peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, err = proc.communicate()
        dt = time.perf_counter() - t
        sampler.join()
        if proc.returncode != 0:
            raise SystemExit(f"streaming run failed: {err[-2000:]}")
        lines = sum(1 for _ in open(out, encoding="utf-8"))
        return {"messages": n, "input_mb": size / 1e6, "seconds": dt, "rate": n / dt,
                "peak_rss_mb": peak[0], "lines_out": lines, "workers": workers}


def main() -> int:
    ap = argparse.ArgumentParser(description="Throughput benchmark of the triage batch path.")
    ap.add_argument("-n", type=int, default=100_000, help="messages in the batch run")
    ap.add_argument("--ci", action="store_true", help="10,000 messages; exit 1 when a ratio is below its floor")
    ap.add_argument("--single", type=int, default=2000, help="messages for the single-message loop")
    ap.add_argument("--naive", type=int, default=1000, help="messages for the naive baseline")
    ap.add_argument("--stream", type=int, default=0, help="also stream this many messages through 'triage run'")
    ap.add_argument("--workers", type=int, default=0,
                    help="also run 'triage run' end to end on -n messages in one process and with this many workers")
    ap.add_argument("--batch-size", type=int, default=2048)
    ap.add_argument("--no-accuracy", action="store_true", help="skip the accuracy figures")
    ap.add_argument("--out", default=None, help="write the Markdown report here")
    args = ap.parse_args()
    if args.ci:
        args.n, args.single, args.naive = 10_000, 1000, 500

    from dump import messages

    lines = []
    t_import = import_time()
    heavy = help_imports()
    t = time.perf_counter()
    import triage

    cache = tempfile.mkdtemp(prefix="triage-bench-")
    triager = triage.Triager(cache_dir=cache, batch_size=args.batch_size)
    triager.triage_batch(list(messages(300, seed=99)))  # loads every model, lingua's per language too
    t_load = time.perf_counter() - t
    msgs = list(messages(args.n, seed=0))

    t = time.perf_counter()
    results = triager.triage_batch(msgs)
    t_batch = time.perf_counter() - t
    assert len(results) == len(msgs)
    batch_rate = len(msgs) / t_batch
    split = stage_split(triager, msgs[: min(len(msgs), 20_000)], args.batch_size)

    lat = []
    for m in msgs[: args.single]:
        t = time.perf_counter()
        triager.triage(m["text"], subject=m.get("subject"), channel=m.get("channel"),
                       received_at=m.get("received_at"))
        lat.append(time.perf_counter() - t)
    single_rate = len(lat) / sum(lat)
    lat_ms = sorted(x * 1000 for x in lat)
    p50 = statistics.median(lat_ms)
    p99 = lat_ms[min(len(lat_ms) - 1, int(0.99 * len(lat_ms)))]

    t = time.perf_counter()
    naive(msgs[: args.naive], triager)
    naive_rate = args.naive / (time.perf_counter() - t)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    ratios = {"batch / single-message loop": batch_rate / single_rate, "batch / naive per-message": batch_rate / naive_rate}
    lines.append(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
                 f"{platform.system()}; no GPU used.")
    lines.append("")
    lines.append("| measure | value |")
    lines.append("|---|---|")
    lines.append(f"| messages in the batch run | {len(msgs):,} |")
    lines.append(f"| **full triage, batch path** | **{batch_rate:,.0f} msg/s** ({t_batch:.1f} s) |")
    lines.append(f"| same work, one Triager.triage call per message | {single_rate:,.0f} msg/s ({len(lat):,} messages) |")
    lines.append(f"| naive per-message pipeline (langdetect + per-message model calls) | {naive_rate:,.0f} msg/s ({args.naive:,} messages) |")
    for name, value in ratios.items():
        lines.append(f"| ratio {name} | **{value:.1f}x** (floor {FLOORS[name]:.0f}x) |")
    lines.append(f"| single-message latency p50 / p99 | {p50:.1f} ms / {p99:.1f} ms |")
    lines.append(f"| `import triage` | {t_import * 1000:.0f} ms |")
    lines.append(f"| model load (import + first batch of 300 messages) | {t_load:.2f} s |")
    lines.append(f"| `triage --help` imports | {', '.join(heavy) or 'nothing heavy'} |")
    lines.append(f"| peak RSS of this benchmark | {peak:,.0f} MB |")
    total = sum(split.values())
    lines.append("")
    lines.append(f"Time split per stage (batch path, {min(len(msgs), 20_000):,} messages, batches of {args.batch_size}):")
    lines.append("")
    lines.append("| stage | seconds | share | msg/s alone |")
    lines.append("|---|---|---|---|")
    n_split = min(len(msgs), 20_000)
    for name, sec in split.items():
        lines.append(f"| {name} | {sec:.2f} | {sec / total:.0%} | {n_split / sec:,.0f} |")
    if args.workers:
        del results, msgs
        lines += ["", f"`triage run` end to end on {args.n:,} messages (JSONL in and out, shipped teams and KB, "
                  "peak RSS summed over all its processes):", "",
                  "| processes | wall time | msg/s | peak RSS |", "|---|---|---|---|"]
        for w in (1, args.workers):
            s = stream(args.n, workers=w, seed=0)
            label = "1 (default)" if w == 1 else f"{w} workers (`--workers {w}`) + the main process"
            lines.append(f"| {label} | {s['seconds']:.1f} s | {s['rate']:,.0f} | {s['peak_rss_mb']:,.0f} MB |")
    if args.stream:
        s = stream(args.stream)
        lines.append("")
        lines.append(f"Streaming `triage run` over {s['messages']:,} messages ({s['input_mb']:,.0f} MB JSONL): "
                     f"{s['rate']:,.0f} msg/s, peak RSS {s['peak_rss_mb']:,.0f} MB (sampled over the process), "
                     f"{s['lines_out']:,} lines out.")
    if not args.no_accuracy:
        from triage._training import evaluate

        rep = evaluate(str(ROOT / "corpora" / "messages"))
        figures = ", ".join(f"{k} macro-F1 {v['macro_f1']:.3f}" for k, v in rep["labels"].items())
        lines.append("")
        lines.append(f"Accuracy on the held-out test split (same models): {figures}; "
                     f"language accuracy {rep.get('language_accuracy', float('nan')):.3f}.")
    text = "\n".join(lines)
    cmd = "python benchmarks/throughput/run.py" + (" --ci" if args.ci else f" -n {args.n}") + \
          (f" --workers {args.workers}" if args.workers else "") + (f" --stream {args.stream}" if args.stream else "")
    report = f"# Throughput benchmark\n\nCommand: `{cmd}`\n\n{text}\n"
    print(report)
    if args.out:
        Path(args.out).write_text(report, encoding="utf-8")
    failed = [name for name, value in ratios.items() if value < FLOORS[name]]
    if failed:
        print(f"FAILED: ratio below its floor: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

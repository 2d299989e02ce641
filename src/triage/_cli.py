"""The ``triage`` command line: run, train, eval. Imports nothing heavy until a
command needs it, so ``triage --help`` is instant."""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from typing import Sequence

EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="triage", description="Triage customer messages: "
                                "language, sentiment, urgency, topic, team and help articles.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="triage a message dump (JSONL, JSON, CSV, Parquet, mbox, .eml folder, '-')")
    run.add_argument("input", metavar="INPUT", help="input file, folder of .eml, or '-' for JSONL on stdin")
    run.add_argument("-o", "--output", help="output file (.jsonl, .csv, .parquet); stdout when left out")
    run.add_argument("--teams", help="teams file (YAML or JSON)")
    run.add_argument("--kb", help="knowledge base: JSONL file or folder of articles")
    run.add_argument("--model", help="model directory made by 'triage train'")
    run.add_argument("--languages", help="comma-separated candidate languages, e.g. en,de,hr")
    run.add_argument("--embeddings", metavar="DIR",
                     help="local sentence-transformers model folder: dense KB re-ranking, and the vectors a model "
                          "trained with --embeddings needs (extra [embeddings])")
    run.add_argument("--batch-size", type=int, default=2048, help="records per batch (default 2048)")
    run.add_argument("--workers", type=int, default=1,
                     help="processes that triage chunks in parallel, each with its own copy of the models "
                          "(default 1; 0: one per CPU core); the output is the same")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress line on stderr")
    run.add_argument("--resume", action="store_true",
                     help="continue an interrupted run from OUTPUT.part (JSONL or CSV output)")
    run.add_argument("--no-teams", action="store_true", help="do not route (no team or service-level keys)")
    run.add_argument("--no-kb", action="store_true", help="do not suggest KB articles")
    run.add_argument("--with-text", action="store_true", help="also write each message's text (key 'text')")
    run.add_argument("--redact", action="store_true",
                     help="mask e-mail addresses, phone numbers, IBANs, card numbers and national ID numbers "
                          "in the text fields written (text, warnings)")

    train = sub.add_parser("train", help="train a model on labelled messages (any label set)")
    train.add_argument("data", metavar="DATA", help="labelled .jsonl/.csv, or a corpus folder with */train.jsonl")
    train.add_argument("-o", "--output", required=True, metavar="DIR", help="model directory to write")
    train.add_argument("--label", action="append", choices=("topic", "urgency", "sentiment", "language"),
                       help="label column to learn (repeatable; default: topic, urgency and sentiment "
                            "where present); 'language' alone trains the in-domain language identifier")
    train.add_argument("--embeddings", metavar="DIR",
                       help="add sentence vectors from this local sentence-transformers model folder as "
                            "features (extra [embeddings]); predicting then needs the same folder")
    train.add_argument("-q", "--quiet", action="store_true", help="no progress lines")

    ev = sub.add_parser("eval", help="accuracy and macro-F1 per label and language, with confusion matrices")
    ev.add_argument("data", metavar="DATA", help="labelled .jsonl/.csv, or a corpus folder with */test.jsonl")
    ev.add_argument("--model", help="model directory (default: the shipped model)")
    ev.add_argument("--embeddings", metavar="DIR", help="the sentence-transformers folder the model was trained with")
    ev.add_argument("--json", metavar="FILE", help="also write the full report as JSON")

    teams = sub.add_parser("teams", help="check a teams file")
    teams_sub = teams.add_subparsers(dest="teams_command", metavar="ACTION")
    check = teams_sub.add_parser("check", help="validate a teams file and list every problem")
    check.add_argument("file", metavar="FILE")
    check.add_argument("--model", help="model directory whose topics the teams must use")
    check.add_argument("--languages", help="languages the deployment supports (default: the 11 defaults)")
    return p


def _cmd_train(args: argparse.Namespace) -> int:
    from ._errors import TriageError
    from ._training import LABELS, train

    log = (lambda _: None) if args.quiet else (lambda m: print(m, file=sys.stderr))
    try:
        report = train(args.data, args.output, labels=args.label or LABELS, log=log, embeddings=args.embeddings)
    except TriageError as exc:
        return _fail(str(exc))
    for head, entry in report.items():
        if isinstance(entry, dict):
            print(f"{head}: dev macro-F1 {entry['dev_macro_f1']:.3f} (l2 {entry['l2']:g}, "
                  f"temperature {entry['temperature']:.2f}, {entry['n_train']} train / {entry['n_dev']} dev)")
    print(f"model written to {args.output}")
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    import json

    from ._errors import TriageError
    from ._training import evaluate, format_report

    try:
        report = evaluate(args.data, args.model, embeddings=args.embeddings)
    except TriageError as exc:
        return _fail(str(exc))
    print(format_report(report))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2, ensure_ascii=False)
    return 0


def _fail(message: str) -> int:
    print(f"triage: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _cmd_run(args: argparse.Namespace) -> int:
    from ._errors import TriageError
    from ._progress import Progress
    from ._readers import read_chunks
    from ._triager import Triager
    from ._writers import RowWriter

    if args.batch_size < 1:
        return _fail("--batch-size must be at least 1")
    if args.workers < 0:
        return _fail("--workers must be 0 (one per CPU core) or more")
    workers = args.workers or os.cpu_count() or 1
    kwargs = {}
    if args.languages:
        kwargs["languages"] = [c.strip() for c in args.languages.split(",") if c.strip()]
    if args.resume and (not args.output or args.output == "-"):
        return _fail("--resume needs -o OUTPUT (it continues OUTPUT.part)")
    try:
        if args.embeddings:
            kwargs["embeddings"] = args.embeddings
        triager = Triager(teams=False if args.no_teams else args.teams, kb=False if args.no_kb else args.kb,
                          model=args.model, batch_size=args.batch_size, **kwargs)
        keys = triager.output_keys
        triager.router  # a bad teams file fails here, before any work
        chunks = read_chunks(args.input, chunk_size=args.batch_size)
        if args.with_text:
            keys = (*keys, "text")
        writer = RowWriter(args.output, keys, resume=args.resume)
    except TriageError as exc:
        return _fail(str(exc))
    if writer.skip:
        print(f"triage: resuming after {writer.skip:,} records already written", file=sys.stderr)
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    total = os.path.getsize(args.input) if os.path.isfile(args.input) else None
    progress = Progress(sys.stderr, enabled=not args.quiet and sys.stderr.isatty(), total_bytes=total)
    try:
        router = triager.router
        if args.with_text:
            chunks = _TextKeeper(chunks, redact=args.redact)
        with contextlib.ExitStack() as stack:
            pool = None
            if workers > 1:
                from ._parallel import WorkerPool

                config = {"kb": False if args.no_kb else args.kb, "model": args.model,
                          "batch_size": args.batch_size, **kwargs}
                pool = stack.enter_context(WorkerPool(workers, config))
            if router is None:
                _run_streaming(triager, chunks, writer, progress, args.redact, pool)
            else:
                _run_routed(triager, chunks, writer, progress, args.redact, pool)
        writer.close()
    except TriageError as exc:
        writer.abort()
        return _fail(str(exc))
    except KeyboardInterrupt:
        writer.abort()
        where = f"; {writer.count:,} output lines are in {args.output}.part, continue with --resume" \
            if args.output and args.output != "-" else ""
        print(f"\ntriage: interrupted after reading {progress.count:,} records{where}", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
        progress.close()
    return 0


def _raise_interrupt(signum, frame) -> None:
    """SIGTERM ends a run like Ctrl-C: what is done is flushed and kept."""
    raise KeyboardInterrupt


class _TextKeeper:
    """Wraps the chunk reader so that each output row can carry its message's text,
    masked by the redactor when asked; the text never reaches a log."""

    def __init__(self, chunks, redact: bool) -> None:
        self.chunks = chunks
        self.redact = redact

    def __iter__(self):
        from ._redact import redact_batch

        for chunk in self.chunks:
            texts = [r.get("text") if isinstance(r.get("text"), str) else None for r in chunk]
            if self.redact:
                masked, _ = redact_batch([t or "" for t in texts])
                texts = [m if t is not None else None for m, t in zip(masked, texts)]
            for rec, text in zip(chunk, texts):
                rec["_text_out"] = text
            yield chunk


def _attach_text(rows: list[dict], chunk: list[dict]) -> list[dict]:
    if chunk and "_text_out" in chunk[0]:
        for row, rec in zip(rows, chunk):
            if "error" not in row:
                row["text"] = rec["_text_out"]
    return rows


def _triaged(triager, chunks, redact: bool, pool=None):
    """(chunk, unrouted output batch, contract rows) per chunk, in order: each chunk goes
    through the engine-neutral Arrow function (the one Spark calls), here or in the
    worker processes of ``pool``. Rows keep the records' own ids; with ``redact``,
    warnings (which quote bad input values) are masked too."""
    from collections import deque

    from ._arrow import output_rows, records_to_record_batch, triage_record_batch

    keys = triager.per_message_pipeline.output_keys

    def finish(chunk, out):
        rows = output_rows(out, [r.get("id") for r in chunk], keys)
        if redact:
            from ._redact import redact_batch

            for row in rows:
                if row.get("warnings"):
                    row["warnings"] = redact_batch(row["warnings"])[0]
        return chunk, out, _attach_text(rows, chunk)

    if pool is None:
        for chunk in chunks:
            yield finish(chunk, triage_record_batch(records_to_record_batch(chunk), triager, route=False))
        return
    sent: deque = deque()

    def inputs():
        for chunk in chunks:
            sent.append(chunk)
            yield records_to_record_batch(chunk)

    for out in pool.map(inputs()):
        yield finish(sent.popleft(), out)


def _run_streaming(triager, chunks, writer, progress, redact: bool, pool=None) -> None:
    read = 0

    def remaining():
        nonlocal read
        skip = writer.skip
        for chunk in chunks:
            read += len(chunk)
            if skip:  # already written by the interrupted run
                cut = min(skip, len(chunk))
                chunk, skip = chunk[cut:], skip - cut
            if chunk:
                yield chunk
            else:
                progress.update(read)

    for _, _, rows in _triaged(triager, remaining(), redact, pool):
        writer.write(rows)
        progress.update(read)


def _run_routed(triager, chunks, writer, progress, redact: bool, pool=None) -> None:
    """Routing needs every message at once (the most urgent claim slots first): pass 1
    triages chunk by chunk into a spool file and keeps only the compact routing columns
    of the valid rows (about sixty bytes per message), pass 2 chooses every team at
    once, pass 3 explains the choices chunk by chunk while merging them in input order."""
    import json
    import tempfile

    import pyarrow as pa

    from ._arrow import choose_rows, explain_rows, routing_inputs
    from ._results import OUTPUT_ORDER

    router = triager.router
    parts: list = []
    done = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        for chunk, out, rows in _triaged(triager, chunks, redact, pool):
            parts.append(routing_inputs(out).filter(out.column("error").is_null()))
            for row in rows:
                spool.write(json.dumps(row, ensure_ascii=False) + "\n")
            done += len(chunk)
            progress.update(done)
        inputs = pa.Table.from_batches(parts).combine_chunks() if parts else None
        del parts
        chosen, left = choose_rows(router, inputs) if inputs is not None else (None, None)
        spool.seek(0)
        r, skip, pending = 0, writer.skip, []

        def flush(rows: list[dict]) -> None:
            nonlocal r
            valid = [row for row in rows if "error" not in row]
            if valid:
                sl = slice(r, r + len(valid))
                routed = explain_rows(router, inputs.slice(r, len(valid)), chosen[sl], left[sl])
                routed = {k: v.to_pylist() for k, v in routed.items()}
                for i, row in enumerate(valid):
                    for k in router.writes:
                        row[k] = routed[k][i]
                r += len(valid)
            out = [{k: row[k] for k in ("id", *OUTPUT_ORDER, "text") if k in row} if "error" not in row else row
                   for row in rows]
            writer.write(out)

        for line in spool:
            row = json.loads(line)
            if skip:  # already written by the interrupted run (routing is deterministic)
                skip -= 1
                r += "error" not in row
                continue
            pending.append(row)
            if len(pending) >= 4096:
                flush(pending)
                pending = []
        flush(pending)


def _cmd_teams(args: argparse.Namespace) -> int:
    from ._errors import TriageError
    from ._language import DEFAULT_LANGUAGES
    from ._teams import coverage_problems, parse_teams, read_teams_file
    from ._topics import DEFAULT_TOPICS

    try:
        data = read_teams_file(args.file)
    except TriageError as exc:
        return _fail(str(exc))
    topics = list(DEFAULT_TOPICS)
    if args.model:
        from .models._model import TriageModel

        topics = TriageModel.read_manifest(args.model)["heads"]["topic"]["labels"]
    languages = [c.strip() for c in args.languages.split(",")] if args.languages else list(DEFAULT_LANGUAGES)
    teams, problems = parse_teams(data, topics, args.file)
    if not problems:
        problems = coverage_problems(teams, topics, languages)
    for p in problems:
        print(f"problem: {p}")
    if problems:
        print(f"{len(problems)} problem(s) in {args.file}")
        return 1
    total = sum(t.capacity for t in teams)
    print(f"{args.file}: {len(teams)} teams, {total} slots, every language and topic covered")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        from ._version import __version__

        print(__version__)
        return 0
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    if args.command == "teams" and getattr(args, "teams_command", None) is None:
        parser.parse_args(["teams", "--help"])
    handlers = {"run": _cmd_run, "train": _cmd_train, "eval": _cmd_eval, "teams": _cmd_teams}
    return handlers[args.command](args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

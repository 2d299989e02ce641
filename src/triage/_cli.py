"""The ``triage`` command line: run, train, eval. Imports nothing heavy until a
command needs it, so ``triage --help`` is instant."""
from __future__ import annotations

import argparse
import os
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
    run.add_argument("--batch-size", type=int, default=2048, help="records per batch (default 2048)")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress line on stderr")

    train = sub.add_parser("train", help="train a model on labelled messages (any label set)")
    train.add_argument("data", metavar="DATA", help="labelled .jsonl/.csv, or a corpus folder with */train.jsonl")
    train.add_argument("-o", "--output", required=True, metavar="DIR", help="model directory to write")
    train.add_argument("--label", action="append", choices=("topic", "urgency", "sentiment", "language"),
                       help="label column to learn (repeatable; default: topic, urgency and sentiment "
                            "where present); 'language' alone trains the in-domain language identifier")
    train.add_argument("-q", "--quiet", action="store_true", help="no progress lines")

    ev = sub.add_parser("eval", help="accuracy and macro-F1 per label and language, with confusion matrices")
    ev.add_argument("data", metavar="DATA", help="labelled .jsonl/.csv, or a corpus folder with */test.jsonl")
    ev.add_argument("--model", help="model directory (default: the shipped model)")
    ev.add_argument("--json", metavar="FILE", help="also write the full report as JSON")
    return p


def _cmd_train(args: argparse.Namespace) -> int:
    from ._errors import TriageError
    from ._training import LABELS, train

    log = (lambda _: None) if args.quiet else (lambda m: print(m, file=sys.stderr))
    try:
        report = train(args.data, args.output, labels=args.label or LABELS, log=log)
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
        report = evaluate(args.data, args.model)
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
    kwargs = {}
    if args.languages:
        kwargs["languages"] = [c.strip() for c in args.languages.split(",") if c.strip()]
    try:
        triager = Triager(teams=args.teams, kb=args.kb, model=args.model,
                          batch_size=args.batch_size, **kwargs)
        keys = triager.output_keys
        chunks = read_chunks(args.input, chunk_size=args.batch_size)
        writer = RowWriter(args.output, keys)
    except TriageError as exc:
        return _fail(str(exc))
    total = os.path.getsize(args.input) if os.path.isfile(args.input) else None
    progress = Progress(sys.stderr, enabled=not args.quiet and sys.stderr.isatty(), total_bytes=total)
    done = 0
    try:
        for chunk in chunks:
            writer.write(list(triager.triage_records(chunk)))
            done += len(chunk)
            progress.update(done)
        writer.close()
    except TriageError as exc:
        writer.abort()
        return _fail(str(exc))
    except KeyboardInterrupt:
        writer.abort()
        print(f"\ntriage: interrupted after {done:,} records", file=sys.stderr)
        return 130
    finally:
        progress.close()
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
    handlers = {"run": _cmd_run, "train": _cmd_train, "eval": _cmd_eval}
    return handlers[args.command](args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

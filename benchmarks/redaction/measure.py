"""Measure personal-data redaction on the labelled cases.

    python benchmarks/redaction/measure.py [--out benchmarks/redaction/RESULTS.md]

Recall per kind, language and national-ID type (a gold span counts as found when a find
of the same kind covers it; "exact" when the boundaries match too), negative texts that
the masking changed, stray masks in positive texts, the share of random digit strings
that pass a checksum by chance, and throughput of redact_batch.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from triage._redact import find_personal_data, redact, redact_batch  # noqa: E402

CASES = ROOT / "tests" / "data" / "redaction_cases.jsonl"
COMMAND = "python benchmarks/redaction/measure.py --out benchmarks/redaction/RESULTS.md"


def load_cases(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def load_corpus(root: Path) -> list[str]:
    """Unlabelled project messages, for throughput on longer, realistic texts."""
    texts = []
    for file in sorted(root.glob("*/*.jsonl")):
        for line in file.read_text("utf-8").splitlines():
            text = json.loads(line, strict=False).get("text") if line.strip() else None
            if isinstance(text, str):
                texts.append(text)
    return texts


def score_spans(rows: list[dict]):
    """Per gold span: (language, kind, id type, found, exact); and the stray finds."""
    spans, stray, missed = [], [], []
    for row in rows:
        text = row["text"]
        found = find_personal_data(text)
        gold = []
        for span in row["spans"]:
            start = text.index(span["value"])
            end = start + len(span["value"])
            gold.append((start, end))
            hit = any(f.kind == span["kind"] and f.start <= start and f.end >= end for f in found)
            exact = any(f.kind == span["kind"] and f.start == start and f.end == end for f in found)
            spans.append((row["language"], span["kind"], span.get("type"), hit, exact))
            if not hit:
                missed.append((row["language"], span["kind"], span["value"], text))
        for f in found:
            if row["spans"] and not any(f.start < e and f.end > s for s, e in gold):
                stray.append((row["language"], f.kind, text[f.start:f.end], text))
    return spans, stray, missed


def negatives_changed(rows: list[dict]) -> tuple[int, int, list[tuple[str, str]]]:
    negatives = [r for r in rows if not r["spans"]]
    changed = [(r["language"], redact(r["text"])[0]) for r in negatives if redact(r["text"])[0] != r["text"]]
    return len(changed), len(negatives), changed


def table(spans, key_index: int) -> list[tuple[str, int, int, int]]:
    groups: dict[str, list] = defaultdict(list)
    for s in spans:
        if s[key_index] is not None:
            groups[s[key_index]].append(s)
    return [(k, len(v), sum(s[3] for s in v), sum(s[4] for s in v)) for k, v in sorted(groups.items())]


def chance_passes(seed: int, n: int = 20000) -> list[tuple[str, float, float]]:
    """Random digit strings in a neutral sentence, and after an order-number cue:
    the share masked is the false-positive rate left to the checksums."""
    rng = random.Random(seed)
    out = []
    for length in (10, 11, 13, 15, 16):
        numbers = ["".join(rng.choice("0123456789") for _ in range(length)) for _ in range(n)]
        plain = sum(bool(redact(f"The number {x} is wrong.")[1]) for x in numbers) / n
        after_cue = sum(bool(redact(f"Order number {x} is wrong.")[1]) for x in numbers) / n
        out.append((f"{length} digits", plain, after_cue))
    return out


def throughput(texts: list[str], min_seconds: float = 1.0, repeats: int = 5) -> tuple[float, float]:
    """Best of several timed runs of redact_batch: texts/s and MB/s."""
    redact_batch(texts[:1])  # load and compile the rules outside the timing
    chars = sum(map(len, texts))
    best = float("inf")
    for _ in range(repeats):
        rounds, t0 = 0, time.perf_counter()
        while True:
            redact_batch(texts)
            rounds += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= min_seconds:
                break
        best = min(best, elapsed / rounds)
    return len(texts) / best, chars / best / 1e6


def pct(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "-"


def report(args) -> str:
    rows = load_cases(Path(args.cases))
    spans, stray, missed = score_spans(rows)
    n_changed, n_neg, changed = negatives_changed(rows)
    hits = sum(s[3] for s in spans)
    exact = sum(s[4] for s in spans)
    lines = ["# Personal-data redaction: recall, false positives, throughput", "",
             f"Command: `{COMMAND}`", "",
             f"Data: `tests/data/redaction_cases.jsonl`, {len(rows)} texts in "
             f"{len({r['language'] for r in rows})} languages, {len(spans)} labelled spans, "
             f"{n_neg} negative texts (no personal data; order, tracking and invoice numbers, "
             "amounts, dates, postcodes, product codes).", "",
             f"**Overall recall {pct(hits, len(spans))}** ({hits}/{len(spans)}; exact boundaries "
             f"{exact}/{len(spans)}). **Negative texts changed: {n_changed}/{n_neg} "
             f"({100 * n_changed / n_neg:.1f} %).** Stray masks in positive texts: {len(stray)}.", "",
             "The cases and the rules have the same author and the rules were adjusted on the cases, so "
             "read these figures as a regression check rather than an estimate for real traffic. The "
             "random-digit table below does not depend on the cases.", ""]
    for title, index in (("Recall per kind", 1), ("Recall per language", 0), ("Recall per national-ID type", 2)):
        lines += [f"## {title}", "", "| | spans | found | exact | recall |", "|---|---|---|---|---|"]
        lines += [f"| {k} | {n} | {h} | {e} | {pct(h, n)} |" for k, n, h, e in table(spans, index)]
        lines.append("")
    lines += ["## Misses and false positives", ""]
    lines += [f"- missed {kind} `{value}` ({lang}): {text}" for lang, kind, value, text in missed] or ["- no misses"]
    lines += [f"- changed negative ({lang}): {text}" for lang, text in changed]
    lines += [f"- stray {kind} `{value}` ({lang}): {text}" for lang, kind, value, text in stray]
    lines += ["", "## Random digit strings masked (checksums passing by chance)", "",
              f"{args.chance_n} random strings per length, seed {args.seed}: in \"The number N is wrong.\" "
              "and after an order cue, \"Order number N is wrong.\"", "",
              "| length | masked, no cue | masked after 'Order number' |", "|---|---|---|"]
    lines += [f"| {k} | {a:.4f} | {b:.4f} |" for k, a, b in chance_passes(args.seed, args.chance_n)]
    tps, mbs = throughput([r["text"] for r in rows])
    lines += ["", "## Throughput", "", "| texts | count | texts/s | MB/s |", "|---|---|---|---|",
              f"| labelled cases (avg {sum(len(r['text']) for r in rows) / len(rows):.0f} chars) | {len(rows)} "
              f"| {tps:,.0f} | {mbs:.2f} |"]
    corpus = load_corpus(Path(args.corpus)) if Path(args.corpus).is_dir() else []
    if corpus:
        ctps, cmbs = throughput(corpus, repeats=3)
        lines.append(f"| project corpora, unlabelled (avg {sum(map(len, corpus)) / len(corpus):.0f} chars) "
                     f"| {len(corpus)} | {ctps:,.0f} | {cmbs:.2f} |")
    lines += ["", f"One process, one thread; best of repeated runs of `redact_batch`. Python "
              f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs.", ""]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description="Measure personal-data redaction on the labelled cases.")
    ap.add_argument("--cases", default=str(CASES))
    ap.add_argument("--corpus", default=str(ROOT / "corpora" / "messages"),
                    help="folder of unlabelled */*.jsonl messages, timed too (skipped when absent)")
    ap.add_argument("--out", default=None, help="also write the Markdown report here")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--chance-n", type=int, default=5000, help="random strings per length")
    args = ap.parse_args()
    text = report(args)
    print(text)
    if args.out:
        Path(args.out).write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Compare language detectors on the project's corpora.

    python benchmarks/language/compare.py [--out benchmarks/language/RESULTS.md]

Conditions: full messages of 20+ characters; the same without diacritics; random
5-word snippets (seeded); and the confusion within the hr/sl and cs/sk pairs.
Only the test split is used: the in-domain model (and so the ensemble) was trained
on the train split.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from triage._language import BACKENDS, DEFAULT_LANGUAGES  # noqa: E402
from triage._text import prepare  # noqa: E402

PAIRS = {"hr/sl": ("hr", "sl"), "cs/sk": ("cs", "sk")}


def strip_diacritics(text: str) -> str:
    text = text.translate(str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss"}))
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def load(corpus: Path) -> list[tuple[str, str]]:
    rows = []
    for file in sorted(corpus.glob("*/test.jsonl")):
        for line in file.read_text("utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                text, _ = prepare(rec["text"], None)
                rows.append((rec["language"], text))
    return rows


def snippets(rows, seed: int, words: int = 5):
    rng = random.Random(seed)
    out = []
    for lang, text in rows:
        toks = text.split()
        if len(toks) < words:
            continue
        start = rng.randrange(len(toks) - words + 1)
        out.append((lang, " ".join(toks[start:start + words])))
    return out


def accuracy(detector, rows) -> tuple[float, float, list[str]]:
    texts = [t for _, t in rows]
    t0 = time.perf_counter()
    pred, _ = detector.detect(texts)
    dt = time.perf_counter() - t0
    acc = sum(p == g for p, (g, _) in zip(pred, rows)) / max(len(rows), 1)
    return acc, len(rows) / dt, list(pred)


def main() -> int:
    ap = argparse.ArgumentParser(description="Compare language detectors on the corpora's test split.")
    ap.add_argument("--corpus", default=str(ROOT / "corpora" / "messages"))
    ap.add_argument("--out", default=None, help="write the Markdown table here")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--backends", default="ensemble,in-domain,lingua,lingua-low,py3langid,langdetect")
    args = ap.parse_args()

    rows = [(g, t) for g, t in load(Path(args.corpus)) if len(t) >= 20]
    sets = {
        "full (20+ chars)": rows,
        "no diacritics": [(g, strip_diacritics(t)) for g, t in rows],
        "5-word snippets": snippets(rows, args.seed),
        "5-word, no diacritics": [(g, strip_diacritics(t)) for g, t in snippets(rows, args.seed)],
    }
    header = ["detector"] + list(sets) + [f"{p} confusion" for p in PAIRS] + ["msgs/s (full)"]
    table = []
    for name in args.backends.split(","):
        detector = BACKENDS[name](DEFAULT_LANGUAGES)
        detector.detect([t for _, t in rows])  # warm up: lingua loads each language's model lazily
        cells, speed = [], 0.0
        pair_err = {}
        for label, data in sets.items():
            acc, rate, pred = accuracy(detector, data)
            cells.append(f"{acc:.2%}")
            if label == "full (20+ chars)":
                speed = rate
            if label == "5-word, no diacritics":
                for pname, (a, b) in PAIRS.items():
                    idx = [i for i, (g, _) in enumerate(data) if g in (a, b)]
                    wrong = sum(pred[i] in (a, b) and pred[i] != data[i][0] for i in idx)
                    pair_err[pname] = f"{wrong / max(len(idx), 1):.2%}"
        table.append([name] + cells + [pair_err[p] for p in PAIRS] + [f"{speed:,.0f}"])
        print(name, cells, pair_err, f"{speed:,.0f}/s", flush=True)
    counts = {}
    for g, _ in rows:
        counts[g] = counts.get(g, 0) + 1
    md = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    md += ["| " + " | ".join(r) + " |" for r in table]
    text = (
        "# Language detection: candidates compared on the corpora\n\n"
        f"Command: `python benchmarks/language/compare.py --out benchmarks/language/RESULTS.md`\n\n"
        f"{len(rows)} messages of 20+ characters ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}); "
        f"candidates restricted to {', '.join(DEFAULT_LANGUAGES)}. Pair confusion: share of hr+sl "
        "(or cs+sk) 5-word snippets without diacritics given the other language of the pair. "
        "Speed: one process on the full messages after a warm-up pass, this machine (2 cores; the "
        "ensemble asks lingua and py3langid only where the in-domain model is unsure).\n\n" + "\n".join(md) + "\n"
    )
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

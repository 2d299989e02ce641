"""Scores of the shipped model on the held-out test split of the corpora.

    python benchmarks/models/report.py [--out benchmarks/models/RESULTS.md]

The same figures as `triage eval corpora/messages`, as a Markdown table per language.
The test split was written separately from the training split and never used for
training, model selection or calibration.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

TARGETS = {"topic": 0.90, "urgency": 0.75, "sentiment": 0.80}


def main() -> int:
    from triage._training import evaluate, format_report

    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT / "corpora" / "messages"))
    ap.add_argument("--model", default=None)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    report = evaluate(args.corpus, args.model)
    labels = report["labels"]
    langs = sorted(next(iter(labels.values()))["per_language"])
    head = "| label | target | all | " + " | ".join(langs) + " |"
    lines = [head, "|" + "---|" * (3 + len(langs))]
    for lab, entry in labels.items():
        cells = [f"{entry['per_language'][lg]['macro_f1']:.2f}" for lg in langs]
        lines.append(f"| {lab} macro-F1 | {TARGETS[lab]:.2f} | **{entry['macro_f1']:.3f}** | " + " | ".join(cells) + " |")
        cells = [f"{entry['per_language'][lg]['accuracy']:.2f}" for lg in langs]
        lines.append(f"| {lab} accuracy | | {entry['accuracy']:.3f} | " + " | ".join(cells) + " |")
    text = (
        "# Default models on the held-out test split\n\n"
        "Command: `python benchmarks/models/report.py --out benchmarks/models/RESULTS.md` "
        "(the same as `triage eval corpora/messages`).\n\n"
        f"{report['n']} test messages; language detection accuracy on them "
        f"{report.get('language_accuracy', float('nan')):.3f}.\n\n" + "\n".join(lines) +
        "\n\n## Full report\n\n```\n" + format_report(report) + "\n```\n"
    )
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

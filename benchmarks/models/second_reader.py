"""How far a second person agrees with the test split's urgency labels, and the model with both.

    python benchmarks/models/second_reader.py [--model DIR]

`second_reader_urgency.jsonl` holds urgency labels that a second reader gave every test
message from the taxonomy alone, without seeing the test labels or any prediction. They
are used only here, never for training or choosing anything, and the test labels stay
as their writer set them. Their agreement with the test labels is the ceiling against
which the model's urgency score on this split should be read.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))


def main() -> int:
    import triage
    from triage._cues import LEVELS
    from triage.models._model import macro_f1

    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT / "corpora" / "messages"))
    ap.add_argument("--model", default=None)
    args = ap.parse_args()
    rows = [json.loads(line) for path in sorted(Path(args.corpus).glob("*/test.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    second = {}
    with open(Path(__file__).with_name("second_reader_urgency.jsonl"), encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            second[r["id"]] = r["urgency"]
    missing = [r["id"] for r in rows if r["id"] not in second]
    if missing:
        raise SystemExit(f"no second-reader label for {len(missing)} test messages, e.g. {missing[:3]}")
    predicted = [o["urgency"] for o in triage.Triager(model=args.model).triage_records(rows)]
    gold = np.array([LEVELS.index(r["urgency"]) for r in rows])
    reader = np.array([LEVELS.index(second[r["id"]]) for r in rows])
    model = np.array([LEVELS.index(p) for p in predicted])
    langs = np.array([r["language"] for r in rows])

    def f1(a, b, mask=None):
        mask = np.ones(len(a), bool) if mask is None else mask
        return macro_f1(a[mask], b[mask], len(LEVELS))

    print(f"{len(rows)} test messages, urgency macro-F1")
    print("| pair | all | " + " | ".join(sorted(set(langs))) + " |")
    print("|---|---|" + "---|" * len(set(langs)))
    for name, a, b in (("second reader vs test labels", gold, reader), ("model vs test labels", gold, model),
                       ("model vs second reader", reader, model)):
        per = " | ".join(f"{f1(a, b, langs == lang):.2f}" for lang in sorted(set(langs)))
        print(f"| {name} | {f1(a, b):.3f} | {per} |")
    agree = gold == reader
    print(f"\nboth readers agree on {agree.sum()} messages; the model scores {f1(gold, model, agree):.3f} on them")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Does a new writer's corpus help on text by a writer the model never saw?

    python benchmarks/models/writer_gain.py --base abcdef --add h --score g

Trains the three heads on the BASE writers, and again on BASE plus ADD, and scores both
on the SCORE writers, which neither saw. Writers are letters: a is `train.jsonl`, b to h
are `train_b.jsonl` to `train_h.jsonl`; the test split is never read. To keep the
comparison cheap and equal, every head uses fixed settings (the l2 and naive Bayes
weights that dev chose most often) instead of the dev search that `triage train` runs,
so the figures are a little below a full training; only their difference matters.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

HEADS = ("urgency", "topic", "sentiment")
L2 = 3e-6
NB_ALPHA = 1.0
NB_WEIGHT = {"topic": 0.7, "urgency": 0.2, "sentiment": 0.1}


def writer_of(path: Path) -> str:
    m = re.fullmatch(r"train_([a-z])", path.stem)
    return m.group(1) if m else "a"


def main() -> int:
    from triage._training import load_labelled, prepare_records
    from triage.models._linear import fit_naive_bayes, fit_softmax
    from triage.models._model import TriageModel, is_dev, macro_f1

    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(ROOT / "corpora" / "messages"))
    ap.add_argument("--base", required=True, help="writers trained on in both runs, e.g. abcdef")
    ap.add_argument("--add", required=True, help="writers added in the second run, e.g. h")
    ap.add_argument("--score", required=True, help="held-out writers scored, e.g. g")
    args = ap.parse_args()
    if set(args.score) & set(args.base + args.add):
        ap.error("--score writers must not be trained on")

    files = sorted(Path(args.corpus).glob("*/train*.jsonl"))
    stems: list[str] = []
    records = load_labelled(files, stems)
    writers = np.array([writer_of(Path(stem)) for stem in stems])
    labels = {}
    for head in HEADS:
        names = sorted({r[head] for r in records})
        labels[head] = (len(names), np.array([names.index(r[head]) for r in records]))
    batch = prepare_records(records)
    ids = [str(i) for i in batch["id"]]
    model = TriageModel()
    raw = model.featurizer.raw(batch["folded_text"])
    extra, _, _ = model._extra(batch["prepared_text"], batch["folded_text"], batch["language"])
    scored = np.isin(writers, list(args.score))
    print(f"scoring writer(s) {args.score}: {scored.sum()} messages")
    print("| trained on | messages | " + " | ".join(HEADS) + " |")
    print("|---|---|" + "---|" * len(HEADS))
    for train_writers in (args.base, args.base + args.add):
        seen = np.isin(writers, list(train_writers))
        train = seen & ~is_dev(ids)
        featurizer = TriageModel().featurizer
        featurizer.fit(raw[np.flatnonzero(seen)])
        x = featurizer.transform(raw, extra)
        cells = []
        for head in HEADS:
            k, y = labels[head]
            w, b = fit_softmax(x[train], y[train], k, L2)
            nb = fit_naive_bayes(x[train], y[train], k, NB_ALPHA)
            logits = np.asarray(x[scored] @ w) + b + NB_WEIGHT[head] * np.asarray(x[scored] @ nb)
            cells.append(f"{macro_f1(y[scored], logits.argmax(1), k):.4f}")
        print(f"| {', '.join(train_writers.upper())} | {train.sum()} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

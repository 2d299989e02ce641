"""Banking77: the 'train on your own taxonomy' path against a TF-IDF + LR baseline.

    python benchmarks/banking77/run.py [--data ../shared/external/banking77] [--out benchmarks/banking77/RESULTS.md]

Trains `triage train --label topic` on train.csv (77 intents in the `category`
column) and scores it with the same code as `triage eval` on test.csv; in the same
run trains scikit-learn's TfidfVectorizer + LogisticRegression (the baseline the
data set's README names) on the same split. Needs scikit-learn for the baseline.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))


def read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return [{"text": r["text"], "topic": r["category"]} for r in csv.DictReader(f)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "external" / "banking77"))
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "train.csv").exists():
        print(f"Banking77 not found under {data}; pass --data", file=sys.stderr)
        return 2
    train, test = read(data / "train.csv"), read(data / "test.csv")

    from triage._training import evaluate, train as triage_train

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, rows in (("train", train), ("test", test)):
            with open(tmp / f"{name}.jsonl", "w", encoding="utf-8") as f:
                for i, r in enumerate(rows):
                    f.write(json.dumps({"id": f"{name}-{i}", **r}) + "\n")
        t0 = time.perf_counter()
        triage_train(str(tmp / "train.jsonl"), str(tmp / "model"), labels=["topic"])
        t_train = time.perf_counter() - t0
        report = evaluate(str(tmp / "test.jsonl"), str(tmp / "model"))
    ours = report["labels"]["topic"]

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score

    t0 = time.perf_counter()
    vec = TfidfVectorizer()
    clf = LogisticRegression(max_iter=2000)
    clf.fit(vec.fit_transform([r["text"] for r in train]), [r["topic"] for r in train])
    pred = clf.predict(vec.transform([r["text"] for r in test]))
    t_base = time.perf_counter() - t0
    gold = [r["topic"] for r in test]
    base = {"accuracy": accuracy_score(gold, pred), "macro_f1": f1_score(gold, pred, average="macro")}

    text = (
        "# Banking77: triage train/eval against TF-IDF + logistic regression\n\n"
        "Command: `python benchmarks/banking77/run.py --out benchmarks/banking77/RESULTS.md`\n\n"
        f"Train {len(train)} / test {len(test)} messages, 77 intents (official split).\n\n"
        "| model | accuracy | macro-F1 | train time |\n|---|---|---|---|\n"
        f"| triage train (hashed word + char n-grams, calibrated LR + naive Bayes) | {ours['accuracy']:.4f} | "
        f"{ours['macro_f1']:.4f} | {t_train:.0f} s |\n"
        f"| baseline: TfidfVectorizer() + LogisticRegression() | {base['accuracy']:.4f} | "
        f"{base['macro_f1']:.4f} | {t_base:.0f} s |\n\n"
        "Published fine-tuned sentence encoders reach about 93-94 % accuracy on this test set.\n"
    )
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

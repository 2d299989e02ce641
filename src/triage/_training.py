"""``triage train`` and ``triage eval``: fit the model on labelled messages, score it."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ._batch import Batch
from ._errors import ConfigError, InputFormatError
from ._language import DEFAULT_LANGUAGES, LanguageIdentifier
from ._pipeline import Pipeline
from ._text import TextPreparer

LABELS = ("topic", "urgency", "sentiment")
#: ``--label language`` trains the in-domain language identifier instead.
LANGUAGE_LABEL = "language"


def data_files(data: str, split: str) -> list[Path]:
    """A labelled file, or for a corpus folder its ``*/{split}*.jsonl`` files
    (``train.jsonl`` and further writers' ``train_b.jsonl``...)."""
    path = Path(data)
    if path.is_dir():
        files = sorted(path.glob(f"*/{split}*.jsonl")) or sorted(path.glob(f"{split}*.jsonl"))
        if not files:
            raise InputFormatError(f"{data} has no */{split}.jsonl files")
        return files
    if not path.is_file():
        raise InputFormatError(f"labelled data {data!r} does not exist")
    return [path]


def load_labelled(files: Sequence[Path], sources: list | None = None) -> list[dict]:
    """Records with text and whatever label columns they have (raw values kept);
    ``sources``, when given, gets each record's file stem (``train_b``: one writer)."""
    records: list[dict] = []
    for file in files:
        if file.suffix.lower() in (".jsonl", ".ndjson"):
            with open(file, encoding="utf-8-sig") as f:
                raws = [json.loads(line) for line in f if line.strip()]
        elif file.suffix.lower() == ".csv":
            import csv

            with open(file, encoding="utf-8-sig", newline="") as f:
                raws = list(csv.DictReader(f))
        else:
            raise InputFormatError(f"labelled data must be .jsonl or .csv, not {file.name}")
        for pos, raw in enumerate(raws, 1):
            if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not raw["text"].strip():
                continue
            raw.setdefault("id", f"{file.stem}:{pos}")
            records.append(raw)
            if sources is not None:
                sources.append(file.stem)
    if not records:
        raise InputFormatError("no labelled records with text were found")
    return records


def prepare_records(records: Sequence[dict], languages: Sequence[str] = DEFAULT_LANGUAGES) -> Batch:
    batch = Batch.from_records([{k: r.get(k) for k in ("id", "text", "subject", "channel")} for r in records])
    for i in range(batch.n):
        if batch["id"][i] is not None and not isinstance(batch["id"][i], (str, int)):
            batch["id"][i] = str(batch["id"][i])
    from ._ngrams import NgramCounter

    return Pipeline([TextPreparer(), NgramCounter(), LanguageIdentifier(languages)]).run(batch)


def corpus_digest(files: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def train(data: str, out_dir: str, labels: Sequence[str] = LABELS,
          log: Callable[[str], None] = lambda _: None, embeddings: str | None = None) -> dict:
    from .models._model import TriageModel

    if list(labels) == [LANGUAGE_LABEL]:
        return train_language(data, out_dir, log)
    bad = [lab for lab in labels if lab not in LABELS]
    if bad:
        raise ConfigError(f"--label must be one of {list(LABELS)}, not {bad}")
    files = data_files(data, "train")
    sources: list[str] = []
    records = load_labelled(files, sources)
    present = [lab for lab in labels if any(r.get(lab) not in (None, "") for r in records)]
    if not present:
        raise ConfigError(f"the data has none of the label columns {list(labels)}")
    log(f"training on {len(records)} messages from {len(files)} file(s); labels {present}")
    batch = prepare_records(records)
    model = TriageModel()
    vectors, name = None, None
    if embeddings:
        from ._embeddings import Encoder

        log(f"encoding {len(records)} messages with {embeddings}")
        vectors = Encoder(embeddings).encode(list(batch["prepared_text"]))
        name = Path(embeddings).resolve().name
    report = model.fit(batch["prepared_text"], batch["folded_text"], batch["language"],
                       {lab: [r.get(lab) for r in records] for lab in present}, batch["id"], log=log,
                       embeddings=vectors, encoder_name=name, groups=sources)
    model.save(out_dir, training={"n_messages": len(records), "labels": present,
                                  "corpus_sha256": corpus_digest(files)})
    return report


def train_language(data: str, out_dir: str, log: Callable[[str], None] = lambda _: None) -> dict:
    """Fit the in-domain language identifier on records with a ``language`` column."""
    from ._text import fold, prepare
    from .models._language_model import LanguageModel

    files = data_files(data, "train")
    records = [r for r in load_labelled(files) if r.get("language")]
    if len({r["language"] for r in records}) < 2:
        raise ConfigError("training a language identifier needs a 'language' column with 2+ languages")
    log(f"training the language identifier on {len(records)} messages from {len(files)} file(s)")
    folded = [fold(prepare(r["text"], None)[0]) for r in records]
    model = LanguageModel().fit(folded, [r["language"] for r in records])
    model.save(out_dir, training={"n_messages": len(records), "corpus_sha256": corpus_digest(files)})
    return {"languages": model.languages_}


def _confusion(gold: list, pred: list, names: list[str]) -> list[list[int]]:
    index = {n: i for i, n in enumerate(names)}
    m = [[0] * len(names) for _ in names]
    for g, p in zip(gold, pred):
        if g in index and p in index:
            m[index[g]][index[p]] += 1
    return m


def scores(gold: Sequence[str], pred: Sequence[str]) -> dict:
    gold, pred = list(gold), list(pred)
    names = sorted(set(gold))
    acc = float(np.mean([g == p for g, p in zip(gold, pred)])) if gold else 0.0
    f1s = []
    for n in names:
        tp = sum(g == n and p == n for g, p in zip(gold, pred))
        fp = sum(g != n and p == n for g, p in zip(gold, pred))
        fn = sum(g == n and p != n for g, p in zip(gold, pred))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return {"n": len(gold), "accuracy": round(acc, 4), "macro_f1": round(float(np.mean(f1s)), 4) if f1s else 0.0,
            "per_class_f1": {n: round(f, 4) for n, f in zip(names, f1s)}}


def evaluate(data: str, model: str | None = None, split: str = "test", embeddings: str | None = None) -> dict:
    """Accuracy, macro-F1 and confusion per label, overall and per language."""
    from ._triager import Triager

    files = data_files(data, split)
    records = load_labelled(files)
    triager = Triager(model=model, embeddings=embeddings)
    results = triager.triage_batch([{k: r.get(k) for k in ("id", "text", "subject", "channel")} for r in records])
    report: dict = {"files": [str(f) for f in files], "n": len(records), "labels": {}}
    for lab in LABELS:
        rows = [(r, res) for r, res in zip(records, results) if r.get(lab) not in (None, "") and res.error is None]
        if not rows or getattr(rows[0][1], lab) is None:
            continue
        gold = [str(r[lab]) for r, _ in rows]
        pred = [str(getattr(res, lab)) for _, res in rows]
        entry = scores(gold, pred)
        names = sorted(set(gold) | set(pred))
        entry["confusion"] = {"labels": names, "matrix": _confusion(gold, pred, names)}
        by_lang: dict = {}
        langs = [str(r.get("language") or res.language) for r, res in rows]
        for lang in sorted(set(langs)):
            idx = [i for i, lg in enumerate(langs) if lg == lang]
            by_lang[lang] = scores([gold[i] for i in idx], [pred[i] for i in idx])
        entry["per_language"] = by_lang
        report["labels"][lab] = entry
    if "language" in records[0]:
        gold = [r.get("language") for r in records]
        pred = [res.language for res in results]
        report["language_accuracy"] = round(float(np.mean([g == p for g, p in zip(gold, pred)])), 4)
    return report


def format_report(report: dict) -> str:
    lines = [f"{report['n']} messages"]
    if "language_accuracy" in report:
        lines.append(f"language accuracy {report['language_accuracy']:.3f}")
    for lab, entry in report["labels"].items():
        lines.append(f"\n{lab}: accuracy {entry['accuracy']:.3f}  macro-F1 {entry['macro_f1']:.3f}  (n={entry['n']})")
        lines.append("  per language: " + "  ".join(
            f"{lg} {e['macro_f1']:.2f}" for lg, e in entry["per_language"].items()))
        names = entry["confusion"]["labels"]
        width = max(len(n) for n in names)
        lines.append("  confusion (rows gold, columns predicted):")
        lines.append("  " + " " * width + " " + " ".join(f"{n[:6]:>6}" for n in names))
        for n, row in zip(names, entry["confusion"]["matrix"]):
            lines.append(f"  {n:>{width}} " + " ".join(f"{v:6d}" for v in row))
    return "\n".join(lines)

"""Check the labelled corpora against the taxonomy and print label counts.

Usage: python corpora/validate.py [LANG ...]
Exits non-zero when a record is malformed, so CI catches a broken corpus.
"""
from __future__ import annotations

import collections
import json
import sys
from pathlib import Path

TOPICS = {"billing", "refund", "delivery", "product_defect", "technical", "account",
          "service_quality", "security_privacy", "cancellation", "general"}
URGENCIES = {"low", "medium", "high", "critical"}
SENTIMENTS = {"negative", "neutral", "positive"}
CHANNELS = {"email", "chat", "social", "webform", "phone_transcript"}
LANGUAGES = {"en", "de", "fr", "es", "it", "pl", "cs", "sk", "sl", "hr", "et"}
REQUIRED = {"id": str, "language": str, "channel": str, "text": str,
            "topic": str, "urgency": str, "sentiment": str}
CHOICES = {"topic": TOPICS, "urgency": URGENCIES, "sentiment": SENTIMENTS,
           "channel": CHANNELS, "language": LANGUAGES}

ROOT = Path(__file__).resolve().parent / "messages"


def check_file(path: Path, seen_ids: set[str]) -> tuple[list[dict], list[str]]:
    records, problems = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{n}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not JSON ({exc})")
            continue
        for key, typ in REQUIRED.items():
            if not isinstance(rec.get(key), typ):
                problems.append(f"{where}: missing or non-{typ.__name__} {key!r}")
        for key, allowed in CHOICES.items():
            if rec.get(key) not in allowed:
                problems.append(f"{where}: {key}={rec.get(key)!r} not in {sorted(allowed)}")
        if rec.get("id") in seen_ids:
            problems.append(f"{where}: duplicate id {rec.get('id')!r}")
        seen_ids.add(rec.get("id"))
        records.append(rec)
    return records, problems


def main(argv: list[str]) -> int:
    langs = argv or sorted(p.name for p in ROOT.iterdir() if p.is_dir())
    bad = 0
    for lang in langs:
        seen: set[str] = set()
        for path in sorted((ROOT / lang).glob("*.jsonl")):
            split = path.stem
            records, problems = check_file(path, seen)
            bad += len(problems)
            for p in problems[:20]:
                print("  PROBLEM", p)
            words = sorted(len(r.get("text", "").split()) for r in records) or [0]
            print(f"{lang}/{split}: {len(records)} records, words min/median/max "
                  f"{words[0]}/{words[len(words) // 2]}/{words[-1]}")
            for key in ("topic", "urgency", "sentiment", "channel"):
                counts = collections.Counter(r.get(key) for r in records)
                print(f"  {key:9s} " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items(), key=str)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

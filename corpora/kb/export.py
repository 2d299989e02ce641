"""Export the default KB (corpora/kb/articles/*.md) to the package as JSONL.

    python corpora/kb/export.py

The package ships src/triage/data/kb.jsonl so that an installed triage has its demo
KB without this repository; a test checks that the two stay the same.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    from triage._kb import load_articles

    articles = load_articles(ROOT / "corpora" / "kb" / "articles")
    out = ROOT / "src" / "triage" / "data" / "kb.jsonl"
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for a in articles:
            rec = {"id": a.id, "title": a.title, "language": a.language, "topic": a.topic, "body": a.body}
            if a.canonical != a.id:
                rec["translation_of"] = a.canonical
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{len(articles)} articles written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

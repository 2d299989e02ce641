"""Build the demo dump corpora/demo/messages.jsonl from the held-out test messages.

    python corpora/make_demo.py

Takes the first 20 test messages of each language (labels dropped, so the dump looks
like what a helpdesk exports) and a few broken records, to show that every input line
gets exactly one output line. Deterministic: the same corpora give the same file.
"""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent
PER_LANGUAGE = 20
KEEP = ("id", "channel", "subject", "text", "received_at")
BROKEN = [
    '{"id": "demo-bad-1", "text": ""}',
    '{"id": "demo-bad-2", "text": 42}',
    '{"id": "demo-bad-3", "text": "unterminated',
    '{"id": "demo-bad-4", "subject": "no text field"}',
]


def main() -> None:
    lines = []
    for file in sorted((ROOT / "messages").glob("*/test.jsonl")):
        records = [json.loads(x) for x in file.read_text("utf-8").splitlines() if x.strip()]
        for rec in records[:PER_LANGUAGE]:
            lines.append(json.dumps({k: rec[k] for k in KEEP if k in rec}, ensure_ascii=False))
    step = max(len(lines) // (len(BROKEN) + 1), 1)
    for i, bad in enumerate(BROKEN, 1):
        lines.insert(i * step, bad)
    out = ROOT / "demo" / "messages.jsonl"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} records written to {out.relative_to(ROOT.parent)}")


if __name__ == "__main__":
    main()

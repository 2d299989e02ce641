"""A realistic mixed-language dump for benchmarks: the corpora resampled and perturbed.

Perturbations keep the real spread of lengths and add what real dumps have: typed
without diacritics, lower or upper case, signatures and quoted replies, doubled
messages and channels. Deterministic for a seed.
"""
from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[2]
SIGNATURES = ["\n\nSent from my iPhone", "\n\n--\nMarta K.\n+385 91 000 0000", "\n\nLG\nThomas",
              "\n\nPoslano s mog iPhonea", "\n\nS pozdravem\nJana", "\n\nTervitades\nKadri"]
QUOTES = ["\n\nOn Mon, 12 Oct 2026 at 10:00, Support <help@shop.example> wrote:\n> Thank you for contacting us.\n> We are looking into it.",
          "\n\n-----Original Message-----\nFrom: Support\nSent: Monday\nSubject: Re: your order\n\nDear customer, ..."]


def _strip(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def load_corpus() -> list[dict]:
    recs = []
    for f in sorted((ROOT / "corpora" / "messages").glob("*/*.jsonl")):
        for line in f.read_text("utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                recs.append({k: r[k] for k in ("text", "subject", "channel", "received_at", "language") if k in r})
    return recs


def messages(n: int, seed: int = 0) -> Iterator[dict]:
    rng = random.Random(seed)
    corpus = load_corpus()
    for i in range(n):
        r = dict(rng.choice(corpus))
        text = r["text"]
        roll = rng.random()
        if roll < 0.15:
            text = _strip(text)
        elif roll < 0.20:
            text = text.lower()
        elif roll < 0.22:
            text = text.upper()
        if rng.random() < 0.2:
            text += rng.choice(SIGNATURES)
        if rng.random() < 0.1:
            text += rng.choice(QUOTES)
        r["text"] = text
        r["id"] = f"m{i:07d}"
        r.pop("language", None)
        yield r


def write_jsonl(path: Path, n: int, seed: int = 0) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for m in messages(n, seed):
            f.write(json.dumps(m, ensure_ascii=False) + "\n")

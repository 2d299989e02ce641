"""Routing speed: Router.assign over synthetic batches, and how it grows.

    python benchmarks/routing/run.py [--out benchmarks/routing/RESULTS.md]

Teams and messages are random but seeded: teams speak 1-4 of the 11 languages, cover
2-6 topics at levels 1-5, have shifts in several time zones and capacities that bind
(demand is about twice the capacity), so the greedy assignment does real work. The
messages carry topic probabilities, urgency, channel and received_at.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from triage._language import DEFAULT_LANGUAGES  # noqa: E402
from triage._routing import Router  # noqa: E402
from triage._teams import TeamTable, parse_teams  # noqa: E402
from triage._topics import DEFAULT_TOPICS, URGENCY_LEVELS  # noqa: E402

ZONES = ["Europe/Zagreb", "Europe/Berlin", "Europe/Paris", "Europe/Tallinn", "America/New_York", "Asia/Manila"]
CHANNELS = ["email", "chat", "social", "webform", "phone_transcript"]


def teams(n: int, n_messages: int, rng: np.random.Generator) -> TeamTable:
    specs = []
    for i in range(n):
        hours = "24/7" if rng.random() < 0.3 else rng.choice(["08:00-16:00", "07:00-19:00", "22:00-06:00"])
        specs.append({
            "name": f"team-{i:03d}",
            "languages": list(rng.choice(DEFAULT_LANGUAGES, size=rng.integers(1, 5), replace=False)),
            "topics": {str(t): int(rng.integers(1, 6)) for t in rng.choice(DEFAULT_TOPICS, size=rng.integers(2, 7),
                                                                            replace=False)},
            "capacity": int(max(1, rng.normal(n_messages / (2 * n), n_messages / (8 * n)))),
            "hours": str(hours), "timezone": str(rng.choice(ZONES)), "days": "mon-fri",
            "translation": bool(rng.random() < 0.1),
        })
    parsed, problems = parse_teams({"teams": specs}, list(DEFAULT_TOPICS))
    assert not problems, problems
    return TeamTable(parsed, list(DEFAULT_TOPICS))


def messages(n: int, rng: np.random.Generator):
    lang = rng.choice(DEFAULT_LANGUAGES, size=n).astype(object)
    proba = rng.dirichlet(np.full(len(DEFAULT_TOPICS), 0.3), size=n)
    urgency = rng.choice(URGENCY_LEVELS, size=n, p=[0.3, 0.4, 0.2, 0.1]).astype(object)
    score = np.array([URGENCY_LEVELS.index(u) / 3 for u in urgency]) + rng.random(n) * 0.1
    channel = rng.choice(CHANNELS, size=n).astype(object)
    start = np.datetime64("2026-11-16T00:00:00")
    minutes = rng.integers(0, 7 * 24 * 60, size=n)
    received = np.array([f"{start + np.timedelta64(int(m), 'm')}+01:00" for m in minutes], dtype=object)
    return lang, proba, urgency, score, channel, received


def measure(n_messages: int, n_teams: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    router = Router(teams(n_teams, n_messages, rng))
    cols = messages(n_messages, rng)
    t = time.perf_counter()
    out = router.assign(*cols)
    dt = time.perf_counter() - t
    assigned = sum(x is not None for x in out["team"])
    capacity = int(router.table.capacity.sum())
    return {"messages": n_messages, "teams": n_teams, "seconds": dt, "rate": n_messages / dt,
            "assigned": assigned, "capacity": capacity}


def main() -> int:
    ap = argparse.ArgumentParser(description="Routing speed benchmark.")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    grid = [(10_000, 50), (50_000, 50), (100_000, 50), (100_000, 10), (100_000, 100), (200_000, 50)]
    rows = []
    for n, k in grid:
        r = measure(n, k)
        rows.append(r)
        print(f"{n:>8,} messages x {k:>3} teams: {r['seconds']:.2f} s ({r['rate']:,.0f} msg/s), "
              f"{r['assigned']:,} assigned of {r['capacity']:,} slots", flush=True)
    table = ["| messages | teams | seconds | messages/s | assigned / slots |", "|---|---|---|---|---|"]
    table += [f"| {r['messages']:,} | {r['teams']} | {r['seconds']:.2f} | {r['rate']:,.0f} | "
              f"{r['assigned']:,} / {r['capacity']:,} |" for r in rows]
    text = ("# Routing benchmark\n\nCommand: `python benchmarks/routing/run.py --out benchmarks/routing/RESULTS.md`\n\n"
            "Router.assign alone (eligibility and score matrices, greedy assignment under capacity, reasons, "
            "alternates and service-level deadlines in working hours), one process on this 2-core machine. "
            "Demand is about twice the capacity, so capacity binds.\n\n" + "\n".join(table) + "\n")
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

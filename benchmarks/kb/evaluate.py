"""KB suggestions on the KB query set: recall@3 and MRR per language, with and
without an article in the query's own language, and abstention on queries that no
article answers.

    python benchmarks/kb/evaluate.py [--out benchmarks/kb/RESULTS.md]

Queries are split in two halves by a hash of their id: 'tune' (used to choose the
weights and threshold in src/triage/_kb.py) and 'held-out' (reported separately).
"""
from __future__ import annotations

import argparse
import json
import sys
import zlib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))


def load_queries(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]


def half(qid: str) -> str:
    return "tune" if zlib.crc32(qid.encode()) % 2 == 0 else "held-out"


def evaluate(queries, results) -> dict:
    """results: per query the ranked canonical ids."""
    out = {"n": 0, "recall@3": 0.0, "mrr": 0.0}
    hits = rr = 0.0
    n = 0
    for q, ranked in zip(queries, results):
        if not q["relevant"]:
            continue
        n += 1
        rel = set(q["relevant"])
        hits += any(r in rel for r in ranked[:3])
        for pos, r in enumerate(ranked, 1):
            if r in rel:
                rr += 1 / pos
                break
    if n:
        out = {"n": n, "recall@3": hits / n, "mrr": rr / n}
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", default=str(ROOT / "corpora" / "kb" / "queries.jsonl"))
    ap.add_argument("--kb", default=None, help="KB path (default: the shipped KB)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--embeddings", default=None,
                    help="local sentence-transformers model folder for dense re-ranking ('minilm' = the packaged one)")
    args = ap.parse_args()
    import triage
    from triage._kb import KnowledgeBase

    queries = load_queries(Path(args.queries))
    if args.embeddings == "minilm":
        from triage._embeddings import packaged_minilm_path

        args.embeddings = str(packaged_minilm_path())
    t = triage.Triager(kb=args.kb, teams=False, embeddings=args.embeddings)
    res = t.triage_batch([{"id": q["id"], "text": q["text"]} for q in queries])
    kb = KnowledgeBase(args.kb)
    canon = {a.id: a.canonical for a in kb.index()["articles"]}
    ranked = [[canon[h["id"]] for h in (r.kb or [])] for r in res]

    groups = defaultdict(list)
    for i, q in enumerate(queries):
        if q["relevant"]:
            groups[("all", "all")].append(i)
            groups[("lang", q["language"])].append(i)
            groups[("local", "same-language article" if q["local_article"] else "other-language only")].append(i)
            groups[("half", half(q["id"]))].append(i)
    rows = []
    for key in sorted(groups, key=lambda k: (["all", "local", "half", "lang"].index(k[0]), k[1])):
        idx = groups[key]
        e = evaluate([queries[i] for i in idx], [ranked[i] for i in idx])
        rows.append(f"| {key[1]} | {e['n']} | {e['recall@3']:.3f} | {e['mrr']:.3f} |")
    none_q = [i for i, q in enumerate(queries) if not q["relevant"]]
    abstained = sum(1 for i in none_q if not ranked[i])
    answerable = [i for i, q in enumerate(queries) if q["relevant"]]
    empty = sum(1 for i in answerable if not ranked[i])
    text = (
        "# KB suggestions on the KB query set\n\n"
        f"Command: `python benchmarks/kb/evaluate.py{' --embeddings minilm' if args.embeddings else ''} --out {args.out}`\n\n"
        f"{len(queries)} queries ({len(answerable)} with a relevant article, {len(none_q)} with none); "
        f"default KB of {len(canon)} article versions. Queries paraphrase the problem in the customer's words "
        "(corpora/kb/queries.jsonl). The 'tune' half chose the weights and threshold; 'held-out' did not.\n\n"
        "| group | queries | recall@3 | MRR |\n|---|---|---|---|\n" + "\n".join(rows) +
        f"\n\nQueries no article answers that got no suggestion: {abstained}/{len(none_q)}. "
        f"Answerable queries that got no suggestion: {empty}/{len(answerable)}.\n"
    )
    print(text)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

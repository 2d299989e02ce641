"""Hostile input, category by category: every record comes out, nothing crashes.

    python benchmarks/hostile/run.py [--out benchmarks/hostile/RESULTS.md]

Each category is written to a file of its format (JSONL, CSV, mbox, a folder of .eml)
and run through ``triage run`` in this process, with the shipped teams and KB. Counted:
the records the reader yields, the output lines, how many of them are ``error`` lines
or carry ``warnings``, crashes (an exception or a non-zero exit), records lost (read
but without their line, or out of order), and the slowest record: each record timed
alone through ``Triager.triage_batch`` (a batch of one, the whole pipeline).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

TEN_MB = 10 * 1024 * 1024


def jl(records) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r, ensure_ascii=False).encode("utf-8")) + b"\n"
                    for r in records)


def jsonl_categories(rng: random.Random) -> dict[str, bytes]:
    words = "paket nije stigao reklamacija refund zásilka arve makse podpora".split()
    cats = {
        "empty or whitespace text": jl([{"id": i, "text": t} for i, t in enumerate(
            ["", " ", "\n\t ", "\u00a0\u3000", "\u200b", "\r\n"])]),
        "null or missing text": jl([{"id": 1, "text": None}, {"id": 2}, {"id": 3, "subject": "only a subject"},
                                    {"text": None}]),
        "numbers, lists or objects where text belongs": jl([
            {"id": 1, "text": 42}, {"id": 2, "text": ["a", "b"]}, {"id": 3, "text": {"body": "x"}},
            {"id": 4, "text": True}, {"id": {"nested": 1}, "text": "ok parcel late"},
            {"id": [1, 2], "text": "ok"}, {"id": 7, "text": "fine", "channel": 5, "subject": ["x"],
                                           "received_at": {"d": 1}, "customer": 3.5},
            {"id": 8, "text": 1e308}, {"id": 9, "text": "NaN", "channel": None}]),
        "10 MB messages": jl([{"id": i, "text": " ".join(rng.choice(words) for _ in range(TEN_MB // 8))[:TEN_MB]}
                              for i in range(2)]),
        "200,000-character words": jl([{"id": 1, "text": "x" * 200_000},
                                       {"id": 2, "text": "moj paket " + "a" * 200_000 + " nije stigao"},
                                       {"id": 3, "text": "".join(rng.choice("abcčćđšž") for _ in range(200_000))}]),
        "binary junk lines": b"\n".join(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
                                        .replace(b"\n", b" ") for _ in range(40)) + b"\n",
        "NUL bytes and control characters": jl([{"id": i, "text": t} for i, t in enumerate(
            ["Pa\x00ket ni\x00je stigao", "\x00\x00\x00", "Refund\x1b[31m please\x07", "a\x08b\x0cc\x7f d",
             "\ufeffBOM inside \ufeff text", "line\u2028separator\u2029para"])]),
        "invalid UTF-8 and mixed encodings": b"\n".join([
            b'{"id": 1, "text": "Pakete \xff\xfe kaputt"}',
            '{"id": 2, "text": "Zásilka nepřišla, reklamace"}'.encode("cp1250"),
            '{"id": 3, "text": "Commande non reçue, très déçu"}'.encode("latin-1"),
            '{"id": 4, "text": "Paket nije stigao"}'.encode("utf-16"),
            b'{"id": 5, "text": "\xc3\x28 half a character"}',
            '{"id": 6, "text": "Zamówienie nie dotarło"}'.encode("iso-8859-2")]) + b"\n",
        "lines that are not JSON": b"\n".join([b'{"id": 1, "text": "cut off', b"{'id': 2, 'text': 'single quotes'}",
                                               b'{"id": 3, "text": "x",}', b"text=hello", b"<html>",
                                               b"[" * 100_000, b'{"id": 7 "text": "x"}']) + b"\n",
        "JSON that is not an object": jl([[1, 2, 3], "just a string", 42, None, True, [{"text": "in a list"}]]),
        "emoji only": jl([{"id": i, "text": t} for i, t in enumerate(
            ["😡😡😡", "👍", "📦❌⏰🤬", "🇭🇷🇩🇪", "👨‍👩‍👧‍👦" * 50])]),
        "HTML only": jl([{"id": i, "text": t} for i, t in enumerate(
            ["<p>&nbsp;</p>", "<html><head><style>p{color:red}</style></head><body></body></html>",
             "<script>alert('x')</script>", "<div><br/><br/></div>", "&lt;&gt;&amp;" * 100,
             "<p>Moj paket <b>nije</b> stigao &ndash; hitno!</p>", "<" * 5000])]),
        "zero-width characters": jl([{"id": i, "text": t} for i, t in enumerate(
            ["Pa\u200bket ni\u200cje sti\u200dgao", "\u200b" * 1000, "Re\u2060fund \ufeffplease",
             "W\u00adhere is my or\u00adder"])]),
        "right-to-left and other scripts": jl([{"id": i, "text": t} for i, t in enumerate(
            ["הזמנה שלי לא הגיעה", "لم يصل طلبي بعد", "我的包裹还没到", "Моя посылка не пришла",
             "Το δέμα μου δεν έφτασε", "मेरा पार्सल नहीं आया", "พัสดุของฉันยังไม่มาถึง",
             "\u202eetlaf ym si ti\u202c order 123", "Paket \u05e9\u05dc\u05d9 nije stigao"])]),
        "dates that are not dates": jl([{"id": i, "text": "My parcel is late.", "received_at": d}
                                        for i, d in enumerate(["yesterday", "2026-13-45T99:00:00", "0000-00-00",
                                                               "", "12345", "2026-11-22T10:00:00+25:00",
                                                               "9999-12-31T23:59:59Z", 1700000000, None])]),
        "unknown channels": jl([{"id": i, "text": "Refund still missing.", "channel": c}
                                for i, c in enumerate(["fax", "carrier pigeon", "", 42, "EMAIL", "x" * 5000])]),
        "lone surrogates": b"\n".join([b'{"id": 1, "text": "bad \\ud800 surrogate"}',
                                       b'{"id": 2, "text": "\\udfff\\ud800"}',
                                       b'{"id": "\\ud800", "text": "id with a surrogate"}']) + b"\n",
    }
    return cats


def broken_csv() -> bytes:
    return (b'id,text,channel\n'
            b'1,"unbalanced quote, parcel late,email\n'
            b'2,plain row,chat\n'
            b'3,"embedded ""quotes"" and\nnewline",email\n'
            b'4,too,many,columns,here\n'
            b'5\n'
            b'6,"nul \x00 byte",chat\n'
            b',"no id",email\n'
            b'8,"\xff\xfe invalid utf-8",email\n')


MIME = [
    # boundary that never appears
    b'From: a@example.com\nSubject: no boundary\nMIME-Version: 1.0\n'
    b'Content-Type: multipart/mixed; boundary="XYZ"\n\nMy parcel did not arrive.\n',
    # unknown charset
    b'From: b@example.com\nSubject: =?x-unknown?Q?bad?=\nContent-Type: text/plain; charset="x-klingon"\n\n'
    b'Paket nije stigao \xe8\xe6.\n',
    # broken base64
    b'From: c@example.com\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!not base64###\n',
    # broken quoted-printable
    b'From: d@example.com\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n'
    b'Z=C3=A1silka =ZZ nep=C5=99i=\n',
    # no headers at all
    b'\nJust a body without headers, refund please.\n',
    # multipart with only an attachment
    b'From: e@example.com\nContent-Type: multipart/mixed; boundary="B"\n\n--B\nContent-Type: application/pdf\n'
    b'Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--B--\n',
    # garbage headers and a bad date
    b'From: \x00\x01\x02\nDate: 45 Foo 20260 99:99:99\nSubject: =?utf-8?B?!!!?=\n\nPassword reset does not work.\n',
    # deeply nested multiparts
    b'From: f@example.com\nContent-Type: multipart/mixed; boundary="L0"\n\n'
    + b"".join(f'--L{i}\nContent-Type: multipart/mixed; boundary="L{i + 1}"\n\n'.encode() for i in range(60))
    + b'--L60\nContent-Type: text/plain\n\nDeep inside: card charged twice.\n',
    # HTML-only with a broken tag soup
    b'From: g@example.com\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>Faktura <b>chybn\xc3\xa1<p></html',
    # empty message
    b'',
]


def mbox_bytes() -> bytes:
    out = b""
    for i, m in enumerate(MIME):
        out += f"From sender{i}@example.com Mon Nov 16 10:00:00 2026\n".encode() + m.replace(b"\nFrom ", b"\n>From ")
        out += b"\n\n"
    return out


def run_category(name: str, path: Path, work: Path, triager) -> dict:
    from triage._cli import main
    from triage._readers import read_chunks

    records = [r for chunk in read_chunks(str(path), chunk_size=512) for r in chunk]
    out = work / "out.jsonl"
    crashes, rc = 0, None
    t0 = time.perf_counter()
    try:
        rc = main(["run", str(path), "-o", str(out), "-q"])
    except BaseException as exc:  # noqa: BLE001 - counting crashes is the point
        crashes = 1
        print(f"{name}: CRASH {type(exc).__name__}: {exc}", file=sys.stderr)
    wall = time.perf_counter() - t0
    if rc not in (0, None):
        crashes += 1
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()] if out.exists() else []
    ids_in = [r["id"] for r in records]
    ids_out = [r["id"] for r in rows]
    lost = len(ids_in) - sum(1 for a, b in zip(ids_in, ids_out) if a == b)
    slowest = 0.0
    for rec in records:
        t = time.perf_counter()
        triager.triage_batch([rec])
        slowest = max(slowest, time.perf_counter() - t)
    return {"name": name, "records": len(records), "lines": len(rows),
            "errors": sum("error" in r for r in rows), "warned": sum("warnings" in r for r in rows),
            "crashes": crashes, "lost": lost, "slowest_ms": slowest * 1000, "wall_s": wall,
            "bytes": sum(f.stat().st_size for f in ([path] if path.is_file() else path.iterdir()))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="write the Markdown report here")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from triage import Triager

    rng = random.Random(args.seed)
    triager = Triager()
    triager.triage("warm-up: load the models")
    results = []
    with tempfile.TemporaryDirectory(prefix="triage-hostile-") as tmp:
        work = Path(tmp)
        inputs: list[tuple[str, Path]] = []
        for i, (name, data) in enumerate(jsonl_categories(rng).items()):
            p = work / f"cat{i}.jsonl"
            p.write_bytes(data)
            inputs.append((name, p))
        (work / "broken.csv").write_bytes(broken_csv())
        inputs.append(("CSV with broken quoting", work / "broken.csv"))
        (work / "broken.mbox").write_bytes(mbox_bytes())
        inputs.append(("mbox with broken MIME", work / "broken.mbox"))
        eml = work / "eml"
        eml.mkdir()
        for i, m in enumerate(MIME):
            (eml / f"{i:02d}.eml").write_bytes(m)
        inputs.append((".eml folder with broken MIME", eml))
        for name, path in inputs:
            results.append(run_category(name, path, work, triager))
            print(f"{name}: {results[-1]}", file=sys.stderr)

    total = {k: sum(r[k] for r in results) for k in ("records", "lines", "errors", "warned", "crashes", "lost")}
    worst = max(results, key=lambda r: r["slowest_ms"])
    lines = [
        "# Hostile input: every record comes out",
        "",
        f"Command: `python benchmarks/hostile/run.py{' --out ' + args.out if args.out else ''}`",
        "",
        f"Machine: {os.cpu_count()} CPUs ({platform.machine()}), Python {platform.python_version()}, "
        f"{platform.system()}. Each category runs through `triage run` with the shipped teams and KB; the slowest "
        "record is each record timed alone through `Triager.triage_batch` (a batch of one).",
        "",
        "| category | input | records read | output lines | error lines | with warnings | crashes | lost | "
        "slowest record |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['name']} | {r['bytes'] / 1e6:.2f} MB | {r['records']} | {r['lines']} | {r['errors']} | "
                     f"{r['warned']} | {r['crashes']} | {r['lost']} | {r['slowest_ms']:.0f} ms |")
    lines.append(f"| **all** | | **{total['records']}** | **{total['lines']}** | {total['errors']} | "
                 f"{total['warned']} | **{total['crashes']}** | **{total['lost']}** | "
                 f"**{worst['slowest_ms']:.0f} ms** ({worst['name']}) |")
    lines += ["", "Records read: what the reader yields (a line that is not JSON is a record with an `error`; "
              "blank lines are not records). Lost: read but without its own line in order."]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        Path(args.out).write_text(report, encoding="utf-8")
    return 0 if total["crashes"] == 0 and total["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Hostile input, fuzzed with a bounded budget: every record comes out, nothing raises."""
import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from triage._readers import read_chunks

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
records = st.one_of(
    st.fixed_dictionaries({"text": st.text(max_size=200)}, optional={"id": json_values, "channel": json_values,
                                                                        "received_at": json_values,
                                                                        "subject": json_values}),
    json_values,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(records.map(lambda r: json.dumps(r).encode()), st.binary(max_size=80)),
                min_size=1, max_size=12))
def test_jsonl_reader_and_triage_never_lose_a_record(triager, lines):
    lines = [line.replace(b"\n", b" ").replace(b"\r", b" ") for line in lines]
    data = b"\n".join(lines) + b"\n"
    recs = [r for chunk in read_chunks("-", chunk_size=5, stdin=io.BytesIO(data)) for r in chunk]
    expected = sum(1 for line in lines if line.decode("utf-8", "replace").strip().lstrip("\ufeff"))
    assert len(recs) == expected
    out = list(triager.triage_records(recs))
    assert [o["id"] for o in out] == [r["id"] for r in recs]
    for o in out:
        assert ("error" in o) or ("language" in o and "topic" in o)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=300), min_size=1, max_size=8))
def test_any_text_gets_a_result(triager, texts):
    results = triager.triage_batch(texts)
    assert len(results) == len(texts)
    for text, r in zip(texts, results):
        assert (r.error is not None) == (not text.strip())


def _read_file(tmp_path_factory, name: str, data: bytes) -> list[dict]:
    path = tmp_path_factory.mktemp("fuzz") / name
    path.write_bytes(data)
    return [r for chunk in read_chunks(str(path), chunk_size=4) for r in chunk]


csv_cells = st.lists(st.sampled_from(list('ab ,"\n\r\x00é;\t\ufeff') + ["zásilka"]), max_size=12).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(header=st.sampled_from([b"id,text,channel\n", b"text\n", b"\xef\xbb\xbftext,id\n", b'"text","id"\n']),
       rows=st.lists(st.lists(csv_cells, max_size=5), max_size=10), junk=st.binary(max_size=40))
def test_broken_csv_never_raises_and_every_row_gets_a_line(triager, tmp_path_factory, header, rows, junk):
    data = header + b"\n".join(",".join(cells).encode("utf-8") for cells in rows) + junk
    recs = _read_file(tmp_path_factory, "in.csv", data)
    out = list(triager.triage_records(recs))
    assert [o["id"] for o in out] == [r["id"] for r in recs]
    assert all(("error" in o) != ("language" in o) for o in out)


mime_parts = st.sampled_from([
    b"Content-Type: multipart/mixed; boundary=\"B\"\n", b"Content-Type: text/plain; charset=x-unknown\n",
    b"Content-Transfer-Encoding: base64\n", b"Content-Transfer-Encoding: quoted-printable\n",
    b"Subject: =?utf-8?B?!!!?=\n", b"Subject: =?iso-8859-2?Q?Z=E1silka?=\n", b"Date: not a date\n",
    b"From: \x00\xff\n", b"Message-ID: <x@y>\n", b"Content-Type: text/html\n", b"\n", b"--B\n", b"--B--\n",
    b"Paket nije stigao.\n", b"=ZZ=C3=A1\n", b"<p>Faktura<b>\n", b"!!!not base64###\n",
])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(mails=st.lists(st.lists(st.one_of(mime_parts, st.binary(max_size=30)), max_size=12), min_size=1, max_size=5))
def test_broken_mime_in_mbox_never_raises_and_every_mail_gets_a_line(triager, tmp_path_factory, mails):
    box = b"".join(b"From someone@example.com Mon Nov 16 10:00:00 2026\n"
                   + b"".join(parts).replace(b"\nFrom ", b"\n>From ") + b"\n\n" for parts in mails)
    recs = _read_file(tmp_path_factory, "in.mbox", box)
    assert len(recs) == len(mails)
    out = list(triager.triage_records(recs))
    assert [o["id"] for o in out] == [r["id"] for r in recs]

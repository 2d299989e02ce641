import io
import json

import pytest

from triage import InputFormatError
from triage._readers import detect_format, read_chunks


def records(path, **kw):
    return [r for chunk in read_chunks(str(path), **kw) for r in chunk]


def test_mbox_multipart_html_in_windows_1250(fixtures):
    recs = records(fixtures / "sample.mbox")
    assert [r["id"] for r in recs] == ["hr-001@example.hr", 2, "empty-1@example.com"]
    assert recs[0]["subject"] == "Narudžba 55120"
    assert "paket nije stigao već 3 tjedna" in recs[0]["text"]
    assert recs[0]["received_at"] == "2026-10-12T08:10:00+02:00"
    assert "nemůžu se přihlásit" in recs[1]["text"]  # iso-8859-2, quoted-printable
    assert recs[2]["error"] == "mail has no text or HTML body"


def test_eml_folder_html_only_and_multipart(fixtures):
    recs = records(fixtures / "eml")
    assert [r["id"] for r in recs] == ["pl-7@example.pl", "et-3@example.ee"]
    assert "nie dostałem zwrotu" in recs[0]["text"]
    assert recs[1]["text"].startswith("Tere, minu arvel")


def test_csv_with_bom_and_embedded_newlines(fixtures):
    recs = records(fixtures / "sample.csv")
    assert [r["id"] for r in recs] == ["c1", "c2", "c3"]
    assert recs[0]["text"].count("\n") == 2 and '"two weeks"' in recs[0]["text"]
    assert "error" in recs[1]
    assert recs[0]["received_at"] == "2026-10-12T08:00:00+01:00"


def test_jsonl_bad_lines_stay_in_place(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_bytes(b'{"id": "a", "text": "hi"}\nnot json\n\n[1]\n{"text": 5}\n{"text": "ok \xff"}\n')
    recs = records(p)
    assert [r["id"] for r in recs] == ["a", 2, 4, 5, 6]
    assert "not valid JSON" in recs[1]["error"]
    assert "not an object" in recs[2]["error"]
    assert "not a string" in recs[3]["error"]
    assert recs[4]["text"] == "ok \ufffd"


def test_json_array_streams_in_small_reads(tmp_path):
    p = tmp_path / "in.json"
    data = [{"id": i, "text": f"message {i} " * 20} for i in range(50)]
    p.write_text(json.dumps(data))
    recs = records(p, chunk_size=7)
    assert [r["id"] for r in recs] == list(range(50))


def test_parquet_in_chunks(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    p = tmp_path / "in.parquet"
    pq.write_table(pa.table({"text": ["a b c", None, "d e"], "channel": ["chat", "email", None]}), p)
    chunks = list(read_chunks(str(p), chunk_size=2))
    assert [len(c) for c in chunks] == [2, 1]
    assert [r["id"] for c in chunks for r in c] == [1, 2, 3]
    assert "error" in chunks[0][1]


def test_stdin_is_jsonl():
    stdin = io.BytesIO(b'{"text": "hello"}\n{"text": "world"}\n')
    assert [r["text"] for c in read_chunks("-", stdin=stdin) for r in c] == ["hello", "world"]


def test_unknown_extension_and_missing_file_are_clear(tmp_path):
    with pytest.raises(InputFormatError, match="cannot tell the format"):
        detect_format(str(tmp_path / "x.docx"))
    with pytest.raises(InputFormatError, match="does not exist"):
        read_chunks(str(tmp_path / "missing.jsonl"))


def test_csv_without_text_column(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("id,body\n1,hello\n")
    with pytest.raises(InputFormatError, match="no 'text' column"):
        records(p)

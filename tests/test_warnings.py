import json

from triage._cli import main
from triage._records import coerce_record, normalize_channel


def test_truncation_bad_time_and_unknown_channel_are_flagged(triager):
    long_text = "Moj paket nije stigao. " * 400
    r = triager.triage(long_text, channel="fax", received_at="next tuesday")
    notes = r.to_dict()["warnings"]
    assert len(notes) == 3
    assert "truncated" in notes[0] and f"{len(long_text):,}" in notes[0]
    assert "'next tuesday'" in notes[1] and "deadline" in notes[1]
    assert "'fax'" in notes[2]
    assert r.sla_due is None


def test_clean_record_has_no_warnings_key(triager):
    r = triager.triage("Paket nije stigao.", channel="email", received_at="2026-11-20T10:00:00+01:00")
    assert r.warnings is None and "warnings" not in r.to_dict()
    assert r.sla_due is not None


def test_channel_spellings_of_helpdesk_exports_are_understood():
    assert [normalize_channel(c) for c in ("E-mail", " Live chat", "PHONE", "Web form", "Chat")] == \
        ["email", "chat", "phone_transcript", "webform", "chat"]
    assert normalize_channel("carrier pigeon") == "carrier pigeon"
    assert coerce_record({"text": "x", "channel": "Social media"}, 1)["channel"] == "social"


def test_cli_writes_warnings_and_redacts_them(tmp_path):
    src = tmp_path / "in.jsonl"
    rows = [{"id": 1, "text": "Where is my parcel?", "received_at": "call jana@example.com"},
            {"id": 2, "text": "Where is my parcel?", "channel": "email"}]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    plain, masked = tmp_path / "plain.jsonl", tmp_path / "masked.jsonl"
    assert main(["run", str(src), "-o", str(plain), "-q"]) == 0
    assert main(["run", str(src), "-o", str(masked), "-q", "--redact"]) == 0
    out = [json.loads(line) for line in plain.read_text("utf-8").splitlines()]
    assert "jana@example.com" in out[0]["warnings"][0] and "warnings" not in out[1]
    assert "jana@" not in masked.read_text("utf-8") and "[EMAIL]" in masked.read_text("utf-8")
